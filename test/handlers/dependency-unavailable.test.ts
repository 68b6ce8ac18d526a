import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { type SFNClient, SFNServiceException } from "@aws-sdk/client-sfn";
import { DynamoDBDocumentClient, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { expect } from "chai";
import { type Route, routeKey, routes } from "../../api/routes";
import { RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE_MESSAGE } from "../../domain/http-errors";
import { TransientError } from "../../domain/errors";
import type { OrderWorkflow } from "../../domain/ports";
import { dynamoInventoryRepository } from "../../handlers/adapters/dynamo-inventory-repository";
import { dynamoOrderRepository } from "../../handlers/adapters/dynamo-order-repository";
import { dynamoUserRepository } from "../../handlers/adapters/dynamo-user-repository";
import { sfnOrderWorkflow } from "../../handlers/adapters/sfn-order-workflow";
import { makeCreateUser } from "../../handlers/create-user";
import { makeGetOrder } from "../../handlers/get-order";
import type { ApiHandler, ApiResult } from "../../handlers/http";
import { makePlaceOrder } from "../../handlers/place-order";
import { countingUnavailable } from "../../handlers/http";
import { makeCheckInventory } from "../../handlers/tasks/check-inventory";
import { makeCreateOrder } from "../../handlers/tasks/create-order";
import { makeReleaseStock } from "../../handlers/tasks/release-stock";
import { lambdaContext } from "../../local/lambda-context";
import { LocalMetrics } from "../../local/local-metrics";
import { localOrderWorkflow } from "../../local/local-order-workflow";
import { State } from "../../workflow/definition";
import { apiEvent, claimsFor } from "../support/api-events";
import { dynamoDbLocal } from "../support/dynamodb";
import { type OrderSystem, orderSystem } from "../support/order-system";

/** Nothing listens on port 1: every call is refused at once, as when DynamoDB is unreachable. */
const CLOSED_PORT = "http://127.0.0.1:1";
const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

/** A document client for a DynamoDB that cannot be reached, tried once (the SDK's retries would only wait). */
function unreachableDynamoDb(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: CLOSED_PORT, region: "us-east-1", credentials: LOCAL_CREDENTIALS, maxAttempts: 1 }),
  );
}

const alice = claimsFor("alice");
const ORDER = { customerName: "Kamlesh", product: "Headlight", quantity: 2 };

function invoke(handler: ApiHandler, event: ReturnType<typeof apiEvent>): Promise<ApiResult> {
  const context = { memoryMb: 256, timeoutSeconds: 10, region: "us-east-1", accountId: "000000000000" };
  return handler(event, lambdaContext({ ...context, functionName: "place-order" }));
}

function placeEvent(headers: Record<string, string> = {}) {
  const event = apiEvent({ routeKey: "POST /orders", claims: alice, body: JSON.stringify(ORDER) });
  return { ...event, headers: { ...event.headers, ...headers } };
}

/** What a client must see for "not now": 503, `Retry-After` in seconds, a JSON message, no stack. */
function expectServiceUnavailable(result: ApiResult): void {
  expect(result.statusCode).to.equal(503);
  expect(result.headers).to.include({
    "content-type": "application/json",
    "retry-after": String(RETRY_AFTER_SECONDS),
  });
  expect(JSON.parse(result.body ?? "null")).to.deep.equal({ message: SERVICE_UNAVAILABLE_MESSAGE });
}

