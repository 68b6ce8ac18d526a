import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "chai";
import { type CheckResult, auditStock, discrepancies } from "../../audit/stock-audit";
import { readStockSnapshot } from "../../audit/table-snapshot";
import type { Order } from "../../domain/order";
import { RESERVATION_LIFETIME_SECONDS, RESERVATION_SWEEP_INTERVAL_SECONDS } from "../../domain/reservation";
import type { ApiResult } from "../../handlers/http";
import { makeSweepReservations } from "../../handlers/sweep-reservations";
import { lambdaContext } from "../../local/lambda-context";
import { apiEvent, claimsFor } from "../support/api-events";
import { type OrderSystem, orderSystem } from "../support/order-system";

const alice = claimsFor("alice");
const admin = claimsFor("root", ["admin"]);

/** The rows of every check that are discrepancies, by check. */
const problems = (results: readonly CheckResult[]) =>
  results.map((result) => result.rows.filter((row) => row["problem"] !== "ok"));

describe("the stock audit, reading the tables of DynamoDB Local", function () {
  this.timeout(60_000);
  let system: OrderSystem;

  beforeEach(async () => {
    system = await orderSystem();
  });

  const audit = async (now = new Date()) => auditStock(await readStockSnapshot(system.client, system.tables), { now });

  async function setStock(itemId: string, quantity: number): Promise<ApiResult> {
    return system.api.setStock(
      apiEvent({
        routeKey: "PUT /inventory/{itemId}",
        pathParameters: { itemId },
        claims: admin,
        body: JSON.stringify({ quantity }),
      }),
    );
  }

  async function place(product: string, quantity: number): Promise<Order> {
    const result = await system.api.placeOrder(
      apiEvent({
        routeKey: "POST /orders",
        claims: alice,
        body: JSON.stringify({ customerName: "A", product, quantity }),
      }),
    );
    expect(result.statusCode).to.equal(201);
    return JSON.parse(result.body ?? "{}") as Order;
  }

  async function moveTo(order: Order, status: string): Promise<void> {
    const result = await system.api.updateOrderStatus(
      apiEvent({
        routeKey: "PATCH /orders/{id}",
        pathParameters: { id: order.OrderId },
        claims: admin,
        body: JSON.stringify({ status }),
      }),
    );
    expect(result.statusCode).to.equal(200);
  }

  /** DELETE cancels a PLACED order (200), answers a cancelled one as it is (200), refuses a shipped one (409). */
  async function remove(order: Order, statusCode = 200): Promise<void> {
    const result = await system.api.deleteOrder(
      apiEvent({ routeKey: "DELETE /orders/{id}", pathParameters: { id: order.OrderId }, claims: alice }),
    );
    expect(result.statusCode).to.equal(statusCode);
  }

  it("finds nothing wrong after orders are placed, cancelled, shipped, deleted and stock is set", async () => {
    await setStock("Headlight", 10);
    const [cancelled, shipped, deletedPlaced, deletedShipped] = [
      await place("Headlight", 1),
      await place("Headlight", 2),
      await place("Headlight", 1),
      await place("Headlight", 3),
    ];
    await place("Headlight", 1);
    await moveTo(cancelled, "CANCELLED");
    await moveTo(shipped, "SHIPPED");
    await moveTo(deletedShipped, "SHIPPED");
    await remove(deletedPlaced);
    await remove(deletedShipped, 409);
    await remove(cancelled);
    await setStock("Headlight", 20);
    await setStock("Headlight", 5);

    const results = await audit();

    expect(problems(results)).to.deep.equal([[], [], []]);
    expect(results[0]?.rows).to.deep.equal([
      // Free stock is what was set last. The shipped orders and the one still placed hold 2 + 3 + 1
      // (a shipped order cannot be deleted); the cancelled ones gave theirs back.
      { itemId: "Headlight", free: 5, committed: 2 + 3 + 1, reserved: 0, sold: 2 + 3 + 1, problem: "ok" },
    ]);
  });

  it("finds a reservation leaked by a dead run once a sweep is overdue, and nothing once it is swept", async () => {
    await setStock("Headlight", 4);
    const reservedAt = new Date(
      Date.now() - (RESERVATION_LIFETIME_SECONDS + 2 * RESERVATION_SWEEP_INTERVAL_SECONDS) * 1000,
    );
    await system.inventory.reserve(
      "00000000-0000-4000-8000-00000000dead",
      [{ product: "Headlight", quantity: 3 }],
      reservedAt,
    );

    const leaked = await audit();
    await makeSweepReservations({ inventory: system.inventory, metrics: system.metrics })(
      {},
      lambdaContext({
        functionName: "sweep-reservations",
        memoryMb: 256,
        timeoutSeconds: 60,
        region: "us-east-1",
        accountId: "0",
      }),
    );
    const swept = await audit();

    expect(problems(leaked).map((rows) => rows.map((row) => row["problem"]))).to.deep.equal([
      [],
      ["past its deadline and not swept"],
      [],
    ]);
    expect(discrepancies(swept)).to.equal(0);
  });

  it("reads every line of an order of several lines, and an order stored before lines as its one line", async () => {
    await setStock("Headlight", 10);
    await setStock("Wiper", 10);
    const placed = await system.api.placeOrder(
      apiEvent({
        routeKey: "POST /orders",
        claims: alice,
        body: JSON.stringify({
          customerName: "A",
          items: [
            { product: "Wiper", quantity: 2 },
            { product: "Headlight", quantity: 3 },
          ],
        }),
      }),
    );
    const lines = JSON.parse(placed.body ?? "{}") as Order;
    const legacyId = "00000000-0000-4000-8000-0000000001d0";
    await system.client.send(
      new PutCommand({
        TableName: system.tables.orders,
        Item: {
          OrderId: legacyId,
          ownerId: "alice",
          customerName: "A",
          product: "Headlight",
          quantity: 1,
          status: "SHIPPED",
          createdAt: "2026-11-01T10:00:00.000Z",
        },
      }),
    );

    const { orders } = await readStockSnapshot(system.client, system.tables);

    expect(placed.statusCode).to.equal(201);
    expect(orders).to.have.deep.members([
      {
        OrderId: lines.OrderId,
        items: [
          { product: "Wiper", quantity: 2 },
          { product: "Headlight", quantity: 3 },
        ],
        status: "PLACED",
      },
      { OrderId: legacyId, items: [{ product: "Headlight", quantity: 1 }], status: "SHIPPED" },
    ]);
  });

  it("finds units taken from stock outside a reservation or an order", async () => {
    await setStock("Headlight", 4);
    // A write that reserves as `reserve` does, with no reservation to hold the unit.
    await system.client.send(
      new UpdateCommand({
        TableName: system.tables.inventory,
        Key: { itemId: "Headlight" },
        UpdateExpression: "SET quantity = quantity - :one ADD committed :one",
        ExpressionAttributeValues: { ":one": 1 },
      }),
    );

    const results = await audit();

    expect(problems(results).map((rows) => rows.map((row) => row["problem"]))).to.deep.equal([
      ["-1 units unaccounted for"],
      [],
      [],
    ]);
  });
});
