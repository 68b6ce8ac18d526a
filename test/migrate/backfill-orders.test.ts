import { type DynamoDBDocumentClient, PutCommand, ScanCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "chai";
import type { Order } from "../../domain/order";
import type { OrderStatus } from "../../domain/order-status";
import type { OrderRepository } from "../../domain/ports";
import type { TimelineEntry } from "../../domain/timeline";
import { dynamoInventoryRepository } from "../../handlers/adapters/dynamo-inventory-repository";
import { dynamoOrderRepository } from "../../handlers/adapters/dynamo-order-repository";
import { type BackfillSummary, backfillOrders, renderBackfill } from "../../migrate/backfill-orders";
import { orderIndexKeys } from "../../storage/tables";
import { documentClient, freshStockTables } from "../support/dynamodb";

const PAGE = { limit: 100 };
const CHANGED_AT = new Date("2026-11-27T11:00:00.000Z");

/** An order as the OMS before lines stored it: one product and its quantity, and `kind`, the key of its `newest` index. */
function legacyOrder(OrderId: string, fields: { product: string; quantity: number; status: OrderStatus; day: string }) {
  return {
    OrderId,
    ownerId: "alice",
    customerName: "Alice",
    product: fields.product,
    quantity: fields.quantity,
    status: fields.status,
    createdAt: `${fields.day}T10:00:00.000Z`,
    kind: "ORDER",
  };
}

// Ids in different shards (their first hex digit), as real orders are.
const headlights = legacyOrder("1a000000-0000-4000-8000-000000000001", {
  product: "Headlight",
  quantity: 2,
  status: "PLACED",
  day: "2026-10-01",
});
const wiper = legacyOrder("6b000000-0000-4000-8000-000000000002", {
  product: "Wiper",
  quantity: 1,
  status: "SHIPPED",
  day: "2026-10-02",
});
const cancelled = legacyOrder("c3000000-0000-4000-8000-000000000003", {
  product: "Headlight",
  quantity: 5,
  status: "CANCELLED",
  day: "2026-10-03",
});

/** An order this OMS placed, with lines: already what the backfill makes of the others. */
const placedByThisOms: Order = {
  OrderId: "f4000000-0000-4000-8000-000000000004",
  ownerId: "bob",
  customerName: "Bob",
  items: [
    { product: "Headlight", quantity: 1 },
    { product: "Wiper", quantity: 2 },
  ],
  status: "PLACED",
  createdAt: "2026-11-01T10:00:00.000Z",
};

const placedEntry = (order: { createdAt: string; ownerId: string }): TimelineEntry => ({
  at: order.createdAt,
  by: order.ownerId,
  event: "placed",
});

describe("backfillOrders on DynamoDB Local", function () {
  this.timeout(60_000);
  let client: DynamoDBDocumentClient;
  let tables: Awaited<ReturnType<typeof freshStockTables>>;
  let orders: OrderRepository;

  beforeEach(async () => {
    client = await documentClient();
    tables = await freshStockTables();
    orders = dynamoOrderRepository(client, tables);
  });

  const store = async (...items: Record<string, unknown>[]) => {
    for (const Item of items) await client.send(new PutCommand({ TableName: tables.orders, Item }));
  };
  const scan = async (table: string) => (await client.send(new ScanCommand({ TableName: table }))).Items ?? [];
  const snapshot = async () => ({
    orders: await scan(tables.orders),
    orderLines: await scan(tables.orderLines),
    orderTimeline: await scan(tables.orderTimeline),
  });
  const ids = async (selection: Parameters<OrderRepository["search"]>[0]) =>
    (await orders.search(selection, PAGE)).items.map((order) => order.OrderId);

  it("makes orders stored before lines visible to the admin's list and searches, each with its placed entry", async () => {
    await store(headlights, wiper, cancelled);
    const inventory = dynamoInventoryRepository(client, tables);
    await inventory.setStock("Headlight", { quantity: 10 }, CHANGED_AT);
    await inventory.setStock("Wiper", { quantity: 10 }, CHANGED_AT);
    await inventory.reserve(placedByThisOms.OrderId, placedByThisOms.items, CHANGED_AT);
    await orders.createReserved(placedByThisOms);

    const summary = await backfillOrders(client, tables);

    expect(summary).to.deep.equal({ scanned: 4, migrated: 3, current: 1, unmigrated: [] });
    expect(await ids({ by: "all" })).to.deep.equal([
      placedByThisOms.OrderId,
      cancelled.OrderId,
      wiper.OrderId,
      headlights.OrderId,
    ]);
    expect(await ids({ by: "status", status: "PLACED" })).to.deep.equal([placedByThisOms.OrderId, headlights.OrderId]);
    expect(await ids({ by: "status", status: "SHIPPED" })).to.deep.equal([wiper.OrderId]);
    expect(await ids({ by: "product", product: "Headlight" })).to.deep.equal([
      placedByThisOms.OrderId,
      cancelled.OrderId,
      headlights.OrderId,
    ]);
    expect(await ids({ by: "product", product: "Wiper" })).to.deep.equal([placedByThisOms.OrderId, wiper.OrderId]);
    expect(await orders.timeline(headlights.OrderId)).to.deep.equal([placedEntry(headlights)]);
    expect(await orders.timeline(placedByThisOms.OrderId)).to.deep.equal([placedEntry(placedByThisOms)]);
    const { kind: _kind, ...asOrder } = headlights;
    expect(await orders.get(headlights.OrderId)).to.deep.equal({
      ...asOrder,
      items: [{ product: "Headlight", quantity: 2 }],
    });
  });

  it("stores the index keys and lines of a legacy order as this OMS writes them, and keeps its kind", async () => {
    await store(wiper);

    await backfillOrders(client, tables);

    expect(await snapshot()).to.deep.equal({
      orders: [{ ...wiper, items: [{ product: "Wiper", quantity: 1 }], ...orderIndexKeys(wiper) }],
      orderLines: [{ orderId: wiper.OrderId, product: "Wiper", quantity: 1, createdAt: wiper.createdAt }],
      orderTimeline: [{ orderId: wiper.OrderId, entryId: "placed", ...placedEntry(wiper) }],
    });
  });

  it("changes nothing when run again", async () => {
    await store(headlights, wiper, cancelled);
    await backfillOrders(client, tables);
    const once = await snapshot();

    const again = await backfillOrders(client, tables);

    expect(again).to.deep.equal({ scanned: 3, migrated: 0, current: 3, unmigrated: [] });
    expect(await snapshot()).to.deep.equal(once);
  });

  it("goes through the table page by page, telling the counts after each", async () => {
    await store(headlights, wiper, cancelled);
    const pages: number[] = [];

    const summary = await backfillOrders(client, tables, {
      pageSize: 2,
      onPage: (progress) => pages.push(progress.scanned),
    });

    expect(pages).to.deep.equal([2, 3]);
    expect(summary).to.deep.equal({ scanned: 3, migrated: 3, current: 0, unmigrated: [] });
    expect(await ids({ by: "all" })).to.have.length(3);
  });

  it("counts the orders to migrate and writes nothing in a dry run", async () => {
    await store(headlights, wiper);
    const before = await snapshot();

    const summary = await backfillOrders(client, tables, { dryRun: true });

    expect(summary).to.deep.equal({ scanned: 2, migrated: 2, current: 0, unmigrated: [] });
    expect(await snapshot()).to.deep.equal(before);
  });

  it("indexes an order whose status changes between the scan and its write under its new status", async () => {
    await store(headlights);
    // A second client on the same DynamoDB Local: an admin ships the order just before the backfill writes it.
    const racing = await documentClient();
    let shipped: Order | undefined;
    racing.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "TransactWriteItemsCommand" && shipped === undefined) {
          const order = await orders.get(headlights.OrderId);
          shipped = await orders.changeStatus(
            { order: order as Order, to: "SHIPPED", returnStock: false, by: "admin" },
            CHANGED_AT,
          );
        }
        return next(args);
      },
      { step: "initialize", name: "shipMeanwhile" },
    );

    const summary = await backfillOrders(racing, tables);

    expect(shipped?.status).to.equal("SHIPPED");
    expect(summary).to.deep.equal({ scanned: 1, migrated: 1, current: 0, unmigrated: [] });
    expect(await ids({ by: "status", status: "SHIPPED" })).to.deep.equal([headlights.OrderId]);
    expect(await ids({ by: "status", status: "PLACED" })).to.deep.equal([]);
    expect(await ids({ by: "all" })).to.deep.equal([headlights.OrderId]);
    expect(await orders.timeline(headlights.OrderId)).to.deep.equal([
      placedEntry(headlights),
      { at: CHANGED_AT.toISOString(), by: "admin", event: "statusChanged", from: "PLACED", to: "SHIPPED" },
    ]);
  });

  it("re-indexes an order whose index keys are stale without writing its placed entry again", async () => {
    // As after a change of ORDER_INDEX_SHARDS: the order, its lines and its entry are all there.
    const entry = {
      orderId: placedByThisOms.OrderId,
      entryId: "placed",
      ...placedEntry(placedByThisOms),
      note: "kept",
    };
    await store({ ...placedByThisOms, ...orderIndexKeys(placedByThisOms), listShard: "ORDERS#99" });
    await client.send(new PutCommand({ TableName: tables.orderTimeline, Item: entry }));

    const summary = await backfillOrders(client, tables);

    expect(summary).to.deep.equal({ scanned: 1, migrated: 1, current: 0, unmigrated: [] });
    expect(await ids({ by: "all" })).to.deep.equal([placedByThisOms.OrderId]);
    expect(await scan(tables.orderTimeline)).to.deep.equal([entry]);
  });

  it("leaves an order it cannot read as it is, names it, and migrates the others", async () => {
    const { product: _product, ...unreadable } = legacyOrder("2d000000-0000-4000-8000-000000000005", {
      product: "Wiper",
      quantity: 1,
      status: "PLACED",
      day: "2026-10-04",
    });
    await store(unreadable, wiper);

    const summary = await backfillOrders(client, tables);

    expect(summary).to.deep.equal({
      scanned: 2,
      migrated: 1,
      current: 0,
      unmigrated: [
        {
          orderId: unreadable.OrderId,
          reason: `Order ${unreadable.OrderId} is stored with neither items nor product and quantity`,
        },
      ],
    });
    expect((await scan(tables.orders)).find((item) => item["OrderId"] === unreadable.OrderId)).to.deep.equal(
      unreadable,
    );
    expect(await ids({ by: "all" })).to.deep.equal([wiper.OrderId]);
  });
});

describe("renderBackfill", () => {
  const summary: BackfillSummary = { scanned: 12, migrated: 3, current: 8, unmigrated: [] };

  it("prints what was scanned, migrated and already current", () => {
    expect(renderBackfill(summary, false)).to.equal(
      ["Orders scanned:  12", "Migrated:         3", "Already current:  8", ""].join("\n"),
    );
  });

  it("says a dry run wrote nothing, and lists each order not migrated with why", () => {
    const withFailure = { ...summary, unmigrated: [{ orderId: "o-1", reason: "it was deleted while being migrated" }] };

    expect(renderBackfill(withFailure, true)).to.equal(
      [
        "Orders scanned:                        12",
        "To migrate (dry run: nothing written):  3",
        "Already current:                        8",
        "Not migrated:                           1",
        "",
        "Not migrated (each needs a look; running again retries them):",
        "  o-1: it was deleted while being migrated",
        "",
      ].join("\n"),
    );
  });
});
