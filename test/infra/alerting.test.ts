import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { routes } from "../../api/routes";
import { eventFunctions, eventPublisher } from "../../events/functions";
import { Alerting } from "../../infra";
import {
  type AlarmThresholds,
  apiAlarmRules,
  apiP99LatencyAlarm,
  apiServerErrorRateAlarm,
  deadLetterQueueAlarmRules,
  deadLetterQueueAgeAlarm,
  deadLetterQueueDepthAlarm,
  functionAlarmRules,
  functionErrorsAlarm,
  functionThrottlesAlarm,
  streamIteratorAgeAlarm,
  streamReaderAlarmRules,
  tableAlarmRules,
  tableSystemErrorsAlarm,
  tableThrottledRequestsAlarm,
  topicAlarmRules,
  topicDeliveryFailuresAlarm,
  workflowAlarmRules,
  workflowExecutionThrottledAlarm,
  workflowExecutionsFailedAlarm,
  workflowExecutionsTimedOutAlarm,
} from "../../monitoring/alarms";
import { tables } from "../../storage/tables";
import { WORKFLOW_TIMEOUT_SECONDS } from "../../workflow/definition";
import { workflowTasks } from "../../workflow/tasks";
import { ACCOUNT_ID, type Deployment, MockRecorder, type RecordedResource, deployStack } from "../support/pulumi-mocks";

const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const FUNCTION = "aws:lambda/function:Function";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const API = "aws:apigatewayv2/api:Api";
const TABLE = "aws:dynamodb/table:Table";
const QUEUE = "aws:sqs/queue:Queue";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";

/** Every function the program deploys: one per route, one per workflow task, and the event functions. */
const functionNames = [...routes, ...workflowTasks, ...eventFunctions].map((handler) => handler.functionName);

/** The name a resource of the `oms` program has without the program's prefix: the logical name alarms carry. */
const logicalName = (resource: RecordedResource) => resource.name.replace(/^oms-/, "");

/**
 * Every dead-letter queue the deployment has: each queue another queue's redrive policy sends to,
 * or a stream mapping sends what it gives up on to. What lands there was given up on.
 */
function deadLetterQueues(deployment: Deployment): RecordedResource[] {
  const targets = new Set<unknown>([
    ...deployment
      .ofType(QUEUE)
      .filter((queue) => queue.inputs["redrivePolicy"] !== undefined)
      .map(
        (queue) =>
          (JSON.parse(String(queue.inputs["redrivePolicy"])) as { deadLetterTargetArn: string }).deadLetterTargetArn,
      ),
    ...deployment
      .ofType(MAPPING)
      .map(
        (mapping) =>
          (mapping.inputs["destinationConfig"] as { onFailure?: { destinationArn?: string } } | undefined)?.onFailure
            ?.destinationArn,
      )
      .filter((arn) => arn !== undefined),
  ]);
  return deployment.ofType(QUEUE).filter((queue) => targets.has(queue.state["arn"]));
}

/** Every function a DynamoDB stream mapping invokes: how far behind it is, is how late events are. */
function streamReaders(deployment: Deployment): RecordedResource[] {
  const arns = new Set(
    deployment
      .ofType(MAPPING)
      .filter((mapping) => String(mapping.inputs["eventSourceArn"]).includes(":dynamodb:"))
      .map((mapping) => mapping.inputs["functionName"]),
  );
  return deployment.ofType(FUNCTION).filter((fn) => arns.has(fn.state["arn"]));
}

/** The thresholds a stack gets when its config sets none. */
const DEFAULTS: AlarmThresholds = {
  apiP99LatencyMs: 2000,
  api5xxRatePercent: 1,
  functionThrottles: 1,
  dynamoDbThrottles: 1,
  notificationFailures: 1,
};

/**
 * Who each stack's `Pulumi.<stack>.yaml` alerts, where the stack's business metrics go, and its
 * thresholds (dev tolerates 5% of 5xx: it sees so few requests that one error is a large share).
 */
const stacks: { stack: string; alertEmail: string; metricsNamespace: string; thresholds: AlarmThresholds }[] = [
  {
    stack: "dev",
    alertEmail: "oms-dev-alerts@example.com",
    metricsNamespace: "OMS/dev",
    thresholds: { ...DEFAULTS, api5xxRatePercent: 5 },
  },
  { stack: "prod", alertEmail: "oms-oncall@example.com", metricsNamespace: "OMS/prod", thresholds: DEFAULTS },
];

function only(deployment: Deployment, type: string): RecordedResource {
  const all = deployment.ofType(type);
  expect(all, type).to.have.length(1);
  return all[0] as RecordedResource;
}