describe("A dependency that says not now", function () {
  this.timeout(60_000);
  let system: OrderSystem;

  beforeEach(async () => {
    system = await orderSystem();
    await system.inventory.setStock(ORDER.product, { quantity: 4 }, new Date());
  });

  async function itemsIn(table: string): Promise<Record<string, unknown>[]> {
    const { Items = [] } = await system.client.send(new ScanCommand({ TableName: table, ConsistentRead: true }));
    return Items;
  }

  /** The order workflow on the fresh tables, its tasks' inventory on `inventoryClient`. */
  function workflowWith(inventoryClient: DynamoDBDocumentClient): OrderWorkflow {
    const inventory = dynamoInventoryRepository(inventoryClient, system.tables);
    return localOrderWorkflow({
      tasks: {
        [State.CheckInventory]: makeCheckInventory({ inventory }),
        [State.CreateOrder]: makeCreateOrder({ orders: system.orders }),
        [State.ReleaseStock]: makeReleaseStock({ inventory }),
      },
      retryIntervalMs: 0,
    });
  }

  /** The key store on DynamoDB Local's fresh table, or at `endpoint`. */
  async function keyStore(endpoint?: string): Promise<DynamoDBPersistenceLayer> {
    return new DynamoDBPersistenceLayer({
      tableName: system.tables.idempotency,
      clientConfig: {
        endpoint: endpoint ?? (await dynamoDbLocal()).endpoint,
        region: "us-east-1",
        credentials: LOCAL_CREDENTIALS,
        maxAttempts: 1,
      },
    });
  }

  /** `POST /orders` on the fresh tables, with the workflow and the key store given. */
  async function placeOrder(orderWorkflow: OrderWorkflow, idempotency?: DynamoDBPersistenceLayer) {
    const metrics = new LocalMetrics();
    // Counting as every route's function counts (`countingDependencyUnavailable` in api/routes.ts).
    const handler = countingUnavailable(
      makePlaceOrder({
        orderWorkflow,
        metrics,
        newId: () => crypto.randomUUID(),
        now: () => new Date(),
        idempotency: idempotency ?? (await keyStore()),
      }),
      metrics,
    );
    return { handler, metrics };
  }

  describe("POST /orders", () => {
    it("answers 503 when DynamoDB fails CheckInventory after the workflow's retries: no order, no stock taken", async () => {
      const { handler, metrics } = await placeOrder(workflowWith(unreachableDynamoDb()));

      const result = await invoke(handler, placeEvent());

      expectServiceUnavailable(result);
      expect(await itemsIn(system.tables.orders)).to.deep.equal([]);
      expect(await system.stockOf(ORDER.product)).to.deep.include({ quantity: 4 });
      expect(metrics.snapshot()).to.deep.equal({ DependencyUnavailable: 1 });
    });

    it("answers 503 when the Idempotency-Key store is unreachable, without running the workflow", async () => {
      const { handler, metrics } = await placeOrder(workflowWith(system.client), await keyStore(CLOSED_PORT));

      const result = await invoke(handler, placeEvent({ "idempotency-key": "k-store-down" }));

      expectServiceUnavailable(result);
      expect(await itemsIn(system.tables.orders)).to.deep.equal([]);
      expect(await system.stockOf(ORDER.product)).to.deep.include({ quantity: 4 });
      expect(metrics.snapshot()).to.deep.equal({ DependencyUnavailable: 1 });
    });

    it("never remembers a 503 for its Idempotency-Key: the retry it asks for runs and places the order", async () => {
      const key = { "idempotency-key": "k-retry-later" };
      const down = await placeOrder(workflowWith(unreachableDynamoDb()));
      const up = await placeOrder(workflowWith(system.client));

      const first = await invoke(down.handler, placeEvent(key));
      const retried = await invoke(up.handler, placeEvent(key));
      const replayed = await invoke(up.handler, placeEvent(key));

      expectServiceUnavailable(first);
      expect(retried.statusCode).to.equal(201);
      expect(replayed).to.deep.equal(retried);
      expect(await itemsIn(system.tables.orders)).to.have.length(1);
      expect(await system.stockOf(ORDER.product)).to.deep.include({ quantity: 4 - ORDER.quantity });
    });

    it("answers 503 when Step Functions throttles StartSyncExecution", async () => {
      const throttled = new SFNServiceException({
        name: "ThrottlingException",
        $fault: "client",
        $metadata: { httpStatusCode: 400, attempts: 3 },
        message: "Rate exceeded",
      });
      const client = { send: () => Promise.reject(throttled) } as unknown as SFNClient;
      const { handler, metrics } = await placeOrder(sfnOrderWorkflow(client, "arn:aws:states:::stateMachine:orders"));

      const result = await invoke(handler, placeEvent());

      expectServiceUnavailable(result);
      expect(metrics.snapshot()).to.deep.equal({ DependencyUnavailable: 1 });
    });
  });

  it("answers GET /orders/{id} with 503 when DynamoDB is unreachable", async () => {
    const getOrder = makeGetOrder({ orders: dynamoOrderRepository(unreachableDynamoDb(), system.tables) });
    const id = crypto.randomUUID();

    const result = await invoke(
      getOrder,
      apiEvent({ routeKey: "GET /orders/{id}", path: `/orders/${id}`, pathParameters: { id }, claims: alice }),
    );

    expectServiceUnavailable(result);
  });

  it("answers POST /users with 503 and writes no profile when DynamoDB is unreachable", async () => {
    const createUser = makeCreateUser({
      users: dynamoUserRepository(unreachableDynamoDb(), system.tables.users),
      now: () => new Date(),
    });

    const result = await invoke(
      createUser,
      apiEvent({
        routeKey: "POST /users",
        claims: alice,
        body: JSON.stringify({ name: "Alice", email: "alice@example.com" }),
      }),
    );

    expectServiceUnavailable(result);
    expect(await itemsIn(system.tables.users)).to.deep.equal([]);
  });
});

