import autocannon from "autocannon";
import { BatchWriteCommand, type DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { randomUUID } from "node:crypto";
import { dynamoOrderRepository } from "../handlers/adapters/dynamo-order-repository";
import type { Order } from "../domain/order";
import { createTable } from "../local/dynamodb-local";
import { localTableName } from "../local/local-stack";
import { ORDER_KIND, inventoryTable, ordersTable, reservationsTable } from "../storage/tables";
import { type CapacityLog, documentClient } from "./dynamodb-client";
import type { StackProcess } from "./local-stack-process";
import { median, percentile, ratio } from "./stats";

/** Orders the reader owns: more than the first page (20) holds. */
const READER_ORDERS = 25;
/** Sequential `GET /orders` requests timed at each table size. */
export const FIRST_PAGE_REQUESTS = 400;
/**
 * Untimed work first, until the JITs of Node and of DynamoDB Local's JVM have settled: otherwise
 * the first table size pays for warming both, and the larger table, measured after tens of
 * thousands of writes, looks faster than the smaller. Writes go to a scratch table like the orders
 * table, then concurrent and sequential requests go to the route.
 */
const WARM_UP_WRITES = 10_000;
const WARM_UP_SECONDS = 4;
const WARM_UP_CONNECTIONS = 8;
const WARM_UP_MS = 1_000;
/** BatchWriteItem takes at most 25 items; a few batches in flight keep DynamoDB Local busy. */
const BATCH = 25;
const WRITERS = 8;

/** The first page of one user's orders at one table size. */
export interface ScalePoint {
  /** Orders in the table that are not the reader's. */
  readonly otherOrders: number;
  /** `GET /orders` through the local API, one request at a time (ms). */
  readonly apiP50Ms: number;
  readonly apiP99Ms: number;
  /** Read capacity units of the repository's Query for that page. */
  readonly queryUnits: number;
  /** The seeds' design: read capacity units of a Scan of the whole table, every page. */
  readonly scanUnits: number;
  /** How long that Scan took (ms). */
  readonly scanMs: number;
}

/** Two table sizes side by side. */
export interface ScaleMeasurements {
  readonly points: readonly ScalePoint[];
  /** Largest over smallest table: API p50. */
  readonly latencyRatio: number;
  /** Largest over smallest table: Query capacity units. */
  readonly capacityRatio: number;
  /** Largest over smallest table: Scan capacity units. */
  readonly scanCapacityRatio: number;
}

function order(ownerId: string, index: number): Order & { kind: string } {
  return {
    OrderId: randomUUID(),
    ownerId,
    customerName: "Someone",
    product: "Headlight",
    quantity: 1 + (index % 3),
    status: "PLACED",
    createdAt: new Date(Date.UTC(2026, 0, 1) + index * 1000).toISOString(),
    kind: ORDER_KIND,
  };
}

/** Writes `items` with BatchWriteItem, `WRITERS` batches at a time, retrying what DynamoDB leaves unprocessed. */
async function batchWrite(client: DynamoDBDocumentClient, table: string, items: readonly Record<string, unknown>[]) {
  let next = 0;
  await Promise.all(
    Array.from({ length: WRITERS }, async () => {
      for (let start = next; start < items.length; start = next) {
        next += BATCH;
        let requests = items.slice(start, start + BATCH).map((item) => ({ PutRequest: { Item: item } }));
        while (requests.length > 0) {
          const { UnprocessedItems } = await client.send(
            new BatchWriteCommand({ RequestItems: { [table]: requests } }),
          );
          requests = (UnprocessedItems?.[table] ?? []) as typeof requests;
        }
      }
    }),
  );
}

/**
 * Sequential `GET /orders` as the reader, each timed, `n` of them or until `untilMs` has passed;
 * the page must hold 20 of the reader's orders.
 */
async function timeFirstPage(stack: StackProcess, n: number, untilMs = Number.POSITIVE_INFINITY): Promise<number[]> {
  const latencies: number[] = [];
  const deadline = performance.now() + untilMs;
  for (let request = 0; request < n && performance.now() < deadline; request++) {
    const before = performance.now();
    const response = await fetch(`${stack.url}/orders`, { headers: { authorization: `Bearer ${stack.reader.token}` } });
    const page = (await response.json()) as { items?: unknown[] };
    latencies.push(performance.now() - before);
    if (response.status !== 200 || page.items?.length !== 20) {
      throw new Error(`GET /orders answered ${response.status} with ${page.items?.length ?? 0} orders`);
    }
  }
  return latencies;
}

/**
 * A whole-table Scan, page after page, as the seeds' `GET /orders` did: capacity units and time.
 * It only counts the items (a Scan reads, and is charged for, the same data either way), so the
 * time leaves out moving them, which the seeds' function also paid.
 */
async function scanAll(client: DynamoDBDocumentClient, capacity: CapacityLog, table: string) {
  capacity.delete("ScanCommand");
  const started = performance.now();
  let start: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: table, Select: "COUNT", ExclusiveStartKey: start }));
    start = page.LastEvaluatedKey;
  } while (start);
  const scanMs = performance.now() - started;
  return { scanUnits: (capacity.get("ScanCommand") ?? []).reduce((sum, units) => sum + units, 0), scanMs };
}

