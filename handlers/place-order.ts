import { randomUUID } from "node:crypto";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import { OutOfStockError, TransientError, UnknownProductError } from "../domain/errors";
import { newOrder, parseNewOrder } from "../domain/order";
import { isTransientFailure } from "../domain/placement";
import { BusinessMetric, type BusinessMetrics, type OrderWorkflow } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { withBusinessMetrics } from "./adapters/powertools-metrics";
import { TRANSIENT_ERRORS } from "../workflow/definition";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, jsonBody } from "./http";
import { withIdempotencyKey } from "./idempotency";

/** What `POST /orders` needs from the outside world. */
export interface PlaceOrderDeps {
  readonly orderWorkflow: OrderWorkflow;
  readonly metrics: BusinessMetrics;
  readonly newId: () => string;
  readonly now: () => Date;
  /** Where `Idempotency-Key`s are remembered. */
  readonly idempotency: BasePersistenceLayer;
}

/**
 * `POST /orders`: validates the order (one product, or up to 25 lines), runs the order workflow and
 * answers with its outcome: 201 with the order priced, 409 naming every line short of stock, 400
 * naming an unknown product, 503 with `Retry-After`
 * when a dependency said "not now" and no order was written (`isTransientFailure`). The handler
 * retries nothing itself: the SDK already retried each call and the workflow each task, and a
 * second run of the workflow is a second order id, which only the client's `Idempotency-Key` makes
 * safe.
 */
export function makePlaceOrder(deps: PlaceOrderDeps): ApiHandler {
  const place = httpHandler(async (event, log) => {
    const caller = callerOf(event);
    const order = newOrder(parseNewOrder(jsonBody(event)), caller.userId, deps.newId(), deps.now());
    log.appendKeys({ orderId: order.OrderId });
    const outcome = await deps.orderWorkflow.place(order);
    log.info("Order workflow ended", { outcome: outcome.kind, lines: order.items.length });
    if (outcome.kind !== "failed") {
      deps.metrics.count(outcome.kind === "placed" ? BusinessMetric.OrdersPlaced : BusinessMetric.OrdersRefused);
    }
    switch (outcome.kind) {
      case "placed":
        return json(201, outcome.order, { location: `/orders/${outcome.order.OrderId}` });
      case "outOfStock":
        throw new OutOfStockError(outcome.shortLines, order.items.length > 1);
      case "unknownProduct":
        throw new UnknownProductError(outcome.product, order.items.length > 1 ? outcome.line : undefined);
      case "failed":
        if (isTransientFailure(outcome, TRANSIENT_ERRORS)) {
          throw new TransientError(`The order workflow: ${outcome.error}: ${outcome.cause}`);
        }
        throw new Error(`The order workflow failed for order ${order.OrderId}: ${outcome.error}: ${outcome.cause}`);
    }
  });
  return withIdempotencyKey(place, deps.idempotency, "place-order");
}

export const placeOrder: ApiHandlerFactory = (adapters = {}) => {
  const aws = awsAdapters();
  return withBusinessMetrics(adapters.metrics, (metrics) =>
    makePlaceOrder({
      orderWorkflow: adapters.orderWorkflow ?? aws.orderWorkflow(),
      metrics,
      newId: randomUUID,
      now: () => new Date(),
      idempotency: aws.idempotencyStore(),
    }),
  );
};
