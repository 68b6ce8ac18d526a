import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { EVENT_TYPE_ATTRIBUTE } from "../../domain/events";
import { CUSTOMER_MAIL_EVENT_TYPES } from "../../domain/mail";
import { MAIL_QUEUE, orderMailer } from "../../events/functions";
import { CustomerMail, type CustomerMailArgs } from "../../infra";
import { AWS_REQUIRES_WILDCARD_SID } from "../../infra/iam";
import { readStackConfigFile } from "../../local/stack-config-file";
import { type Deployment, MockRecorder, type RecordedResource, deployStack } from "../support/pulumi-mocks";

const FUNCTION = "aws:lambda/function:Function";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const SUBSCRIPTION = "aws:sns/topicSubscription:TopicSubscription";
const TOPIC = "aws:sns/topic:Topic";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TABLE = "aws:dynamodb/table:Table";
const EMAIL_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity";
const CONFIGURATION_SET = "aws:sesv2/configurationSet:ConfigurationSet";

const DAY_SECONDS = 24 * 60 * 60;

/** What each stack's `Pulumi.<stack>.yaml` says of customer mail: the sender, and the SES sandbox's recipients. */
const stacks = ["dev", "prod"].map((stack) => {
  const { config } = readStackConfigFile(stack);
  return { stack, mailFrom: config.mailFrom, sandboxRecipients: config.mailSandbox?.recipients ?? [] };
});

/** What Lambda's SQS event source mapping calls with the function's role ("Using Lambda with Amazon SQS"). */
const QUEUE_CONSUME_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];

/** Lambda's range for an SQS mapping's maximum concurrency (Lambda API Reference, "ScalingConfig"). */
const SQS_MAXIMUM_CONCURRENCY = { min: 2, max: 1000 };

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Principal?: unknown;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Condition?: unknown;
}

function statementsOf(document: unknown): Statement[] {
  return (JSON.parse(String(document)) as { Statement: Statement[] }).Statement;
}

/** The statements of `policy` that allow an action of `service`, outside the AwsRequiresWildcard one. */
function scopedStatements(policy: RecordedResource, service: string): Statement[] {
  return statementsOf(policy.inputs["policy"])
    .filter((statement) => statement.Sid !== AWS_REQUIRES_WILDCARD_SID)
    .filter((statement) => [statement.Action].flat().some((action) => action.startsWith(`${service}:`)));
}

