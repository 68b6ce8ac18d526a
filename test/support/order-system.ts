import { GetCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { routes } from "../../api/routes";
import type { InventoryRepository, OrderRepository, UserRepository } from "../../domain/ports";
import { dynamoInventoryRepository } from "../../handlers/adapters/dynamo-inventory-repository";
import { dynamoOrderRepository } from "../../handlers/adapters/dynamo-order-repository";
import { dynamoUserRepository } from "../../handlers/adapters/dynamo-user-repository";
import { makeCreateUser } from "../../handlers/create-user";
import { makeDeleteOrder } from "../../handlers/delete-order";
import { makeExportOrders } from "../../handlers/export-orders";
import { makeGetOrder } from "../../handlers/get-order";
import { makeGetUser } from "../../handlers/get-user";
import type { ApiEvent, ApiHandler, ApiResult } from "../../handlers/http";
import { makeListInventory } from "../../handlers/list-inventory";
import { makeListOrders } from "../../handlers/list-orders";
import { makePlaceOrder } from "../../handlers/place-order";
import { makeSetStock } from "../../handlers/set-stock";
import { makeCheckInventory } from "../../handlers/tasks/check-inventory";
import { makeCreateOrder } from "../../handlers/tasks/create-order";
import { makeReleaseStock } from "../../handlers/tasks/release-stock";
import { makeUpdateOrderStatus } from "../../handlers/update-order-status";
import { makeUpdateUser } from "../../handlers/update-user";
import { type InvocationTarget, runInvocation } from "../../local/invocation";
import { lambdaContext } from "../../local/lambda-context";
import { localOrderWorkflow } from "../../local/local-order-workflow";
import { LocalMetrics } from "../../local/local-metrics";
import { idempotencyTable, usersTable } from "../../storage/tables";
import { State } from "../../workflow/definition";
import { documentClient, dynamoDbLocal, freshStockTables, freshTable } from "./dynamodb";

/** Every handler of the API, built by its `make…` factory on fresh tables in DynamoDB Local. */
export interface OrderSystem {
  readonly client: DynamoDBDocumentClient;
  readonly orders: OrderRepository;
  readonly inventory: InventoryRepository;
  readonly users: UserRepository;
  readonly metrics: LocalMetrics;
  /** Each fresh table's physical name, by its logical name. */
  readonly tables: Readonly<
    Record<"orders" | "inventory" | "reservations" | "orderLines" | "orderTimeline" | "users" | "idempotency", string>
  >;
  /** Each route's function, invoked as Lambda would: with a fresh context per call. */
  readonly api: Readonly<Record<ApiName, (event: ApiEvent) => Promise<ApiResult>>>;
  /** The stored inventory item, reservations included. */
  stockOf(itemId: string): Promise<Record<string, unknown> | undefined>;
}

type ApiName =
  | "placeOrder"
  | "listOrders"
  | "exportOrders"
  | "getOrder"
  | "deleteOrder"
  | "updateOrderStatus"
  | "createUser"
  | "getUser"
  | "updateUser"
  | "listInventory"
  | "setStock";

/** The route function a handler serves (`placeOrder` is `place-order`), so that its AWS calls count as that function's. */
function routeFunction(name: string): InvocationTarget {
  const functionName = name.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`);
  if (!routes.some((route) => route.functionName === functionName)) {
    throw new Error(`No route of api/routes.ts has the function ${functionName}`);
  }
  return { kind: "function", functionName };
}

/** Each function invoked as Lambda invokes it: with the invocation's context, a fresh local one per call. */
function asLambda(handlers: Record<ApiName, ApiHandler>): OrderSystem["api"] {
  const context = { memoryMb: 256, timeoutSeconds: 10, region: "us-east-1", accountId: "000000000000" };
  const invoked = Object.entries(handlers).map(([functionName, handler]) => {
    const route = routeFunction(functionName);
    return [
      functionName,
      (event: ApiEvent) => runInvocation(route, () => handler(event, lambdaContext({ ...context, functionName }))),
    ];
  });
  return Object.fromEntries(invoked) as OrderSystem["api"];
}

/** Order ids a spec can predict: `00000000-0000-4000-8000-000000000001`, then `…002`, one a call. */
export function sequentialIds(): () => string {
  let ids = 0;
  return () => `00000000-0000-4000-8000-${String(++ids).padStart(12, "0")}`;
}

/** A clock for specs: every read moves it on a second, so that each write has its own instant. */
export interface SteppingClock {
  /** The next instant: a second after the last one read. */
  readonly now: () => Date;
  /** The last instant read, in epoch milliseconds. */
  current(): number;
  /** Sets the last instant read: the next `now` is a second after it. */
  set(epochMs: number): void;
}

/** A `SteppingClock` whose first read is a second after `start`. */
export function steppingClock(start = "2026-11-27T10:00:00.000Z"): SteppingClock {
  let clock = Date.parse(start);
  return {
    now: () => new Date((clock += 1000)),
    current: () => clock,
    set: (epochMs) => {
      clock = epochMs;
    },
  };
}

/** Options for `orderSystem`. */
export interface OrderSystemOptions {
  /** Ids handed to new orders; random UUIDs when absent. */
  readonly newId?: () => string;
  /** The clock; the real one when absent. */
  readonly now?: () => Date;
}

/** Builds the whole API on fresh tables, with the local workflow. */
export async function orderSystem(options: OrderSystemOptions = {}): Promise<OrderSystem> {
  const client = await documentClient();
  const { endpoint } = await dynamoDbLocal();
  const tables = {
    ...(await freshStockTables()),
    users: await freshTable(usersTable),
    idempotency: await freshTable(idempotencyTable),
  };
  const users = dynamoUserRepository(client, tables.users);
  const orders = dynamoOrderRepository(client, tables, users);
  const inventory = dynamoInventoryRepository(client, tables);
  const metrics = new LocalMetrics();
  const now = options.now ?? (() => new Date());
  const orderWorkflow = localOrderWorkflow({
    tasks: {
      [State.CheckInventory]: makeCheckInventory({ inventory }),
      [State.CreateOrder]: makeCreateOrder({ orders }),
      [State.ReleaseStock]: makeReleaseStock({ inventory }),
    },
    retryIntervalMs: 0,
  });
  const idempotency = new DynamoDBPersistenceLayer({
    tableName: tables.idempotency,
    clientConfig: { endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } },
  });
  return {
    client,
    orders,
    inventory,
    users,
    metrics,
    tables,
    api: asLambda({
      placeOrder: makePlaceOrder({
        orderWorkflow,
        metrics,
        newId: options.newId ?? (() => crypto.randomUUID()),
        now,
        idempotency,
      }),
      listOrders: makeListOrders({ orders }),
      exportOrders: makeExportOrders({ orders }),
      getOrder: makeGetOrder({ orders }),
      deleteOrder: makeDeleteOrder({ orders, now }),
      updateOrderStatus: makeUpdateOrderStatus({ orders, metrics, now }),
      createUser: makeCreateUser({ users, now }),
      getUser: makeGetUser({ users }),
      updateUser: makeUpdateUser({ users, now }),
      listInventory: makeListInventory({ inventory }),
      setStock: makeSetStock({ inventory, now }),
    }),
    async stockOf(itemId) {
      const { Item } = await client.send(new GetCommand({ TableName: tables.inventory, Key: { itemId } }));
      return Item;
    },
  };
}
