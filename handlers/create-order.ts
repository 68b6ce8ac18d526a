import { randomUUID } from "node:crypto";
import type { OrderRepository } from "../domain/order-repository";
import { parseNewOrder, newOrder } from "../domain/order";
import { ordersFromEnvironment } from "./dynamo-order-repository";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, jsonBody } from "./http";

/** What `POST /orders` needs from the outside world. */
export interface CreateOrderDeps {
  readonly orders: OrderRepository;
  readonly newId: () => string;
  readonly now: () => Date;
}

/** `POST /orders`: validates the body and stores the order for the caller; 201 with the order. */
export function makeCreateOrder(deps: CreateOrderDeps): ApiHandler {
  return httpHandler(async (event) => {
    const caller = callerOf(event);
    const order = newOrder(parseNewOrder(jsonBody(event)), caller.userId, deps.newId(), deps.now());
    await deps.orders.create(order);
    return json(201, order, { location: `/orders/${order.OrderId}` });
  });
}

export const createOrder: ApiHandlerFactory = () =>
  makeCreateOrder({ orders: ordersFromEnvironment(), newId: randomUUID, now: () => new Date() });
