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
    "An order workflow execution failed, and not because the order was refused for stock or an unknown product (those are subtracted as OrdersRefused). Check the place-order log group first: its ERROR line names the order id, the error and its cause; the state machine's log group has the failed state. OrderFailed: CreateOrder failed after its retries; its reason is in the create-order log group, and ReleaseStock gave the units back. Any other error: a task failed after its retries; check the check-inventory, create-order and release-stock log groups for the order id. If release-stock failed, the stock was not released: the ordered item in the inventory table still lists the order id in its reservations set.",
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
export const workflowAlarmRules: readonly (WorkflowAlarmRule | MetricMathAlarmRule)[] = [
  workflowExecutionsFailedAlarm,
  workflowExecutionsTimedOutAlarm,
  workflowExecutionThrottledAlarm,
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

/** Every per-API alarm. */
export const apiAlarmRules: readonly (ApiAlarmRule | MetricMathAlarmRule)[] = [
  apiServerErrorRateAlarm,
  apiP99LatencyAlarm,
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

/** How to look at and redrive a dead-letter queue: the runbook every DLQ alarm carries. */
const DLQ_RUNBOOK =
  "Read a few messages first (SQS console: Send and receive messages > Poll, or aws sqs receive-message --queue-url <dlq> --attribute-names All --message-attribute-names All --visibility-timeout 0) and the consuming function's log group for the message id's ERROR lines. Fix the cause (a bad deploy, an SES identity or sending quota, a poison event), then redrive: SQS console > the DLQ > Start DLQ redrive, or aws sqs start-message-move-task --source-arn <dlq arn> (messages go back to the queue they came from, and the mailer deduplicates on the event id, so a redrive never mails twice). Delete only messages you have decided never to deliver.";

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
  description: `Messages are in this dead-letter queue: a consumer failed on them after every retry (for customer mail: a customer was not told about an order). ${DLQ_RUNBOOK}`,
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
  description: `A message has waited in this dead-letter queue for a day; SQS deletes messages once the queue's retention passes (14 days), and the event is then lost for this consumer. ${DLQ_RUNBOOK}`,
};

/** Every per-dead-letter-queue alarm. */
export const deadLetterQueueAlarmRules: readonly QueueAlarmRule[] = [deadLetterQueueDepthAlarm, deadLetterQueueAgeAlarm];

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
