import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { routes } from "../../api/routes";
import { Alerting } from "../../infra";
import {
  functionAlarmRules,
  functionErrorsAlarm,
  workflowAlarmRules,
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

/** Who each stack's `Pulumi.<stack>.yaml` alerts. */
const stacks = [
  { stack: "dev", alertEmail: "oms-dev-alerts@example.com" },
  { stack: "prod", alertEmail: "oms-oncall@example.com" },
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

      for (const rule of [workflowExecutionsFailedAlarm, workflowExecutionsTimedOutAlarm]) {
        it(`alarms on the order workflow's ${rule.metricName} with the shared rule's numbers, notifying the topic on alarm and on recovery`, () => {
          const stateMachineArn = deployment.named(STATE_MACHINE, "oms-order-workflow").state["arn"];

          const alarm = deployment.named(ALARM, `oms-order-workflow-${rule.suffix}`);

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

      it("has one alarm per function and function rule, and per state machine and workflow rule, of monitoring/alarms.ts, and no other", () => {
        const alarms = deployment.ofType(ALARM);

        expect(alarms.map((alarm) => alarm.name).sort()).to.deep.equal(
          [
            ...functionNames.flatMap((name) => functionAlarmRules.map((rule) => `oms-${name}-${rule.suffix}`)),
            ...workflowAlarmRules.map((rule) => `oms-order-workflow-${rule.suffix}`),
          ].sort(),
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
      const construct = () => new Alerting("oms", { alertEmail: "on-call", functions: {}, stateMachines: {} });

      expect(construct)
        .to.throw(pulumi.RunError)
        .with.property("message", 'Alerting "oms": alertEmail must be an e-mail address');
    });
  });
});