/** The alerts topic, told apart from the order-events topic by its name. */
function alertsTopic(deployment: Deployment): RecordedResource {
  return deployment.named(TOPIC, "oms-alerts");
}

describe("Alerting", () => {
  for (const expected of stacks) {
    describe(`on the ${expected.stack} stack`, () => {
      let deployment: Deployment;
      let topicArn: unknown;

      before(async () => {
        deployment = await deployStack(expected.stack);
        topicArn = alertsTopic(deployment).state["arn"];
      });

      it(`e-mails the alerts topic to ${expected.alertEmail}, and no one else`, () => {
        const subscriptions = deployment.ofType(SUBSCRIPTION).filter((s) => s.inputs["topic"] === topicArn);

        expect(subscriptions).to.have.length(1);
        expect(subscriptions[0]?.inputs).to.deep.equal({
          topic: topicArn,
          protocol: "email",
          endpoint: expected.alertEmail,
        });
      });

      it("lets only this account's CloudWatch alarms publish to the alerts topic", () => {
        const topicPolicy = deployment.named(TOPIC_POLICY, "oms-alerts");

        expect(topicPolicy.inputs["arn"]).to.equal(topicArn);
        expect(JSON.parse(String(topicPolicy.inputs["policy"]))).to.deep.equal({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: "sns:Publish",
              Resource: topicArn,
              Condition: { StringEquals: { "aws:SourceAccount": ACCOUNT_ID } },
            },
          ],
        });
      });

      it("gives every function, of the API, of the workflow and of the events, an Errors alarm with the shared rule's numbers, notifying the topic on alarm and on recovery", () => {
        expect(deployment.ofType(FUNCTION).map((fn) => fn.name)).to.have.members(
          functionNames.map((name) => `oms-${name}`),
        );
        for (const name of functionNames) {
          const functionName = deployment.named(FUNCTION, `oms-${name}`).state["name"];

          const alarm = deployment.named(ALARM, `oms-${name}-${functionErrorsAlarm.suffix}`);

          expect(alarm.inputs).to.deep.equal({
            namespace: "AWS/Lambda",
            metricName: "Errors",
            statistic: functionErrorsAlarm.statistic,
            period: functionErrorsAlarm.periodSeconds,
            evaluationPeriods: functionErrorsAlarm.evaluationPeriods,
            threshold: functionErrorsAlarm.threshold,
            comparisonOperator: functionErrorsAlarm.comparison,
            treatMissingData: "notBreaching",
            dimensions: { FunctionName: functionName },
            alarmDescription: functionErrorsAlarm.description,
            alarmActions: [topicArn],
            okActions: [topicArn],
          });
        }
      });

      it(`gives every function a Throttles alarm, at ${expected.thresholds.functionThrottles} or more a minute (alarms.functionThrottles)`, () => {
        for (const name of functionNames) {
          const functionName = deployment.named(FUNCTION, `oms-${name}`).state["name"];

          const alarm = deployment.named(ALARM, `oms-${name}-throttles`);

          expect(alarm.inputs).to.deep.equal({
            namespace: "AWS/Lambda",
            metricName: "Throttles",
            statistic: "Sum",
            period: 60,
            evaluationPeriods: 1,
            threshold: expected.thresholds.functionThrottles,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            dimensions: { FunctionName: functionName },
            alarmDescription: functionThrottlesAlarm.description,
            alarmActions: [topicArn],
            okActions: [topicArn],
          });
        }
      });

      it(`alarms when more than ${expected.thresholds.api5xxRatePercent}% of the API's requests over 5 minutes end in 5xx: metric math 5xx / Count`, () => {
        const apiId = only(deployment, API).id;

        const alarm = deployment.named(ALARM, "oms-api-5xx-rate");

        expect(alarm.inputs).to.deep.equal({
          metricQueries: [
            {
              id: "m1",
              metric: {
                namespace: "AWS/ApiGateway",
                metricName: "5xx",
                dimensions: { ApiId: apiId },
                stat: "Sum",
                period: 300,
              },
              returnData: false,
            },
            {
              id: "m2",
              metric: {
                namespace: "AWS/ApiGateway",
                metricName: "Count",
                dimensions: { ApiId: apiId },
                stat: "Sum",
                period: 300,
              },
              returnData: false,
            },
            {
              id: "e1",
              expression: "IF(m2 > 0, 100 * FILL(m1, 0) / m2, 0)",
              label: "5xx responses, % of requests",
              returnData: true,
            },
          ],
          evaluationPeriods: 1,
          threshold: expected.thresholds.api5xxRatePercent,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          alarmDescription: apiServerErrorRateAlarm.description,
          alarmActions: [topicArn],
          okActions: [topicArn],
        });
      });

      it(`alarms when the API's p99 latency stays above ${expected.thresholds.apiP99LatencyMs} ms for two 5-minute periods`, () => {
        const apiId = only(deployment, API).id;

        const alarm = deployment.named(ALARM, "oms-api-p99-latency");

        expect(alarm.inputs).to.deep.equal({
          namespace: "AWS/ApiGateway",
          metricName: "Latency",
          extendedStatistic: "p99",
          period: 300,
          evaluationPeriods: 2,
          threshold: expected.thresholds.apiP99LatencyMs,
          comparisonOperator: "GreaterThanThreshold",
          treatMissingData: "notBreaching",
          dimensions: { ApiId: apiId },
          alarmDescription: apiP99LatencyAlarm.description,
          alarmActions: [topicArn],
          okActions: [topicArn],
        });
      });

      const tableRules = [
        {
          rule: tableThrottledRequestsAlarm,
          metricName: "ThrottledRequests",
          threshold: (thresholds: AlarmThresholds) => thresholds.dynamoDbThrottles,
        },
        { rule: tableSystemErrorsAlarm, metricName: "SystemErrors", threshold: () => 1 },
      ];
      for (const { rule, metricName, threshold } of tableRules) {
        it(`alarms on every table's ${metricName}, summed over DynamoDB's operations by a Metrics Insights query`, () => {
          for (const table of tables) {
            const tableName = String(deployment.named(TABLE, `oms-${table.name}`).state["name"]);

            const alarm = deployment.named(ALARM, `oms-${table.name}-${rule.suffix}`);

            expect(alarm.inputs).to.deep.equal({
              metricQueries: [
                {
                  id: "e1",
                  expression: `SELECT SUM(${metricName}) FROM SCHEMA("AWS/DynamoDB", TableName, Operation) WHERE TableName = '${tableName}'`,
                  label: rule.label,
                  period: 60,
                  returnData: true,
                },
              ],
              evaluationPeriods: 1,
              threshold: threshold(expected.thresholds),
              comparisonOperator: "GreaterThanOrEqualToThreshold",
              treatMissingData: "notBreaching",
              alarmDescription: rule.description,
              alarmActions: [topicArn],
              okActions: [topicArn],
            });
          }
        });
      }

      it("alarms when SNS fails to deliver order events from the order-events topic to a subscriber", () => {
        const topicName = deployment.named(TOPIC, "oms-order-events").state["name"];

        const alarm = deployment.named(ALARM, "oms-order-events-delivery-failures");

        expect(alarm.inputs).to.deep.equal({
          namespace: "AWS/SNS",
          metricName: "NumberOfNotificationsFailed",
          statistic: "Sum",
          period: 300,
          evaluationPeriods: 1,
          threshold: expected.thresholds.notificationFailures,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          dimensions: { TopicName: topicName },
          alarmDescription: topicDeliveryFailuresAlarm.description,
          alarmActions: [topicArn],
          okActions: [topicArn],
        });
      });

      for (const rule of [deadLetterQueueDepthAlarm, deadLetterQueueAgeAlarm]) {
        it(`alarms on every dead-letter queue's ${rule.metricName} (its highest in ${rule.periodSeconds / 60} minutes at ${rule.threshold} or more)`, () => {
          const queues = deadLetterQueues(deployment);

          expect(queues, "no dead-letter queue: nothing given up on would be seen").to.not.deep.equal([]);
          for (const queue of queues) {
            const alarm = deployment.named(ALARM, `oms-${logicalName(queue)}-${rule.suffix}`);

            expect(alarm.inputs).to.deep.equal({
              namespace: "AWS/SQS",
              metricName: rule.metricName,
              statistic: "Maximum",
              period: rule.periodSeconds,
              evaluationPeriods: rule.evaluationPeriods,
              threshold: rule.threshold,
              comparisonOperator: "GreaterThanOrEqualToThreshold",
              treatMissingData: "notBreaching",
              dimensions: { QueueName: queue.state["name"] },
              alarmDescription: rule.description,
              alarmActions: [topicArn],
              okActions: [topicArn],
            });
          }
        });
      }

      it("tells the on-call in every dead-letter queue alarm how to read its messages and how to redrive them", () => {
        for (const rule of deadLetterQueueAlarmRules) {
          const description = String(
            deployment.named(ALARM, `oms-customer-mail-dlq-${rule.suffix}`).inputs["alarmDescription"],
          );

          expect(description, rule.suffix).to.include("aws sqs receive-message");
          expect(description, rule.suffix).to.include("Start DLQ redrive");
          expect(description, rule.suffix).to.include("aws sqs start-message-move-task");
        }
      });

      it("alarms when a stream reader's IteratorAge stays 5 minutes or more behind for 5 minutes: events are late", () => {
        const readers = streamReaders(deployment);

        expect(readers.map(logicalName)).to.deep.equal([eventPublisher.functionName]);
        for (const reader of readers) {
          const alarm = deployment.named(ALARM, `oms-${logicalName(reader)}-${streamIteratorAgeAlarm.suffix}`);

          expect(alarm.inputs).to.deep.equal({
            namespace: "AWS/Lambda",
            metricName: "IteratorAge",
            statistic: "Maximum",
            period: 60,
            evaluationPeriods: 5,
            threshold: 5 * 60 * 1000,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            dimensions: { FunctionName: reader.state["name"] },
            alarmDescription: streamIteratorAgeAlarm.description,
            alarmActions: [topicArn],
            okActions: [topicArn],
          });
        }
      });

      const plainWorkflowAlarms = [
        { rule: workflowExecutionsTimedOutAlarm, name: "oms-order-workflow-executions-timed-out" },
        { rule: workflowExecutionThrottledAlarm, name: "oms-order-workflow-execution-throttled" },
      ];
      for (const { rule, name } of plainWorkflowAlarms) {
        it(`alarms on the order workflow's ${rule.metricName}, at least one a minute, notifying the topic on alarm and on recovery`, () => {
          const stateMachineArn = deployment.named(STATE_MACHINE, "oms-order-workflow").state["arn"];

          const alarm = deployment.named(ALARM, name);

          expect(alarm.inputs).to.deep.equal({
            namespace: "AWS/States",
            metricName: rule.metricName,
            statistic: "Sum",
            period: 60,
            evaluationPeriods: 1,
            threshold: 1,
            comparisonOperator: "GreaterThanOrEqualToThreshold",
            treatMissingData: "notBreaching",
            dimensions: { StateMachineArn: stateMachineArn },
            alarmDescription: rule.description,
            alarmActions: [topicArn],
            okActions: [topicArn],
          });
        });
      }

      it(`alarms on order workflow executions that failed without refusing the order: ExecutionsFailed minus ${expected.metricsNamespace} OrdersRefused, at least one a minute`, () => {
        const stateMachineArn = deployment.named(STATE_MACHINE, "oms-order-workflow").state["arn"];

        const alarm = deployment.named(ALARM, "oms-order-workflow-executions-failed");

        expect(alarm.inputs).to.deep.equal({
          metricQueries: [
            {
              id: "m1",
              metric: {
                namespace: "AWS/States",
                metricName: "ExecutionsFailed",
                dimensions: { StateMachineArn: stateMachineArn },
                stat: "Sum",
                period: 60,
              },
              returnData: false,
            },
            {
              id: "m2",
              metric: {
                namespace: expected.metricsNamespace,
                metricName: "OrdersRefused",
                dimensions: { service: "oms" },
                stat: "Sum",
                period: 60,
              },
              returnData: false,
            },
            {
              id: "e1",
              expression: "m1 - FILL(m2, 0)",
              label: "Failed executions that are not refusals",
              returnData: true,
            },
          ],
          evaluationPeriods: 1,
          threshold: 1,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          treatMissingData: "notBreaching",
          alarmDescription: workflowExecutionsFailedAlarm.description,
          alarmActions: [topicArn],
          okActions: [topicArn],
        });
      });

      it("subtracts the refusals from the namespace and service that place-order's Powertools Metrics publishes to", () => {
        const variables = (
          deployment.named(FUNCTION, "oms-place-order").inputs["environment"] as { variables: Record<string, string> }
        ).variables;

        const alarm = deployment.named(ALARM, "oms-order-workflow-executions-failed");
        const refusals = (alarm.inputs["metricQueries"] as { id: string; metric?: Record<string, unknown> }[]).find(
          (query) => query.id === "m2",
        );

        expect(refusals?.metric?.["namespace"]).to.equal(variables["POWERTOOLS_METRICS_NAMESPACE"]);
        expect(refusals?.metric?.["dimensions"]).to.deep.equal({ service: variables["POWERTOOLS_SERVICE_NAME"] });
      });

      it("has one alarm per watched resource and rule of monitoring/alarms.ts (functions, workflow, API, tables, events topic, dead-letter queues, stream readers), and no other", () => {
        const alarms = deployment.ofType(ALARM);

        expect(alarms.map((alarm) => alarm.name).sort()).to.deep.equal(
          [
            ...functionNames.flatMap((name) => functionAlarmRules.map((rule) => `oms-${name}-${rule.suffix}`)),
            ...workflowAlarmRules.map((rule) => `oms-order-workflow-${rule.suffix}`),
            ...apiAlarmRules.map((rule) => `oms-api-${rule.suffix}`),
            ...tables.flatMap((table) => tableAlarmRules.map((rule) => `oms-${table.name}-${rule.suffix}`)),
            ...topicAlarmRules.map((rule) => `oms-order-events-${rule.suffix}`),
            ...deadLetterQueues(deployment).flatMap((queue) =>
              deadLetterQueueAlarmRules.map((rule) => `oms-${logicalName(queue)}-${rule.suffix}`),
            ),
            ...streamReaders(deployment).flatMap((reader) =>
              streamReaderAlarmRules.map((rule) => `oms-${logicalName(reader)}-${rule.suffix}`),
            ),
          ].sort(),
        );
      });

      it("notifies the alerts topic from every alarm, on alarm and on recovery, and treats missing data as fine", () => {
        for (const alarm of deployment.ofType(ALARM)) {
          expect(alarm.inputs, alarm.name).to.deep.include({
            alarmActions: [topicArn],
            okActions: [topicArn],
            treatMissingData: "notBreaching",
          });
        }
      });

      it("tells the on-call to read place-order's log first, then create-order's and release-stock's, and whether the stock was released", () => {
        const description = String(
          deployment.named(ALARM, "oms-order-workflow-executions-failed").inputs["alarmDescription"],
        );

        expect(description).to.match(/^An order workflow execution failed, and not because the order was refused/);
        expect(description.indexOf("place-order log group")).to.be.lessThan(
          description.indexOf("create-order log group"),
        );
        expect(description).to.include("release-stock");
        expect(description).to.include("sweep-reservations function gives them back");
        expect(description).to.include("npm run audit");
      });

      it("tells the on-call that the sweeper gives back a timed-out execution's units, and how to check the balances", () => {
        const description = String(
          deployment.named(ALARM, "oms-order-workflow-executions-timed-out").inputs["alarmDescription"],
        );

        expect(description).to.include(`ran longer than ${WORKFLOW_TIMEOUT_SECONDS} s`);
        expect(description).to.include("Nothing to release by hand");
        expect(description).to.include("npm run audit");
      });

      it("keeps every alarm description within the 1024 characters CloudWatch accepts", () => {
        const descriptions = deployment.ofType(ALARM).map((alarm) => String(alarm.inputs["alarmDescription"]));

        expect(descriptions.filter((description) => description.length > 1024)).to.deep.equal([]);
      });

      it("tells the on-call in every alarm's description what to check first", () => {
        const silent = deployment
          .ofType(ALARM)
          .filter((alarm) => !/\b[Cc]heck\b/.test(String(alarm.inputs["alarmDescription"])))
          .map((alarm) => alarm.name);

        expect(silent).to.deep.equal([]);
      });

      it("exports the alerts topic's ARN", () => {
        expect(deployment.outputs["alertTopicArn"]).to.equal(topicArn);
      });
    });
  }

  describe("args", () => {
    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    it("refuses an alert address that is not an e-mail address, naming the component and the field", () => {
      const construct = () =>
        new Alerting("oms", { alertEmail: "on-call", functions: {}, stateMachines: {}, stack: "dev" });

      expect(construct)
        .to.throw(pulumi.RunError)
        .with.property("message", 'Alerting "oms": alertEmail must be an e-mail address');
    });

    it("refuses a threshold of 0, naming the component and the field", () => {
      const construct = () =>
        new Alerting("oms", {
          alertEmail: "oncall@example.com",
          functions: {},
          stateMachines: {},
          thresholds: { apiP99LatencyMs: 0 },
          stack: "dev",
        });

      expect(construct)
        .to.throw(pulumi.RunError)
        .with.property("message", 'Alerting "oms": thresholds.apiP99LatencyMs must be a number greater than 0');
    });

    it("refuses a stack name that would not make a CloudWatch namespace, naming the component and the field", () => {
      const construct = () =>
        new Alerting("oms", { alertEmail: "oncall@example.com", functions: {}, stateMachines: {}, stack: "" });

      expect(construct)
        .to.throw(pulumi.RunError)
        .with.property(
          "message",
          'Alerting "oms": stack must be a stack name of 1 to 100 letters, digits, hyphens, underscores and periods',
        );
    });
  });
});
