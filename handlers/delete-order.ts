import { ownerScope } from "../domain/caller";
import { ConflictError } from "../domain/errors";
import { findVisibleOrder } from "../domain/order";
import { cancellationOnDelete, returnsStock } from "../domain/order-status";
import type { OrderRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, pathParameter } from "./http";

/** How often a cancel reads the order again when its status changed between the read and the write. */
const ATTEMPTS = 3;

/** What `DELETE /orders/{id}` needs from the outside world. */
export interface DeleteOrderDeps {
  readonly orders: OrderRepository;
  readonly now: () => Date;
}

/**
 * `DELETE /orders/{id}`: orders are records, so it cancels the order rather than removing it, for
 * its owner or an admin alike (404 for anyone else). A PLACED order becomes CANCELLED and gives its
 * units back in the same transaction, exactly as an admin's PATCH to CANCELLED does; an order already
 * cancelled is answered as it is; a shipped or delivered one is refused with 409. 200 with the order.
 */
export function makeDeleteOrder(deps: DeleteOrderDeps): ApiHandler {
  return httpHandler(async (event, log) => {
    const caller = callerOf(event);
    const owner = ownerScope(caller);
    const id = pathParameter(event, "id");
    log.appendKeys({ orderId: id });
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const order = await findVisibleOrder(deps.orders, id, owner);
      const to = cancellationOnDelete(order.status);
      if (to === undefined) return json(200, order);
      const cancelled = await deps.orders.changeStatus(
        { order, to, returnStock: returnsStock(order.status, to), by: caller.userId },
        deps.now(),
      );
      if (cancelled) {
        log.info("Order cancelled by DELETE", { from: order.status });
        return json(200, cancelled);
      }
    }
    throw new ConflictError("The order kept changing while it was being cancelled; retry");
  });
}

export const deleteOrder: ApiHandlerFactory = () =>
  makeDeleteOrder({ orders: awsAdapters().orderRepository(), now: () => new Date() });
