import { BusinessMetric } from "../domain/ports";
import {
  BUSINESS_METRICS_SERVICE,
  type QueueAlarmRule,
  type StreamReaderAlarmRule,
  WATCHED_DIMENSION,
  businessMetricsNamespace,
  deadLetterQueueAgeAlarm,
  deadLetterQueueDepthAlarm,
  streamIteratorAgeAlarm,
  topicDeliveryFailuresAlarm,
} from "./alarms";

/** What the dashboard shows, by logical name: the same resources `Alerting` watches, resolved. */
export interface DashboardResources {
  /** The region every widget reads its metrics in. */
  readonly region: string;
  /** The stack's name: the business metrics are in `businessMetricsNamespace(stack)`. */
  readonly stack: string;
  /** HTTP API ids. */
  readonly apis: Readonly<Record<string, string>>;
  /** Deployed function names. */
  readonly functions: Readonly<Record<string, string>>;
  /** State machine ARNs. */
  readonly stateMachines: Readonly<Record<string, string>>;
  /** Physical table names. */
  readonly tables: Readonly<Record<string, string>>;
  /** Topic names of the order events. */
  readonly topics: Readonly<Record<string, string>>;
  /** Dead-letter queue names. */
  readonly deadLetterQueues: Readonly<Record<string, string>>;
  /** Deployed names of the functions that read change streams. */
  readonly streamReaders: Readonly<Record<string, string>>;
}

/** How one metric of a graph is drawn. */
export interface MetricRenderOptions {
  readonly label?: string;
  readonly stat?: string;
  /** Names the metric in expressions (a lowercase letter first). */
  readonly id?: string;
  /** `false` for a metric only an expression reads. */
  readonly visible?: boolean;
}

/** A graphed metric in CloudWatch's notation: namespace, name, dimension name/value pairs, options. */
export type MetricLine = readonly [string, string, ...(string | MetricRenderOptions)[]];

/** A graphed metric-math expression. */
export type ExpressionLine = readonly [{ readonly expression: string; readonly label: string; readonly id: string }];

/** A time-series graph. */
export interface MetricWidget {
  readonly type: "metric";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: {
    readonly title: string;
    readonly region: string;
    readonly view: "timeSeries";
    readonly stacked: false;
    readonly period: number;
    readonly stat: string;
    readonly metrics: readonly (MetricLine | ExpressionLine)[];
    readonly yAxis: { readonly left: { readonly min: 0 } };
  };
}

/** A section heading. */
export interface TextWidget {
  readonly type: "text";
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly properties: { readonly markdown: string };
}

/** A CloudWatch dashboard body (`aws.cloudwatch.Dashboard`'s `dashboardBody`, as an object). */
export interface DashboardBody {
  readonly widgets: readonly (MetricWidget | TextWidget)[];
}

/** A graph before it is placed: the dashboard lays graphs out two to a row, under their section's heading. */
interface Graph {
  readonly title: string;
  readonly stat: string;
  readonly period: number;
  readonly metrics: readonly (MetricLine | ExpressionLine)[];
}

interface Section {
  readonly heading: string;
  readonly graphs: readonly Graph[];
}

/** Sums over a minute: what the alarms on counts evaluate. */
const MINUTE = 60;
/** Percentiles and rates over five minutes, as their alarms evaluate them. */
const FIVE_MINUTES = 300;

const GRID_WIDTH = 24;
const GRAPH_WIDTH = 12;
const GRAPH_HEIGHT = 6;
const HEADING_HEIGHT = 1;

/**
 * The stack's operations dashboard, built from data: a section per kind of resource, each graph
 * drawing the same metric for every resource of that kind, so that the on-call sees at a glance
 * which function, table or route misbehaves. Alarms read the same metrics.
 */
export function dashboardBody(resources: DashboardResources): DashboardBody {
  const sections: Section[] = [
    apiSection(resources.apis),
    functionsSection(resources.functions),
    workflowSection(resources.stateMachines),
    tablesSection(resources.tables),
    eventsSection(resources),
    businessSection(resources.stack),
  ];
  return { widgets: layOut(sections, resources.region) };
}

/** `metricName` of each resource, labelled with its logical name. */
function perResource(
  namespace: string,
  metricName: string,
  dimension: string,
  resources: Readonly<Record<string, string>>,
  options: MetricRenderOptions = {},
): MetricLine[] {
  return Object.entries(resources).map(([key, value]) => [
    namespace,
    metricName,
    dimension,
    value,
    { label: key, ...options },
  ]);
}

