import { GetCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import autocannon from "autocannon";
import { randomUUID } from "node:crypto";
import { dynamoInventoryRepository } from "../handlers/adapters/dynamo-inventory-repository";
import { dynamoOrderRepository } from "../handlers/adapters/dynamo-order-repository";
import { INVENTORY_LIMITS, type StockLine } from "../domain/inventory";
import type { Money } from "../domain/money";
import { type Order, newOrder, priceOrder } from "../domain/order";
import type { InventoryRepository, OrderRepository } from "../domain/ports";
import { localTableName } from "../local/local-stack";
import { inventoryTable, orderLinesTable, orderTimelineTable, ordersTable, reservationsTable } from "../storage/tables";
import { itemBytes } from "./capacity";
import { type CapacityLog, documentClient } from "./dynamodb-client";
import type { StackProcess } from "./local-stack-process";
import { median, percentile, ratio } from "./stats";

/** Lines of the larger benchmark order: one of each `BENCH_ITEMS`. */
export const MANY_LINES = 10;
/** The items benchmark orders buy, each stocked far beyond what a run can sell, and priced. */
export const BENCH_ITEMS = Array.from(
  { length: MANY_LINES },
  (_, index) => `Bench widget ${String(index + 1).padStart(2, "0")}`,
);
/** The item a one-line benchmark order buys. */
export const BENCH_ITEM = BENCH_ITEMS[0] as string;
const BENCH_STOCK = INVENTORY_LIMITS.maxStock;
const BENCH_PRICE: Money = { amount: 1999, currency: "EUR" };

/** Requests per second and latency of one run. */
export interface Throughput {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Non-2xx answers and errors. */
  readonly failures: number;
}

/** One route under load beside the DynamoDB operations it is built on. */
export interface LoadResult {
  readonly route: string;
  /** Lines of the order each request places (`POST /orders` only). */
  readonly lines?: number;
  readonly connections: number;
  readonly api: Throughput;
  /** The same DynamoDB Local operations, straight from the SDK, at the same concurrency. */
  readonly floor: Throughput;
  /** What the floor runs. */
  readonly floorOperations: string;
  /** API p50 over floor p50. */
  readonly p50Ratio: number;
}

/** What the cost model needs from the load runs. */
export interface LoadMeasurements {
  readonly results: readonly LoadResult[];
  /** p50 of each floor operation of a one-line order alone, one at a time (ms): the workflow task functions' work. */
  readonly operationMs: Readonly<Record<"reserve" | "createOrder" | "listOrders", number>>;
  /** Read units of a Scan of the inventory table, as DynamoDB Local reported them: how the seeds' CheckInventory read stock. */
  readonly inventoryScanUnits: number;
  /** A placed one-line order's item as the repository stored it, index keys included, in bytes by DynamoDB's rules. */
  readonly orderItemBytes: number;
}

/** The lines of a benchmark order: one unit of each of the first `count` bench items. */
function benchLines(count: number): StockLine[] {
  return BENCH_ITEMS.slice(0, count).map((product) => ({ product, quantity: 1 }));
}

/**
 * What `POST /orders` writes: the CheckInventory reservation, then CreateOrder's transaction of the
 * order priced as reserved. Returns the order as written.
 */
async function placeDirectly(
  inventory: InventoryRepository,
  orders: OrderRepository,
  ownerId: string,
  lines: readonly StockLine[],
): Promise<Order> {
  const order = newOrder({ customerName: "Bench", lines }, ownerId, randomUUID(), new Date());
  const decision = await inventory.reserve(order.OrderId, order.items, new Date());
  if (decision.result !== "Available") throw new Error(`The bench items ran out: ${decision.result}`);
  const priced = priceOrder(order, decision.prices);
  await orders.createReserved(priced);
  return priced;
}

/** What the floor of placing an order of `lines` lines runs. */
function placementOperations(lines: number): string {
  const plural = (count: number, noun: string) => `${count} ${noun}${count === 1 ? "" : "s"}`;
  return (
    `${plural(lines, "GetItem")} + TransactWriteItems of ${2 * lines + 1} (reserve), ` +
    `TransactWriteItems of ${2 * lines + 2} (order, timeline entry, ${plural(lines, "line")}, ${plural(lines, "reservation")})`
  );
}

/** Runs `operation` in `connections` loops for `seconds`, timing each call. */
async function runFloor(operation: () => Promise<void>, connections: number, seconds: number): Promise<Throughput> {
  const latencies: number[] = [];
  let failures = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (performance.now() < deadline) {
        const before = performance.now();
        try {
          await operation();
          latencies.push(performance.now() - before);
        } catch {
          failures += 1;
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  return {
    requestsPerSecond: Math.round(latencies.length / elapsed),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    requests: latencies.length,
    failures,
  };
}

/** autocannon against one route of the local gateway, loopback only, for `seconds`. */
async function runApi(
  url: string,
  request: { method: "POST" | "GET"; token: string; body?: string },
  connections: number,
  seconds: number,
): Promise<Throughput> {
  const result = await autocannon({
    url,
    method: request.method,
    headers: { authorization: `Bearer ${request.token}`, "content-type": "application/json" },
    ...(request.body === undefined ? {} : { body: request.body }),
    connections,
    duration: seconds,
  });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    failures: result.non2xx + result.errors,
  };
}

/** The repositories on the local stack's tables, through `client`. */
function repositories(client: ReturnType<typeof documentClient>) {
  const tables = {
    inventory: localTableName(inventoryTable),
    reservations: localTableName(reservationsTable),
    orders: localTableName(ordersTable),
    orderLines: localTableName(orderLinesTable),
    orderTimeline: localTableName(orderTimelineTable),
  };
  return { inventory: dynamoInventoryRepository(client, tables), orders: dynamoOrderRepository(client, tables) };
}

/**
 * Each operation of a one-line order alone (p50 of `samples` calls, one at a time), the size of the
 * order's item as stored, and the read units of a Scan of the inventory, as the seeds read stock.
 */
async function operationCosts(stack: StackProcess, samples: number) {
  const capacity: CapacityLog = new Map();
  const client = documentClient(stack.dynamodbEndpoint, stack.region, capacity);
  const { inventory, orders } = repositories(client);
  const times = { reserve: [] as number[], createOrder: [] as number[], listOrders: [] as number[] };
  let orderId = "";
  for (let sample = 0; sample < samples; sample++) {
    const order = newOrder({ customerName: "Bench", lines: benchLines(1) }, "bench-floor", randomUUID(), new Date());
    let before = performance.now();
    const decision = await inventory.reserve(order.OrderId, order.items, new Date());
    times.reserve.push(performance.now() - before);
    if (decision.result !== "Available") throw new Error(`The bench items ran out: ${decision.result}`);
    const priced = priceOrder(order, decision.prices);
    before = performance.now();
    await orders.createReserved(priced);
    times.createOrder.push(performance.now() - before);
    before = performance.now();
    await orders.list(stack.customer.sub, { limit: 20 });
    times.listOrders.push(performance.now() - before);
    orderId = order.OrderId;
  }
  const { Item: stored = {} } = await client.send(
    new GetCommand({ TableName: localTableName(ordersTable), Key: { [ordersTable.partitionKey.name]: orderId } }),
  );
  capacity.delete("ScanCommand");
  await client.send(new ScanCommand({ TableName: localTableName(inventoryTable) }));
  client.destroy();
  return {
    operationMs: {
      reserve: median(times.reserve),
      createOrder: median(times.createOrder),
      listOrders: median(times.listOrders),
    },
    inventoryScanUnits: median(capacity.get("ScanCommand") ?? []),
    orderItemBytes: itemBytes(stored),
  };
}

/** Stocks every bench item far beyond what a run sells, at its price, through the API as an admin does. */
async function stockBenchItems(stack: StackProcess): Promise<void> {
  for (const item of BENCH_ITEMS) {
    const stocked = await fetch(`${stack.url}/inventory/${encodeURIComponent(item)}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${stack.admin.token}`, "content-type": "application/json" },
      body: JSON.stringify({ quantity: BENCH_STOCK, unitPrice: BENCH_PRICE }),
    });
    if (stocked.status !== 200) throw new Error(`Stocking ${item} answered ${stocked.status}`);
  }
}

