import { MetricUnit, Metrics } from "@aws-lambda-powertools/metrics";
import type { BusinessMetrics } from "../../domain/ports";
import { type LambdaHandler, decorated } from "../http";

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
