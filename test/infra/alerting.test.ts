import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { routes } from "../../api/routes";
import { Alerting } from "../../infra";
import { functionAlarmRules, functionErrorsAlarm } from "../../monitoring/alarms";
import { ACCOUNT_ID, type Deployment, MockRecorder, type RecordedResource, deployStack } from "../support/pulumi-mocks";

const TOPIC = "aws:sns/topic:Topic";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const FUNCTION = "aws:lambda/function:Function";

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

describe("Alerting", () => {
  for (const expected of stacks) {
    describe(`on the ${expected.stack} stack`, () => {
      let deployment: Deployment;
      let topicArn: unknown;

      before(async () => {
        deployment = await deployStack(expected.stack);
        topicArn = only(deployment, TOPIC).state["arn"];
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
        const topicPolicy = only(deployment, TOPIC_POLICY);

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

      it("gives every function an Errors alarm with the shared rule's numbers, notifying the topic on alarm and on recovery", () => {
        for (const route of routes) {
          const functionName = deployment.named(FUNCTION, `oms-${route.functionName}`).state["name"];

          const alarm = deployment.named(ALARM, `oms-${route.functionName}-${functionErrorsAlarm.suffix}`);

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

      it("has one alarm per function and rule of monitoring/alarms.ts, and no other", () => {
        const alarms = deployment.ofType(ALARM);

        expect(alarms.map((alarm) => alarm.name).sort()).to.deep.equal(
          routes
            .flatMap((route) => functionAlarmRules.map((rule) => `oms-${route.functionName}-${rule.suffix}`))
            .sort(),
        );
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
      const construct = () => new Alerting("oms", { alertEmail: "on-call", functions: {} });

      expect(construct)
        .to.throw(pulumi.RunError)
        .with.property("message", 'Alerting "oms": alertEmail must be an e-mail address');
    });
  });
});
