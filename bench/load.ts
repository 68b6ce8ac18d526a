import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import autocannon from "autocannon";
import { randomUUID } from "node:crypto";
import { dynamoInventoryRepository } from "../handlers/adapters/dynamo-inventory-repository";
import { dynamoOrderRepository } from "../handlers/adapters/dynamo-order-repository";
import type { Order } from "../domain/order";
import type { InventoryRepository, OrderRepository } from "../domain/ports";
import { localTableName } from "../local/local-stack";
import { inventoryTable, ordersTable, reservationsTable } from "../storage/tables";
import { type CapacityLog, documentClient } from "./dynamodb-client";
import type { StackProcess } from "./local-stack-process";
import { median, percentile, ratio } from "./stats";

/** The item every benchmark order buys; stocked far beyond what a run can sell. */
export const BENCH_ITEM = "Bench widget";
const BENCH_STOCK = 1_000_000;

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
  /** p50 of each floor operation alone, one at a time (ms): the workflow task functions' work. */
  readonly operationMs: Readonly<Record<"reserve" | "createOrder" | "listOrders", number>>;
  /**
   * Capacity units per call of each operation, as DynamoDB Local reported them, and of a Scan of
   * the inventory table: how the seeds' CheckInventory read stock.
   */
  readonly operationUnits: Readonly<Record<"reserve" | "createOrder" | "listOrders" | "inventoryScan", number>>;
}

function newOrder(ownerId: string): Order {
  return {
    OrderId: randomUUID(),
    ownerId,
    customerName: "Bench",
    product: BENCH_ITEM,
    quantity: 1,
    status: "PLACED",
    createdAt: new Date().toISOString(),
  };
}

/** What `POST /orders` writes: the CheckInventory reservation, then CreateOrder's transaction. */
async function placeDirectly(inventory: InventoryRepository, orders: OrderRepository, ownerId: string) {
  const order = newOrder(ownerId);
  const decision = await inventory.reserve(order.OrderId, order.product, order.quantity, new Date());
  if (decision.result !== "Available") throw new Error(`The bench item ran out: ${decision.result}`);
  await orders.createReserved(order);
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

/** Each operation's own time (p50 of `samples` calls, one at a time) and capacity units per call. */
async function operationCosts(stack: StackProcess, samples: number) {
  const capacity: CapacityLog = new Map();
  const client = documentClient(stack.dynamodbEndpoint, stack.region, capacity);
  const inventory = dynamoInventoryRepository(client, {
    inventory: localTableName(inventoryTable),
    reservations: localTableName(reservationsTable),
    orders: localTableName(ordersTable),
  });
  const orders = dynamoOrderRepository(client, {
    orders: localTableName(ordersTable),
    inventory: localTableName(inventoryTable),
    reservations: localTableName(reservationsTable),
  });
  const times = { reserve: [] as number[], createOrder: [] as number[], listOrders: [] as number[] };
  // Reserve and create are both TransactWriteItems now: their units are told apart by when they were logged.
  const logged = () => [...capacity.values()].flat().reduce((sum, units) => sum + units, 0);
  const spent = { reserve: [] as number[], createOrder: [] as number[] };
  for (let sample = 0; sample < samples; sample++) {
    const order = newOrder("bench-floor");
    let unitsBefore = logged();
    let before = performance.now();
    await inventory.reserve(order.OrderId, order.product, order.quantity, new Date());
    times.reserve.push(performance.now() - before);
    spent.reserve.push(logged() - unitsBefore);
    unitsBefore = logged();
    before = performance.now();
    await orders.createReserved(order);
    times.createOrder.push(performance.now() - before);
    spent.createOrder.push(logged() - unitsBefore);
    before = performance.now();
    await orders.list(stack.customer.sub, { limit: 20 });
    times.listOrders.push(performance.now() - before);
  }
  await client.send(new ScanCommand({ TableName: localTableName(inventoryTable) }));
  client.destroy();
  const units = (command: string) => median(capacity.get(command) ?? []);
  return {
    operationMs: {
      reserve: median(times.reserve),
      createOrder: median(times.createOrder),
      listOrders: median(times.listOrders),
    },
    operationUnits: {
      reserve: median(spent.reserve),
      createOrder: median(spent.createOrder),
      listOrders: units("QueryCommand"),
      inventoryScan: units("ScanCommand"),
    },
  };
}

/**
 * `POST /orders` and `GET /orders` on the local stack at each concurrency, for `seconds` each,
 * each beside the DynamoDB Local operations the route is built on, run straight from the SDK with
 * the same concurrency: the floor no API over this database can go below.
 */
export async function measureLoad(
  stack: StackProcess,
  concurrencies: readonly number[],
  seconds: number,
): Promise<LoadMeasurements> {
  const stocked = await fetch(`${stack.url}/inventory/${encodeURIComponent(BENCH_ITEM)}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${stack.admin.token}`, "content-type": "application/json" },
    body: JSON.stringify({ quantity: BENCH_STOCK }),
  });
  if (stocked.status !== 200) throw new Error(`Stocking the bench item answered ${stocked.status}`);

  const client = documentClient(stack.dynamodbEndpoint, stack.region);
  const inventory = dynamoInventoryRepository(client, {
    inventory: localTableName(inventoryTable),
    reservations: localTableName(reservationsTable),
    orders: localTableName(ordersTable),
  });
  const orders = dynamoOrderRepository(client, {
    orders: localTableName(ordersTable),
    inventory: localTableName(inventoryTable),
    reservations: localTableName(reservationsTable),
  });
  const routes = [
    {
      route: "POST /orders",
      request: {
        method: "POST" as const,
        token: stack.customer.token,
        body: JSON.stringify({ customerName: "Bench", product: BENCH_ITEM, quantity: 1 }),
      },
      floorOperations: "UpdateItem (reserve) + TransactWriteItems (order + reservation)",
      floor: () => placeDirectly(inventory, orders, "bench-floor"),
    },
    {
      route: "GET /orders",
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
