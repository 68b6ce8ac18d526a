import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { randomUUID } from "node:crypto";
import { type DynamoDbLocal, createTable, startDynamoDbLocal } from "../../local/dynamodb-local";
import {
  inventoryTable,
  orderLinesTable,
  ordersTable,
  orderTimelineTable,
  reservationsTable,
  type TableDefinition,
} from "../../storage/tables";

let shared: Promise<DynamoDbLocal> | undefined;

/** One DynamoDB Local for the whole suite, started by the first spec that asks for it. */
export function dynamoDbLocal(): Promise<DynamoDbLocal> {
  shared ??= startDynamoDbLocal();
  return shared;
}

/** Stops the suite's DynamoDB Local, if a spec started it. */
export async function stopDynamoDbLocal(): Promise<void> {
  if (shared) await (await shared).stop();
  shared = undefined;
}

/** A document client on the suite's DynamoDB Local, as the handlers build theirs. */
export async function documentClient(): Promise<DynamoDBDocumentClient> {
  const { endpoint } = await dynamoDbLocal();
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    }),
  );
}

/** A fresh, uniquely named copy of `definition`, so that specs never see each other's items. */
export async function freshTable(definition: TableDefinition): Promise<string> {
  const client = await documentClient();
  const name = `test-${definition.name}-${randomUUID()}`;
  await createTable(client, definition, name);
  return name;
}

/** Fresh orders, inventory and reservations tables: what every stock move touches. */
export async function freshStockTables(): Promise<{
  orders: string;
  inventory: string;
  reservations: string;
  orderLines: string;
  orderTimeline: string;
}> {
  return {
    orders: await freshTable(ordersTable),
    inventory: await freshTable(inventoryTable),
    reservations: await freshTable(reservationsTable),
    orderLines: await freshTable(orderLinesTable),
    orderTimeline: await freshTable(orderTimelineTable),
  };
}
