import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { routes } from "../../api/routes";
import { eventFunctions } from "../../events/functions";
import type { Order } from "../../domain/order";
import { SERVICE_ENV } from "../../handlers/adapters/from-environment";
import type { ApiHandler, ApiResult } from "../../handlers/http";
import type { TaskHandler } from "../../handlers/tasks/task";
import { lambdaContext } from "../../local/lambda-context";
import { localOrderWorkflow } from "../../local/local-order-workflow";
import {
  idempotencyTable,
  inventoryTable,
  orderLinesTable,
  orderTimelineTable,
  ordersTable,
  reservationsTable,
  usersTable,
} from "../../storage/tables";
import { workflowTasks } from "../../workflow/tasks";
import { apiEvent, claimsFor } from "../support/api-events";
import { dynamoDbLocal, freshTable } from "../support/dynamodb";

/** Every function `pulumi up` packages: the routes', the workflow tasks' and the event-driven ones. */
const functions: readonly { name: string; factory: () => unknown }[] = [
  ...routes.map((route) => ({ name: route.functionName, factory: route.handler })),
  ...workflowTasks.map((task) => ({ name: task.functionName, factory: task.handler })),
  ...eventFunctions.map((fn) => ({ name: fn.functionName, factory: fn.handler })),
];

/** Serializes a factory exactly as `aws.lambda.CallbackFunction` (and `infra/handler-code.ts`) does before `pulumi up` bundles it. */
function serialize(factory: () => unknown): Promise<pulumi.runtime.SerializedFunction> {
  return pulumi.runtime.serializeFunction(factory, {
    serialize: () => true,
    exportName: "handler",
    isFactoryFunction: true,
    allowSecrets: true,
  });
}

/** Package names a serialized closure `require`s at run time. */
function requiredPackages(text: string): string[] {
  const names = [...text.matchAll(/require\("([^"]+)"\)/g)].map(([, specifier = ""]) =>
    specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? ""),
  );
  return [...new Set(names)].filter((name) => !builtinModules.includes(name) && !name.startsWith("node:")).sort();
}

