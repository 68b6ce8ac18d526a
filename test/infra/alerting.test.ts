import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { routes } from "../../api/routes";
import { Alerting } from "../../infra";
import {
  functionAlarmRules,
  functionErrorsAlarm,
  workflowAlarmRules,
  workflowExecutionThrottledAlarm,
  workflowExecutionsFailedAlarm,
  workflowExecutionsTimedOutAlarm,
} from "../../monitoring/alarms";
import { workflowTasks } from "../../workflow/tasks";
import { ACCOUNT_ID, type Deployment, MockRecorder, type RecordedResource, deployStack } from "../support/pulumi-mocks";

const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const FUNCTION = "aws:lambda/function:Function";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";

/** Every function the program deploys: one per route, one per workflow task. */
const functionNames = [...routes, ...workflowTasks].map((handler) => handler.functionName);

/** Who each stack's `Pulumi.<stack>.yaml` alerts, and where the stack's business metrics go. */
const stacks = [
  { stack: "dev", alertEmail: "oms-dev-alerts@example.com", metricsNamespace: "OMS/dev" },
  { stack: "prod", alertEmail: "oms-oncall@example.com", metricsNamespace: "OMS/prod" },
];

function only(deployment: Deployment, type: string): RecordedResource {
  const all = deployment.ofType(type);
  expect(all, type).to.have.length(1);
  return all[0] as RecordedResource;
}

/** The alerts topic, told apart from the order-notifications topic by its name. */
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

      it(`e-mails the alerts topic to ${expected.alertEmail}`, () => {
        const subscription = only(deployment, SUBSCRIPTION);

        expect(subscription.inputs).to.deep.equal({
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

      it("gives every function, of the API and of the workflow, an Errors alarm with the shared rule's numbers, notifying the topic on alarm and on recovery", () => {
        expect(functionNames).to.have.length(14);
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

      it("has one alarm per function and function rule, and per state machine and workflow rule, of monitoring/alarms.ts, and no other", () => {
        const alarms = deployment.ofType(ALARM);

        expect(alarms.map((alarm) => alarm.name).sort()).to.deep.equal(
          [
            ...functionNames.flatMap((name) => functionAlarmRules.map((rule) => `oms-${name}-${rule.suffix}`)),
            ...workflowAlarmRules.map((rule) => `oms-order-workflow-${rule.suffix}`),
          ].sort(),
        );
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
        expect(description).to.include("the stock was not released");
      });

      it("tells the on-call which item's reservations may still hold the units of a timed-out execution", () => {
        const description = String(
          deployment.named(ALARM, "oms-order-workflow-executions-timed-out").inputs["alarmDescription"],
        );

        expect(description).to.include("ran longer than 25 s");
        expect(description).to.include(
          "the ordered item in the inventory table may still list the order id in its reservations set",
        );
      });

      it("keeps every alarm description within the 1024 characters CloudWatch accepts", () => {
        const descriptions = deployment.ofType(ALARM).map((alarm) => String(alarm.inputs["alarmDescription"]));

        expect(descriptions.filter((description) => description.length > 1024)).to.deep.equal([]);
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
