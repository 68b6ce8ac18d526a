import { ConflictError } from "../domain/errors";
import { STATUS_UPDATED_MESSAGE, findVisibleOrder } from "../domain/order";
import { nextStatus, parseLegacyStatusUpdate, parseStatusUpdate, returnsStock } from "../domain/order-status";
import { BusinessMetric, type BusinessMetrics, type OrderRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { withBusinessMetrics } from "./adapters/powertools-metrics";
import {
  type ApiEvent,
  type ApiHandler,
  type ApiHandlerFactory,
  callerOf,
  httpHandler,
  json,
  jsonBody,
  pathParameter,
  requireAdmin,
} from "./http";

/** What a status update needs from the outside world. */
export interface UpdateOrderStatusDeps {
  readonly orders: OrderRepository;
  readonly metrics: BusinessMetrics;
  readonly now: () => Date;
}

/**
 * Which order, which status, and (for the alias) whose order the request names. The original API's
 * `PUT /orders` names the order in its body, `PATCH /orders/{id}` in its path.
 */
function requestOf(event: ApiEvent) {
  if (event.pathParameters?.["id"] === undefined) {
    const { orderId, userId, ...update } = parseLegacyStatusUpdate(jsonBody(event));
    return { orderId, ...update, ownerId: userId };
  }
  return { orderId: pathParameter(event, "id"), ...parseStatusUpdate(jsonBody(event)), ownerId: undefined };
}

/**
 * `PATCH /orders/{id}` (admin): applies a transition the order-status machine allows (cancelling
 * gives the stock back in the same transaction; shipping stores the carrier and tracking number
 * given), and records it on the order's timeline, with the admin's note, in that transaction. The customer is e-mailed by the change's
 * `OrderStatusChanged` event, which exists exactly when the change was committed.
 */
export function makeUpdateOrderStatus(deps: UpdateOrderStatusDeps): ApiHandler {
  return httpHandler(async (event, log) => {
    const caller = callerOf(event);
    requireAdmin(caller);
    const request = requestOf(event);
    log.appendKeys({ orderId: request.orderId });
    const order = await findVisibleOrder(deps.orders, request.orderId, request.ownerId);
    const to = nextStatus(order.status, request.status);
    const updated = await deps.orders.changeStatus(
      {
        order,
        to,
        returnStock: returnsStock(order.status, to),
        by: caller.userId,
        ...(request.shipment ? { shipment: request.shipment } : {}),
        ...(request.note ? { note: request.note } : {}),
      },
      deps.now(),
    );
    if (!updated) {
      throw new ConflictError("The order changed while it was being updated; read it again and retry");
    }
    deps.metrics.count(BusinessMetric.StatusChanges);
    log.info("Order status changed", { from: order.status, to });
    return json(200, { ...updated, message: STATUS_UPDATED_MESSAGE });
  });
}

export const updateOrderStatus: ApiHandlerFactory = (adapters = {}) => {
  const aws = awsAdapters();
  return withBusinessMetrics(adapters.metrics, (metrics) =>
    makeUpdateOrderStatus({
      orders: aws.orderRepository(),
      metrics,
      now: () => new Date(),
    }),
  );
};