describe("Functions as `pulumi up` packages them", function () {
  this.timeout(120_000);
  const packaged = new Map<string, string>();

  before(async () => {
    for (const { name, factory } of functions) {
      packaged.set(name, (await serialize(factory)).text);
    }
  });

  for (const { name } of functions) {
    it(`serializes ${name}'s closure, requiring only valibot, Powertools and the AWS SDK`, () => {
      const text = packaged.get(name) ?? "";

      expect(text).to.include("exports.handler");
      for (const required of requiredPackages(text)) {
        expect(required).to.match(/^(valibot|@aws-sdk\/[a-z0-9-]+|@aws-lambda-powertools\/[a-z-]+)$/);
      }
    });
  }

  describe("the packaged code, loaded as Lambda loads it", () => {
    const saved = { ...process.env };
    let dir: string;
    const handlers = new Map<string, ApiHandler & TaskHandler>();
    const alice = claimsFor("alice");
    const admin = claimsFor("root", ["admin"]);

    before(async () => {
      const { endpoint } = await dynamoDbLocal();
      Object.assign(process.env, {
        [ordersTable.envVar]: await freshTable(ordersTable),
        [inventoryTable.envVar]: await freshTable(inventoryTable),
        [reservationsTable.envVar]: await freshTable(reservationsTable),
        [orderLinesTable.envVar]: await freshTable(orderLinesTable),
        [orderTimelineTable.envVar]: await freshTable(orderTimelineTable),
        [usersTable.envVar]: await freshTable(usersTable),
        [idempotencyTable.envVar]: await freshTable(idempotencyTable),
        [SERVICE_ENV.eventsTopicArn]: "arn:aws:sns:us-east-1:000000000000:unreachable",
        [SERVICE_ENV.mailFrom]: "orders@unreachable.example.com",
        [SERVICE_ENV.mailConfigurationSet]: "unreachable",
        [SERVICE_ENV.orderWorkflowArn]: "arn:aws:states:us-east-1:000000000000:stateMachine:unreachable",
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
      });
      dir = mkdtempSync(join(tmpdir(), "oms-packaged-"));
      for (const [name, text] of packaged) {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, "__index.js"), text);
        symlinkSync(resolve("node_modules"), join(dir, name, "node_modules"), "dir");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        handlers.set(name, (require(join(dir, name, "__index.js")) as { handler: ApiHandler & TaskHandler }).handler);
      }
    });

    after(() => {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    });

    function packagedHandler(name: string): ApiHandler & TaskHandler {
      const handler = handlers.get(name);
      if (!handler) throw new Error(`no packaged handler ${name}`);
      return handler;
    }

    /** Invokes a packaged route's function as Lambda does, with a context. */
    const call = (name: string, event: Parameters<ApiHandler>[0]): Promise<ApiResult> =>
      packagedHandler(name)(
        event,
        lambdaContext({ functionName: name, memoryMb: 256, timeoutSeconds: 10, region: "us-east-1", accountId: "0" }),
      );
    const json = (result: ApiResult) => JSON.parse(result.body ?? "null") as Record<string, unknown>;
    const stockLevels = (result: ApiResult) =>
      (json(result)["items"] as { itemId: string; quantity: number }[]).map(({ itemId, quantity }) => ({
        itemId,
        quantity,
      }));

    it("places, reads, lists and deletes an order through the workflow, with the domain's errors intact", async () => {
      const stocked = await call(
        "set-stock",
        apiEvent({
          routeKey: "PUT /inventory/{itemId}",
          pathParameters: { itemId: "Headlight" },
          claims: admin,
          body: '{"quantity":4}',
        }),
      );
      const workflow = localOrderWorkflow({
        tasks: Object.fromEntries(workflowTasks.map((task) => [task.state, packagedHandler(task.functionName)])),
        retryIntervalMs: 0,
      });
      const order: Order = {
        OrderId: "00000000-0000-4000-8000-000000000001",
        ownerId: "alice",
        customerName: "Alice",
        product: "Headlight",
        quantity: 3,
        items: [{ product: "Headlight", quantity: 3 }],
        status: "PLACED",
        createdAt: "2026-11-27T10:00:00.000Z",
      };
      const id = order.OrderId;

      const placed = await workflow.place(order);
      const short = await workflow.place({ ...order, OrderId: "00000000-0000-4000-8000-000000000002" });
      const read = await call(
        "get-order",
        apiEvent({ routeKey: "GET /orders/{id}", pathParameters: { id }, claims: alice }),
      );
      const listed = await call("list-orders", apiEvent({ routeKey: "GET /orders", claims: alice }));
      const stock = await call("list-inventory", apiEvent({ routeKey: "GET /inventory", claims: alice }));
      const deleted = await call(
        "delete-order",
        apiEvent({ routeKey: "DELETE /orders/{id}", pathParameters: { id }, claims: alice }),
      );
      const restocked = await call("list-inventory", apiEvent({ routeKey: "GET /inventory", claims: alice }));
      const missing = await call("place-order", apiEvent({ routeKey: "POST /orders", claims: alice, body: "{}" }));
      const badProfile = await call(
        "create-user",
        apiEvent({ routeKey: "POST /users", claims: alice, body: '{"name":"A","email":"nope"}' }),
      );
      const notAdmin = await call(
        "update-order-status",
        apiEvent({
          routeKey: "PATCH /orders/{id}",
          pathParameters: { id },
          claims: alice,
          body: '{"status":"SHIPPED"}',
        }),
      );

      expect(stocked.statusCode).to.equal(200);
      expect(placed).to.deep.equal({ kind: "placed", order });
      expect(short).to.deep.equal({
        kind: "outOfStock",
        shortLines: [{ product: "Headlight", requested: 3, available: 1 }],
      });
      expect(json(read)).to.deep.equal({
        ...order,
        timeline: [{ at: order.createdAt, by: "alice", event: "placed" }],
      });
      expect(json(listed)["items"]).to.deep.equal([order]);
      expect(stockLevels(stock)).to.deep.equal([{ itemId: "Headlight", quantity: 1 }]);
      expect(deleted.statusCode).to.equal(200);
      expect(stockLevels(restocked)).to.deep.equal([{ itemId: "Headlight", quantity: 4 }]);
      expect([missing.statusCode, json(missing)["missingFields"]]).to.deep.equal([
        400,
        ["customerName", "product", "quantity"],
      ]);
      expect([badProfile.statusCode, json(badProfile)]).to.deep.equal([
        400,
        { message: "email must be an e-mail address", field: "email" },
      ]);
      expect([notAdmin.statusCode, json(notAdmin)]).to.deep.equal([403, { message: "Forbidden" }]);
    });

    it("reads a change stream and a mail queue, and sweeps reservations, with the domain's rules intact", async () => {
      const invoke = (name: string, event: unknown) =>
        (packagedHandler(name) as unknown as (event: unknown, context: unknown) => Promise<unknown>)(
          event,
          lambdaContext({ functionName: name, memoryMb: 256, timeoutSeconds: 10, region: "us-east-1", accountId: "0" }),
        );
      const removedItem = {
        eventID: "change-1",
        eventName: "REMOVE",
        eventSourceARN: `arn:aws:dynamodb:us-east-1:0:table/${process.env[inventoryTable.envVar]}/stream/label`,
        dynamodb: {
          ApproximateCreationDateTime: 1796032800,
          SequenceNumber: "1",
          OldImage: { itemId: { S: "Headlight" }, quantity: { N: "4" } },
        },
      };
      const sqsMessage = (messageId: string, body: string) => ({
        messageId,
        body,
        attributes: { ApproximateReceiveCount: "1" },
        eventSource: "aws:sqs",
      });
      const nobodysOrder = {
        id: "change-2",
        type: "OrderPlaced",
        version: 1,
        occurredAt: "2026-11-27T10:00:00.000Z",
        data: {
          order: {
            OrderId: "00000000-0000-4000-8000-000000000009",
            ownerId: "nobody",
            customerName: "Nobody",
            product: "Headlight",
            quantity: 1,
            items: [{ product: "Headlight", quantity: 1 }],
            status: "PLACED",
            createdAt: "2026-11-27T10:00:00.000Z",
          },
        },
      };

      // A change that makes no event publishes nothing, so no SNS call is made.
      const read = await invoke("publish-events", { Records: [removedItem] });
      // No profile: no mail, so no SES call; the idempotency record goes to DynamoDB Local.
      const mailed = await invoke("send-order-mail", {
        Records: [sqsMessage("m-1", "{not json"), sqsMessage("m-2", JSON.stringify(nobodysOrder))],
      });

      // Nothing is past its deadline: the sweep scans the reservations and gives nothing back.
      const swept = await invoke("sweep-reservations", {});

      expect(read).to.deep.equal({ batchItemFailures: [] });
      expect(swept).to.deep.equal({ released: 0, deferred: 0 });
      expect(mailed).to.deep.equal({ batchItemFailures: [{ itemIdentifier: "m-1" }] });
    });
  });
});
