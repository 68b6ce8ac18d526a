/** How an alarm compares its statistic with the threshold (CloudWatch's names). */
export type AlarmComparison = "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";

/**
 * An alarm on a per-function Lambda metric, written once: `Alerting` turns it into a CloudWatch
 * alarm for every function, and the local stack evaluates the same rule on what its handlers do.
 */
export interface FunctionAlarmRule {
  /** Suffix of the alarm's name: `<function>-<suffix>`. */
  readonly suffix: string;
  /** CloudWatch namespace of the metric. */
  readonly namespace: "AWS/Lambda";
  /** The metric, per function (dimension `FunctionName`). */
  readonly metricName: "Errors" | "Throttles";
  /** The statistic over one period. */
  readonly statistic: "Sum";
  /** Length of one evaluation period, in seconds. */
  readonly periodSeconds: number;
  /** How many periods must breach before the alarm fires. */
  readonly evaluationPeriods: number;
  /** The value the statistic is compared with. */
  readonly threshold: number;
  /** How the statistic is compared with the threshold. */
  readonly comparison: AlarmComparison;
  /** What the on-call should check first; becomes the alarm's description. */
  readonly description: string;
}

/** A function threw (not a 4xx: those are answers, not errors) at least once in a minute. */
export const functionErrorsAlarm: FunctionAlarmRule = {
  suffix: "errors",
  namespace: "AWS/Lambda",
  metricName: "Errors",
  statistic: "Sum",
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: 1,
  comparison: "GreaterThanOrEqualToThreshold",
  description:
    "A function threw an unhandled error. Check its log group for the JSON line with level ERROR (it carries the request id), then the DynamoDB table and recent deployments.",
};

/** Every per-function alarm. */
export const functionAlarmRules: readonly FunctionAlarmRule[] = [functionErrorsAlarm];

/** Whether `value` breaches `rule` (CloudWatch's comparison, evaluated locally). */
export function breaches(rule: Pick<FunctionAlarmRule, "comparison" | "threshold">, value: number): boolean {
  return rule.comparison === "GreaterThanOrEqualToThreshold" ? value >= rule.threshold : value > rule.threshold;
}
