import { BusinessMetric } from "../domain/ports";
import { WORKFLOW_TIMEOUT_SECONDS } from "../workflow/definition";

/** How an alarm compares its value with the threshold (CloudWatch's names). */
export type AlarmComparison = "GreaterThanOrEqualToThreshold" | "GreaterThanThreshold";

/**
 * The thresholds a stack may set (`oms:alarms` in `Pulumi.<stack>.yaml`), with the values used when
 * it does not. Rules that name one of these in `thresholdKey` compare with the stack's value.
 */
export const DEFAULT_ALARM_THRESHOLDS = {
  /** The API's 99th-percentile latency, in ms, over 5 minutes. */
  apiP99LatencyMs: 2000,
  /** The share of API requests answered 5xx, in percent, over 5 minutes. */
  api5xxRatePercent: 1,
  /** Throttled invocations of one function in a minute. */
  functionThrottles: 1,
  /** Throttled requests to one table in a minute. */
  dynamoDbThrottles: 1,
  /** Order events SNS failed to deliver to a subscriber in 5 minutes. */
  notificationFailures: 1,
} as const;

/** A stack's alarm thresholds, every one set. */
export type AlarmThresholds = { readonly [K in keyof typeof DEFAULT_ALARM_THRESHOLDS]: number };

/** The name of a threshold a stack may set. */
export type AlarmThresholdKey = keyof AlarmThresholds;

/**
 * The kinds of resource alarms watch, each with the CloudWatch dimension that names one of them
 * (its value is what `Alerting` is given: a function name, a state machine ARN...).
 */
export const WATCHED_DIMENSION = {
  function: "FunctionName",
  stateMachine: "StateMachineArn",
  api: "ApiId",
  table: "TableName",
  topic: "TopicName",
  deadLetterQueue: "QueueName",
  streamReader: "FunctionName",
} as const;

/** A kind of watched resource. */
export type WatchedKind = keyof typeof WATCHED_DIMENSION;

/** What every alarm rule says, whatever it watches and however it computes the value it compares. */
export interface AlarmRuleBase {
  /** Suffix of the alarm's name: `<watched resource>-<suffix>`. */
  readonly suffix: string;
  /** Length of one evaluation period, in seconds. */
  readonly periodSeconds: number;
  /** How many periods must breach before the alarm fires. */
  readonly evaluationPeriods: number;
  /** The value compared with; the default when `thresholdKey` names a stack's threshold. */
  readonly threshold: number;
  /** The stack's threshold that replaces `threshold`, when a stack may set it. */
  readonly thresholdKey?: AlarmThresholdKey;
  /** How the value is compared with the threshold. */
  readonly comparison: AlarmComparison;
  /** What the on-call should check first; becomes the alarm's description (at most 1024 characters). */
  readonly description: string;
}

/** The statistic of a metric over one period: a sum, the highest value, or the 99th percentile. */
export type AlarmStatistic = "Sum" | "Maximum" | "p99";

/** An alarm on one metric of each watched resource, with the resource's dimension alone. */
export interface MetricAlarmRule extends AlarmRuleBase {
  /** CloudWatch namespace of the metric. */
  readonly namespace: string;
  /** The metric, per watched resource. */
  readonly metricName: string;
  /** The statistic over one period. */
  readonly statistic: AlarmStatistic;
}

/**
 * An alarm on a per-function Lambda metric, written once: `Alerting` turns it into a CloudWatch
 * alarm for every function, and the local stack evaluates the same rule on what its handlers do.
 */
export interface FunctionAlarmRule extends MetricAlarmRule {
  readonly namespace: "AWS/Lambda";
  /** The metric, per function (dimension `FunctionName`). */
  readonly metricName: "Errors" | "Throttles";
  readonly statistic: "Sum";
}

/** The Step Functions metrics the workflow's alarms read, per state machine (dimension `StateMachineArn`). */
export type WorkflowMetricName = "ExecutionsFailed" | "ExecutionsTimedOut" | "ExecutionThrottled";