function apiSection(apis: Readonly<Record<string, string>>): Section {
  const apiId = WATCHED_DIMENSION.api;
  const entries = Object.entries(apis);
  const line = (value: string, metricName: string, options: MetricRenderOptions): MetricLine => [
    "AWS/ApiGateway",
    metricName,
    apiId,
    value,
    options,
  ];
  return {
    heading: "API",
    graphs: [
      {
        title: "Requests, 4xx and 5xx",
        stat: "Sum",
        period: MINUTE,
        metrics: entries.flatMap(([key, value]) => [
          line(value, "Count", { label: `${key} requests` }),
          line(value, "4xx", { label: `${key} 4xx` }),
          line(value, "5xx", { label: `${key} 5xx` }),
        ]),
      },
      {
        // API Gateway counts no 429s of its own: throttled requests are among the 4xx.
        title: "4xx (throttled 429s included) and 5xx, % of requests",
        stat: "Sum",
        period: FIVE_MINUTES,
        metrics: entries.flatMap(([key, value], index): (MetricLine | ExpressionLine)[] => [
          line(value, "Count", { id: `count${index}`, visible: false }),
          line(value, "4xx", { id: `client${index}`, visible: false }),
          line(value, "5xx", { id: `server${index}`, visible: false }),
          [{ expression: `100 * client${index} / count${index}`, label: `${key} 4xx %`, id: `clientrate${index}` }],
          [{ expression: `100 * server${index} / count${index}`, label: `${key} 5xx %`, id: `serverrate${index}` }],
        ]),
      },
      {
        title: "Latency p50 and p99, integration p99 (ms)",
        stat: "p99",
        period: FIVE_MINUTES,
        metrics: entries.flatMap(([key, value]) => [
          line(value, "Latency", { label: `${key} p50`, stat: "p50" }),
          line(value, "Latency", { label: `${key} p99`, stat: "p99" }),
          line(value, "IntegrationLatency", { label: `${key} integration p99`, stat: "p99" }),
        ]),
      },
    ],
  };
}

function functionsSection(functions: Readonly<Record<string, string>>): Section {
  const per = (metricName: string) => perResource("AWS/Lambda", metricName, WATCHED_DIMENSION.function, functions);
  return {
    heading: "Functions",
    graphs: [
      { title: "Errors", stat: "Sum", period: MINUTE, metrics: per("Errors") },
      { title: "Throttles", stat: "Sum", period: MINUTE, metrics: per("Throttles") },
      { title: "Duration p99 (ms)", stat: "p99", period: FIVE_MINUTES, metrics: per("Duration") },
      { title: "Concurrent executions", stat: "Maximum", period: MINUTE, metrics: per("ConcurrentExecutions") },
    ],
  };
}

/** The Step Functions execution outcomes, in the order an execution meets them. */
const EXECUTION_METRICS = [
  "ExecutionsStarted",
  "ExecutionsSucceeded",
  "ExecutionsFailed",
  "ExecutionsTimedOut",
  "ExecutionThrottled",
] as const;

function workflowSection(stateMachines: Readonly<Record<string, string>>): Section {
  const dimension = WATCHED_DIMENSION.stateMachine;
  const entries = Object.entries(stateMachines);
  return {
    heading: "Order workflow",
    graphs: [
      {
        // Failed executions include refusals (out of stock, unknown product): compare with OrdersRefused below.
        title: "Executions: started, succeeded, failed, timed out, throttled",
        stat: "Sum",
        period: MINUTE,
        metrics: entries.flatMap(([key, arn]) =>
          EXECUTION_METRICS.map((metricName): MetricLine => [
            "AWS/States",
            metricName,
            dimension,
            arn,
            { label: `${key} ${metricName}` },
          ]),
        ),
      },
      {
        title: "Execution time p50 and p99 (ms)",
        stat: "p99",
        period: FIVE_MINUTES,
        metrics: entries.flatMap(([key, arn]): MetricLine[] => [
          ["AWS/States", "ExecutionTime", dimension, arn, { label: `${key} p50`, stat: "p50" }],
          ["AWS/States", "ExecutionTime", dimension, arn, { label: `${key} p99`, stat: "p99" }],
        ]),
      },
    ],
  };
}

