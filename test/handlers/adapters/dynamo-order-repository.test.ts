import { type DynamoDBDocumentClient, GetCommand, QueryCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "chai";
import type { Money } from "../../../domain/money";
import type { Order } from "../../../domain/order";
import type { InventoryRepository, OrderRepository } from "../../../domain/ports";
import { ReservationExpiredError } from "../../../domain/reservation";
import type { TimelineEntry } from "../../../domain/timeline";
import { dynamoInventoryRepository } from "../../../handlers/adapters/dynamo-inventory-repository";
import { dynamoOrderRepository } from "../../../handlers/adapters/dynamo-order-repository";
import { orderIndexKeys } from "../../../storage/tables";
import { documentClient, freshStockTables } from "../../support/dynamodb";

const PLACED_AT = new Date("2026-11-27T10:00:00.000Z");
const CHANGED_AT = new Date("2026-11-27T11:00:00.000Z");
const EUR = (amount: number): Money => ({ amount, currency: "EUR" });

/** An order of two lines, priced as `CreateOrder` hands it over. */
const order: Order = {
  OrderId: "00000000-0000-4000-8000-000000000001",
  ownerId: "alice",
  customerName: "Alice",
  items: [
    { product: "Headlight", quantity: 2, unitPrice: EUR(4999), lineTotal: EUR(9998) },
    { product: "Wiper", quantity: 3, unitPrice: EUR(1250), lineTotal: EUR(3750) },
  ],
  total: EUR(13748),
  status: "PLACED",
  createdAt: PLACED_AT.toISOString(),
};

const placed: TimelineEntry = { at: PLACED_AT.toISOString(), by: "alice", event: "placed" };

describe("dynamoOrderRepository on DynamoDB Local", function () {
  this.timeout(60_000);
  let client: DynamoDBDocumentClient;
  let tables: Awaited<ReturnType<typeof freshStockTables>>;
  let inventory: InventoryRepository;
  let orders: OrderRepository;

  beforeEach(async () => {
    client = await documentClient();
    tables = await freshStockTables();
    inventory = dynamoInventoryRepository(client, tables);
    orders = dynamoOrderRepository(client, tables);
    await inventory.setStock("Headlight", { quantity: 10 }, PLACED_AT);
    await inventory.setStock("Wiper", { quantity: 10 }, PLACED_AT);
  });

  const scan = async (table: string) => (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
  const books = async (itemId: string) => {
    const { Item } = await client.send(new GetCommand({ TableName: tables.inventory, Key: { itemId } }));
    return { quantity: Item?.["quantity"], committed: Item?.["committed"] };
  };
  /** The timeline's items as stored, keys included. */
  const timelineItems = async (orderId: string) =>
    (
      await client.send(
        new QueryCommand({
          TableName: tables.orderTimeline,
          KeyConditionExpression: "orderId = :orderId",
          ExpressionAttributeValues: { ":orderId": orderId },
        }),
      )
    ).Items ?? [];

  async function reserveAndCreate(): Promise<void> {
    await inventory.reserve(order.OrderId, order.items, PLACED_AT);
    await orders.createReserved(order);
  }

  describe("createReserved", () => {
    it("writes the order with its index keys, a line item per line, and its placed entry, and consumes its reservations", async () => {
      await reserveAndCreate();

      expect(await scan(tables.orders)).to.deep.equal([{ ...order, ...orderIndexKeys(order) }]);
      expect(
        (await scan(tables.orderLines)).sort((a, b) => String(a["product"]).localeCompare(String(b["product"]))),
      ).to.deep.equal([
        { orderId: order.OrderId, product: "Headlight", quantity: 2, createdAt: order.createdAt },
        { orderId: order.OrderId, product: "Wiper", quantity: 3, createdAt: order.createdAt },
      ]);
      expect(await orders.timeline(order.OrderId)).to.deep.equal([placed]);
      expect(await scan(tables.reservations)).to.deep.equal([]);
      expect(await orders.get(order.OrderId)).to.deep.equal(order);
    });

    it("writes nothing at all when one line's reservation was given back: no order, no line, no entry", async () => {
      await inventory.reserve(order.OrderId, order.items, PLACED_AT);
      // The sweeper (or ReleaseStock) gave the second line back; the first is still held.
      await inventory.release(order.OrderId, "Wiper", 3, CHANGED_AT);

      const error = await orders.createReserved(order).catch((e: unknown) => e);

      expect(error).to.be.instanceOf(ReservationExpiredError);
      expect(await scan(tables.orders)).to.deep.equal([]);
      expect(await scan(tables.orderLines)).to.deep.equal([]);
      expect(await scan(tables.orderTimeline)).to.deep.equal([]);
      expect((await scan(tables.reservations)).map((reservation) => reservation["itemId"])).to.deep.equal([
        "Headlight",
      ]);
    });

    it("changes nothing when done again for the same order", async () => {
      await reserveAndCreate();

      await orders.createReserved(order);

      expect(await scan(tables.orders)).to.have.length(1);
      expect(await scan(tables.orderLines)).to.have.length(2);
      expect(await orders.timeline(order.OrderId)).to.deep.equal([placed]);
    });
  });

  describe("changeStatus", () => {
    beforeEach(reserveAndCreate);

    it("records the change with who asked, the note and the shipment, and stores the shipment on the order", async () => {
      const shipment = { carrier: "DHL Express", trackingNumber: "JD014600006281230418" };

      const changed = await orders.changeStatus(
        { order, to: "SHIPPED", returnStock: false, shipment, by: "root", note: "Left the warehouse" },
        CHANGED_AT,
      );

      const shipped: Order = { ...order, status: "SHIPPED", updatedAt: CHANGED_AT.toISOString(), ...shipment };
      expect(changed).to.deep.equal(shipped);
      expect(await orders.get(order.OrderId)).to.deep.equal(shipped);
      expect(await orders.timeline(order.OrderId)).to.deep.equal([
        placed,
        {
          at: CHANGED_AT.toISOString(),
          by: "root",
          event: "statusChanged",
          from: "PLACED",
          to: "SHIPPED",
          note: "Left the warehouse",
          ...shipment,
        },
      ]);
      // The admin's index of orders by status finds it in its new status.
      expect(await scan(tables.orders)).to.deep.include.members([{ ...shipped, ...orderIndexKeys(shipped) }]);
      expect(await books("Headlight")).to.deep.equal({ quantity: 8, committed: 2 });
    });

    it("records a change with no note or shipment as just that", async () => {
      await orders.changeStatus({ order, to: "SHIPPED", returnStock: false, by: "root" }, CHANGED_AT);

      expect((await orders.timeline(order.OrderId))[1]).to.deep.equal({
        at: CHANGED_AT.toISOString(),
        by: "root",
        event: "statusChanged",
        from: "PLACED",
        to: "SHIPPED",
      });
    });

    it("gives every line's units back with the change, and records both, the units line by line", async () => {
      await orders.changeStatus(
        { order, to: "CANCELLED", returnStock: true, by: "alice", note: "Ordered twice" },
        CHANGED_AT,
      );

      expect(await orders.timeline(order.OrderId)).to.deep.equal([
        placed,
        {
          at: CHANGED_AT.toISOString(),
          by: "alice",
          event: "statusChanged",
          from: "PLACED",
          to: "CANCELLED",
          note: "Ordered twice",
        },
        {
          at: CHANGED_AT.toISOString(),
          by: "alice",
          event: "stockReturned",
          lines: [
            { product: "Headlight", quantity: 2 },
            { product: "Wiper", quantity: 3 },
          ],
        },
      ]);
      expect(await books("Headlight")).to.deep.equal({ quantity: 10, committed: 0 });
      expect(await books("Wiper")).to.deep.equal({ quantity: 10, committed: 0 });
    });

    it("changes nothing and records nothing when the order left the status it was read in", async () => {
      await orders.changeStatus({ order, to: "SHIPPED", returnStock: false, by: "root" }, CHANGED_AT);

      const stale = await orders.changeStatus(
        { order, to: "CANCELLED", returnStock: true, by: "alice" },
        new Date(CHANGED_AT.getTime() + 1000),
      );

      expect(stale).to.equal(undefined);
      expect((await orders.get(order.OrderId))?.status).to.equal("SHIPPED");
      expect((await orders.timeline(order.OrderId)).map((entry) => entry.event)).to.deep.equal([
        "placed",
        "statusChanged",
      ]);
      expect(await books("Headlight")).to.deep.equal({ quantity: 8, committed: 2 });
    });
  });

  describe("record", () => {
    const mailed: TimelineEntry = {
      at: CHANGED_AT.toISOString(),
      by: "system",
      event: "mailSent",
      subject: "Your order is placed",
    };

    it("adds the entry once however often it is recorded under the same key", async () => {
      await reserveAndCreate();

      await orders.record(order.OrderId, "event-1", mailed);
      await orders.record(order.OrderId, "event-1", { ...mailed, subject: "A redelivery" });

      expect(await orders.timeline(order.OrderId)).to.deep.equal([placed, mailed]);
      expect(await timelineItems(order.OrderId)).to.have.length(2);
    });

    it("adds entries recorded under different keys, each in its place, oldest first", async () => {
      await reserveAndCreate();
      const earlier: TimelineEntry = { ...mailed, at: new Date(CHANGED_AT.getTime() - 1000).toISOString() };

      await orders.record(order.OrderId, "event-2", mailed);
      await orders.record(order.OrderId, "event-1", earlier);

      expect(await orders.timeline(order.OrderId)).to.deep.equal([placed, earlier, mailed]);
    });
  });
});