/** An alarm on a per-state-machine Step Functions metric. */
export interface WorkflowAlarmRule extends MetricAlarmRule {
  readonly namespace: "AWS/States";
  /** The metric, per state machine (dimension `StateMachineArn`). */
  readonly metricName: WorkflowMetricName;
}

/** An alarm on a per-API API Gateway metric (dimension `ApiId`: the HTTP API's `$default` stage). */
export interface ApiAlarmRule extends MetricAlarmRule {
  readonly namespace: "AWS/ApiGateway";
  readonly metricName: "Latency" | "5xx" | "4xx" | "Count";
}

/** An alarm on a per-topic SNS metric (dimension `TopicName`). */
export interface TopicAlarmRule extends MetricAlarmRule {
  readonly namespace: "AWS/SNS";
  readonly metricName: "NumberOfNotificationsFailed";
}

/** A metric a metric-math alarm reads: one of the watched resource's, or a business metric of the stack. */
export type AlarmMetric =
  | {
      /** A metric of the watched resource, with its dimension alone (`StateMachineArn`, `ApiId`...). */
      readonly source: "watched";
      readonly namespace: string;
      readonly metricName: string;
    }
  | {
      /** What the handlers count: namespace `businessMetricsNamespace(stack)`, dimension `service` = `BUSINESS_METRICS_SERVICE`. */
      readonly source: "businessMetrics";
      readonly metricName: BusinessMetric;
    };

/**
 * An alarm on CloudWatch metric math over several metrics of one watched resource and its stack:
 * `Alerting` turns it into a CloudWatch alarm whose metric queries are `metrics` and `expression`.
 */
export interface MetricMathAlarmRule extends AlarmRuleBase {
  /** The metrics the expression reads, by the id it names them with (a lowercase letter first). */
  readonly metrics: Readonly<Record<string, AlarmMetric>>;
  /** The statistic of every metric over one period. */
  readonly statistic: "Sum";
  /** CloudWatch metric math over the metrics' ids; its value is compared with the threshold. */
  readonly expression: string;
  /** What the expression's value means, as CloudWatch shows it. */
  readonly label: string;
}

/**
 * An alarm on a CloudWatch Metrics Insights query: one metric of the watched resource, aggregated
 * over every value of its other dimensions. It serves metrics that AWS publishes only per
 * resource *and* operation (DynamoDB's `ThrottledRequests`, `SystemErrors`), where an alarm on
 * the resource's dimension alone would watch a metric that never has data.
 */
export interface MetricsInsightsAlarmRule extends AlarmRuleBase {
  /** CloudWatch namespace of the metric. */
  readonly namespace: string;
  /** The metric. */
  readonly metricName: string;
  /** Every dimension the metric is published with, the watched resource's included. */
  readonly schemaDimensions: readonly string[];
  /** How the metric's series are combined into the one value the alarm compares. */
  readonly aggregate: "SUM" | "MAX";
  /** What the query's value means, as CloudWatch shows it. */
  readonly label: string;
}

/** Any alarm rule. */
export type AlarmRule = MetricAlarmRule | MetricMathAlarmRule | MetricsInsightsAlarmRule;

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

/** Lambda refused to run a function: the account's or the function's concurrency was used up. */
export const functionThrottlesAlarm: FunctionAlarmRule = {
  suffix: "throttles",
  namespace: "AWS/Lambda",
  metricName: "Throttles",
  statistic: "Sum",
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: DEFAULT_ALARM_THRESHOLDS.functionThrottles,
  thresholdKey: "functionThrottles",
  comparison: "GreaterThanOrEqualToThreshold",
  description:
    "Lambda throttled invocations of this function: callers got 500 (API) or the workflow retried, then failed. Check ConcurrentExecutions on the dashboard against the account's concurrency quota (Service Quotas, Lambda) and any reserved concurrency; a traffic spike shows in the API's Count. Raise the quota or find the caller that floods.",
};

/** Every per-function alarm. */
export const functionAlarmRules: readonly FunctionAlarmRule[] = [functionErrorsAlarm, functionThrottlesAlarm];

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

