import { expect } from "chai";
import { tables } from "../../storage/tables";
import { type Deployment, type RecordedAlias, deployStack } from "../support/pulumi-mocks";

const TABLE = "aws:dynamodb/table:Table";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";

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

      it("keeps the notifications topic and its policy as they were under OrderWorkflow, through an alias", async () => {
        for (const type of [TOPIC, TOPIC_POLICY]) {
          const aliases = await resolvedAliases(deployment.optionsOf(type, "oms-order-notifications").aliases);

          expect(aliases, type).to.deep.equal([{ parent: formerParent(expected.stack, "oms:infra:OrderWorkflow") }]);
        }
      });

      it("encrypts the notifications topic with SNS's AWS managed key", () => {
        expect(deployment.named(TOPIC, "oms-order-notifications").inputs["kmsMasterKeyId"]).to.equal("alias/aws/sns");
      });

      it("lets the account's principals publish and subscribe, as IAM allows them, and names only topic-policy actions", () => {
        const topic = deployment.named(TOPIC, "oms-order-notifications");
        const policy = JSON.parse(
          String(deployment.named(TOPIC_POLICY, "oms-order-notifications").inputs["policy"]),
        ) as { Statement: { Principal: unknown; Action: string[]; Resource: unknown }[] };

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
});
