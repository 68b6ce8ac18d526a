import { ownerScope } from "../domain/caller";
import { findVisibleOrder } from "../domain/order";
import type { OrderRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, pathParameter } from "./http";

/** What `GET /orders/{id}` needs from the outside world. */
export interface GetOrderDeps {
  readonly orders: OrderRepository;
}

/** `GET /orders/{id}`: the order and its timeline, for its owner or an admin; 404 for anyone else. */
export function makeGetOrder(deps: GetOrderDeps): ApiHandler {
  return httpHandler(async (event) => {
    const owner = ownerScope(callerOf(event));
    const order = await findVisibleOrder(deps.orders, pathParameter(event, "id"), owner);
    return json(200, { ...order, timeline: await deps.orders.timeline(order.OrderId) });
  });
}

export const getOrder: ApiHandlerFactory = () => makeGetOrder({ orders: awsAdapters().orderRepository() });