/**
 * `POST /orders` of one line (the seeds' body) and of `MANY_LINES` lines, and `GET /orders`, on the
 * local stack at each concurrency, for `seconds` each, each beside the DynamoDB Local operations the
 * route is built on, run straight from the SDK with the same concurrency: the floor no API over this
 * database can go below.
 */
export async function measureLoad(
  stack: StackProcess,
  concurrencies: readonly number[],
  seconds: number,
): Promise<LoadMeasurements> {
  await stockBenchItems(stack);
  const client = documentClient(stack.dynamodbEndpoint, stack.region);
  const { inventory, orders } = repositories(client);
  const placement = (lines: number, body: object) => ({
    route: "POST /orders",
    lines,
    request: { method: "POST" as const, token: stack.customer.token, body: JSON.stringify(body) },
    floorOperations: placementOperations(lines),
    floor: async () => void (await placeDirectly(inventory, orders, "bench-floor", benchLines(lines))),
  });
  const routes = [
    placement(1, { customerName: "Bench", product: BENCH_ITEM, quantity: 1 }),
    placement(MANY_LINES, { customerName: "Bench", items: benchLines(MANY_LINES) }),
    {
      route: "GET /orders",
      lines: undefined,
      request: { method: "GET" as const, token: stack.customer.token },
      floorOperations: "Query (byOwner index, first page of 20)",
      floor: async () => void (await orders.list(stack.customer.sub, { limit: 20 })),
    },
  ];

  const results: LoadResult[] = [];
  for (const route of routes) {
    // Warms the route and the connection pools, so that the first timed run pays no first-call costs.
    await runApi(`${stack.url}/orders`, route.request, 1, 1);
    await runFloor(route.floor, 1, 0.5);
    for (const connections of concurrencies) {
      const api = await runApi(`${stack.url}/orders`, route.request, connections, seconds);
      const floor = await runFloor(route.floor, connections, seconds);
      results.push({
        route: route.route,
        ...(route.lines === undefined ? {} : { lines: route.lines }),
        connections,
        api,
        floor,
        floorOperations: route.floorOperations,
        p50Ratio: ratio(api.p50Ms, floor.p50Ms),
      });
    }
  }
  client.destroy();
  return { results, ...(await operationCosts(stack, 50)) };
}
