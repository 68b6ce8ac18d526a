import { expect } from "chai";
import * as v from "valibot";
import { EVENT_VERSION, OmsEventSchema, type TableChange, eventFromChange } from "../../domain/events";
import type { Order } from "../../domain/order";
import { orderIndexKeys } from "../../storage/tables";

const order: Order = {
  OrderId: "ec6b14fa-d31a-4c83-9fc4-9ee5e62a5c11",
  ownerId: "467ebf83",
  customerName: "Dinesh",
  product: "Headlight",
  quantity: 2,
  items: [{ product: "Headlight", quantity: 2 }],
  status: "PLACED",
  createdAt: "2026-11-27T10:00:00.000Z",
};
/** An order as the table stores it: with the attributes only its indexes need. */
const stored = (o: Order) => ({ ...o, ...orderIndexKeys(o) });
/** An order of several lines, priced, with no one-line `product` and `quantity`. */
const pricedOrder: Order = {
  OrderId: "0b6a4f55-3c8e-4d0e-9a51-6a4de2e8c0f1",
  ownerId: "467ebf83",
  customerName: "Dinesh",
  items: [
    {
      product: "Headlight",
      quantity: 2,
      unitPrice: { amount: 1999, currency: "EUR" },
      lineTotal: { amount: 3998, currency: "EUR" },
    },
    {
      product: "Wiper",
      quantity: 1,
      unitPrice: { amount: 500, currency: "EUR" },
      lineTotal: { amount: 500, currency: "EUR" },
    },
  ],
  total: { amount: 4498, currency: "EUR" },
  status: "PLACED",
  createdAt: "2026-11-27T10:00:00.000Z",
};
/** The same order as OMS stored it before orders had lines: `product` and `quantity` only. */
const { items: _lines, ...storedBeforeLines } = stored(order);
const shipped: Order = { ...order, status: "SHIPPED", updatedAt: "2026-11-27T11:00:00.000Z" };
const shippedWithShipment: Order = { ...shipped, carrier: "DHL Express", trackingNumber: "JD014600006281230418" };
const cancelled: Order = { ...order, status: "CANCELLED", updatedAt: "2026-11-27T11:00:00.000Z" };

const at = "2026-11-27T11:00:00.000Z";
const change = (rest: Omit<TableChange, "id" | "at">): TableChange => ({ id: "change-1", at, ...rest });
const envelope = { id: "change-1", version: EVENT_VERSION, occurredAt: at };

describe("eventFromChange", () => {
  const cases: [string, TableChange, unknown][] = [
    [
      "an order written is placed",
      change({ table: "orders", kind: "INSERT", after: stored(order) }),
      // Stamped with the time the write stamped on the item, not the stream's approximate one.
      { ...envelope, occurredAt: order.createdAt, type: "OrderPlaced", data: { order } },
    ],
    [
      "an order of several lines written is placed, with its priced lines and total",
      change({ table: "orders", kind: "INSERT", after: stored(pricedOrder) }),
      { ...envelope, occurredAt: pricedOrder.createdAt, type: "OrderPlaced", data: { order: pricedOrder } },
    ],
    [
      "an order stored before orders had lines is placed with its product and quantity as its one line",
      change({ table: "orders", kind: "INSERT", after: storedBeforeLines }),
      { ...envelope, occurredAt: order.createdAt, type: "OrderPlaced", data: { order } },
    ],
    [
      "an order whose status differs changed status, from the old to the new",
      change({ table: "orders", kind: "MODIFY", before: stored(order), after: stored(shipped) }),
      { ...envelope, type: "OrderStatusChanged", data: { order: shipped, from: "PLACED", to: "SHIPPED" } },
    ],
    [
      "an order shipped with a carrier and tracking number changed status, the order carrying them",
      change({ table: "orders", kind: "MODIFY", before: stored(order), after: stored(shippedWithShipment) }),
      {
        ...envelope,
        type: "OrderStatusChanged",
        data: { order: shippedWithShipment, from: "PLACED", to: "SHIPPED" },
      },
    ],
    [
      "an order cancelled by its customer's DELETE (it stays) changed status",
      change({ table: "orders", kind: "MODIFY", before: stored(order), after: stored(cancelled) }),
      { ...envelope, type: "OrderStatusChanged", data: { order: cancelled, from: "PLACED", to: "CANCELLED" } },
    ],
    [
      "an order rewritten in the same status makes no event",
      change({ table: "orders", kind: "MODIFY", before: stored(order), after: stored(order) }),
      undefined,
    ],
    [
      "an unshipped order removed is deleted, its stock given back",
      change({ table: "orders", kind: "REMOVE", before: stored(order) }),
      { ...envelope, type: "OrderDeleted", data: { order, stockReturned: true } },
    ],
    [
      "a shipped order removed is deleted, its stock not given back",
      change({ table: "orders", kind: "REMOVE", before: stored(shipped) }),
      { ...envelope, type: "OrderDeleted", data: { order: shipped, stockReturned: false } },
    ],
    [
      "a new item changes stock from 0",
      change({ table: "inventory", kind: "INSERT", after: { itemId: "Headlight", quantity: 4 } }),
      { ...envelope, type: "StockChanged", data: { itemId: "Headlight", from: 0, to: 4 } },
    ],
    [
      "an item whose free units differ changes stock",
      change({
        table: "inventory",
        kind: "MODIFY",
        before: { itemId: "Headlight", quantity: 4 },
        after: { itemId: "Headlight", quantity: 2, reservations: new Set([order.OrderId]) },
      }),
      { ...envelope, type: "StockChanged", data: { itemId: "Headlight", from: 4, to: 2 } },
    ],
    [
      "an item whose reservation is consumed, its free units unchanged, makes no event",
      change({
        table: "inventory",
        kind: "MODIFY",
        before: { itemId: "Headlight", quantity: 2, reservations: new Set([order.OrderId]) },
        after: { itemId: "Headlight", quantity: 2 },
      }),
      undefined,
    ],
    [
      "a new item with no stock makes no event",
      change({ table: "inventory", kind: "INSERT", after: { itemId: "Headlight", quantity: 0 } }),
      undefined,
    ],
    [
      "an item removed makes no event",
      change({ table: "inventory", kind: "REMOVE", before: { itemId: "Headlight", quantity: 4 } }),
      undefined,
    ],
  ];

  for (const [what, input, expected] of cases) {
    it(`says ${what}`, () => {
      const event = eventFromChange(input);

      expect(event).to.deep.equal(expected);
      if (event) expect(v.is(OmsEventSchema, event), "a valid event").to.equal(true);
    });
  }

  it("gives a change delivered again the same event, id included", () => {
    const input = change({ table: "orders", kind: "INSERT", after: stored(order) });

    expect(eventFromChange({ ...input })).to.deep.equal(eventFromChange(input));
  });

  it("refuses a stored item that is not valid, naming the change and the table", () => {
    const input = change({ table: "orders", kind: "INSERT", after: { ...stored(order), quantity: "two" } });

    expect(() => eventFromChange(input)).to.throw(
      Error,
      /^Change change-1 on orders holds an item that is not valid: /,
    );
  });
});
