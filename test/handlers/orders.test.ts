import { GetCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "chai";
import type { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { makeCreateOrder } from "../../handlers/create-order";
import { makeDeleteOrder } from "../../handlers/delete-order";
import { dynamoOrderRepository } from "../../handlers/dynamo-order-repository";
import { makeGetOrder } from "../../handlers/get-order";
import type { ApiHandler, ApiResult } from "../../handlers/http";
import { MAX_BODY_BYTES } from "../../handlers/http";
import { makeListOrders } from "../../handlers/list-orders";
import type { Order } from "../../domain/order";
import { ordersTable } from "../../storage/tables";
import { apiEvent, claimsFor } from "../support/api-events";
import { documentClient, freshTable } from "../support/dynamodb";

const alice = claimsFor("alice");
const bob = claimsFor("bob");
const admin = claimsFor("root", ["admin", "ops"]);

interface Api {
  create: ApiHandler;
  list: ApiHandler;
  get: ApiHandler;
  remove: ApiHandler;
}

function bodyOf<T = Record<string, unknown>>(result: ApiResult): T {
  return JSON.parse(result.body ?? "null") as T;
}

describe("order handlers on DynamoDB Local", function () {
  this.timeout(60_000);
  let client: DynamoDBDocumentClient;
  let tableName: string;
  let api: Api;
  let clock: number;
  let ids: number;

  beforeEach(async () => {
    client = await documentClient();
    tableName = await freshTable(ordersTable);
    const orders = dynamoOrderRepository(client, tableName);
    clock = Date.parse("2026-11-27T10:00:00.000Z");
    ids = 0;
    api = {
      create: makeCreateOrder({
        orders,
        newId: () => `00000000-0000-4000-8000-${String(++ids).padStart(12, "0")}`,
        now: () => new Date((clock += 1000)),
      }),
      list: makeListOrders({ orders }),
      get: makeGetOrder({ orders }),
      remove: makeDeleteOrder({ orders }),
    };
  });

  async function place(claims: Record<string, string>, product = "MacBook Pro"): Promise<Order> {
    const result = await api.create(
      apiEvent({
        routeKey: "POST /orders",
        claims,
        body: JSON.stringify({ customerName: claims["sub"], product, quantity: 2 }),
      }),
    );
    expect(result.statusCode).to.equal(201);
    return bodyOf<Order>(result);
  }

  function orderEvent(routeKey: string, claims: Record<string, string>, id: string) {
    return apiEvent({ routeKey, path: `/orders/${id}`, pathParameters: { id }, claims });
  }

  describe("POST /orders", () => {
    it("stores the order for the token's sub and answers 201 with it", async () => {
      const result = await api.create(
        apiEvent({
          routeKey: "POST /orders",
          claims: alice,
          body: JSON.stringify({ customerName: "Kamlesh", product: "MacBook Pro", quantity: 1, ownerId: "mallory" }),
        }),
      );

      expect(result.statusCode).to.equal(201);
      const order = bodyOf<Order>(result);
      expect(order).to.deep.equal({
        OrderId: "00000000-0000-4000-8000-000000000001",
        ownerId: "alice",
        customerName: "Kamlesh",
        product: "MacBook Pro",
        quantity: 1,
        status: "PLACED",
        createdAt: "2026-11-27T10:00:01.000Z",
      });
      expect(result.headers).to.include({ location: `/orders/${order.OrderId}` });
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { OrderId: order.OrderId } }));
      expect(Item).to.deep.equal({ ...order, kind: "ORDER" });
    });

    it("answers the original API's 400 when fields are missing, and stores nothing", async () => {
      const result = await api.create(
        apiEvent({ routeKey: "POST /orders", claims: alice, body: JSON.stringify({ customerName: "Kamlesh" }) }),
      );

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({
        message: "Missing required fields",
        missingFields: ["product", "quantity"],
        requiredFields: ["customerName", "product", "quantity"],
      });
      const list = await api.list(apiEvent({ routeKey: "GET /orders", claims: alice }));
      expect(bodyOf(list)).to.deep.equal({ items: [] });
    });

    const badBodies: [string, string | undefined, string][] = [
      ["no body", undefined, "body must be a JSON object"],
      ["a body that is not JSON", "{customerName:", "body must be valid JSON"],
      ["a JSON array", "[]", "body must be a JSON object"],
      [
        "a body over the size limit",
        JSON.stringify({ customerName: "x".repeat(MAX_BODY_BYTES), product: "p", quantity: 1 }),
        `body must be at most ${MAX_BODY_BYTES} bytes`,
      ],
    ];
    for (const [what, body, message] of badBodies) {
      it(`answers 400 naming body for ${what}`, async () => {
        const result = await api.create(apiEvent({ routeKey: "POST /orders", claims: alice, body }));

        expect(result.statusCode).to.equal(400);
        expect(bodyOf(result)).to.deep.equal({ message, field: "body" });
      });
    }

    it("reads a base64-encoded body as API Gateway delivers binary payloads", async () => {
      const body = Buffer.from(JSON.stringify({ customerName: "B", product: "Seatbelt", quantity: 3 })).toString(
        "base64",
      );

      const result = await api.create({
        ...apiEvent({ routeKey: "POST /orders", claims: alice, body }),
        isBase64Encoded: true,
      });

      expect(result.statusCode).to.equal(201);
      expect(bodyOf(result)).to.include({ product: "Seatbelt", quantity: 3 });
    });

    it("answers 401 when the authorizer passed no subject", async () => {
      const result = await api.create(apiEvent({ routeKey: "POST /orders", claims: {}, body: "{}" }));

      expect(result.statusCode).to.equal(401);
      expect(bodyOf(result)).to.deep.equal({ message: "Unauthorized" });
    });
  });

  describe("GET /orders", () => {
    it("lists only the caller's orders, newest first, one page at a time", async () => {
      const mine: Order[] = [];
      for (let i = 0; i < 7; i++) {
        mine.push(await place(alice, `item-${i}`));
        await place(bob);
      }

      const pages: Order[][] = [];
      let nextToken: string | undefined;
      do {
        const result = await api.list(
          apiEvent({
            routeKey: "GET /orders",
            claims: alice,
            query: { limit: "3", ...(nextToken ? { nextToken } : {}) },
          }),
        );
        expect(result.statusCode).to.equal(200);
        const page = bodyOf<{ items: Order[]; nextToken?: string }>(result);
        pages.push(page.items);
        nextToken = page.nextToken;
      } while (nextToken);

      expect(pages.map((page) => page.length).slice(0, 3)).to.deep.equal([3, 3, 1]);
      expect(pages.flat().map((order) => order.OrderId)).to.deep.equal(mine.reverse().map((order) => order.OrderId));
    });

    it("lists every owner's orders for an admin", async () => {
      const placed = [await place(alice), await place(bob)];

      const result = await api.list(apiEvent({ routeKey: "GET /orders", claims: admin }));

      expect(bodyOf<{ items: Order[] }>(result).items.map((o) => o.OrderId)).to.deep.equal(
        placed.reverse().map((o) => o.OrderId),
      );
    });

    it("refuses another owner's nextToken instead of reading their orders", async () => {
      await place(bob);
      await place(bob);
      const bobsPage = bodyOf<{ nextToken: string }>(
        await api.list(apiEvent({ routeKey: "GET /orders", claims: bob, query: { limit: "1" } })),
      );

      const result = await api.list(
        apiEvent({ routeKey: "GET /orders", claims: alice, query: { nextToken: bobsPage.nextToken } }),
      );

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({ message: "nextToken is invalid", field: "nextToken" });
    });

    for (const token of ["not-base64-json", Buffer.from('{"OrderId":1}').toString("base64url")]) {
      it(`answers 400 naming nextToken for a forged token ${token}`, async () => {
        const result = await api.list(
          apiEvent({ routeKey: "GET /orders", claims: alice, query: { nextToken: token } }),
        );

        expect(result.statusCode).to.equal(400);
        expect(bodyOf(result)).to.include({ field: "nextToken" });
      });
    }
  });

  describe("GET /orders/{id}", () => {
    it("returns the order to its owner and to an admin, with numbers as JSON numbers", async () => {
      const order = await place(alice);

      for (const claims of [alice, admin]) {
        const result = await api.get(orderEvent("GET /orders/{id}", claims, order.OrderId));
        expect(result.statusCode).to.equal(200);
        expect(result.body).to.include('"quantity":2');
        expect(bodyOf(result)).to.deep.equal(order);
      }
    });

    it("answers 404 to anyone else, exactly as for an order that does not exist", async () => {
      const order = await place(alice);

      const foreign = await api.get(orderEvent("GET /orders/{id}", bob, order.OrderId));
      const unknown = await api.get(orderEvent("GET /orders/{id}", bob, "00000000-0000-4000-8000-999999999999"));
      const malformed = await api.get(orderEvent("GET /orders/{id}", bob, "not-an-id"));

      for (const result of [foreign, unknown, malformed]) {
        expect(result.statusCode).to.equal(404);
        expect(bodyOf(result)).to.deep.equal({ message: "Order not found" });
      }
    });
  });

  describe("DELETE /orders/{id}", () => {
    it("deletes for the owner with 204, then answers 404", async () => {
      const order = await place(alice);

      const first = await api.remove(orderEvent("DELETE /orders/{id}", alice, order.OrderId));
      const second = await api.remove(orderEvent("DELETE /orders/{id}", alice, order.OrderId));

      expect(first.statusCode).to.equal(204);
      expect(first.body).to.equal(undefined);
      expect(second.statusCode).to.equal(404);
    });

    it("refuses someone else's order with 404 and keeps it", async () => {
      const order = await place(alice);

      const result = await api.remove(orderEvent("DELETE /orders/{id}", bob, order.OrderId));

      expect(result.statusCode).to.equal(404);
      expect((await api.get(orderEvent("GET /orders/{id}", alice, order.OrderId))).statusCode).to.equal(200);
    });

    it("lets an admin delete any order", async () => {
      const order = await place(bob);

      expect((await api.remove(orderEvent("DELETE /orders/{id}", admin, order.OrderId))).statusCode).to.equal(204);
    });
  });

  describe("when DynamoDB fails", () => {
    it("logs one JSON line without the token and lets the error escape, so Lambda counts it", async () => {
      const broken = makeGetOrder({ orders: dynamoOrderRepository(client, "no-such-table") });
      const lines: string[] = [];
      const original = console.error;
      console.error = (line: string) => lines.push(line);
      let escaped: unknown;
      try {
        await broken(orderEvent("GET /orders/{id}", alice, "00000000-0000-4000-8000-000000000001"));
      } catch (error) {
        escaped = error;
      } finally {
        console.error = original;
      }

      expect(escaped).to.have.property("name", "ResourceNotFoundException");
      expect(lines).to.have.length(1);
      const logged = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
      expect(logged).to.include({ level: "ERROR", routeKey: "GET /orders/{id}" });
      expect(lines[0]).not.to.include("alice@example.com");
    });
  });
});
