import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import {
  type AlarmMetric,
  type AlarmRule,
  type AlarmThresholds,
  BUSINESS_METRICS_SERVICE,
  DEFAULT_ALARM_THRESHOLDS,
  type MetricAlarmRule,
  type MetricMathAlarmRule,
  type MetricsInsightsAlarmRule,
  WATCHED_DIMENSION,
  type WatchedKind,
  apiAlarmRules,
  businessMetricsNamespace,
  deadLetterQueueAlarmRules,
  functionAlarmRules,
  metricsInsightsQuery,
  streamReaderAlarmRules,
  tableAlarmRules,
  thresholdOf,
  topicAlarmRules,
  workflowAlarmRules,
} from "../monitoring/alarms";
import { ArgsChecker, emailAddress, stackName } from "./component-args";
import { OperationsDashboard } from "./operations-dashboard";

const TYPE = "oms:infra:Alerting";

/** Who is told, about which resources, and from which thresholds on. */
export interface AlertingArgs {
  /** Who receives alarms by e-mail; AWS first sends them a confirmation link, and nothing arrives until it is followed. */
  alertEmail: pulumi.Input<string>;
  /** The functions to watch: deployed function name by function name (`OrdersApi.functions`, `OrderWorkflow.functions`). */
  functions: Readonly<Record<string, pulumi.Input<string>>>;
  /** The state machines to watch: ARN by logical name (`order-workflow`). */
  stateMachines: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The HTTP APIs to watch: API id by logical name (`api`).
   * @default {}
   */
  apis?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The DynamoDB tables to watch: physical name by logical name (`orders`).
   * @default {}
   */
  tables?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The SNS topics whose deliveries to watch: topic name by logical name (`order-notifications`).
   * @default {}
   */
  topics?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The dead-letter queues to watch (depth and age): queue name by logical name (`customer-mail-dlq`).
   * @default {}
   */
  deadLetterQueues?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The functions that read change streams, to watch how far behind they are: function name by function name.
   * @default {}
   */
  streamReaders?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The stack's thresholds for the rules that name one (`oms:alarms`); each left out keeps its default.
   * @default DEFAULT_ALARM_THRESHOLDS
   */
  thresholds?: Partial<AlarmThresholds>;
  /** The stack's name: alarms that read business metrics read them in `businessMetricsNamespace(stack)`. */
  stack: string;
}

/** What one alarm watches: the resource's dimension value and the stack's business metrics. */
interface Watched {
  readonly kind: WatchedKind;
  readonly value: pulumi.Input<string>;
  readonly metricsNamespace: string;
}

/**
 * The alerts topic, its e-mail subscription, and one CloudWatch alarm per watched resource and
 * rule of `monitoring/alarms.ts` for its kind (functions, state machines, APIs, tables, topics),
 * each with the stack's threshold, notifying the topic when it fires and when it clears. A
 * metric-math rule's business metrics are those of the stack (`businessMetricsNamespace`), as
 * Powertools Metrics publishes them from its functions. The stack's `OperationsDashboard` graphs
 * the same resources.
 */
export class Alerting extends pulumi.ComponentResource {
  /** The ARN of the SNS topic every alarm notifies. */
  public readonly alertTopicArn: pulumi.Output<string>;
  /** The name of the stack's CloudWatch dashboard, which graphs the watched resources. */
  public readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const alertEmail = checker.input(args.alertEmail, emailAddress("alertEmail"));
    const metricsNamespace = businessMetricsNamespace(checker.value(args.stack, stackName("stack")));
    const thresholds = checker.value({ ...DEFAULT_ALARM_THRESHOLDS, ...args.thresholds }, positiveThresholds);
    super(TYPE, name, {}, opts);

    const topic = this.createTopic(name);
    this.createTopicPolicy(name, topic);
    this.createEmailSubscription(name, topic, alertEmail);
    const watchedSets: {
      kind: WatchedKind;
      resources: Readonly<Record<string, pulumi.Input<string>>>;
      rules: readonly AlarmRule[];
    }[] = [
      { kind: "function", resources: args.functions, rules: functionAlarmRules },
      { kind: "stateMachine", resources: args.stateMachines, rules: workflowAlarmRules },
      { kind: "api", resources: args.apis ?? {}, rules: apiAlarmRules },
      { kind: "table", resources: args.tables ?? {}, rules: tableAlarmRules },
      { kind: "topic", resources: args.topics ?? {}, rules: topicAlarmRules },
      { kind: "deadLetterQueue", resources: args.deadLetterQueues ?? {}, rules: deadLetterQueueAlarmRules },
      { kind: "streamReader", resources: args.streamReaders ?? {}, rules: streamReaderAlarmRules },
    ];
    for (const { kind, resources, rules } of watchedSets) {
      for (const [key, value] of Object.entries(resources)) {
        for (const rule of rules) {
          this.createAlarm(`${name}-${key}-${rule.suffix}`, rule, { kind, value, metricsNamespace }, thresholds, topic);
        }
      }
    }

    const dashboard = this.createDashboard(name, args);

