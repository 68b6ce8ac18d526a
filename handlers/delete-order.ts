import { ownerScope } from "../domain/caller";
import { NotFoundError } from "../domain/errors";
import { isOrderId } from "../domain/order";
import type { OrderRepository } from "../domain/order-repository";
import { ordersFromEnvironment } from "./dynamo-order-repository";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, pathParameter } from "./http";

/** What `DELETE /orders/{id}` needs from the outside world. */
export interface DeleteOrderDeps {
  readonly orders: OrderRepository;
}

/**
 * `DELETE /orders/{id}`: 204 for its owner or an admin; 404 for anyone else. The ownership check
 * is the delete's own condition, so a race cannot delete someone else's order.
 */
export function makeDeleteOrder(deps: DeleteOrderDeps): ApiHandler {
  return httpHandler(async (event) => {
    const caller = callerOf(event);
    const id = pathParameter(event, "id");
    const removed = isOrderId(id) ? await deps.orders.remove(id, ownerScope(caller)) : undefined;
    if (!removed) {
      throw new NotFoundError("Order", id);
    }
    return json(204);
  });
}

export const deleteOrder: ApiHandlerFactory = () => makeDeleteOrder({ orders: ordersFromEnvironment() });
