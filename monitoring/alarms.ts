import { WORKFLOW_TIMEOUT_SECONDS } from "../workflow/definition";

/** How an alarm compares its statistic with the threshold (CloudWatch's names). */
export type AlarmComparison = "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";

/** What every alarm rule says, whatever it watches. */
export interface MetricAlarmRule {
  /** Suffix of the alarm's name: `<watched resource>-<suffix>`. */
  readonly suffix: string;
  /** CloudWatch namespace of the metric. */
  readonly namespace: string;
  /** The metric, per watched resource. */
  readonly metricName: string;
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

/**
 * An alarm on a per-function Lambda metric, written once: `Alerting` turns it into a CloudWatch
 * alarm for every function, and the local stack evaluates the same rule on what its handlers do.
 */
export interface FunctionAlarmRule extends MetricAlarmRule {
  readonly namespace: "AWS/Lambda";
  /** The metric, per function (dimension `FunctionName`). */
  readonly metricName: "Errors" | "Throttles";
}

/**
 * An alarm on a per-state-machine Step Functions metric: `Alerting` turns it into a CloudWatch
 * alarm for the order workflow.
 */
export interface WorkflowAlarmRule extends MetricAlarmRule {
  readonly namespace: "AWS/States";
  /** The metric, per state machine (dimension `StateMachineArn`). */
  readonly metricName: "ExecutionsFailed" | "ExecutionsTimedOut";
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

/**
 * An order workflow execution failed. Express executions keep no history and this one logs nothing,
 * so place-order's log is where the failure is told.
 */
export const workflowExecutionsFailedAlarm: WorkflowAlarmRule = {
  suffix: "executions-failed",
  namespace: "AWS/States",
  metricName: "ExecutionsFailed",
  statistic: "Sum",
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: 1,
  comparison: "GreaterThanOrEqualToThreshold",
  description:
    "An order workflow execution failed. Check the place-order log group first: an ERROR line names the order, the error and its cause (OrderFailed: CreateOrder failed after its retries and the stock was given back). No ERROR line means the order was refused for stock or an unknown product (ItemUnavailable, UnknownProduct), which also ends an execution as failed. Then check the create-order, check-inventory and release-stock log groups.",
};

/** An order workflow execution ran past the workflow's own timeout; the customer got an error. */
export const workflowExecutionsTimedOutAlarm: WorkflowAlarmRule = {
  suffix: "executions-timed-out",
  namespace: "AWS/States",
  metricName: "ExecutionsTimedOut",
  statistic: "Sum",
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: 1,
  comparison: "GreaterThanOrEqualToThreshold",
  description: `An order workflow execution ran longer than ${WORKFLOW_TIMEOUT_SECONDS} s and was stopped, possibly with stock reserved and no order. Check the Duration and Throttles of the check-inventory, create-order and release-stock functions and throttling on the inventory and orders tables, then the place-order log group for the order id.`,
};

/** Every per-state-machine alarm. */
export const workflowAlarmRules: readonly WorkflowAlarmRule[] = [
  workflowExecutionsFailedAlarm,
  workflowExecutionsTimedOutAlarm,
];

/** Whether `value` breaches `rule` (CloudWatch's comparison, evaluated locally). */
export function breaches(rule: Pick<FunctionAlarmRule, "comparison" | "threshold">, value: number): boolean {
  return rule.comparison === "GreaterThanOrEqualToThreshold" ? value >= rule.threshold : value > rule.threshold;
}
