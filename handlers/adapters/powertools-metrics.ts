import { MetricUnit, Metrics } from "@aws-lambda-powertools/metrics";
import type { BusinessMetrics } from "../../domain/ports";
import { type ApiHandlerFactory, type LambdaHandler, countingUnavailable, decorated } from "../http";

/**
 * Builds a handler that counts business metrics: with the counter given (the local stack's), or
 * else through Powertools Metrics, whose `logMetrics` around the handler publishes what one
 * invocation counted as one CloudWatch embedded-metric-format line, and Powertools' `ColdStart`
 * metric on a cold start. The namespace and service come from `POWERTOOLS_METRICS_NAMESPACE` and
 * `POWERTOOLS_SERVICE_NAME`, which the deployment sets per stack.
 */
export function withBusinessMetrics<H extends LambdaHandler>(
  given: BusinessMetrics | undefined,
  make: (metrics: BusinessMetrics) => H,
): H {
  if (given) return make(given);
  const metrics = new Metrics();
  const handler = make({
    count(metric) {
      metrics.addMetric(metric, MetricUnit.Count, 1);
    },
  });
  return decorated(handler, metrics.logMetrics({ captureColdStartMetric: true }));
}

/**
 * A route's factory whose function counts each 503 it answers as `DependencyUnavailable`, once,
 * whichever layer answered it (the route, or the `Idempotency-Key` store in front of it). It counts
 * through the same metrics as the route's own business metrics: the route is given them as its
 * `metrics` adapter, so that in the cloud one Powertools `logMetrics` publishes both, once per
 * invocation. `api/routes.ts` applies it to every route.
 */
export function countingDependencyUnavailable(factory: ApiHandlerFactory): ApiHandlerFactory {
  const counting: ApiHandlerFactory = (adapters = {}) =>
    withBusinessMetrics(adapters.metrics, (metrics) => countingUnavailable(factory({ ...adapters, metrics }), metrics));
  // The route's function keeps its factory's name, which is how the bench finds its source.
  return Object.defineProperty(counting, "name", { value: factory.name });
}
