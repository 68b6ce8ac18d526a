import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { eventPublisher } from "../../events/functions";
import { OrderEvents, type OrderEventsArgs } from "../../infra";
import { AWS_REQUIRES_WILDCARD_SID, STREAM_LISTING_ACTIONS } from "../../infra/iam";
import { PUBLISHER_TIMEOUT_SECONDS } from "../../infra/order-events";
import { tables } from "../../storage/tables";
import { type Deployment, MockRecorder, type RecordedResource, deployStack } from "../support/pulumi-mocks";

const FUNCTION = "aws:lambda/function:Function";
const MAPPING = "aws:lambda/eventSourceMapping:EventSourceMapping";
const QUEUE = "aws:sqs/queue:Queue";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const TABLE = "aws:dynamodb/table:Table";
const TOPIC = "aws:sns/topic:Topic";

/** The tables whose committed changes are announced: each has a stream the publisher reads. */
const streamedTables = tables.filter((table) => table.streamed);

/** SQS keeps a message at most 14 days ("Amazon SQS quotas", MessageRetentionPeriod): the failure queue keeps them that long. */
const SQS_LONGEST_RETENTION_SECONDS = 1_209_600;

interface Statement {
  readonly Sid?: string;
  readonly Action: string[];
  readonly Resource: string[] | "*";
}

function statementsOf(policy: RecordedResource): Statement[] {
  return (JSON.parse(String(policy.inputs["policy"])) as { Statement: Statement[] }).Statement;
}

/** Every scoped resource `policy` allows an action of `service` on. */
function scopedResources(policy: RecordedResource, service: string): string[] {
  return statementsOf(policy)
    .filter((statement) => statement.Resource !== "*")
    .filter((statement) => statement.Action.some((action) => action.startsWith(`${service}:`)))
    .flatMap((statement) => statement.Resource as string[]);
}

/** Every action of `service` that `policy` allows, on anything. */
function actionsOf(policy: RecordedResource, service: string): string[] {
  return statementsOf(policy)
    .flatMap((statement) => statement.Action)
    .filter((action) => action.startsWith(`${service}:`));
}

