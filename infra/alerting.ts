import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  type AlarmMetric,
  BUSINESS_METRICS_SERVICE,
  type MetricAlarmRule,
  type WorkflowMetricMathAlarmRule,
  businessMetricsNamespace,
  functionAlarmRules,
  workflowAlarmRules,
} from "../monitoring/alarms";
import { ArgsChecker, stackName } from "./component-args";

const TYPE = "oms:infra:Alerting";

/** Who is told, and about which functions and state machines. */
export interface AlertingArgs {
  /** Who receives alarms by e-mail; AWS first sends them a confirmation link, and nothing arrives until it is followed. */
  alertEmail: pulumi.Input<string>;
  /** The functions to watch: deployed function name by function name (`OrdersApi.functions`, `OrderWorkflow.functions`). */
  functions: Readonly<Record<string, pulumi.Input<string>>>;
  /** The state machines to watch: ARN by logical name (`order-workflow`). */
  stateMachines: Readonly<Record<string, pulumi.Input<string>>>;
  /** The stack's name: alarms that read business metrics read them in `businessMetricsNamespace(stack)`. */
  stack: string;
}

/**
 * The alerts topic, its e-mail subscription, and one CloudWatch alarm per function and function
 * rule, and per state machine and workflow rule, of `monitoring/alarms.ts`, each notifying the
 * topic when it fires and when it clears. A metric-math rule's business metrics are those of the
 * stack (`businessMetricsNamespace`), as Powertools Metrics publishes them from its functions.
 */
export class Alerting extends pulumi.ComponentResource {
  /** The ARN of the SNS topic every alarm notifies. */
  public readonly alertTopicArn: pulumi.Output<string>;

  constructor(name: string, args: AlertingArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const alertEmail = checker.input(args.alertEmail, (email) =>
      /^[^\s@]+@[^\s@]+$/.test(email) ? undefined : "alertEmail must be an e-mail address",
    );
    const metricsNamespace = businessMetricsNamespace(checker.value(args.stack, stackName("stack")));
    super(TYPE, name, {}, opts);

    const topic = this.createTopic(name);
    this.createTopicPolicy(name, topic);
    this.createEmailSubscription(name, topic, alertEmail);
    for (const [functionKey, functionName] of Object.entries(args.functions)) {
      for (const rule of functionAlarmRules) {
        this.createAlarm(`${name}-${functionKey}-${rule.suffix}`, rule, { FunctionName: functionName }, topic);
      }
    }
    for (const [stateMachineKey, stateMachineArn] of Object.entries(args.stateMachines)) {
      for (const rule of workflowAlarmRules) {
        const alarmName = `${name}-${stateMachineKey}-${rule.suffix}`;
        if ("expression" in rule) {
          this.createMetricMathAlarm(alarmName, rule, { stateMachineArn, metricsNamespace }, topic);
        } else {
          this.createAlarm(alarmName, rule, { StateMachineArn: stateMachineArn }, topic);
        }
      }
    }

    this.alertTopicArn = topic.arn;
    this.registerOutputs({ alertTopicArn: this.alertTopicArn });
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

  private createAlarm(
    alarmName: string,
    rule: MetricAlarmRule,
    dimensions: Readonly<Record<string, pulumi.Input<string>>>,
    topic: aws.sns.Topic,
  ): aws.cloudwatch.MetricAlarm {
    return new aws.cloudwatch.MetricAlarm(
      alarmName,
      {
        namespace: rule.namespace,
        metricName: rule.metricName,
        statistic: rule.statistic,
        period: rule.periodSeconds,
        evaluationPeriods: rule.evaluationPeriods,
        threshold: rule.threshold,
        comparisonOperator: rule.comparison,
        // No invocations or executions means no failures: an idle function or workflow must not look broken.
        treatMissingData: "notBreaching",
        dimensions,
        alarmDescription: rule.description,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
      },
      { parent: this },
    );
  }

  private createMetricMathAlarm(
    alarmName: string,
    rule: WorkflowMetricMathAlarmRule,
    watched: { stateMachineArn: pulumi.Input<string>; metricsNamespace: string },
    topic: aws.sns.Topic,
  ): aws.cloudwatch.MetricAlarm {
    const metricQueries = Object.entries(rule.metrics).map(([id, metric]) => ({
      id,
      metric: {
        ...metricSource(metric, watched),
        stat: rule.statistic,
        period: rule.periodSeconds,
      },
      returnData: false,
    }));
    return new aws.cloudwatch.MetricAlarm(
      alarmName,
      {
        metricQueries: [
          ...metricQueries,
          { id: EXPRESSION_ID, expression: rule.expression, label: rule.label, returnData: true },
        ],
        evaluationPeriods: rule.evaluationPeriods,
        threshold: rule.threshold,
        comparisonOperator: rule.comparison,
        // No executions means no failures: an idle workflow must not look broken.
        treatMissingData: "notBreaching",
        alarmDescription: rule.description,
        alarmActions: [topic.arn],
        okActions: [topic.arn],
      },
      { parent: this },
    );
  }
}

/** The id of a metric-math alarm's expression: the one query whose value the alarm compares. */
const EXPRESSION_ID = "e1";

/** Where a metric-math alarm's metric lives: the watched state machine's, or the stack's business metrics as Powertools publishes them. */
function metricSource(
  metric: AlarmMetric,
  watched: { stateMachineArn: pulumi.Input<string>; metricsNamespace: string },
): { namespace: string; metricName: string; dimensions: Record<string, pulumi.Input<string>> } {
  switch (metric.source) {
    case "stateMachine":
      return {
        namespace: metric.namespace,
        metricName: metric.metricName,
        dimensions: { StateMachineArn: watched.stateMachineArn },
      };
    case "businessMetrics":
      return {
        namespace: watched.metricsNamespace,
        metricName: metric.metricName,
        dimensions: { service: BUSINESS_METRICS_SERVICE },
      };
  }
}
