import * as v from "valibot";
import { MoneySchema } from "../../domain/money";
import { type Order, OrderSchema, priceOrder } from "../../domain/order";
import type { OrderRepository } from "../../domain/ports";
import { parseOrThrow } from "../../domain/validation";
import { awsAdapters } from "../adapters/from-environment";
import type { TaskHandlerFactory } from "./task";

/**
 * The order the API validated and the unit prices `CheckInventory` reserved its lines at, as the
 * workflow hands them to `CreateOrder`.
 */
const CreateOrderInputSchema = v.object({ order: OrderSchema, prices: v.array(v.nullable(MoneySchema)) });

/**
 * `CreateOrder`: prices the order at the prices its units were reserved at, stores it and consumes
 * its reservations in one transaction, and returns it priced (the workflow's output); a retry
 * changes nothing and returns the same. A reservation already given back (past its deadline) fails
 * it with `ReservationExpiredError`, which the workflow does not retry: it goes on to `ReleaseStock`.
 */
export function makeCreateOrder(deps: { readonly orders: OrderRepository }) {
  return async (input: unknown): Promise<Order> => {
    const { order, prices } = parseOrThrow(CreateOrderInputSchema, input);
    const priced = priceOrder(order, prices);
    await deps.orders.createReserved(priced);
    return priced;
  };
}

export const createOrder: TaskHandlerFactory = () => makeCreateOrder({ orders: awsAdapters().orderRepository() });