describe("CustomerMail", () => {
  for (const expected of stacks) {
    describe(`on the ${expected.stack} stack`, () => {
      let deployment: Deployment;
      let queue: RecordedResource;
      let deadLetterQueue: RecordedResource;
      let mailer: RecordedResource;
      let topicArn: unknown;

      before(async () => {
        deployment = await deployStack(expected.stack);
        queue = deployment.named(QUEUE, "oms-customer-mail");
        deadLetterQueue = deployment.named(QUEUE, "oms-customer-mail-dlq");
        mailer = deployment.named(FUNCTION, `oms-${orderMailer.functionName}`);
        topicArn = deployment.named(TOPIC, "oms-order-events").state["arn"];
      });

      it(`sends as an SES identity of ${expected.mailFrom}, the configured oms:mailFrom`, () => {
        expect(deployment.named(EMAIL_IDENTITY, "oms-mail-from").inputs).to.deep.equal({
          emailIdentity: expected.mailFrom,
        });
      });

      it(`verifies ${expected.sandboxRecipients.length === 0 ? "no sandbox recipient: the stack's oms:mailSandbox lists none" : "each recipient oms:mailSandbox lists, and no other address"}`, () => {
        const identities = deployment.ofType(EMAIL_IDENTITY).map((identity) => identity.inputs["emailIdentity"]);

        expect(identities).to.have.members([expected.mailFrom, ...expected.sandboxRecipients]);
        expect(identities).to.have.length(1 + expected.sandboxRecipients.length);
      });

      it("sends through a configuration set of its own stack that suppresses bounced and complained-about addresses", () => {
        const configurationSet = deployment.named(CONFIGURATION_SET, "oms-customer-mail");

        expect(configurationSet.inputs["suppressionOptions"]).to.deep.equal({
          suppressedReasons: ["BOUNCE", "COMPLAINT"],
        });
        // The name is unique in the account and region: two stacks in one account must not share it.
        expect(String(configurationSet.inputs["configurationSetName"])).to.include(expected.stack);
      });

      it(`moves a message received ${MAIL_QUEUE.maxReceiveCount} times to the dead-letter queue, which keeps it ${MAIL_QUEUE.retentionDays} days`, () => {
        expect(JSON.parse(String(queue.inputs["redrivePolicy"]))).to.deep.equal({
          deadLetterTargetArn: deadLetterQueue.state["arn"],
          maxReceiveCount: MAIL_QUEUE.maxReceiveCount,
        });
        expect(deadLetterQueue.inputs["messageRetentionSeconds"]).to.equal(MAIL_QUEUE.retentionDays * DAY_SECONDS);
      });

      it("hides a received message for longer than the mailer may run, so that two mailers never hold it at once", () => {
        // Lambda refuses an SQS mapping whose function may outlast the queue's visibility timeout.
        expect(queue.inputs["visibilityTimeoutSeconds"]).to.equal(MAIL_QUEUE.visibilityTimeoutSeconds);
        expect(MAIL_QUEUE.visibilityTimeoutSeconds).to.be.greaterThan(Number(mailer.inputs["timeout"]));
      });

      it("encrypts both queues at rest with SQS-managed keys", () => {
        for (const encrypted of [queue, deadLetterQueue]) {
          expect(encrypted.inputs["sqsManagedSseEnabled"], encrypted.name).to.equal(true);
        }
      });

      it("lets only SNS send to the mail queue, only sqs:SendMessage, and only from the order-events topic (aws:SourceArn)", () => {
        const policy = deployment.named(QUEUE_POLICY, "oms-customer-mail");

        expect(policy.inputs["queueUrl"]).to.equal(queue.state["url"]);
        expect(statementsOf(policy.inputs["policy"])).to.deep.equal([
          {
            Effect: "Allow",
            Principal: { Service: "sns.amazonaws.com" },
            Action: "sqs:SendMessage",
            Resource: queue.state["arn"],
            Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
          },
        ]);
      });

      it(`subscribes the mail queue to the order-events topic for the events customers are mailed about (${CUSTOMER_MAIL_EVENT_TYPES.join(", ")}), raw`, () => {
        const subscription = deployment.named(SUBSCRIPTION, "oms-customer-mail");

        expect(subscription.inputs).to.deep.equal({
          topic: topicArn,
          protocol: "sqs",
          endpoint: queue.state["arn"],
          rawMessageDelivery: true,
          filterPolicyScope: "MessageAttributes",
          filterPolicy: JSON.stringify({ [EVENT_TYPE_ATTRIBUTE]: [...CUSTOMER_MAIL_EVENT_TYPES] }),
        });
        // The publisher sets the event's type as this message attribute: other systems filter on it too.
        expect(EVENT_TYPE_ATTRIBUTE).to.equal("type");
      });

      it("lets the mailer send e-mail only as the sender identity, through the configuration set, and nothing else of SES", () => {
        const policy = deployment.named(ROLE_POLICY, `oms-${orderMailer.functionName}-access`);

        expect(scopedStatements(policy, "ses")).to.deep.equal([
          {
            Effect: "Allow",
            Action: ["ses:SendEmail"],
            Resource: [
              deployment.named(EMAIL_IDENTITY, "oms-mail-from").state["arn"],
              deployment.named(CONFIGURATION_SET, "oms-customer-mail").state["arn"],
            ],
          },
        ]);
      });

      it("lets the mailer consume exactly the mail queue, and send to no queue", () => {
        const policy = deployment.named(ROLE_POLICY, `oms-${orderMailer.functionName}-access`);

        expect(scopedStatements(policy, "sqs")).to.deep.equal([
          { Effect: "Allow", Action: QUEUE_CONSUME_ACTIONS, Resource: [queue.state["arn"]] },
        ]);
      });

      it("lets the mailer read users and keep its idempotency records, exactly as events/functions.ts grants, on those tables alone", () => {
        const policy = deployment.named(ROLE_POLICY, `oms-${orderMailer.functionName}-access`);

        expect(scopedStatements(policy, "dynamodb")).to.deep.equal(
          orderMailer.grants.map((grant) => ({
            Effect: "Allow",
            Action: [...grant.actions],
            Resource: [deployment.named(TABLE, `oms-${grant.table.name}`).state["arn"]],
          })),
        );
      });

      it("maps the mail queue to the mailer ten messages at a time, reporting each failed message, at a bounded concurrency", () => {
        const mapping = deployment.named(MAPPING, "oms-customer-mail");
        const concurrency = (mapping.inputs["scalingConfig"] as { maximumConcurrency: number }).maximumConcurrency;

        expect(mapping.inputs).to.deep.include({
          eventSourceArn: queue.state["arn"],
          functionName: mailer.state["arn"],
          batchSize: 10,
          functionResponseTypes: ["ReportBatchItemFailures"],
        });
        expect(concurrency).to.be.within(SQS_MAXIMUM_CONCURRENCY.min, SQS_MAXIMUM_CONCURRENCY.max);
      });

      it("keeps every resource it creates under CustomerMail", () => {
        const children = [
          [EMAIL_IDENTITY, "oms-mail-from"],
          [CONFIGURATION_SET, "oms-customer-mail"],
          [QUEUE, "oms-customer-mail"],
          [QUEUE, "oms-customer-mail-dlq"],
          [QUEUE_POLICY, "oms-customer-mail"],
          [SUBSCRIPTION, "oms-customer-mail"],
          [MAPPING, "oms-customer-mail"],
          ["oms:infra:HandlerFunction", `oms-${orderMailer.functionName}`],
        ];

        for (const [type = "", name = ""] of children) {
          expect(deployment.optionsOf(type, name).parent, name).to.equal("oms:infra:CustomerMail::oms");
        }
      });
    });
  }

  describe("args", () => {
    const valid = (): CustomerMailArgs => ({
      mailer: orderMailer,
      tables: Object.fromEntries(
        orderMailer.grants.map(({ table }) => [
          table.name,
          { name: table.name, arn: `arn:aws:dynamodb:eu-west-1:123456789012:table/${table.name}` },
        ]),
      ),
      eventsTopicArn: "arn:aws:sns:eu-west-1:123456789012:order-events",
      mailFrom: "orders@orders.example.com",
      sandboxRecipients: ["alice@example.com"],
      memoryMb: 256,
      logRetentionDays: 7,
      stack: "dev",
    });

    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    const cases: { change: Partial<CustomerMailArgs>; message: string }[] = [
      { change: { mailFrom: "orders" }, message: 'CustomerMail "oms": mailFrom must be an e-mail address' },
      {
        change: { sandboxRecipients: ["alice@example.com", "bob"] },
        message: 'CustomerMail "oms": sandboxRecipients[1] must be an e-mail address',
      },
      { change: { memoryMb: 64 }, message: 'CustomerMail "oms": memoryMb must be an integer from 128 to 10240' },
    ];
    for (const { change, message } of cases) {
      it(`refuses ${Object.keys(change).join(", ")} = ${JSON.stringify(Object.values(change)[0])}, naming the component and the field`, () => {
        const construct = () => new CustomerMail("oms", { ...valid(), ...change });

        expect(construct).to.throw(pulumi.RunError).with.property("message", message);
      });
    }
  });
});
