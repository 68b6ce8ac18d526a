import autocannon from "autocannon";
import { BatchWriteCommand, type DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { randomUUID } from "node:crypto";
import { dynamoOrderRepository } from "../handlers/adapters/dynamo-order-repository";
import { type Money, MONEY_LIMITS } from "../domain/money";
import { ORDER_LIMITS, type Order, oneLineFields, priceOrder } from "../domain/order";
import type { OrderSelection } from "../domain/order-search";
import { OrderStatus } from "../domain/order-status";
import type { OrderRepository } from "../domain/ports";
import { createTable } from "../local/dynamodb-local";
import { localTableName } from "../local/local-stack";
import {
  inventoryTable,
  orderIndexKeys,
  orderLinesTable,
  orderTimelineTable,
  ordersTable,
  reservationsTable,
} from "../storage/tables";
import { type PartitionCeiling, itemBytes, partitionCeilings, writeUnits } from "./capacity";
import { ORDER_LIFE } from "./cost";
import { type CapacityLog, documentClient, loggedUnits } from "./dynamodb-client";
import type { StackProcess } from "./local-stack-process";
import { median, percentile, ratio } from "./stats";

/** Orders the reader owns: more than the first page (20) holds. */
const READER_ORDERS = 25;
/** Sequential `GET /orders` requests timed at each table size. */
export const FIRST_PAGE_REQUESTS = 400;
/** Sequential requests timed per admin filter at each table size. */
export const FILTER_REQUESTS = 100;
/** Calls of the repository per admin filter whose read units are taken (their median). */
export const FILTER_CAPACITY_SAMPLES = 5;
/** The first page's size, the API's default. */
const PAGE = 20;
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

/**
 * The other orders: each of `LINES_PER_ORDER` lines, of `PRODUCTS` products, by `OWNERS` customers,
 * in every status, placed over 2025. Every order has as many lines, with names as long, so that
 * a page's read units depend on how many orders it reads, not on which: what changes between the
 * table sizes is only how many orders there are. At the smallest size every filter still fills its
 * first page from every shard it reads.
 */
export const LINES_PER_ORDER = 2;
export const PRODUCTS = 25;
export const OWNERS = 40;
const PRICE: Money = { amount: 1999, currency: "EUR" };
const SEED_YEAR_START = Date.UTC(2025, 0, 1);
const SEED_YEAR_MS = Date.UTC(2026, 0, 1) - SEED_YEAR_START;
/** Out of every ten orders: four placed, three shipped, two delivered, one cancelled. */
const STATUS_MIX = [
  ...Array<OrderStatus>(4).fill(OrderStatus.Placed),
  ...Array<OrderStatus>(3).fill(OrderStatus.Shipped),
  ...Array<OrderStatus>(2).fill(OrderStatus.Delivered),
  OrderStatus.Cancelled,
];

const productName = (index: number) => `Bench product ${String(index % PRODUCTS).padStart(2, "0")}`;
const ownerId = (index: number) => `bench-owner-${String(index % OWNERS).padStart(2, "0")}`;

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

/** One admin filter's first page at one table size. */
export interface FilterPoint {
  readonly otherOrders: number;
  /** `GET /orders` with the filter, as an admin through the local API, one request at a time (ms). */
  readonly apiP50Ms: number;
  /** Read units of every request the repository sends for the page, as DynamoDB Local reports them. */
  readonly readUnits: number;
  /** Those requests, by kind: `8 Query`, `1 Query, 1 BatchGetItem`. */
  readonly requests: string;
}

/** One admin filter's first page as the table grows. */
export interface FilterScale {
  readonly filter: string;
  /** The query string of `GET /orders`. */
  readonly query: string;
  readonly points: readonly FilterPoint[];
  /** Largest over smallest table. */
  readonly capacityRatio: number;
  readonly latencyRatio: number;
}

/** An order as the repository stores it, of some size, and the partition ceilings its size gives. */
export interface SampleOrder {
  readonly label: string;
  readonly lines: number;
  /** Its item, index keys included, by DynamoDB's rules ("DynamoDB item sizes and formats"). */
  readonly bytes: number;
  /** Write units of one standard write of it, by those rules. */
  readonly writeUnits: number;
  /** What DynamoDB Local reported for a PutItem of it into a table without indexes: a check on the sizes. */
  readonly localPutUnits: number;
  readonly ceilings: readonly PartitionCeiling[];
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
  /** Each admin filter's first page at each size. */
  readonly filters: readonly FilterScale[];
  /** Orders of one line and of the most lines: their items' sizes and the partitions' order rates. */
  readonly samples: readonly SampleOrder[];
  /** Status changes each order's life takes in `samples`' ceilings (ship, deliver). */
  readonly statusChanges: number;
}

/** The admin filters a first page is measured for, each as the repository and the API take it. */
const FILTERS: readonly { readonly filter: string; readonly selection: OrderSelection; readonly query: string }[] = [
  { filter: "All orders, newest first", selection: { by: "all" }, query: "" },
  { filter: "Status", selection: { by: "status", status: OrderStatus.Shipped }, query: "status=SHIPPED" },
  { filter: "Customer (user id)", selection: { by: "owner", ownerId: ownerId(7) }, query: `customer=${ownerId(7)}` },
  {
    filter: "Product",
    selection: { by: "product", product: productName(7) },
    query: `product=${encodeURIComponent(productName(7))}`,
  },
  {
    filter: "Date range (a quarter)",
    selection: { by: "all", from: "2025-04-01T00:00:00.000Z", to: "2025-06-30T23:59:59.999Z" },
    query: "from=2025-04-01&to=2025-06-30",
  },
];

/** An order id whose first hex digit is `index`'s, so that the seeded orders fill every shard alike. */
function spreadOrderId(index: number): string {
  return `${(index % 16).toString(16)}${randomUUID().slice(1)}`;
}

/** The stored item of `order`, as `createReserved` writes it: the order and its index keys. */
function storedOrder(order: Order): Record<string, unknown> {
  return { ...order, ...orderIndexKeys(order) };
}

/** The items of `order`'s lines, as `createReserved` writes them for the product index. */
function lineItems(order: Order): Record<string, unknown>[] {
  return order.items.map((line) => ({
    [orderLinesTable.partitionKey.name]: order.OrderId,
    [orderLinesTable.sortKey.name]: line.product,
    quantity: line.quantity,
    createdAt: order.createdAt,
  }));
}

/** Another customer's order number `index`: its lines, status and time all follow from the index. */
function otherOrder(index: number): Order {
  // Knuth's multiplicative hash spreads consecutive indexes over the year, so that each table size's
  // orders cover all of it.
  const instant = SEED_YEAR_START + Math.floor(((Math.imul(index, 2654435761) >>> 0) / 2 ** 32) * SEED_YEAR_MS);
  const createdAt = new Date(instant).toISOString();
  const status = STATUS_MIX[Math.floor(index / 16) % STATUS_MIX.length] ?? OrderStatus.Placed;
  const lines = Array.from({ length: LINES_PER_ORDER }, (_, line) => ({
    product: productName(index + line),
    quantity: 1 + ((index + line) % 3),
  }));
  const placed: Order = {
    OrderId: spreadOrderId(index),
    ownerId: ownerId(index),
    customerName: "Someone",
    ...oneLineFields(lines),
    items: lines,
    status,
    createdAt,
  };
  const shipped = status === OrderStatus.Shipped || status === OrderStatus.Delivered;
  return {
    ...priceOrder(
      placed,
      lines.map(() => PRICE),
    ),
    ...(status === OrderStatus.Placed ? {} : { updatedAt: new Date(instant + 86_400_000).toISOString() }),
    ...(shipped ? { carrier: "DHL", trackingNumber: "JD014600006281" } : {}),
  };
}

/**
 * The reader's order number `index`: one line, placed in December 2024, a second apart, so that
 * the admin's pages show the other orders (placed over 2025), newest first.
 */
function readerOrder(ownerId: string, index: number): Order {
  const lines = [{ product: "Headlight", quantity: 1 + (index % 3) }];
  return priceOrder(
    {
      OrderId: randomUUID(),
      ownerId,
      customerName: "Someone",
      ...oneLineFields(lines),
      items: lines,
      status: OrderStatus.Placed,
      createdAt: new Date(Date.UTC(2024, 11, 1) + index * 1000).toISOString(),
    },
    [PRICE],
  );
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

/** Writes orders straight to the orders and order-lines tables, as `createReserved` would have. */
async function seedOrders(client: DynamoDBDocumentClient, orders: readonly Order[]): Promise<void> {
  await batchWrite(client, localTableName(ordersTable), orders.map(storedOrder));
  await batchWrite(client, localTableName(orderLinesTable), orders.flatMap(lineItems));
}

/**
 * Sequential `GET /orders{query}` with `token`, each timed, `n` of them or until `untilMs` has
 * passed; the page must hold `PAGE` orders.
 */
async function timeFirstPage(
  stack: StackProcess,
  request: { readonly token: string; readonly query?: string },
  n: number,
  untilMs = Number.POSITIVE_INFINITY,
): Promise<number[]> {
  const latencies: number[] = [];
  const deadline = performance.now() + untilMs;
  const url = `${stack.url}/orders${request.query ? `?${request.query}` : ""}`;
  for (let sent = 0; sent < n && performance.now() < deadline; sent++) {
    const before = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${request.token}` } });
    const page = (await response.json()) as { items?: unknown[] };
    latencies.push(performance.now() - before);
    if (response.status !== 200 || page.items?.length !== PAGE) {
      throw new Error(`GET ${url} answered ${response.status} with ${page.items?.length ?? 0} orders`);
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

/** The read units of the repository's first page of `selection`, and the requests it sent. */
async function firstPageCapacity(orders: OrderRepository, capacity: CapacityLog, selection: OrderSelection) {
  const units: number[] = [];
  let requests = "";
  for (let sample = 0; sample < FILTER_CAPACITY_SAMPLES; sample++) {
    const sent = new Map([...capacity].map(([command, logged]) => [command, logged.length]));
    const before = loggedUnits(capacity);
    const page = await orders.search(selection, { limit: PAGE });
    units.push(loggedUnits(capacity) - before);
    if (page.items.length !== PAGE)
      throw new Error(`A first page of ${JSON.stringify(selection)} held ${page.items.length} orders`);
    requests = [...capacity]
      .map(([command, logged]) => [command.replace(/Command$/, ""), logged.length - (sent.get(command) ?? 0)] as const)
      .filter(([, count]) => count > 0)
      .map(([command, count]) => `${count} ${command}`)
      .join(", ");
  }
  return { readUnits: median(units), requests };
}

/**
 * Orders as the repository stores them, of one line and of the most lines OMS takes (with its
 * bench names, and with every name and number as long as it may be), each sized by DynamoDB's rules
 * and put once into a table without indexes, where DynamoDB Local reports its write units.
 */
async function sampleOrders(
  client: DynamoDBDocumentClient,
  capacity: CapacityLog,
  table: string,
): Promise<SampleOrder[]> {
  const statusChanges = ORDER_LIFE.statusChanges.length;
  const longest = (length: number, index: number) => `${String(index).padStart(2, "0")}${"x".repeat(length - 2)}`;
  const samples = [
    { label: "1 line", lines: 1, customerName: "Someone", name: productName, quantity: 1, price: PRICE },
    {
      label: `${ORDER_LIMITS.maxLines} lines`,
      lines: ORDER_LIMITS.maxLines,
      customerName: "Someone",
      name: productName,
      quantity: 1,
      price: PRICE,
    },
    {
      label: `${ORDER_LIMITS.maxLines} lines, longest names and amounts`,
      lines: ORDER_LIMITS.maxLines,
      customerName: longest(ORDER_LIMITS.customerNameLength, 0),
      name: (index: number) => longest(ORDER_LIMITS.productLength, index),
      quantity: ORDER_LIMITS.maxQuantity,
      price: { amount: MONEY_LIMITS.maxUnitPrice, currency: "EUR" },
    },
  ];
  const measured: SampleOrder[] = [];
  for (const sample of samples) {
    const lines = Array.from({ length: sample.lines }, (_, index) => ({
      product: sample.name(index),
      quantity: sample.quantity,
    }));
    const order = priceOrder(
      {
        OrderId: randomUUID(),
        ownerId: randomUUID(),
        customerName: sample.customerName,
        ...oneLineFields(lines),
        items: lines,
        status: OrderStatus.Placed,
        createdAt: new Date().toISOString(),
      },
      lines.map(() => sample.price),
    );
    const item = storedOrder(order);
    // The log keeps the low-level client's name for the document client's PutCommand.
    capacity.delete("PutItemCommand");
    await client.send(new PutCommand({ TableName: table, Item: item }));
    const bytes = itemBytes(item);
    measured.push({
      label: sample.label,
      lines: sample.lines,
      bytes,
      writeUnits: writeUnits(bytes),
      localPutUnits: capacity.get("PutItemCommand")?.[0] ?? Number.NaN,
      ceilings: partitionCeilings(bytes, statusChanges),
    });
  }
  return measured;
}

/**
 * A user's first page of orders with `sizes[i]` other users' orders in the table: latency through
 * the local API, and the read capacity of the Query the repository runs, beside a Scan of the
 * whole table as the seeds' design did; and the same for each admin filter's first page. Seeds the
 * stack's orders and order-lines tables with BatchWriteItem.
 */
export async function measureScale(
  stack: StackProcess,
  sizes: readonly number[],
  progress: (step: string) => void = () => undefined,
): Promise<ScaleMeasurements> {
  // Seeding writes tens of thousands of orders at once, which no customer does: the local event
  // chain, in the stack's one process, would spend the measurement announcing them. In the cloud the
  // chain runs on functions of its own, so it is paused here (the changes wait in the stream).
  await stack.pauseEvents(true);
  try {
    return await measureScaleOf(stack, sizes, progress);
  } finally {
    await stack.pauseEvents(false);
  }
}

async function measureScaleOf(
  stack: StackProcess,
  sizes: readonly number[],
  progress: (step: string) => void,
): Promise<ScaleMeasurements> {
  const table = localTableName(ordersTable);
  const capacity: CapacityLog = new Map();
  const client = documentClient(stack.dynamodbEndpoint, stack.region, capacity);
  const orders = dynamoOrderRepository(client, {
    orders: table,
    inventory: localTableName(inventoryTable),
    reservations: localTableName(reservationsTable),
    orderLines: localTableName(orderLinesTable),
    orderTimeline: localTableName(orderTimelineTable),
  });
  await seedOrders(
    client,
    Array.from({ length: READER_ORDERS }, (_, index) => readerOrder(stack.reader.sub, index)),
  );

  const scratch = `${table}-warm-up`;
  await createTable(client, ordersTable, scratch);
  await batchWrite(
    client,
    scratch,
    Array.from({ length: WARM_UP_WRITES }, (_, index) => storedOrder(otherOrder(index))),
  );
  await autocannon({
    url: `${stack.url}/orders`,
    headers: { authorization: `Bearer ${stack.reader.token}` },
    connections: WARM_UP_CONNECTIONS,
    duration: WARM_UP_SECONDS,
  });
  const sizesTable = `${table}-sizes`;
  const { streamed: _streamed, indexes: _indexes, ...keys } = ordersTable;
  await createTable(client, { ...keys, indexes: {} }, sizesTable);
  const samples = await sampleOrders(client, capacity, sizesTable);

  const points: ScalePoint[] = [];
  const filterPoints: FilterPoint[][] = FILTERS.map(() => []);
  let seeded = 0;
  for (const size of sizes) {
    progress(`scale: seeding ${(size - seeded).toLocaleString("en-US")} orders`);
    await seedOrders(
      client,
      Array.from({ length: size - seeded }, (_, index) => otherOrder(seeded + index)),
    );
    seeded = size;
    progress(`scale: first pages at ${size.toLocaleString("en-US")} orders`);
    const reader = { token: stack.reader.token };
    await timeFirstPage(stack, reader, Number.POSITIVE_INFINITY, WARM_UP_MS);
    const latencies = await timeFirstPage(stack, reader, FIRST_PAGE_REQUESTS);
    capacity.delete("QueryCommand");
    for (let query = 0; query < 10; query++) await orders.list(stack.reader.sub, { limit: PAGE });
    points.push({
      otherOrders: size,
      apiP50Ms: percentile(latencies, 50),
      apiP99Ms: percentile(latencies, 99),
      queryUnits: median(capacity.get("QueryCommand") ?? []),
      ...(await scanAll(client, capacity, table)),
    });
    for (const [index, filter] of FILTERS.entries()) {
      const admin = { token: stack.admin.token, query: filter.query };
      await timeFirstPage(stack, admin, Number.POSITIVE_INFINITY, WARM_UP_MS / 4);
      const filterLatencies = await timeFirstPage(stack, admin, FILTER_REQUESTS);
      filterPoints[index]?.push({
        otherOrders: size,
        apiP50Ms: percentile(filterLatencies, 50),
        ...(await firstPageCapacity(orders, capacity, filter.selection)),
      });
    }
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
    filters: FILTERS.map((filter, index) => {
      const measured = filterPoints[index] ?? [];
      const smallest = measured[0];
      const largest = measured[measured.length - 1];
      return {
        filter: filter.filter,
        query: filter.query,
        points: measured,
        capacityRatio: smallest && largest ? ratio(largest.readUnits, smallest.readUnits) : Number.NaN,
        latencyRatio: smallest && largest ? ratio(largest.apiP50Ms, smallest.apiP50Ms) : Number.NaN,
      };
    }),
    samples,
    statusChanges: ORDER_LIFE.statusChanges.length,
  };
}