    this.alertTopicArn = topic.arn;
    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ alertTopicArn: this.alertTopicArn, dashboardName: this.dashboardName });
  }

  /** The dashboard graphs what the alarms watch. */
  private createDashboard(name: string, args: AlertingArgs): OperationsDashboard {
    return new OperationsDashboard(
      name,
      {
        functions: args.functions,
        stateMachines: args.stateMachines,
        apis: args.apis ?? {},
        tables: args.tables ?? {},
        topics: args.topics ?? {},
        deadLetterQueues: args.deadLetterQueues ?? {},
        streamReaders: args.streamReaders ?? {},
        stack: args.stack,
      },
      // The dashboard was once composed at the top of the program: the alias keeps its URN, and its
      // children's, so that moving it under Alerting replaces nothing.
      { parent: this, aliases: [{ parent: pulumi.rootStackResource }] },
    );
  }

  private createTopic(name: string): aws.sns.Topic {
    return new aws.sns.Topic(`${name}-alerts`, {}, { parent: this });
  }

  /** Replaces the default topic policy: only this account's CloudWatch alarms may publish; people use IAM. */
  private createTopicPolicy(name: string, topic: aws.sns.Topic): aws.sns.TopicPolicy {
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    return new aws.sns.TopicPolicy(
      `${name}-alerts`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "sns:Publish",
              Resource: topic.arn,
              Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
          ],
        }),
      },
      { parent: this },
    );
  }

  private createEmailSubscription(
    name: string,
    topic: aws.sns.Topic,
    endpoint: pulumi.Input<string>,
  ): aws.sns.TopicSubscription {
    return new aws.sns.TopicSubscription(
      `${name}-alerts-email`,
      { topic: topic.arn, protocol: "email", endpoint },
      { parent: this },
    );
  }

  /** One alarm: what it reads depends on the rule's shape, the rest is the same for every rule. */
  private createAlarm(
    alarmName: string,
    rule: AlarmRule,
    watched: Watched,
    thresholds: AlarmThresholds,
    topic: aws.sns.Topic,
  ): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
      alarmName,
      {
        ...alarmSource(rule, watched),
        evaluationPeriods: rule.evaluationPeriods,
        threshold: thresholdOf(rule, thresholds),
        comparisonOperator: rule.comparison,
        // No invocations, requests or executions means no failures: an idle resource must not look broken.
        treatMissingData: "notBreaching",
        alarmDescription: rule.description,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
      },
      { parent: this },
    );
  }
}

/** The id of a metric-math or Metrics Insights alarm's expression: the one query whose value the alarm compares. */
const EXPRESSION_ID = "e1";

/** The alarm inputs that say what it reads: one metric, metric math over several, or a Metrics Insights query. */
function alarmSource(rule: AlarmRule, watched: Watched): Partial<aws.cloudwatch.MetricAlarmArgs> {
  if ("expression" in rule) {
    return { metricQueries: metricMathQueries(rule, watched) };
  }
  if ("schemaDimensions" in rule) {
    return { metricQueries: [metricsInsightsAlarmQuery(rule, watched)] };
  }
  return singleMetric(rule, watched);
}

function singleMetric(rule: MetricAlarmRule, watched: Watched): Partial<aws.cloudwatch.MetricAlarmArgs> {
  return {
    namespace: rule.namespace,
    metricName: rule.metricName,
    // CloudWatch takes a percentile as an extended statistic, never as a statistic.
    ...(rule.statistic.startsWith("p") ? { extendedStatistic: rule.statistic } : { statistic: rule.statistic }),
    period: rule.periodSeconds,
    dimensions: { [WATCHED_DIMENSION[watched.kind]]: watched.value },
  };
}

function metricMathQueries(
  rule: MetricMathAlarmRule,
  watched: Watched,
): pulumi.Input<aws.types.input.cloudwatch.MetricAlarmMetricQuery>[] {
  const metricQueries = Object.entries(rule.metrics).map(([id, metric]) => ({
    id,
    metric: { ...metricSource(metric, watched), stat: rule.statistic, period: rule.periodSeconds },
    returnData: false,
  }));
  return [...metricQueries, { id: EXPRESSION_ID, expression: rule.expression, label: rule.label, returnData: true }];
}

function metricsInsightsAlarmQuery(
  rule: MetricsInsightsAlarmRule,
  watched: Watched,
): pulumi.Input<aws.types.input.cloudwatch.MetricAlarmMetricQuery> {
  const dimension = WATCHED_DIMENSION[watched.kind];
  return {
    id: EXPRESSION_ID,
    expression: pulumi.output(watched.value).apply((value) => metricsInsightsQuery(rule, dimension, value)),
    label: rule.label,
    period: rule.periodSeconds,
    returnData: true,
  };
}

/** Where a metric-math alarm's metric lives: the watched resource's, or the stack's business metrics as Powertools publishes them. */
function metricSource(metric: AlarmMetric, watched: Watched) {
  switch (metric.source) {
    case "watched":
      return {
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: { [WATCHED_DIMENSION[watched.kind]]: watched.value },
      };
    case "businessMetrics":
      return {
        namespace: watched.metricsNamespace,
        metricName: metric.metricName,
        dimensions: { service: BUSINESS_METRICS_SERVICE },
      };
  }
}

/** Every threshold must be a number above 0: at 0, a `>=` alarm would never leave ALARM. */
const firstNonPositive = (thresholds: AlarmThresholds) =>
  Object.entries(thresholds).find(([, value]) => !(typeof value === "number" && value > 0))?.[0];

const positiveThresholds = v.pipe(
  v.custom<AlarmThresholds>(() => true),
  v.check(
    (thresholds) => firstNonPositive(thresholds) === undefined,
    (issue) => `thresholds.${firstNonPositive(issue.input) ?? "?"} must be a number greater than 0`,
  ),
);
