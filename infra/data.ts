import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { type TableDefinition, keyAttributes } from "../storage/tables";
import type { DeployedTable } from "./handler-function";

const TYPE = "oms:infra:Data";

/** The components that owned the data before `Data` did, by the type token of their URN. */
const FORMER_OWNERS = {
  tables: "oms:infra:OrdersApi",
  topic: "oms:infra:OrderWorkflow",
} as const;

/** What OMS keeps: its tables, and the topic that announces what happens to them. */
export interface DataArgs {
  /** Every table to create, as `storage/tables.ts` defines them (keys, indexes, expiry). */
  tables: readonly TableDefinition[];
  /**
   * Keep the data: point-in-time recovery, deletion protection, `protect` and `retainOnDelete` on every table.
   * @default false
   */
  protectData?: boolean;
}

/**
 * OMS's data, first in the program's line of dependencies: one on-demand, encrypted table per
 * definition (streaming its changes when the definition says so), and the encrypted order-events
 * topic those changes are announced on. Every other component is handed what it needs from here.
 */
export class Data extends pulumi.ComponentResource {
  /** The deployed tables (name and ARN) by logical name (`orders`): what functions are granted. */
  public readonly tables: Readonly<Record<string, DeployedTable>>;
  /** The change streams of the streamed tables, stream ARN by logical table name: what the event publisher reads. */
  public readonly streamArns: Readonly<Record<string, pulumi.Output<string>>>;
  /** Physical table names, by logical name. */
  public readonly tableNames: pulumi.Output<Record<string, string>>;
  /** The ARN of the order-events topic: every committed change of an order or of stock, as an event. */
  public readonly eventsTopicArn: pulumi.Output<string>;
  /** The topic's physical name: the `TopicName` dimension of its delivery metrics. */
  public readonly eventsTopicName: pulumi.Output<string>;

  constructor(name: string, args: DataArgs, opts?: pulumi.ComponentResourceOptions) {
    const protectData = args.protectData ?? false;
    super(TYPE, name, {}, opts);

    const created = args.tables.map((table) => [table.name, this.createTable(name, table, protectData)] as const);
    const topic = this.createTopic(name);
    this.createTopicPolicy(name, topic);

    this.tables = Object.fromEntries(
      created.map(([logical, table]) => [logical, { name: table.name, arn: table.arn }]),
    );
    this.streamArns = Object.fromEntries(
      args.tables
        .filter((definition) => definition.streamed)
        .map((definition) => [definition.name, streamArnOf(created, definition.name)]),
    );
    this.tableNames = pulumi.output(Object.fromEntries(created.map(([logical, table]) => [logical, table.name])));
    this.eventsTopicArn = topic.arn;
    this.eventsTopicName = topic.name;
    this.registerOutputs({
      tables: this.tables,
      streamArns: this.streamArns,
      tableNames: this.tableNames,
      eventsTopicArn: this.eventsTopicArn,
      eventsTopicName: this.eventsTopicName,
    });
  }

  private createTable(name: string, table: TableDefinition, protectData: boolean): aws.dynamodb.Table {
    return new aws.dynamodb.Table(
      `${name}-${table.name}`,
      {
        billingMode: "PAY_PER_REQUEST",
        hashKey: table.partitionKey.name,
        rangeKey: table.sortKey?.name,
        attributes: keyAttributes(table).map(({ name: attribute, type }) => ({ name: attribute, type })),
        globalSecondaryIndexes: Object.values(table.indexes).map((index) => ({
          name: index.name,
          keySchemas: [
            { attributeName: index.partitionKey.name, keyType: "HASH" },
            ...(index.sortKey ? [{ attributeName: index.sortKey.name, keyType: "RANGE" }] : []),
          ],
          projectionType: "ALL",
        })),
        serverSideEncryption: { enabled: true },
        ...(table.timeToLiveAttribute === undefined
          ? {}
          : { ttl: { attributeName: table.timeToLiveAttribute, enabled: true } }),
        // The item before and after each change: what an event says (`domain/events.ts`).
        ...(table.streamed ? { streamEnabled: true, streamViewType: "NEW_AND_OLD_IMAGES" } : {}),
        pointInTimeRecovery: { enabled: protectData },
        deletionProtectionEnabled: protectData,
      },
      {
        parent: this,
        aliases: [formerParent(name, FORMER_OWNERS.tables)],
        ...(protectData ? { protect: true, retainOnDelete: true } : {}),
      },
    );
  }

  /**
   * Events carry customers' names and orders, so they are encrypted at rest. SNS's AWS managed key
   * lets any principal of the account that may use the topic use the key too: no KMS statement is
   * needed. It was the order-notifications topic, under `OrderWorkflow`: the alias keeps it.
   */
  private createTopic(name: string): aws.sns.Topic {
    return new aws.sns.Topic(
      `${name}-order-events`,
      { kmsMasterKeyId: "alias/aws/sns" },
      { parent: this, aliases: [formerTopic(name)] },
    );
  }

  /**
   * Replaces the default topic policy, which lets any principal of the account publish and subscribe
   * without an IAM permission: the account's principals may, but only those IAM allows. A topic
   * policy may only name SNS's topic-policy actions, so SNS rejects `Unsubscribe` here: the
   * functions that unsubscribe are allowed it by their own IAM policies.
   */
  private createTopicPolicy(name: string, topic: aws.sns.Topic): aws.sns.TopicPolicy {
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    return new aws.sns.TopicPolicy(
      `${name}-order-events`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: pulumi.interpolate`arn:aws:iam::${accountId}:root` },
              Action: ["sns:Publish", "sns:Subscribe"],
              Resource: topic.arn,
            },
          ],
        }),
      },
      { parent: this, aliases: [formerTopic(name)] },
    );
  }
}

/** The stream ARN of the created table `logical`. */
function streamArnOf(
  created: readonly (readonly [string, aws.dynamodb.Table])[],
  logical: string,
): pulumi.Output<string> {
  const table = created.find(([name]) => name === logical)?.[1];
  if (table === undefined) throw new Error(`No table ${logical} was created`);
  return table.streamArn;
}

/**
 * An alias to the same resource under the top-level component `type` named `name`, where it lived
 * before `Data` owned it: a deployed stack then moves it instead of replacing it (and its data).
 */
function formerParent(name: string, type: string): pulumi.Alias {
  return { parent: pulumi.createUrn(name, type) };
}

/** The topic and its policy as they were: named `<name>-order-notifications`, under `OrderWorkflow`. */
function formerTopic(name: string): pulumi.Alias {
  return { ...formerParent(name, FORMER_OWNERS.topic), name: `${name}-order-notifications` };
}
