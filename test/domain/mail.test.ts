import { expect } from "chai";
import { EVENT_TYPES, EVENT_VERSION, EventType, type OmsEvent } from "../../domain/events";
import {
  CUSTOMER_MAIL_EVENT_TYPES,
  type CustomerMailEvent,
  STOP_ORDER_MAIL,
  isCustomerMailEvent,
  mailRecipientId,
  orderMail,
} from "../../domain/mail";
import type { Money } from "../../domain/money";
import type { Order, OrderLine } from "../../domain/order";

const order: Order = {
  OrderId: "ec6b14fa-d31a-4c83-9fc4-9ee5e62a5c11",
  ownerId: "467ebf83",
  customerName: "Kamlesh",
  product: "Headlight",
  quantity: 2,
  items: [{ product: "Headlight", quantity: 2 }],
  status: "PLACED",
  createdAt: "2026-11-27T10:00:00.000Z",
};
const shipped: Order = { ...order, status: "SHIPPED", updatedAt: "2026-11-27T11:00:00.000Z" };
const envelope = { id: "change-1", version: EVENT_VERSION, occurredAt: "2026-11-27T11:00:00.000Z" } as const;
const dinesh = { name: "Dinesh", email: "dinesh@example.com" };

describe("order mail", () => {
  const cases: [string, CustomerMailEvent, { subject: string; lines: string[] }][] = [
    [
      "an order placed",
      { ...envelope, type: EventType.OrderPlaced, data: { order } },
      {
        subject: `Your order ${order.OrderId} is placed`,
        lines: [`Hello Dinesh, your order ${order.OrderId} is placed.`, `Status: PLACED`],
      },
    ],
    [
      "a status change, from the old status to the new",
      { ...envelope, type: EventType.OrderStatusChanged, data: { order: shipped, from: "PLACED", to: "SHIPPED" } },
      {
        subject: `Your order ${order.OrderId} is SHIPPED`,
        lines: [`Hello Dinesh, your order ${order.OrderId} has moved from PLACED to SHIPPED.`, `Status: SHIPPED`],
      },
    ],
    [
      "an unshipped order deleted",
      { ...envelope, type: EventType.OrderDeleted, data: { order, stockReturned: true } },
      {
        subject: `Your order ${order.OrderId} is deleted`,
        lines: [
          `Hello Dinesh, your order ${order.OrderId} is deleted; nothing will be shipped.`,
          `Status: deleted (it was PLACED)`,
        ],
      },
    ],
    [
      "a shipped order deleted",
      { ...envelope, type: EventType.OrderDeleted, data: { order: shipped, stockReturned: false } },
      {
        subject: `Your order ${order.OrderId} is deleted`,
        lines: [`Hello Dinesh, your order ${order.OrderId} is deleted.`, `Status: deleted (it was SHIPPED)`],
      },
    ],
  ];

  for (const [what, event, expected] of cases) {
    it(`tells the recipient about ${what}: the order id, its items, its status and how to stop order mail`, () => {
      const mail = orderMail(event, dinesh);
      const lines = mail.text.split("\n");

      expect(mail.to).to.equal("dinesh@example.com");
      expect(mail.subject).to.equal(expected.subject);
      expect(lines).to.include.members([
        ...expected.lines,
        `Order:  ${order.OrderId}`,
        "  2 × Headlight",
        STOP_ORDER_MAIL,
      ]);
      expect(mail.html).to.equal(undefined);
    });
  }

  it("tells the carrier and tracking number of an order shipped with them", () => {
    const withShipment = { ...shipped, carrier: "DHL Express", trackingNumber: "JD014600006281230418" };
    const event = {
      ...envelope,
      type: EventType.OrderStatusChanged,
      data: { order: withShipment, from: "PLACED", to: "SHIPPED" },
    } as const;

    const lines = orderMail(event, dinesh).text.split("\n");

    expect(lines).to.include.members(["Carrier:  DHL Express", "Tracking: JD014600006281230418"]);
  });

  it("says nothing of a shipment when the order has none", () => {
    const event = {
      ...envelope,
      type: EventType.OrderStatusChanged,
      data: { order: shipped, from: "PLACED", to: "SHIPPED" },
    } as const;

    expect(orderMail(event, dinesh).text).not.to.match(/Carrier|Tracking/);
  });

  describe("its items", () => {
    const eur = (amount: number): Money => ({ amount, currency: "EUR" });
    const jpy = (amount: number): Money => ({ amount, currency: "JPY" });
    const priced = (product: string, quantity: number, unitPrice: Money, lineTotal: Money): OrderLine => ({
      product,
      quantity,
      unitPrice,
      lineTotal,
    });
    /** What the mail about placing an order of these lines says under "Items:", up to the blank line. */
    const itemsOf = (items: OrderLine[], total?: Money): string[] => {
      const placed: Order = { ...order, product: undefined, quantity: undefined, items, total };
      const text = orderMail({ ...envelope, type: EventType.OrderPlaced, data: { order: placed } }, dinesh).text;
      const lines = text.split("\n");
      const start = lines.indexOf("Items:");
      return lines.slice(start + 1, lines.indexOf("", start));
    };

    const cases: [string, OrderLine[], Money | undefined, string[]][] = [
      [
        "every line with its unit price and line total, in the customer's order, then the order's total",
        [priced("Headlight", 2, eur(1999), eur(3998)), priced("Mirror", 1, eur(123450), eur(123450))],
        eur(127448),
        ["  2 × Headlight @ €19.99 = €39.98", "  1 × Mirror @ €1,234.50 = €1,234.50", "Total: €1,274.48"],
      ],
      [
        "yen as whole yen: JPY has no minor units",
        [priced("Headlight", 3, jpy(1999), jpy(5997))],
        jpy(5997),
        ["  3 × Headlight @ ¥1,999 = ¥5,997", "Total: ¥5,997"],
      ],
      [
        "a line whose item had no price without one, and no total when the order has none",
        [priced("Headlight", 2, eur(1999), eur(3998)), { product: "Mirror", quantity: 1 }],
        undefined,
        ["  2 × Headlight @ €19.99 = €39.98", "  1 × Mirror"],
      ],
      [
        "an order placed before items had prices as its one line",
        [{ product: "Headlight", quantity: 2 }],
        undefined,
        ["  2 × Headlight"],
      ],
    ];

    for (const [what, items, total, expected] of cases) {
      it(`lists ${what}`, () => {
        const lines = itemsOf(items, total);

        expect(lines).to.deep.equal(expected);
      });
    }
  });

  it('says to stop order mail with PUT /users/me and {"orderMail": false}', () => {
    expect(STOP_ORDER_MAIL).to.include("PUT /users/me").and.include('{"orderMail": false}');
  });

  it("goes to the order's owner, whatever the order's customer name", () => {
    expect(mailRecipientId({ ...envelope, type: EventType.OrderPlaced, data: { order } })).to.equal(order.ownerId);
  });

  it("is about orders placed, changing status or deleted, and nothing else", () => {
    expect([...CUSTOMER_MAIL_EVENT_TYPES].sort()).to.deep.equal(
      [EventType.OrderDeleted, EventType.OrderPlaced, EventType.OrderStatusChanged].sort(),
    );
  });

  for (const type of EVENT_TYPES) {
    const mailed = (CUSTOMER_MAIL_EVENT_TYPES as readonly string[]).includes(type);
    it(`${mailed ? "mails" : "does not mail"} customers about ${type}`, () => {
      const event = { ...envelope, type } as OmsEvent;

      expect(isCustomerMailEvent(event)).to.equal(mailed);
    });
  }
});