describe("Every route of api/routes.ts", () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  /**
   * Each route's function as the local stack builds it (its factory from the route table, cold, with
   * the local metrics), on a DynamoDB that cannot be reached and a workflow that is throttled.
   */
  function coldStart(route: Route, metrics: LocalMetrics): ApiHandler {
    for (const grant of route.grants) process.env[grant.table.envVar] = `spec-${grant.table.name}`;
    Object.assign(process.env, {
      AWS_ENDPOINT_URL_DYNAMODB: CLOSED_PORT,
      AWS_MAX_ATTEMPTS: "1",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    });
    const throttled: OrderWorkflow = {
      place: () => Promise.reject(new TransientError("Step Functions: ThrottlingException")),
    };
    return route.handler({ metrics, orderWorkflow: throttled });
  }

  /** A request the route accepts (an admin's, with its documented example body), up to its first dependency. */
  function validRequest(route: Route, claims: Record<string, string> | undefined) {
    const pathParameters = Object.fromEntries(
      [...route.path.matchAll(/\{(\w+)\}/g)].map(([, name = ""]) => [name, crypto.randomUUID()]),
    );
    return apiEvent({
      routeKey: routeKey(route),
      path: route.path.replace(/\{(\w+)\}/g, (_, name: string) => pathParameters[name] ?? ""),
      ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
      ...(route.body ? { body: JSON.stringify(route.body.example) } : {}),
      ...(claims ? { claims } : {}),
    });
  }

  for (const route of routes) {
    it(`${routeKey(route)} counts its 503 as DependencyUnavailable, once`, async () => {
      const metrics = new LocalMetrics();
      const handler = coldStart(route, metrics);

      const result = await invoke(handler, validRequest(route, claimsFor("root", ["admin"])));

      expectServiceUnavailable(result);
      expect(metrics.snapshot()).to.deep.equal({ DependencyUnavailable: 1 });
    });
  }

  it("counts nothing for an answer that is not a 503", async () => {
    const counted = [];
    for (const route of routes) {
      const metrics = new LocalMetrics();
      const result = await invoke(coldStart(route, metrics), validRequest(route, undefined));
      counted.push({ route: routeKey(route), status: result.statusCode, metrics: metrics.snapshot() });
    }

    expect(counted).to.deep.equal(routes.map((route) => ({ route: routeKey(route), status: 401, metrics: {} })));
  });
});