describe("OrderEvents", () => {
  for (const stack of ["dev", "prod"]) {
    describe(`on the ${stack} stack`, () => {
      let deployment: Deployment;
      let publisher: RecordedResource;
      let failureQueue: RecordedResource;
      const streamArnOf = (table: string) => deployment.named(TABLE, `oms-${table}`).state["streamArn"];

      before(async () => {
        deployment = await deployStack(stack);
        publisher = deployment.named(FUNCTION, `oms-${eventPublisher.functionName}`);
        failureQueue = deployment.named(QUEUE, "oms-events-failed");
      });

      it("maps each streamed table's stream, and nothing else, to the publisher: one mapping per table", () => {
        const streamMappings = deployment
          .ofType(MAPPING)
          .filter((mapping) => mapping.inputs["functionName"] === publisher.state["arn"]);

        expect(streamMappings.map((mapping) => mapping.name)).to.have.members(
          streamedTables.map((table) => `oms-${table.name}-events`),
        );
        for (const table of streamedTables) {
          const mapping = deployment.named(MAPPING, `oms-${table.name}-events`);

          expect(mapping.inputs["eventSourceArn"], table.name).to.equal(streamArnOf(table.name));
          expect(mapping.inputs["eventSourceArn"], table.name).to.be.a("string").and.not.equal("");
          expect(deployment.optionsOf(MAPPING, mapping.name).parent).to.equal("oms:infra:OrderEvents::oms");
        }
      });

      it("starts each mapping at the oldest record and retries a failing record until it leaves the stream, splitting batches and resuming from the failed record", () => {
        for (const table of streamedTables) {
          const mapping = deployment.named(MAPPING, `oms-${table.name}-events`);

          expect(mapping.inputs, table.name).to.deep.include({
            startingPosition: "TRIM_HORIZON",
            functionResponseTypes: ["ReportBatchItemFailures"],
            bisectBatchOnFunctionError: true,
            // -1: Lambda retries, and keeps the record, until the stream itself drops it (24 hours).
            maximumRetryAttempts: -1,
            maximumRecordAgeInSeconds: -1,
          });
        }
      });

      it("sends what a mapping gives up on to the failure queue, kept SQS's longest retention and encrypted at rest", () => {
        for (const table of streamedTables) {
          const mapping = deployment.named(MAPPING, `oms-${table.name}-events`);

          expect(mapping.inputs["destinationConfig"], table.name).to.deep.equal({
            onFailure: { destinationArn: failureQueue.state["arn"] },
          });
        }
        expect(failureQueue.inputs).to.deep.include({
          messageRetentionSeconds: SQS_LONGEST_RETENTION_SECONDS,
          sqsManagedSseEnabled: true,
        });
      });

      it("lets the publisher's role read exactly the streamed tables' streams, and list streams only where AWS requires *", () => {
        const policy = deployment.named(ROLE_POLICY, `oms-${eventPublisher.functionName}-access`);
        const wildcard = statementsOf(policy).find((statement) => statement.Sid === AWS_REQUIRES_WILDCARD_SID);

        const resources = scopedResources(policy, "dynamodb");

        expect([...new Set(resources)]).to.have.members(streamedTables.map((table) => streamArnOf(table.name)));
        expect(new Set(actionsOf(policy, "dynamodb"))).to.deep.equal(
          new Set([
            "dynamodb:DescribeStream",
            "dynamodb:GetRecords",
            "dynamodb:GetShardIterator",
            ...STREAM_LISTING_ACTIONS,
          ]),
        );
        expect(wildcard?.Action).to.include.members([...STREAM_LISTING_ACTIONS]);
      });

      it("lets the publisher's role publish to exactly the order-events topic, and send only to the failure queue", () => {
        const policy = deployment.named(ROLE_POLICY, `oms-${eventPublisher.functionName}-access`);

        expect(actionsOf(policy, "sns")).to.deep.equal(["sns:Publish"]);
        expect(scopedResources(policy, "sns")).to.deep.equal([
          deployment.named(TOPIC, "oms-order-events").state["arn"],
        ]);
        expect(actionsOf(policy, "sqs")).to.deep.equal(["sqs:SendMessage"]);
        expect(scopedResources(policy, "sqs")).to.deep.equal([failureQueue.state["arn"]]);
      });

      it("names the streamed tables in the publisher's environment, and no other table, so that it knows a record's table", () => {
        const variables = (publisher.inputs["environment"] as { variables: Record<string, string> }).variables;

        const named = tables.filter((table) => variables[table.envVar] !== undefined);

        expect(named.map((table) => table.name)).to.deep.equal(streamedTables.map((table) => table.name));
        for (const table of streamedTables) {
          expect(variables[table.envVar], table.envVar).to.equal(
            deployment.named(TABLE, `oms-${table.name}`).state["name"],
          );
        }
      });

      it(`gives the publisher ${PUBLISHER_TIMEOUT_SECONDS} s per batch, under OrderEvents`, () => {
        expect(publisher.inputs["timeout"]).to.equal(PUBLISHER_TIMEOUT_SECONDS);
        expect(deployment.optionsOf("oms:infra:HandlerFunction", publisher.name).parent).to.equal(
          "oms:infra:OrderEvents::oms",
        );
      });
    });
  }

  describe("args", () => {
    const streamed = streamedTables[0];
    if (streamed === undefined) throw new Error("storage/tables.ts streams no table");

    const valid = (): OrderEventsArgs => ({
      publisher: eventPublisher,
      tables: streamedTables,
      deployedTables: Object.fromEntries(
        streamedTables.map((table) => [
          table.name,
          { name: table.name, arn: `arn:aws:dynamodb:eu-west-1:123456789012:table/${table.name}` },
        ]),
      ),
      streamArns: Object.fromEntries(
        streamedTables.map((table) => [
          table.name,
          `arn:aws:dynamodb:eu-west-1:123456789012:table/${table.name}/stream/2026-01-01T00:00:00.000`,
        ]),
      ),
      eventsTopicArn: "arn:aws:sns:eu-west-1:123456789012:order-events",
      memoryMb: 256,
      logRetentionDays: 7,
      stack: "dev",
    });
    const without = (record: Readonly<Record<string, unknown>>, key: string) =>
      Object.fromEntries(Object.entries(record).filter(([name]) => name !== key));

    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    const cases: { what: string; change: (args: OrderEventsArgs) => Partial<OrderEventsArgs>; message: string }[] = [
      {
        what: `no stream for the streamed table ${streamed.name}`,
        change: (args) => ({ streamArns: without(args.streamArns, streamed.name) as OrderEventsArgs["streamArns"] }),
        message: `OrderEvents "oms": streamArns.${streamed.name} is missing`,
      },
      {
        what: `no deployed table ${streamed.name}`,
        change: (args) => ({
          deployedTables: without(args.deployedTables, streamed.name) as OrderEventsArgs["deployedTables"],
        }),
        message: `OrderEvents "oms": deployedTables.${streamed.name} is missing`,
      },
      {
        what: "memory Lambda does not offer",
        change: () => ({ memoryMb: 64 }),
        message: 'OrderEvents "oms": memoryMb must be an integer from 128 to 10240',
      },
    ];
    for (const { what, change, message } of cases) {
      it(`refuses ${what}, naming the component and the field`, () => {
        const args = valid();

        const construct = () => new OrderEvents("oms", { ...args, ...change(args) });

        expect(construct).to.throw(pulumi.RunError).with.property("message", message);
      });
    }
  });
});
