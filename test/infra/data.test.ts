import { expect } from "chai";
import { Data } from "../../infra";
import { tables } from "../../storage/tables";
import { type Deployment, type RecordedAlias, deployStack, outputValue, runComponents } from "../support/pulumi-mocks";

const TABLE = "aws:dynamodb/table:Table";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";

/** The tables whose committed changes become events. */
const streamedTables = tables.filter((table) => table.streamed);

/** What each stack's `Pulumi.<stack>.yaml` asks of the data. */
const stacks = [
  { stack: "dev", protectData: false },
  { stack: "prod", protectData: true },
];

/** The URN of a top-level component named `oms` of `type` on `stack`: where the data lived before `Data`. */
const formerParent = (stack: string, type: string) => `urn:urn:pulumi:${stack}::oms::${type}::oms`;

async function resolvedAliases(aliases: readonly RecordedAlias[]): Promise<unknown[]> {
  return Promise.all(
    aliases.map(async (alias) =>
      typeof alias === "string" ? alias : { ...alias, ...(alias.parent ? { parent: await alias.parent } : {}) },
    ),
  );
}

describe("Data", () => {
  for (const expected of stacks) {
    describe(`on the ${expected.stack} stack`, () => {
      let deployment: Deployment;

      before(async () => {
        deployment = await deployStack(expected.stack);
      });

      it("creates one on-demand table per definition in storage/tables.ts, encrypted at rest as stated explicitly", () => {
        const created = deployment.ofType(TABLE);

        expect(created.map((table) => table.name).sort()).to.deep.equal(tables.map((t) => `oms-${t.name}`).sort());
        for (const table of created) {
          expect(table.inputs).to.deep.include({
            billingMode: "PAY_PER_REQUEST",
            serverSideEncryption: { enabled: true },
          });
          expect(deployment.optionsOf(TABLE, table.name).parent).to.equal("oms:infra:Data::oms");
        }
      });

      it("keys every table and index as its definition says, each index projecting every attribute", () => {
        for (const definition of tables) {
          const table = deployment.named(TABLE, `oms-${definition.name}`);

          expect(table.inputs["hashKey"]).to.equal(definition.partitionKey.name);
          expect(table.inputs["rangeKey"]).to.equal(definition.sortKey?.name);
          expect(table.inputs["globalSecondaryIndexes"]).to.deep.equal(
            Object.values(definition.indexes).map((index) => ({
              name: index.name,
              keySchemas: [
                { attributeName: index.partitionKey.name, keyType: "HASH" },
                ...(index.sortKey ? [{ attributeName: index.sortKey.name, keyType: "RANGE" }] : []),
              ],
              projectionType: "ALL",
            })),
          );
        }
      });

      it("declares each key attribute once, with the type its definition gives it", () => {
        for (const definition of tables) {
          const declared = deployment.named(TABLE, `oms-${definition.name}`).inputs["attributes"] as {
            name: string;
            type: string;
          }[];
          const keys = [definition.partitionKey, definition.sortKey].concat(
            Object.values(definition.indexes).flatMap((index) => [index.partitionKey, index.sortKey]),
          );

          expect(new Set(declared.map((attribute) => attribute.name)).size).to.equal(declared.length);
          for (const key of keys.filter((k) => k !== undefined)) {
            expect(declared).to.deep.include({ name: key.name, type: key.type });
          }
        }
      });

      it("lets DynamoDB delete expired items only from the tables whose definition names an expiry attribute", () => {
        for (const definition of tables) {
          const ttl = deployment.named(TABLE, `oms-${definition.name}`).inputs["ttl"];

          expect(ttl, definition.name).to.deep.equal(
            definition.timeToLiveAttribute === undefined
              ? undefined
              : { attributeName: definition.timeToLiveAttribute, enabled: true },
          );
        }
      });

      it(`${expected.protectData ? "protects" : "leaves unprotected, so the stack can be torn down,"} every table: point-in-time recovery, deletion protection, protect and retainOnDelete`, () => {
        for (const table of deployment.ofType(TABLE)) {
          expect(table.inputs).to.deep.include({
            pointInTimeRecovery: { enabled: expected.protectData },
            deletionProtectionEnabled: expected.protectData,
          });
          const options = deployment.optionsOf(TABLE, table.name);
          expect(options.protect ?? false).to.equal(expected.protectData);
          expect(options.retainOnDelete ?? false).to.equal(expected.protectData);
        }
      });

      it("keeps each table's URN as it was under OrdersApi, through an alias, so a deployed stack keeps its data", async () => {
        for (const table of deployment.ofType(TABLE)) {
          const aliases = await resolvedAliases(deployment.optionsOf(TABLE, table.name).aliases);

          expect(aliases, table.name).to.deep.equal([{ parent: formerParent(expected.stack, "oms:infra:OrdersApi") }]);
        }
      });

      it("streams the item before and after each change from exactly the tables whose definition is streamed", () => {
        for (const definition of tables) {
          const inputs = deployment.named(TABLE, `oms-${definition.name}`).inputs;

          expect({ enabled: inputs["streamEnabled"], view: inputs["streamViewType"] }, definition.name).to.deep.equal(
            definition.streamed
              ? { enabled: true, view: "NEW_AND_OLD_IMAGES" }
              : { enabled: undefined, view: undefined },
          );
        }
        expect(streamedTables, "no table streams: nothing would be announced").to.not.deep.equal([]);
      });

      it("keeps the order-events topic and its policy as the order-notifications ones under OrderWorkflow, through an alias that names both", async () => {
        for (const type of [TOPIC, TOPIC_POLICY]) {
          const aliases = await resolvedAliases(deployment.optionsOf(type, "oms-order-events").aliases);

          expect(aliases, type).to.deep.equal([
            { name: "oms-order-notifications", parent: formerParent(expected.stack, "oms:infra:OrderWorkflow") },
          ]);
        }
      });

      it("encrypts the order-events topic with SNS's AWS managed key", () => {
        expect(deployment.named(TOPIC, "oms-order-events").inputs["kmsMasterKeyId"]).to.equal("alias/aws/sns");
      });

      it("exports the order-events topic's ARN, for other systems to subscribe to", () => {
        expect(deployment.outputs["eventsTopicArn"]).to.equal(deployment.named(TOPIC, "oms-order-events").state["arn"]);
      });

      it("lets the account's principals publish and subscribe, as IAM allows them, and names only topic-policy actions", () => {
        const topic = deployment.named(TOPIC, "oms-order-events");
        const policy = JSON.parse(String(deployment.named(TOPIC_POLICY, "oms-order-events").inputs["policy"])) as {
          Statement: { Principal: unknown; Action: string[]; Resource: unknown }[];
        };

        expect(policy.Statement).to.deep.equal([
          {
            Effect: "Allow",
            Principal: { AWS: "arn:aws:iam::123456789012:root" },
            Action: ["sns:Publish", "sns:Subscribe"],
            Resource: topic.state["arn"],
          },
        ]);
      });
    });
  }

  describe("outputs", () => {
    it("gives the stream ARN of every streamed table, by logical name, and of no other, and the topic's ARN and name", async () => {
      let data: Data | undefined;
      const deployment = await runComponents(() => {
        data = new Data("oms", { tables });
      });
      const built = data as Data;

      const streamArns = Object.fromEntries(
        await Promise.all(
          Object.entries(built.streamArns).map(async ([name, arn]) => [name, await outputValue(arn)] as const),
        ),
      );

      expect(streamArns).to.deep.equal(
        Object.fromEntries(
          streamedTables.map((table) => [table.name, deployment.named(TABLE, `oms-${table.name}`).state["streamArn"]]),
        ),
      );
      const topic = deployment.named(TOPIC, "oms-order-events");
      expect(await outputValue(built.eventsTopicArn)).to.equal(topic.state["arn"]);
      expect(await outputValue(built.eventsTopicName)).to.equal(topic.state["name"]);
    });
  });
});
