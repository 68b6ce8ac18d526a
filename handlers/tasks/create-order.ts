import * as v from "valibot";
import { OrderSchema } from "../../domain/order";
import type { OrderRepository } from "../../domain/ports";
import { parseOrThrow } from "../../domain/validation";
import { awsAdapters } from "../adapters/from-environment";
import type { TaskHandlerFactory } from "./task";

/** The order the API validated, as the workflow hands it to `CreateOrder`. */
const CreateOrderInputSchema = v.object({ order: OrderSchema });

/**
 * `CreateOrder`: stores the order and consumes its reservation in one transaction; a retry changes
 * nothing. A reservation already given back (past its deadline) fails it with
 * `ReservationExpiredError`, which the workflow does not retry: it goes on to `ReleaseStock`.
 */
export function makeCreateOrder(deps: { readonly orders: OrderRepository }) {
  return async (input: unknown): Promise<Record<string, never>> => {
    const { order } = parseOrThrow(CreateOrderInputSchema, input);
    await deps.orders.createReserved(order);
    return {};
  };
}

export const createOrder: TaskHandlerFactory = () => makeCreateOrder({ orders: awsAdapters().orderRepository() });
