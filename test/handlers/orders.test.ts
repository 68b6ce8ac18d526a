import { expect } from "chai";
import { type Order, STATUS_UPDATED_MESSAGE } from "../../domain/order";
import { MAX_BODY_BYTES } from "../../handlers/http";
import { dynamoOrderRepository } from "../../handlers/adapters/dynamo-order-repository";
import { makeGetOrder } from "../../handlers/get-order";
import { lambdaContext } from "../../local/lambda-context";
import { apiEvent, claimsFor, bodyOf, orderEvent } from "../support/api-events";
import {
  type OrderSystem,
  orderSystem,
  type SteppingClock,
  sequentialIds,
  steppingClock,
} from "../support/order-system";

const alice = claimsFor("alice");
const bob = claimsFor("bob");
const admin = claimsFor("root", ["admin", "ops"]);

describe("order handlers on DynamoDB Local", function () {
  this.timeout(60_000);
  let system: OrderSystem;
  let clock: SteppingClock;

  beforeEach(async () => {
    clock = steppingClock();
    system = await orderSystem({ newId: sequentialIds(), now: clock.now });
    await system.inventory.setStock("MacBook Pro", { quantity: 100 }, new Date());
    await system.inventory.setStock("Headlight", { quantity: 4 }, new Date());
  });

  async function place(claims: Record<string, string>, body: unknown, headers: Record<string, string> = {}) {
    const event = apiEvent({ routeKey: "POST /orders", claims, body: JSON.stringify(body) });
    return system.api.placeOrder({ ...event, headers: { ...event.headers, ...headers } });
  }

  async function placed(claims: Record<string, string>, product = "MacBook Pro", quantity = 2): Promise<Order> {
    const result = await place(claims, { customerName: claims["sub"], product, quantity });
    expect(result.statusCode).to.equal(201);
    return bodyOf<Order>(result);
  }

  describe("POST /orders", () => {
    it("runs the workflow: reserves stock, stores the order for the token's sub, answers 201", async () => {
      const result = await place(alice, {
        customerName: "Kamlesh",
        product: "Headlight",
        quantity: 3,
        ownerId: "mallory",
      });

      expect(result.statusCode).to.equal(201);
      const order = bodyOf<Order>(result);
      expect(order).to.deep.equal({
        OrderId: "00000000-0000-4000-8000-000000000001",
        ownerId: "alice",
        customerName: "Kamlesh",
        product: "Headlight",
        quantity: 3,
        items: [{ product: "Headlight", quantity: 3 }],
        status: "PLACED",
        createdAt: "2026-11-27T10:00:01.000Z",
      });
      expect(result.headers).to.include({ location: `/orders/${order.OrderId}` });
      expect(await system.orders.get(order.OrderId)).to.deep.equal(order);
      expect(await system.stockOf("Headlight")).to.deep.include({ quantity: 1 });
      expect(system.metrics.snapshot()).to.deep.equal({ OrdersPlaced: 1 });
    });

    it("answers the original API's 400 when fields are missing, and reserves nothing", async () => {
      const result = await place(alice, { customerName: "Kamlesh" });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({
        message: "Missing required fields",
        missingFields: ["product", "quantity"],
        requiredFields: ["customerName", "product", "quantity"],
      });
      expect(await system.stockOf("Headlight")).to.deep.include({ quantity: 4 });
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
        const result = await system.api.placeOrder(apiEvent({ routeKey: "POST /orders", claims: alice, body }));

        expect(result.statusCode).to.equal(400);
        expect(bodyOf(result)).to.deep.equal({ message, field: "body" });
      });
    }

    it("answers 400 naming product for an item the inventory does not carry", async () => {
      const result = await place(alice, { customerName: "K", product: "Wiper", quantity: 1 });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({ message: 'product "Wiper" is not in the inventory', field: "product" });
    });

    it("answers 409 with what is left when the stock is short, and reserves nothing", async () => {
      const result = await place(alice, { customerName: "K", product: "Headlight", quantity: 5 });

      expect(result.statusCode).to.equal(409);
      expect(bodyOf(result)).to.deep.equal({ message: "Item out of stock", product: "Headlight", available: 4 });
      expect(await system.stockOf("Headlight")).to.deep.include({ quantity: 4 });
      expect(system.metrics.snapshot()).to.deep.equal({ OrdersRefused: 1 });
    });

    it("answers 401 when the authorizer passed no subject", async () => {
      const result = await system.api.placeOrder(apiEvent({ routeKey: "POST /orders", claims: {}, body: "{}" }));

      expect(result.statusCode).to.equal(401);
      expect(bodyOf(result)).to.deep.equal({ message: "Unauthorized" });
    });

    describe("with an Idempotency-Key", () => {
      const body = { customerName: "K", product: "Headlight", quantity: 1 };

      it("answers a retry with the first order and reserves the stock once", async () => {
        const first = await place(alice, body, { "idempotency-key": "order-1" });
        const retry = await place(alice, body, { "idempotency-key": "order-1" });

        expect(first.statusCode).to.equal(201);
        expect(retry).to.deep.equal(first);
        expect(await system.stockOf("Headlight")).to.deep.include({ quantity: 3 });
      });

      it("answers 422 when the key comes back with another body", async () => {
        await place(alice, body, { "idempotency-key": "order-2" });

        const result = await place(alice, { ...body, quantity: 2 }, { "idempotency-key": "order-2" });

        expect(result.statusCode).to.equal(422);
        expect(bodyOf(result)).to.deep.equal({
          message: "Idempotency-Key was already used with a different request body",
        });
        expect(await system.stockOf("Headlight")).to.deep.include({ quantity: 3 });
      });

      it("keeps each user's keys apart", async () => {
        const mine = bodyOf<Order>(await place(alice, body, { "idempotency-key": "same" }));
        const theirs = bodyOf<Order>(await place(bob, body, { "idempotency-key": "same" }));

        expect(theirs.OrderId).not.to.equal(mine.OrderId);
        expect(theirs.ownerId).to.equal("bob");
      });

      it("answers 400 naming Idempotency-Key for a key that cannot be one", async () => {
        const result = await place(alice, body, { "idempotency-key": "x".repeat(129) });

        expect(result.statusCode).to.equal(400);
        expect(bodyOf(result)).to.include({ field: "Idempotency-Key" });
      });
    });
  });

  describe("GET /orders", () => {
    it("lists only the caller's orders, newest first, one page at a time", async () => {
      const mine: Order[] = [];
      for (let i = 0; i < 7; i++) {
        mine.push(await placed(alice));
        await placed(bob);
      }

      const pages: Order[][] = [];
      let nextToken: string | undefined;
      do {
        const result = await system.api.listOrders(
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
      const all = [await placed(alice), await placed(bob)];

      const result = await system.api.listOrders(apiEvent({ routeKey: "GET /orders", claims: admin }));

      expect(bodyOf<{ items: Order[] }>(result).items.map((o) => o.OrderId)).to.deep.equal(
        all.reverse().map((o) => o.OrderId),
      );
    });

    it("refuses another owner's nextToken instead of reading their orders", async () => {
      await placed(bob);
      await placed(bob);
      const bobsPage = bodyOf<{ nextToken: string }>(
        await system.api.listOrders(apiEvent({ routeKey: "GET /orders", claims: bob, query: { limit: "1" } })),
      );

      const result = await system.api.listOrders(
        apiEvent({ routeKey: "GET /orders", claims: alice, query: { nextToken: bobsPage.nextToken } }),
      );

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({ message: "nextToken is invalid", field: "nextToken" });
    });

    for (const token of ["not-base64-json", Buffer.from('{"OrderId":1}').toString("base64url")]) {
      it(`answers 400 naming nextToken for a forged token ${token}`, async () => {
        const result = await system.api.listOrders(
          apiEvent({ routeKey: "GET /orders", claims: alice, query: { nextToken: token } }),
        );

        expect(result.statusCode).to.equal(400);
        expect(bodyOf(result)).to.include({ field: "nextToken" });
      });
    }
  });

  describe("GET /orders/{id}", () => {
    it("returns the order to its owner and to an admin, with numbers as JSON numbers", async () => {
      const order = await placed(alice);

      for (const claims of [alice, admin]) {
        const result = await system.api.getOrder(orderEvent("GET /orders/{id}", claims, order.OrderId));
        expect(result.statusCode).to.equal(200);
        expect(result.body).to.include('"quantity":2');
        expect(bodyOf(result)).to.deep.equal({
          ...order,
          timeline: [{ at: order.createdAt, by: "alice", event: "placed" }],
        });
      }
    });

    it("answers 404 to anyone else, exactly as for an order that does not exist", async () => {
      const order = await placed(alice);

      const foreign = await system.api.getOrder(orderEvent("GET /orders/{id}", bob, order.OrderId));
      const unknown = await system.api.getOrder(
        orderEvent("GET /orders/{id}", bob, "00000000-0000-4000-8000-999999999999"),
      );
      const malformed = await system.api.getOrder(orderEvent("GET /orders/{id}", bob, "not-an-id"));

      for (const result of [foreign, unknown, malformed]) {
        expect(result.statusCode).to.equal(404);
        expect(bodyOf(result)).to.deep.equal({ message: "Order not found" });
      }
    });
  });

  describe("DELETE /orders/{id}", () => {
    const del = (claims: Record<string, string>, id: string) =>
      system.api.deleteOrder(orderEvent("DELETE /orders/{id}", claims, id));
    const ship = (id: string, body: Record<string, unknown> = {}) =>
      system.api.updateOrderStatus(orderEvent("PATCH /orders/{id}", admin, id, { status: "SHIPPED", ...body }));

    it("cancels a placed order for its owner: 200 with the order, kept CANCELLED, its stock given back", async () => {
      const order = await placed(alice, "Headlight", 3);

      const result = await del(alice, order.OrderId);

      expect(result.statusCode).to.equal(200);
      const cancelled = { ...order, status: "CANCELLED", updatedAt: "2026-11-27T10:00:02.000Z" };
      expect(bodyOf(result)).to.deep.equal(cancelled);
      expect(await system.orders.get(order.OrderId)).to.deep.equal(cancelled);
      expect(await system.stockOf("Headlight")).to.deep.include({ quantity: 4 });
    });

    it("answers a second DELETE with the cancelled order as it is, giving nothing back twice", async () => {
      const order = await placed(alice, "Headlight", 3);
      const first = await del(alice, order.OrderId);

      const second = await del(alice, order.OrderId);

      expect(second.statusCode).to.equal(200);
      expect(bodyOf(second)).to.deep.equal(bodyOf(first));
      expect(await system.stockOf("Headlight")).to.deep.include({ quantity: 4 });
    });

    it("cancels for an admin the same way: nobody removes an order", async () => {
      const order = await placed(alice, "Headlight", 3);

      const result = await del(admin, order.OrderId);

      expect(result.statusCode).to.equal(200);
      expect(await system.orders.get(order.OrderId)).to.deep.include({ status: "CANCELLED" });
      expect(await system.stockOf("Headlight")).to.deep.include({ quantity: 4 });
    });

    for (const [status, moves] of [
      ["SHIPPED", ["SHIPPED"]],
      ["DELIVERED", ["SHIPPED", "DELIVERED"]],
    ] as const) {
      for (const [who, claims] of [
        ["its owner", alice],
        ["an admin", admin],
      ] as const) {
        it(`refuses to cancel a ${status} order for ${who} with 409 saying why, and keeps it and the stock`, async () => {
          const order = await placed(alice, "Headlight", 3);
          for (const to of moves) {
            await system.api.updateOrderStatus(orderEvent("PATCH /orders/{id}", admin, order.OrderId, { status: to }));
          }
          const before = await system.orders.get(order.OrderId);

          const result = await del(claims, order.OrderId);

          expect(result.statusCode).to.equal(409);
          expect(bodyOf(result)).to.deep.equal({
            message: `The order is ${status}: its units have left, so it can no longer be cancelled or deleted`,
            status,
            requested: "CANCELLED",
          });
          expect(await system.orders.get(order.OrderId)).to.deep.equal(before);
          expect(await system.stockOf("Headlight")).to.deep.include({ quantity: 1 });
        });
      }
    }

    it("refuses someone else's order with 404 and keeps it", async () => {
      const order = await placed(alice);

      const result = await del(bob, order.OrderId);

      expect(result.statusCode).to.equal(404);
      expect(await system.orders.get(order.OrderId)).to.deep.equal(order);
    });

    it("keeps a shipped order's carrier and tracking number when refusing it", async () => {
      const order = await placed(alice);
      await ship(order.OrderId, { carrier: "DHL", trackingNumber: "1Z999" });

      await del(alice, order.OrderId);

      expect(await system.orders.get(order.OrderId)).to.deep.include({ carrier: "DHL", trackingNumber: "1Z999" });
    });
  });

  describe("shipping with a carrier and tracking number", () => {
    const patch = (id: string, body: Record<string, unknown>) =>
      system.api.updateOrderStatus(orderEvent("PATCH /orders/{id}", admin, id, body));

    it("stores them on the order and shows them in the answer and the order", async () => {
      const order = await placed(alice);

      const result = await patch(order.OrderId, {
        status: "shipped",
        carrier: "DHL Express",
        trackingNumber: "JD0146",
      });

      expect(result.statusCode).to.equal(200);
      const shipped = {
        ...order,
        status: "SHIPPED",
        updatedAt: "2026-11-27T10:00:02.000Z",
        carrier: "DHL Express",
        trackingNumber: "JD0146",
      };
      expect(bodyOf(result)).to.deep.equal({ ...shipped, message: STATUS_UPDATED_MESSAGE });
      const read = await system.api.getOrder(orderEvent("GET /orders/{id}", alice, order.OrderId));
      expect(bodyOf(read)).to.deep.equal({
        ...shipped,
        timeline: [
          { at: order.createdAt, by: "alice", event: "placed" },
          {
            at: "2026-11-27T10:00:02.000Z",
            by: "root",
            event: "statusChanged",
            from: "PLACED",
            to: "SHIPPED",
            carrier: "DHL Express",
            trackingNumber: "JD0146",
          },
        ],
      });
    });

    it("takes them through the original API's PUT /orders too", async () => {
      const order = await placed(alice);

      const result = await system.api.updateOrderStatus(
        apiEvent({
          routeKey: "PUT /orders",
          claims: admin,
          body: JSON.stringify({
            orderId: order.OrderId,
            userId: "alice",
            status: "shipped",
            carrier: "UPS",
            trackingNumber: "1Z999",
          }),
        }),
      );

      expect(result.statusCode).to.equal(200);
      expect(await system.orders.get(order.OrderId)).to.deep.include({ carrier: "UPS", trackingNumber: "1Z999" });
    });

    it("keeps them once the order is delivered", async () => {
      const order = await placed(alice);
      await patch(order.OrderId, { status: "SHIPPED", carrier: "UPS", trackingNumber: "1Z999" });

      const result = await patch(order.OrderId, { status: "DELIVERED" });

      expect(bodyOf(result)).to.deep.include({ status: "DELIVERED", carrier: "UPS", trackingNumber: "1Z999" });
    });

    const refused: [string, Record<string, unknown>, string][] = [
      ["with another status", { status: "CANCELLED", carrier: "UPS", trackingNumber: "1Z999" }, "carrier"],
      ["without its tracking number", { status: "SHIPPED", carrier: "UPS" }, "trackingNumber"],
      ["with an empty carrier", { status: "SHIPPED", carrier: " ", trackingNumber: "1Z999" }, "carrier"],
    ];
    for (const [what, body, field] of refused) {
      it(`refuses a shipment ${what} with 400 naming ${field}, and changes nothing`, async () => {
        const order = await placed(alice);

        const result = await patch(order.OrderId, body);

        expect(result.statusCode).to.equal(400);
        expect(bodyOf(result)).to.have.property("field", field);
        expect(await system.orders.get(order.OrderId)).to.deep.equal(order);
      });
    }
  });

  describe("PATCH /orders/{id}", () => {
    it("lets an admin ship an order, saying that the owner will be e-mailed (by the change's event)", async () => {
      const order = await placed(alice);
      await placed(bob);

      const result = await system.api.updateOrderStatus(
        orderEvent("PATCH /orders/{id}", admin, order.OrderId, { status: "shipped" }),
      );

      expect(result.statusCode).to.equal(200);
      expect(bodyOf(result)).to.deep.equal({
        ...order,
        status: "SHIPPED",
        updatedAt: "2026-11-27T10:00:03.000Z",
        message: STATUS_UPDATED_MESSAGE,
      });
      expect(await system.orders.get(order.OrderId)).to.include({ status: "SHIPPED" });
    });

    it("refuses anyone but an admin with 403", async () => {
      const order = await placed(alice);

      const result = await system.api.updateOrderStatus(
        orderEvent("PATCH /orders/{id}", alice, order.OrderId, { status: "CANCELLED" }),
      );

      expect(result.statusCode).to.equal(403);
      expect(bodyOf(result)).to.deep.equal({ message: "Forbidden" });
    });

    it("answers 409 for a change the status machine refuses, and changes nothing", async () => {
      const order = await placed(alice);
      await system.api.updateOrderStatus(orderEvent("PATCH /orders/{id}", admin, order.OrderId, { status: "SHIPPED" }));

      const result = await system.api.updateOrderStatus(
        orderEvent("PATCH /orders/{id}", admin, order.OrderId, { status: "PLACED" }),
      );

      expect(result.statusCode).to.equal(409);
      expect(bodyOf(result)).to.deep.equal({
        message: "Cannot change an order from SHIPPED to PLACED",
        status: "SHIPPED",
        requested: "PLACED",
      });
      expect(await system.orders.get(order.OrderId)).to.deep.include({ status: "SHIPPED" });
    });

    it("gives the stock back when an admin cancels a placed order", async () => {
      const order = await placed(alice, "Headlight", 3);

      await system.api.updateOrderStatus(
        orderEvent("PATCH /orders/{id}", admin, order.OrderId, { status: "CANCELLED" }),
      );

      expect(await system.stockOf("Headlight")).to.deep.include({ quantity: 4 });
    });

    it("keeps the original API's PUT /orders working, and answers 404 when userId is not the owner", async () => {
      const order = await placed(alice);
      const legacy = (userId: string) =>
        system.api.updateOrderStatus(
          apiEvent({
            routeKey: "PUT /orders",
            claims: admin,
            body: JSON.stringify({ orderId: order.OrderId, userId, status: "shipped" }),
          }),
        );

      const wrongOwner = await legacy("bob");
      const right = await legacy("alice");

      expect(wrongOwner.statusCode).to.equal(404);
      expect(right.statusCode).to.equal(200);
      expect(bodyOf(right)).to.include({ status: "SHIPPED", message: STATUS_UPDATED_MESSAGE });
    });
  });

  describe("when DynamoDB fails", () => {
    it("logs one JSON line without the token and lets the error escape, so Lambda counts it", async () => {
      const lines: string[] = [];
      const write = process.stderr.write.bind(process.stderr);
      process.stderr.write = ((chunk: string | Uint8Array) =>
        lines.push(String(chunk)) > 0) as typeof process.stderr.write;
      let escaped: unknown;
      try {
        // Built while stderr is captured: the Powertools logger binds its stream when the handler is made.
        const broken = makeGetOrder({
          orders: dynamoOrderRepository(system.client, {
            orders: "no-such-table",
            inventory: "no-such-table",
            reservations: "no-such-table",
            orderLines: "no-such-table",
            orderTimeline: "no-such-table",
          }),
        });
        const context = lambdaContext({
          functionName: "get-order",
          memoryMb: 256,
          timeoutSeconds: 10,
          region: "us-east-1",
          accountId: "000000000000",
        });
        await broken(orderEvent("GET /orders/{id}", alice, "00000000-0000-4000-8000-000000000001"), context);
      } catch (error) {
        escaped = error;
      } finally {
        process.stderr.write = write;
      }

      expect(escaped).to.have.property("name", "ResourceNotFoundException");
      expect(lines).to.have.length(1);
      const logged = JSON.parse(lines[0] ?? "{}") as Record<string, unknown>;
      expect(logged).to.include({
        level: "ERROR",
        message: "Unhandled error",
        routeKey: "GET /orders/{id}",
        userId: "alice",
      });
      expect(logged).to.have.nested.property("error.name", "ResourceNotFoundException");
      expect(lines[0]).not.to.include("alice@example.com");
    });
  });
});