/**
 * An order workflow execution failed for another reason than refusing the order. Refusals (out of
 * stock, unknown product) end in the Fail states OutOfStock and UnknownProduct too, so Step
 * Functions' ExecutionsFailed counts them; place-order counts each one as OrdersRefused, which is
 * subtracted here. Express executions keep no history: the state machine's log group has each
 * failure's error and cause (no execution data), and place-order's log has the order id.
 */
export const workflowExecutionsFailedAlarm: MetricMathAlarmRule = {
  suffix: "executions-failed",
  metrics: {
    m1: { source: "watched", namespace: "AWS/States", metricName: "ExecutionsFailed" },
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
    "An order workflow execution failed, and not because the order was refused for stock or an unknown product (those are subtracted as OrdersRefused). Check the place-order log group first: its ERROR line names the order id, the error and its cause; the state machine's log group has the failed state. OrderFailed: CreateOrder failed after its retries; its reason is in the create-order log group, and ReleaseStock gave the units back. Any other error: a task failed after its retries; check the check-inventory, create-order and release-stock log groups for the order id. If release-stock failed, the units stay reserved until the reservation's deadline, when the sweep-reservations function gives them back (see the reservations-released alarm); npm run audit -- --stack <stack> checks the stock balances.",
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
  description: `An order workflow execution ran longer than ${WORKFLOW_TIMEOUT_SECONDS} s and was stopped, possibly with stock reserved and no order. Nothing to release by hand: the sweep-reservations function gives back every reservation past its deadline whose order was never written, within about two minutes (the reservations-released alarm counts them), and npm run audit -- --stack <stack> checks the balances. Find why it was slow: the Duration and Throttles of the check-inventory, create-order and release-stock functions, and throttling on the inventory, reservations and orders tables.`,
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

/**
 * The sweeper gave stock back: an order run reserved units and never wrote its order (it timed out,
 * or a task died). The units are free again; something made the run fail half-way.
 */
export const reservationsReleasedAlarm: MetricMathAlarmRule = {
  suffix: "reservations-released",
  metrics: { m1: { source: "businessMetrics", metricName: BusinessMetric.ReservationsReleased } },
  statistic: "Sum",
  periodSeconds: 300,
  // A sweep that released nothing publishes no data point: that is none released.
  expression: "FILL(m1, 0)",
  label: "Reservations the sweeper gave back",
  evaluationPeriods: 1,
  threshold: 1,
  comparison: "GreaterThanOrEqualToThreshold",
  description:
    "The sweep-reservations function gave back units reserved by order runs that never wrote their order: the stock is right again, but runs are failing half-way. Its log group names each order id and item. Check the executions-timed-out and executions-failed alarms, the task functions' Errors and Duration, and table throttling; then npm run audit -- --stack <stack> to confirm the balances.",
};

/** Every per-state-machine alarm. */
export const workflowAlarmRules: readonly (WorkflowAlarmRule | MetricMathAlarmRule)[] = [
  workflowExecutionsFailedAlarm,
  workflowExecutionsTimedOutAlarm,
  workflowExecutionThrottledAlarm,
  reservationsReleasedAlarm,
];

/**
 * The API answered too many requests with 5xx: a function threw or timed out, or could not be
 * invoked. A rate, not a count, so that a busy hour with the usual few errors stays quiet.
 */
export const apiServerErrorRateAlarm: MetricMathAlarmRule = {
  suffix: "5xx-rate",
  metrics: {
    m1: { source: "watched", namespace: "AWS/ApiGateway", metricName: "5xx" },
    m2: { source: "watched", namespace: "AWS/ApiGateway", metricName: "Count" },
  },
  statistic: "Sum",
  periodSeconds: 300,
  // Five minutes without requests have no rate: they count as 0 rather than as a division by zero.
  expression: "IF(m2 > 0, 100 * FILL(m1, 0) / m2, 0)",
  label: "5xx responses, % of requests",
  evaluationPeriods: 1,
  threshold: DEFAULT_ALARM_THRESHOLDS.api5xxRatePercent,
  thresholdKey: "api5xxRatePercent",
  comparison: "GreaterThanThreshold",
  description:
    "More of the API's requests than the stack's alarms.api5xxRatePercent ended in 5xx over 5 minutes. Check which functions' Errors or Throttles alarms fire too and read their log groups' ERROR lines; the API's access log group names the failing routeKey and integrationErrorMessage (a function timeout or a failed invocation). Then recent deployments.",
};

/** The API's slowest requests got slower than the stack accepts, for ten minutes. */
export const apiP99LatencyAlarm: ApiAlarmRule = {
  suffix: "p99-latency",
  namespace: "AWS/ApiGateway",
  metricName: "Latency",
  statistic: "p99",
  periodSeconds: 300,
  // Two periods: one burst of cold starts after a deployment should not page anyone.
  evaluationPeriods: 2,
  threshold: DEFAULT_ALARM_THRESHOLDS.apiP99LatencyMs,
  thresholdKey: "apiP99LatencyMs",
  comparison: "GreaterThanThreshold",
  description:
    "The API's 99th-percentile latency stayed above the stack's alarms.apiP99LatencyMs for 10 minutes. Check the dashboard first: compare the functions' Duration p99 (which one is slow?) and the workflow's executions (place-order waits for it); then DynamoDB throttling and the X-Ray traces of slow requests, which show the slow call.",
};

/**
 * The API answered 503 because a dependency said "not now" (DynamoDB or Step Functions throttling,
 * a transaction conflict, DynamoDB unreachable). Not a bug, so not in the Errors alarm; but several
 * in five minutes mean customers are being turned away.
 */
export const apiDependencyUnavailableAlarm: MetricMathAlarmRule = {
  suffix: "dependency-unavailable",
  metrics: { m1: { source: "businessMetrics", metricName: BusinessMetric.DependencyUnavailable } },
  statistic: "Sum",
  periodSeconds: 300,
  expression: "FILL(m1, 0)",
  label: "503 answers: a dependency said not now",
  evaluationPeriods: 1,
  threshold: 5,
  comparison: "GreaterThanOrEqualToThreshold",
  description:
    "The API answered 503 with Retry-After at least 5 times in 5 minutes: DynamoDB or Step Functions throttled, a transaction conflicted, or DynamoDB could not be reached. Clients retry; if it persists, check the tables' throttled-requests alarms and consumed capacity (a hot key), the workflow's execution-throttled alarm, the AWS Health Dashboard, and the functions' log groups (WARN lines name the dependency).",
};

/** Every per-API alarm. */
export const apiAlarmRules: readonly (ApiAlarmRule | MetricMathAlarmRule)[] = [
  apiServerErrorRateAlarm,
  apiP99LatencyAlarm,
  apiDependencyUnavailableAlarm,
];

/** Every dimension DynamoDB publishes its per-operation request metrics with. */
const DYNAMODB_OPERATION_DIMENSIONS = ["TableName", "Operation"] as const;

/** DynamoDB refused requests to a table over its throughput (on-demand tables too: partition limits, sudden peaks). */
export const tableThrottledRequestsAlarm: MetricsInsightsAlarmRule = {
  suffix: "table-throttled-requests",
  namespace: "AWS/DynamoDB",
  metricName: "ThrottledRequests",
  schemaDimensions: DYNAMODB_OPERATION_DIMENSIONS,
  aggregate: "SUM",
  label: "Throttled requests, every operation",
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: DEFAULT_ALARM_THRESHOLDS.dynamoDbThrottles,
  thresholdKey: "dynamoDbThrottles",
  comparison: "GreaterThanOrEqualToThreshold",
  description:
    "DynamoDB throttled requests to this table. The SDK retries, so callers see latency first, then errors. On the dashboard, check the table's consumed capacity for a spike and which functions' Duration and Errors rose; a hot key (one item, or the orders table's newest index, whose partition is constant) shows in CloudWatch Contributor Insights for DynamoDB.",
};

/** DynamoDB itself failed requests to a table (HTTP 500): nothing OMS did, but orders may have failed. */
export const tableSystemErrorsAlarm: MetricsInsightsAlarmRule = {
  suffix: "table-system-errors",
  namespace: "AWS/DynamoDB",
  metricName: "SystemErrors",
  schemaDimensions: DYNAMODB_OPERATION_DIMENSIONS,
  aggregate: "SUM",
  label: "System errors, every operation",
  periodSeconds: 60,
  evaluationPeriods: 1,
  threshold: 1,
  comparison: "GreaterThanOrEqualToThreshold",
  description:
    "DynamoDB answered requests to this table with internal server errors. Check the AWS Health Dashboard for a DynamoDB event in this region, then the Errors of the functions granted this table (their log groups' ERROR lines show which requests failed after the SDK's retries) and the order workflow's executions-failed alarm.",
};

/** Every per-table alarm. */
export const tableAlarmRules: readonly MetricsInsightsAlarmRule[] = [
  tableThrottledRequestsAlarm,
  tableSystemErrorsAlarm,
];

/** SNS accepted order events but could not deliver them to a subscriber (the customer-mail queue, another system's). */
export const topicDeliveryFailuresAlarm: TopicAlarmRule = {
  suffix: "delivery-failures",
  namespace: "AWS/SNS",
  metricName: "NumberOfNotificationsFailed",
  statistic: "Sum",
  periodSeconds: 300,
  evaluationPeriods: 1,
  threshold: DEFAULT_ALARM_THRESHOLDS.notificationFailures,
  thresholdKey: "notificationFailures",
  comparison: "GreaterThanOrEqualToThreshold",
  description:
    "SNS failed to deliver order events from this topic to a subscriber. Check the topic's subscriptions in the SNS console: an SQS queue deleted, or whose queue policy no longer lets this topic send (aws:SourceArn), or another system's endpoint down. SNS retries deliveries to SQS for days before it gives up; events it gave up on are lost for that subscriber, so read its delivery status logs if enabled. Orders themselves are not affected.",
};

/** Every per-topic alarm. */
export const topicAlarmRules: readonly TopicAlarmRule[] = [topicDeliveryFailuresAlarm];

/** An alarm on a per-queue SQS metric (dimension `QueueName`). */
export interface QueueAlarmRule extends MetricAlarmRule {
  readonly namespace: "AWS/SQS";
  readonly metricName: "ApproximateNumberOfMessagesVisible" | "ApproximateAgeOfOldestMessage";
  readonly statistic: "Maximum";
}

/**
 * What to do with each kind of dead-letter queue: the runbook every DLQ alarm carries. The mail
 * queue's holds events, and can be redriven; the publisher's holds only Lambda's notes of stream
 * records it gave up on, which no redrive can bring back.
 */
const DLQ_RUNBOOK =
  "Check a few messages first (SQS console, or aws sqs receive-message --queue-url <dlq> --attribute-names All --visibility-timeout 0). customer-mail-dlq holds order events the mailer failed on: read send-order-mail's log for the event id, fix the cause (SES identity, quota, a bad deploy), then SQS console > Start DLQ redrive (or aws sqs start-message-move-task --source-arn <dlq arn>); the mailer deduplicates on the event id, so nobody is mailed twice. events-failed holds Lambda's notes (shard, sequence numbers) of stream records the publisher gave up on after 24 hours: those changes are committed but were never announced, and cannot be redriven; fix publish-events, then tell subscribers which orders to re-read through the API.";

/** Messages wait in a dead-letter queue: each is an event a consumer gave up on. */
export const deadLetterQueueDepthAlarm: QueueAlarmRule = {
  suffix: "dlq-depth",
  namespace: "AWS/SQS",
  metricName: "ApproximateNumberOfMessagesVisible",
  statistic: "Maximum",
  periodSeconds: 300,
  evaluationPeriods: 1,
  threshold: 1,
  comparison: "GreaterThanOrEqualToThreshold",
  description: `Messages are in this dead-letter queue: a consumer gave up on them after every retry. ${DLQ_RUNBOOK}`,
};

/** The oldest message of a dead-letter queue is a day old: nobody has redriven or cleared it. */
export const deadLetterQueueAgeAlarm: QueueAlarmRule = {
  suffix: "dlq-age",
  namespace: "AWS/SQS",
  metricName: "ApproximateAgeOfOldestMessage",
  statistic: "Maximum",
  periodSeconds: 300,
  evaluationPeriods: 1,
  threshold: 24 * 60 * 60,
  comparison: "GreaterThanOrEqualToThreshold",
  description: `A message has waited in this dead-letter queue for a day; SQS deletes it after 14 days. ${DLQ_RUNBOOK}`,
};

/** Every per-dead-letter-queue alarm. */
export const deadLetterQueueAlarmRules: readonly QueueAlarmRule[] = [
  deadLetterQueueDepthAlarm,
  deadLetterQueueAgeAlarm,
];

/** An alarm on a stream-reading function's Lambda metric (dimension `FunctionName`). */
export interface StreamReaderAlarmRule extends MetricAlarmRule {
  readonly namespace: "AWS/Lambda";
  readonly metricName: "IteratorAge";
  readonly statistic: "Maximum";
}

/**
 * The event publisher fell behind its tables' change streams: events are late, and a record older
 * than the stream's 24-hour retention is gone before it was announced.
 */
export const streamIteratorAgeAlarm: StreamReaderAlarmRule = {
  suffix: "iterator-age",
  namespace: "AWS/Lambda",
  metricName: "IteratorAge",
  statistic: "Maximum",
  periodSeconds: 60,
  evaluationPeriods: 5,
  threshold: 5 * 60 * 1000,
  comparison: "GreaterThanOrEqualToThreshold",
  description:
    "The event publisher has been more than 5 minutes behind the orders or inventory change stream for 5 minutes: order events (and customer mail) are late. Check the publisher's Errors and its log group: a record it keeps failing on blocks its shard (it retries until the record succeeds or expires after 24 hours, then lands in the publisher's failure queue). Then SNS Publish throttling in the account. Fix the cause; the stream resumes where it stopped, and nothing is lost within 24 hours.",
};

/** Every per-stream-reader alarm. */
export const streamReaderAlarmRules: readonly StreamReaderAlarmRule[] = [streamIteratorAgeAlarm];

/** The threshold `rule` compares with on a stack with `thresholds`. */
export function thresholdOf(rule: AlarmRuleBase, thresholds: AlarmThresholds): number {
  return rule.thresholdKey === undefined ? rule.threshold : thresholds[rule.thresholdKey];
}

/**
 * The Metrics Insights query of `rule` for the one resource whose `dimension` is `value`, e.g.
 * `SELECT SUM(ThrottledRequests) FROM SCHEMA("AWS/DynamoDB", TableName, Operation) WHERE TableName = 'orders-1a2b'`.
 */
export function metricsInsightsQuery(rule: MetricsInsightsAlarmRule, dimension: string, value: string): string {
  if (!rule.schemaDimensions.includes(dimension)) {
    throw new Error(`${rule.suffix}: ${rule.metricName} has no dimension ${dimension}`);
  }
  if (value.includes("'")) {
    throw new Error(`${rule.suffix}: ${dimension} ${value} cannot be quoted in a Metrics Insights query`);
  }
  const schema = [`"${rule.namespace}"`, ...rule.schemaDimensions].join(", ");
  return `SELECT ${rule.aggregate}(${rule.metricName}) FROM SCHEMA(${schema}) WHERE ${dimension} = '${value}'`;
}

/** Whether `value` breaches `rule` (CloudWatch's comparison, evaluated locally). */
export function breaches(rule: Pick<FunctionAlarmRule, "comparison" | "threshold">, value: number): boolean {
  return rule.comparison === "GreaterThanOrEqualToThreshold" ? value >= rule.threshold : value > rule.threshold;
}
