import { canAccessOrder } from "../domain/caller";
import { NotFoundError } from "../domain/errors";
import { isOrderId } from "../domain/order";
import type { OrderRepository } from "../domain/ports";
import { orderRepository } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, pathParameter } from "./http";

/** What `GET /orders/{id}` needs from the outside world. */
export interface GetOrderDeps {
  readonly orders: OrderRepository;
}

/** `GET /orders/{id}`: the order, for its owner or an admin; 404 for anyone else. */
export function makeGetOrder(deps: GetOrderDeps): ApiHandler {
  return httpHandler(async (event) => {
    const caller = callerOf(event);
    const id = pathParameter(event, "id");
    const order = isOrderId(id) ? await deps.orders.get(id) : undefined;
    if (!order || !canAccessOrder(caller, order)) {
      throw new NotFoundError("Order", id);
    }
    return json(200, order);
  });
}

export const getOrder: ApiHandlerFactory = () => makeGetOrder({ orders: orderRepository() });
