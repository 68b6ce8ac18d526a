import { BusinessMetric } from "../domain/ports";
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

/** The Step Functions metrics the workflow's alarms read, per state machine (dimension `StateMachineArn`). */
export type WorkflowMetricName = "ExecutionsFailed" | "ExecutionsTimedOut" | "ExecutionThrottled";

/**
 * An alarm on a per-state-machine Step Functions metric: `Alerting` turns it into a CloudWatch
 * alarm for the order workflow.
 */
export interface WorkflowAlarmRule extends MetricAlarmRule {
  readonly namespace: "AWS/States";
  /** The metric, per state machine (dimension `StateMachineArn`). */
  readonly metricName: WorkflowMetricName;
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
 * The `service` of every business metric: Powertools Metrics reads it from `POWERTOOLS_SERVICE_NAME`
 * and adds it to each metric as the dimension `service`.
 */
export const BUSINESS_METRICS_SERVICE = "oms";

/**
 * The CloudWatch namespace of a stack's business metrics (`POWERTOOLS_METRICS_NAMESPACE`), one per
 * stack so that the refusals of one stack never cancel the failures of another in the same account.
 */
export function businessMetricsNamespace(stack: string): string {
  return `OMS/${stack}`;
}

/** A metric a metric-math alarm reads: a Step Functions metric of the watched state machine, or a business metric of the stack. */
export type AlarmMetric =
  | {
      /** Step Functions' metric of the watched state machine (dimension `StateMachineArn`). */
      readonly source: "stateMachine";
      readonly namespace: "AWS/States";
      readonly metricName: WorkflowMetricName;
    }
  | {
      /** What place-order counts: namespace `businessMetricsNamespace(stack)`, dimension `service` = `BUSINESS_METRICS_SERVICE`. */
      readonly source: "businessMetrics";
      readonly metricName: BusinessMetric;
    };

/**
 * An alarm on CloudWatch metric math over several metrics of one state machine and its stack:
 * `Alerting` turns it into a CloudWatch alarm whose metric queries are `metrics` and `expression`.
 */
export interface WorkflowMetricMathAlarmRule {
  /** Suffix of the alarm's name: `<watched resource>-<suffix>`. */
  readonly suffix: string;
  /** The metrics the expression reads, by the id it names them with (a lowercase letter first). */
  readonly metrics: Readonly<Record<string, AlarmMetric>>;
  /** The statistic of every metric over one period. */
  readonly statistic: "Sum";
  /** Length of one evaluation period of every metric, in seconds. */
  readonly periodSeconds: number;
  /** CloudWatch metric math over the metrics' ids; its value is compared with the threshold. */
  readonly expression: string;
  /** What the expression's value means, as CloudWatch shows it. */
  readonly label: string;
  /** How many periods must breach before the alarm fires. */
  readonly evaluationPeriods: number;
  /** The value the expression is compared with. */
  readonly threshold: number;
  /** How the expression is compared with the threshold. */
  readonly comparison: AlarmComparison;
  /** What the on-call should check first; becomes the alarm's description. */
  readonly description: string;
}

/**
 * An order workflow execution failed for another reason than refusing the order. Refusals (out of
 * stock, unknown product) end in the Fail states OutOfStock and UnknownProduct too, so Step
 * Functions' ExecutionsFailed counts them; place-order counts each one as OrdersRefused, which is
 * subtracted here. Express executions keep no history and this one logs nothing, so place-order's
 * log is where the failure is told.
 */
export const workflowExecutionsFailedAlarm: WorkflowMetricMathAlarmRule = {
  suffix: "executions-failed",
  metrics: {
    m1: { source: "stateMachine", namespace: "AWS/States", metricName: "ExecutionsFailed" },
    m2: { source: "businessMetrics", metricName: BusinessMetric.OrdersRefused },
  },
  statistic: "Sum",
  periodSeconds: 60,
  // A minute without refusals has no OrdersRefused data point: it counts as none, not as unknown.
  expression: "m1 - FILL(m2, 0)",
  label: "Failed executions that are not refusals",
  evaluationPeriods: 1,
  threshold: 1,
  comparison: "GreaterThanOrEqualToThreshold",
  description:
    "An order workflow execution failed, and not because the order was refused for stock or an unknown product (those are subtracted as OrdersRefused). Check the place-order log group first: its ERROR line names the order id, the error and its cause. OrderFailed: CreateOrder failed after its retries; its reason is in the create-order log group, and ReleaseStock gave the units back. Any other error: a task failed after its retries; check the check-inventory, create-order and release-stock log groups for the order id. If release-stock failed, the stock was not released: the ordered item in the inventory table still lists the order id in its reservations set.",
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
  description: `An order workflow execution ran longer than ${WORKFLOW_TIMEOUT_SECONDS} s and was stopped, possibly with stock reserved and no order. Take the order id from the place-order log group's ERROR line. If the orders table has no order with that id, the ordered item in the inventory table may still list the order id in its reservations set, its units held: scan the inventory table for contains(reservations, <order id>). Then check the Duration and Throttles of the check-inventory, create-order and release-stock functions and throttling on the inventory and orders tables.`,
};

/**
 * Step Functions throttled the order workflow's state transitions or retries. Express workflows are
 * hardly ever throttled there; a throttled StartSyncExecution shows as place-order's Errors instead.
 */
export const workflowExecutionThrottledAlarm: WorkflowAlarmRule = {
  suffix: "execution-throttled",
  namespace: "AWS/States",
  metricName: "ExecutionThrottled",
  statistic: "Sum",
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: 1,
  comparison: "GreaterThanOrEqualToThreshold",
  description: `Step Functions throttled state transitions of the order workflow: orders wait, and may run past ${WORKFLOW_TIMEOUT_SECONDS} s and time out with stock reserved (see the executions-timed-out alarm). Check the account's Step Functions quotas in Service Quotas and the AWS/States ThrottledEvents metric, then the place-order log group for failed orders.`,
};

/** Every per-state-machine alarm. */
export const workflowAlarmRules: readonly (WorkflowAlarmRule | WorkflowMetricMathAlarmRule)[] = [
  workflowExecutionsFailedAlarm,
  workflowExecutionsTimedOutAlarm,
  workflowExecutionThrottledAlarm,
];

/** Whether `value` breaches `rule` (CloudWatch's comparison, evaluated locally). */
export function breaches(rule: Pick<FunctionAlarmRule, "comparison" | "threshold">, value: number): boolean {
  return rule.comparison === "GreaterThanOrEqualToThreshold" ? value >= rule.threshold : value > rule.threshold;
}
