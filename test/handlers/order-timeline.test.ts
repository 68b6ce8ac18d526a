import { expect } from "chai";
import type { Order } from "../../domain/order";
import { SYSTEM_ACTOR, type TimelineEntry, TimelineEvent } from "../../domain/timeline";
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
const admin = claimsFor("root", ["admin"]);

type OrderWithTimeline = Order & { timeline: TimelineEntry[] };

describe("order timelines on DynamoDB Local", function () {
  this.timeout(60_000);
  let system: OrderSystem;
  let clock: SteppingClock;
  const initial = { Headlight: 10, Wiper: 6 };
  const lines = [
    { product: "Headlight", quantity: 3 },
    { product: "Wiper", quantity: 2 },
  ];

  beforeEach(async () => {
    clock = steppingClock();
    system = await orderSystem({ newId: sequentialIds(), now: clock.now });
    for (const [item, units] of Object.entries(initial))
      await system.inventory.setStock(item, { quantity: units }, new Date());
  });

  async function placed(): Promise<Order> {
    const result = await system.api.placeOrder(
      apiEvent({
        routeKey: "POST /orders",
        claims: alice,
        body: JSON.stringify({ customerName: "Alice", items: lines }),
      }),
    );
    expect(result.statusCode, result.body).to.equal(201);
    return bodyOf<Order>(result);
  }

  async function patch(id: string, body: Record<string, unknown>): Promise<Order> {
    const result = await system.api.updateOrderStatus(orderEvent("PATCH /orders/{id}", admin, id, body));
    expect(result.statusCode, result.body).to.equal(200);
    return bodyOf<Order>(result);
  }

  async function timelineOf(id: string, claims = alice): Promise<TimelineEntry[]> {
    const result = await system.api.getOrder(orderEvent("GET /orders/{id}", claims, id));
    expect(result.statusCode, result.body).to.equal(200);
    return bodyOf<OrderWithTimeline>(result).timeline;
  }

  async function freeUnits(itemId: string): Promise<number> {
    return (await system.stockOf(itemId))?.["quantity"] as number;
  }

  const placedEntry = (order: Order): TimelineEntry => ({
    at: order.createdAt,
    by: "alice",
    event: TimelineEvent.Placed,
  });

  it("answers GET /orders/{id} with the order and its timeline: placed, by the owner, when it was created", async () => {
    const order = await placed();

    for (const claims of [alice, admin]) {
      const result = await system.api.getOrder(orderEvent("GET /orders/{id}", claims, order.OrderId));

      expect(result.statusCode).to.equal(200);
      expect(bodyOf(result)).to.deep.equal({ ...order, timeline: [placedEntry(order)] });
    }
  });

  it("shows nobody else the order or its timeline (404)", async () => {
    const order = await placed();

    const result = await system.api.getOrder(orderEvent("GET /orders/{id}", bob, order.OrderId));

    expect(result.statusCode).to.equal(404);
    expect(bodyOf(result)).to.deep.equal({ message: "Order not found" });
  });

  it("records each status change by the admin, oldest first, with the note and the shipment", async () => {
    const order = await placed();

    const shipped = await patch(order.OrderId, {
      status: "SHIPPED",
      note: "Left the warehouse",
      carrier: "DHL",
      trackingNumber: "JD0146",
    });
    const delivered = await patch(order.OrderId, { status: "DELIVERED" });

    expect(await timelineOf(order.OrderId)).to.deep.equal([
      placedEntry(order),
      {
        at: shipped.updatedAt,
        by: "root",
        event: TimelineEvent.StatusChanged,
        from: "PLACED",
        to: "SHIPPED",
        note: "Left the warehouse",
        carrier: "DHL",
        trackingNumber: "JD0146",
      },
      { at: delivered.updatedAt, by: "root", event: TimelineEvent.StatusChanged, from: "SHIPPED", to: "DELIVERED" },
    ]);
  });

  it("records an admin's cancel as statusChanged and stockReturned by the admin, every line given back", async () => {
    const order = await placed();

    const cancelled = await patch(order.OrderId, { status: "CANCELLED", note: "Customer called" });

    expect(await timelineOf(order.OrderId)).to.deep.equal([
      placedEntry(order),
      {
        at: cancelled.updatedAt,
        by: "root",
        event: TimelineEvent.StatusChanged,
        from: "PLACED",
        to: "CANCELLED",
        note: "Customer called",
      },
      { at: cancelled.updatedAt, by: "root", event: TimelineEvent.StockReturned, lines },
    ]);
    for (const [item, units] of Object.entries(initial)) expect(await freeUnits(item), item).to.equal(units);
  });

  for (const [who, claims, by] of [
    ["the customer", alice, "alice"],
    ["an admin", admin, "root"],
  ] as const) {
    it(`records a DELETE by ${who} as statusChanged and stockReturned by ${who}`, async () => {
      const order = await placed();

      const result = await system.api.deleteOrder(orderEvent("DELETE /orders/{id}", claims, order.OrderId));

      expect(result.statusCode).to.equal(200);
      const cancelled = bodyOf<Order>(result);
      expect(await timelineOf(order.OrderId)).to.deep.equal([
        placedEntry(order),
        { at: cancelled.updatedAt, by, event: TimelineEvent.StatusChanged, from: "PLACED", to: "CANCELLED" },
        { at: cancelled.updatedAt, by, event: TimelineEvent.StockReturned, lines },
      ]);
      for (const [item, units] of Object.entries(initial)) expect(await freeUnits(item), item).to.equal(units);
    });
  }

  it("records one cancel, and gives the stock back once, when the customer and an admin cancel at the same time", async () => {
    const order = await placed();

    const answers = await Promise.all([
      system.api.deleteOrder(orderEvent("DELETE /orders/{id}", alice, order.OrderId)),
      system.api.updateOrderStatus(orderEvent("PATCH /orders/{id}", admin, order.OrderId, { status: "CANCELLED" })),
    ]);

    expect(answers.map((answer) => answer.statusCode)).to.satisfy((codes: number[]) =>
      codes.every((code) => code === 200 || code === 409),
    );
    const timeline = await timelineOf(order.OrderId);
    expect(timeline.map((entry) => entry.event)).to.deep.equal([
      TimelineEvent.Placed,
      TimelineEvent.StatusChanged,
      TimelineEvent.StockReturned,
    ]);
    const [, changed, returned] = timeline;
    expect(returned?.by).to.equal(changed?.by);
    for (const [item, units] of Object.entries(initial)) expect(await freeUnits(item), item).to.equal(units);
  });

  it("records the original API's PUT /orders like a PATCH", async () => {
    const order = await placed();

    const result = await system.api.updateOrderStatus(
      apiEvent({
        routeKey: "PUT /orders",
        claims: admin,
        body: JSON.stringify({ orderId: order.OrderId, userId: "alice", status: "shipped", note: "Express" }),
      }),
    );

    expect(result.statusCode).to.equal(200);
    expect((await timelineOf(order.OrderId)).at(-1)).to.deep.equal({
      at: bodyOf<Order>(result).updatedAt,
      by: "root",
      event: TimelineEvent.StatusChanged,
      from: "PLACED",
      to: "SHIPPED",
      note: "Express",
    });
  });

  it("records nothing for a refused change, nor for a DELETE of an order already cancelled", async () => {
    const order = await placed();
    await system.api.deleteOrder(orderEvent("DELETE /orders/{id}", alice, order.OrderId));
    const before = await timelineOf(order.OrderId);

    const refused = await system.api.updateOrderStatus(
      orderEvent("PATCH /orders/{id}", admin, order.OrderId, { status: "SHIPPED" }),
    );
    const again = await system.api.deleteOrder(orderEvent("DELETE /orders/{id}", alice, order.OrderId));

    expect(refused.statusCode).to.equal(409);
    expect(again.statusCode).to.equal(200);
    expect(await timelineOf(order.OrderId)).to.deep.equal(before);
  });

  it("records no stockReturned for a refused DELETE of a shipped order", async () => {
    const order = await placed();
    await patch(order.OrderId, { status: "SHIPPED" });
    const before = await timelineOf(order.OrderId);

    const result = await system.api.deleteOrder(orderEvent("DELETE /orders/{id}", alice, order.OrderId));

    expect(result.statusCode).to.equal(409);
    expect(await timelineOf(order.OrderId)).to.deep.equal(before);
  });

  it("shows the mailer's entries by system among the others, in time order, each recorded once", async () => {
    const order = await placed();
    const mailed: TimelineEntry = {
      at: new Date(Date.parse(order.createdAt) + 500).toISOString(),
      by: SYSTEM_ACTOR,
      event: TimelineEvent.MailSent,
      subject: "Your order",
    };
    const shipped = await patch(order.OrderId, { status: "SHIPPED" });

    await system.orders.record(order.OrderId, "event-1", mailed);
    await system.orders.record(order.OrderId, "event-1", mailed);

    expect(await timelineOf(order.OrderId)).to.deep.equal([
      placedEntry(order),
      mailed,
      { at: shipped.updatedAt, by: "root", event: TimelineEvent.StatusChanged, from: "PLACED", to: "SHIPPED" },
    ]);
  });
});
