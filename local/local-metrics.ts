import type { BusinessMetric, BusinessMetrics } from "../domain/ports";

/**
 * Business metrics offline: counted in memory and readable at `GET /_local/metrics`, where the
 * cloud writes them to CloudWatch in embedded metric format.
 */
export class LocalMetrics implements BusinessMetrics {
  private readonly counts = new Map<BusinessMetric, number>();

  count(metric: BusinessMetric): void {
    this.counts.set(metric, (this.counts.get(metric) ?? 0) + 1);
  }

  /** Every metric counted so far, by name. */
  snapshot(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}
