import { ownerScope } from "../domain/caller";
import { ConflictError } from "../domain/errors";
import { findVisibleOrder } from "../domain/order";
import { deletionReturnsStock } from "../domain/order-status";
import type { OrderRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, pathParameter } from "./http";

/** How often a delete reads the order again when its status changed between the read and the delete. */
const ATTEMPTS = 3;

/** What `DELETE /orders/{id}` needs from the outside world. */
export interface DeleteOrderDeps {
  readonly orders: OrderRepository;
}

/**
 * `DELETE /orders/{id}`: 204 for its owner or an admin; 404 for anyone else. An order whose units
 * are still reserved for it (not shipped, not cancelled) gives them back in the same transaction.
 */
export function makeDeleteOrder(deps: DeleteOrderDeps): ApiHandler {
  return httpHandler(async (event) => {
    const owner = ownerScope(callerOf(event));
    const id = pathParameter(event, "id");
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const order = await findVisibleOrder(deps.orders, id, owner);
      if (await deps.orders.remove(order, deletionReturnsStock(order.status))) {
        return json(204);
      }
    }
    throw new ConflictError("The order kept changing while it was being deleted; retry");
  });
}

export const deleteOrder: ApiHandlerFactory = () => makeDeleteOrder({ orders: awsAdapters().orderRepository() });