function tablesSection(tables: Readonly<Record<string, string>>): Section {
  const dimension = WATCHED_DIMENSION.table;
  return {
    heading: "DynamoDB",
    graphs: [
      {
        title: "Consumed read capacity units",
        stat: "Sum",
        period: MINUTE,
        metrics: perResource("AWS/DynamoDB", "ConsumedReadCapacityUnits", dimension, tables),
      },
      {
        title: "Consumed write capacity units",
        stat: "Sum",
        period: MINUTE,
        metrics: perResource("AWS/DynamoDB", "ConsumedWriteCapacityUnits", dimension, tables),
      },
      {
        title: "Throttled reads and writes",
        stat: "Sum",
        period: MINUTE,
        metrics: Object.entries(tables).flatMap(([key, tableName]): MetricLine[] => [
          ["AWS/DynamoDB", "ReadThrottleEvents", dimension, tableName, { label: `${key} reads` }],
          ["AWS/DynamoDB", "WriteThrottleEvents", dimension, tableName, { label: `${key} writes` }],
        ]),
      },
    ],
  };
}

/**
 * The path from a committed change to a customer's inbox, graphed as its alarms read it: how far the
 * stream readers are behind, what the topic delivered to its subscribers, and what waits in a
 * dead-letter queue (each message is something a consumer gave up on).
 */
function eventsSection(resources: DashboardResources): Section {
  const topic = WATCHED_DIMENSION.topic;
  return {
    heading: "Events and customer mail",
    graphs: [
      ruleGraph("Stream readers' iterator age, highest (ms)", streamIteratorAgeAlarm, "streamReader", resources),
      {
        title: "Order events: published, delivered to subscribers, failed",
        stat: "Sum",
        period: topicDeliveryFailuresAlarm.periodSeconds,
        metrics: Object.entries(resources.topics).flatMap(([key, topicName]): MetricLine[] => [
          ["AWS/SNS", "NumberOfMessagesPublished", topic, topicName, { label: `${key} published` }],
          ["AWS/SNS", "NumberOfNotificationsDelivered", topic, topicName, { label: `${key} delivered` }],
          ["AWS/SNS", "NumberOfNotificationsFailed", topic, topicName, { label: `${key} failed` }],
        ]),
      },
      ruleGraph("Dead-letter queues: messages waiting", deadLetterQueueDepthAlarm, "deadLetterQueue", resources),
      ruleGraph("Dead-letter queues: oldest message's age (s)", deadLetterQueueAgeAlarm, "deadLetterQueue", resources),
    ],
  };
}

/** The metric an alarm rule reads, for every resource of its kind, with the rule's statistic and period. */
function ruleGraph(
  title: string,
  rule: QueueAlarmRule | StreamReaderAlarmRule,
  kind: "deadLetterQueue" | "streamReader",
  resources: DashboardResources,
): Graph {
  return {
    title,
    stat: rule.statistic,
    period: rule.periodSeconds,
    metrics: perResource(rule.namespace, rule.metricName, WATCHED_DIMENSION[kind], resources[`${kind}s`]),
  };
}

function businessSection(stack: string): Section {
  const namespace = businessMetricsNamespace(stack);
  return {
    heading: `Business (${namespace})`,
    graphs: [
      {
        title: "Orders placed and refused, status changes, e-mails not sent",
        stat: "Sum",
        period: MINUTE,
        metrics: Object.values(BusinessMetric).map((metricName): MetricLine => [
          namespace,
          metricName,
          "service",
          BUSINESS_METRICS_SERVICE,
          { label: metricName },
        ]),
      },
    ],
  };
}

/** Each section's heading across the grid, then its graphs two to a row. */
function layOut(sections: readonly Section[], region: string): (MetricWidget | TextWidget)[] {
  const widgets: (MetricWidget | TextWidget)[] = [];
  let y = 0;
  for (const section of sections) {
    widgets.push({
      type: "text",
      x: 0,
      y,
      width: GRID_WIDTH,
      height: HEADING_HEIGHT,
      properties: { markdown: `## ${section.heading}` },
    });
    y += HEADING_HEIGHT;
    section.graphs.forEach((graph, index) => {
      const column = index % 2;
      widgets.push({
        type: "metric",
        x: column * GRAPH_WIDTH,
        y: y + Math.floor(index / 2) * GRAPH_HEIGHT,
        width: GRAPH_WIDTH,
        height: GRAPH_HEIGHT,
        properties: {
          title: graph.title,
          region,
          view: "timeSeries",
          stacked: false,
          period: graph.period,
          stat: graph.stat,
          metrics: graph.metrics,
          yAxis: { left: { min: 0 } },
        },
      });
    });
    y += Math.ceil(section.graphs.length / 2) * GRAPH_HEIGHT;
  }
  return widgets;
}
