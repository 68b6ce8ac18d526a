import { expect } from "chai";
import {
  type StockSnapshot,
  auditStock,
  checkOrderItems,
  checkReservations,
  checkStockBalance,
  discrepancies,
  renderAudit,
} from "../../audit/stock-audit";
import type { OrderStatus } from "../../domain/order-status";
import { RESERVATION_SWEEP_INTERVAL_SECONDS } from "../../domain/reservation";

const NOW = new Date("2026-11-27T10:00:00.000Z");
const secondsFromNow = (seconds: number) => new Date(NOW.getTime() + seconds * 1000).toISOString();

function order(id: string, status: OrderStatus, quantity: number, product = "Headlight") {
  return { OrderId: id, items: [{ product, quantity }], status };
}

describe("the stock audit", () => {
  describe("stock balance: committed = reserved + sold", () => {
    const cases: { name: string; snapshot: StockSnapshot; problem: string }[] = [
      {
        name: "balances a new item",
        snapshot: { items: [{ itemId: "Headlight", quantity: 4, committed: 0 }], orders: [], reservations: [] },
        problem: "ok",
      },
      {
        name: "counts placed, shipped and delivered orders as sold, and not cancelled ones",
        snapshot: {
          items: [{ itemId: "Headlight", quantity: 4, committed: 1 + 2 + 3 }],
          orders: [
            order("a", "PLACED", 1),
            order("b", "SHIPPED", 2),
            order("c", "DELIVERED", 3),
            order("d", "CANCELLED", 5),
          ],
          reservations: [],
        },
        problem: "ok",
      },
      {
        name: "counts reserved units",
        snapshot: {
          items: [{ itemId: "Headlight", quantity: 1, committed: 3 }],
          orders: [],
          reservations: [{ orderId: "a", itemId: "Headlight", quantity: 3, deadline: secondsFromNow(30) }],
        },
        problem: "ok",
      },
      {
        name: "balances whatever the free stock is: an admin sets it outright",
        snapshot: { items: [{ itemId: "Headlight", quantity: 1_000, committed: 0 }], orders: [], reservations: [] },
        problem: "ok",
      },
      {
        name: "finds units lost: committed, yet held by no reservation or order",
        snapshot: { items: [{ itemId: "Headlight", quantity: 3, committed: 1 }], orders: [], reservations: [] },
        problem: "-1 units unaccounted for",
      },
      {
        name: "finds units invented: held by an order, yet never committed",
        snapshot: {
          items: [{ itemId: "Headlight", quantity: 4, committed: 0 }],
          orders: [order("a", "PLACED", 2)],
          reservations: [],
        },
        problem: "+2 units unaccounted for",
      },
      {
        name: "counts every line of an order of several lines against its own item",
        snapshot: {
          items: [{ itemId: "Headlight", quantity: 4, committed: 2 + 3 }],
          orders: [
            {
              OrderId: "a",
              items: [
                { product: "Headlight", quantity: 2 },
                { product: "Wiper", quantity: 7 },
              ],
              status: "PLACED",
            },
            order("b", "SHIPPED", 3),
          ],
          reservations: [],
        },
        problem: "ok",
      },
      {
        name: "reports an item with no committed total",
        snapshot: { items: [{ itemId: "Headlight", quantity: 4 }], orders: [], reservations: [] },
        problem: "no committed total: the item predates it",
      },
    ];
    for (const { name, snapshot, problem } of cases) {
      it(name, () => {
        const result = checkStockBalance(snapshot);

        expect(result.rows.map((row) => row["problem"])).to.deep.equal([problem]);
        expect(result.discrepancies).to.equal(problem === "ok" ? 0 : 1);
      });
    }
  });

  describe("reservations: each for a live run whose order is not written", () => {
    const items = [{ itemId: "Headlight", quantity: 0, committed: 1 }];
    const cases: { name: string; deadlineIn: number; written: boolean; itemId?: string; problem: string }[] = [
      { name: "accepts one before its deadline", deadlineIn: 30, written: false, problem: "ok" },
      {
        name: "accepts one past its deadline by less than a sweep period: the sweeper has not run yet",
        deadlineIn: 1 - RESERVATION_SWEEP_INTERVAL_SECONDS,
        written: false,
        problem: "ok",
      },
      {
        name: "finds one past its deadline by more than a sweep period",
        deadlineIn: -1 - RESERVATION_SWEEP_INTERVAL_SECONDS,
        written: false,
        problem: "past its deadline and not swept",
      },
      {
        name: "finds one whose order is written",
        deadlineIn: 30,
        written: true,
        problem: "its order is written: the order did not consume it",
      },
      {
        name: "finds one for an item that does not exist",
        deadlineIn: 30,
        written: false,
        itemId: "Wiper",
        problem: "its item does not exist",
      },
    ];
    for (const { name, deadlineIn, written, itemId = "Headlight", problem } of cases) {
      it(name, () => {
        const snapshot: StockSnapshot = {
          items,
          orders: written ? [order("a", "PLACED", 1)] : [],
          reservations: [{ orderId: "a", itemId, quantity: 1, deadline: secondsFromNow(deadlineIn) }],
        };

        const result = checkReservations(snapshot, { now: NOW });

        expect(result.rows.map((row) => row["problem"])).to.deep.equal([problem]);
        expect(result.discrepancies).to.equal(problem === "ok" ? 0 : 1);
      });
    }
  });

  describe("orders' items", () => {
    it("finds an order whose item does not exist, and only that one", () => {
      const snapshot: StockSnapshot = {
        items: [{ itemId: "Headlight", quantity: 0, committed: 1 }],
        orders: [order("a", "PLACED", 1), order("b", "SHIPPED", 1, "Wiper")],
        reservations: [],
      };

      const result = checkOrderItems(snapshot);

      expect(result.rows).to.deep.equal([
        { OrderId: "b", status: "SHIPPED", product: "Wiper", quantity: 1, problem: "its item does not exist" },
      ]);
      expect(result.discrepancies).to.equal(1);
    });

    it("names each line of an order whose item does not exist, and not its lines that exist", () => {
      const snapshot: StockSnapshot = {
        items: [{ itemId: "Headlight", quantity: 0, committed: 1 }],
        orders: [
          {
            OrderId: "a",
            items: [
              { product: "Wiper", quantity: 2 },
              { product: "Headlight", quantity: 1 },
              { product: "Mirror", quantity: 3 },
            ],
            status: "PLACED",
          },
        ],
        reservations: [],
      };

      const result = checkOrderItems(snapshot);

      expect(result.rows).to.deep.equal([
        { OrderId: "a", status: "PLACED", product: "Wiper", quantity: 2, problem: "its item does not exist" },
        { OrderId: "a", status: "PLACED", product: "Mirror", quantity: 3, problem: "its item does not exist" },
      ]);
      expect(result.discrepancies).to.equal(2);
    });
  });

  describe("its report", () => {
    it("prints a table per check and the total of discrepancies", () => {
      const results = auditStock(
        { items: [{ itemId: "Headlight", quantity: 3, committed: 1 }], orders: [], reservations: [] },
        { now: NOW },
      );

      const report = renderAudit(results);

      expect(discrepancies(results)).to.equal(1);
      expect(report.split("\n")).to.include.members([
        "Stock balance: committed = reserved + sold: 1 discrepancies",
        "itemId     free  committed  reserved  sold  problem",
        "Headlight  3     1          0         0     -1 units unaccounted for",
        "The stock audit found 1 discrepancies.",
      ]);
    });
  });
});
