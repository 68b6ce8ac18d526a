import { MetricUnit, Metrics } from "@aws-lambda-powertools/metrics";
import type { BusinessMetrics } from "../../domain/ports";

/**
 * Business metrics as CloudWatch embedded-metric-format lines, through Powertools Metrics. The
 * namespace and service come from `POWERTOOLS_METRICS_NAMESPACE` and `POWERTOOLS_SERVICE_NAME`,
 * which the deployment sets per stack.
 */
export function powertoolsMetrics(metrics: Metrics = new Metrics()): BusinessMetrics {
  return {
    count(metric) {
      metrics.addMetric(metric, MetricUnit.Count, 1);
      metrics.publishStoredMetrics();
    },
  };
}