/**
 * A user's first page of orders with `sizes[i]` other users' orders in the table: latency through
 * the local API, and the read capacity of the Query the repository runs, beside a Scan of the
 * whole table as the seeds' design did. Seeds the stack's orders table with BatchWriteItem.
 */
export async function measureScale(stack: StackProcess, sizes: readonly number[]): Promise<ScaleMeasurements> {
  // Seeding writes tens of thousands of orders at once, which no customer does: the local event
  // chain, in the stack's one process, would spend the measurement announcing them. In the cloud the
  // chain runs on functions of its own, so it is paused here (the changes wait in the stream).
  await stack.pauseEvents(true);
  try {
    return await measureScaleOf(stack, sizes);
  } finally {
    await stack.pauseEvents(false);
  }
}

async function measureScaleOf(stack: StackProcess, sizes: readonly number[]): Promise<ScaleMeasurements> {
  const table = localTableName(ordersTable);
  const capacity: CapacityLog = new Map();
  const client = documentClient(stack.dynamodbEndpoint, stack.region, capacity);
  const orders = dynamoOrderRepository(client, {
    orders: table,
    inventory: localTableName(inventoryTable),
    reservations: localTableName(reservationsTable),
  });
  await batchWrite(
    client,
    table,
    Array.from({ length: READER_ORDERS }, (_, index) => order(stack.reader.sub, index)),
  );

  const scratch = `${table}-warm-up`;
  await createTable(client, ordersTable, scratch);
  await batchWrite(
    client,
    scratch,
    Array.from({ length: WARM_UP_WRITES }, (_, index) => order(`bench-owner-${index % 5000}`, index)),
  );
  await autocannon({
    url: `${stack.url}/orders`,
    headers: { authorization: `Bearer ${stack.reader.token}` },
    connections: WARM_UP_CONNECTIONS,
    duration: WARM_UP_SECONDS,
  });

  const points: ScalePoint[] = [];
  let seeded = 0;
  for (const size of sizes) {
    await batchWrite(
      client,
      table,
      Array.from({ length: size - seeded }, (_, index) =>
        order(`bench-owner-${(seeded + index) % 5000}`, seeded + index),
      ),
    );
    seeded = size;
    await timeFirstPage(stack, Number.POSITIVE_INFINITY, WARM_UP_MS);
    const latencies = await timeFirstPage(stack, FIRST_PAGE_REQUESTS);
    capacity.delete("QueryCommand");
    for (let query = 0; query < 10; query++) await orders.list(stack.reader.sub, { limit: 20 });
    points.push({
      otherOrders: size,
      apiP50Ms: percentile(latencies, 50),
      apiP99Ms: percentile(latencies, 99),
      queryUnits: median(capacity.get("QueryCommand") ?? []),
      ...(await scanAll(client, capacity, table)),
    });
  }
  client.destroy();
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) throw new Error("measureScale needs at least one table size");
  return {
    points,
    latencyRatio: ratio(last.apiP50Ms, first.apiP50Ms),
    capacityRatio: ratio(last.queryUnits, first.queryUnits),
    scanCapacityRatio: ratio(last.scanUnits, first.scanUnits),
  };
}
