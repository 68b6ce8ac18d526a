import { expect } from "chai";
import { ValidationError } from "../../domain/errors";
import { DEFAULT_PAGE_SIZE } from "../../domain/pagination";
import {
  INVENTORY_LIMITS,
  decideReservation,
  parseInventoryQuery,
  parseItemId,
  parseSetStock,
  parseStockMovement,
} from "../../domain/inventory";

describe("the inventory decision", () => {
  const cases: [string, number | undefined, number, ReturnType<typeof decideReservation>][] = [
    ["enough units", 4, 2, { result: "Available" }],
    ["exactly enough units", 3, 3, { result: "Available" }],
    ["too few units", 2, 3, { result: "OutOfStock", available: 2 }],
    ["none left", 0, 1, { result: "OutOfStock", available: 0 }],
    ["a product the inventory does not carry", undefined, 1, { result: "UnknownProduct" }],
  ];
  for (const [what, available, requested, decision] of cases) {
    it(`decides ${decision.result} for ${what}`, () => {
      expect(decideReservation(available, requested)).to.deep.equal(decision);
    });
  }
});

describe("inventory input", () => {
  it("accepts a stock of zero", () => {
    expect(parseSetStock({ quantity: 0 })).to.deep.equal({ quantity: 0 });
  });

  for (const [quantity, message] of [
    [-1, "quantity must not be negative"],
    [2.5, "quantity must be an integer"],
    ["3", "quantity must be a number"],
    [INVENTORY_LIMITS.maxStock + 1, `quantity must be at most ${INVENTORY_LIMITS.maxStock}`],
  ] as const) {
    it(`refuses stock ${JSON.stringify(quantity)}, naming quantity`, () => {
      expect(() => parseSetStock({ quantity }))
        .to.throw(ValidationError, message)
        .that.includes({ field: "quantity" });
    });
  }

  it("refuses an over-long item id, naming itemId", () => {
    expect(() => parseItemId("x".repeat(INVENTORY_LIMITS.itemIdLength + 1)))
      .to.throw(ValidationError, `itemId must be at most ${INVENTORY_LIMITS.itemIdLength} characters`)
      .that.includes({ field: "itemId" });
  });

  it("refuses a stock movement for no units", () => {
    expect(() => parseStockMovement({ orderId: "o", itemId: "Headlight", quantity: 0 })).to.throw(
      ValidationError,
      "quantity must be a positive integer",
    );
  });
});

describe("a reorder level in a stock set", () => {
  const accepted: [string, unknown, Record<string, unknown>][] = [
    ["absent, keeping the item's level", { quantity: 3 }, { quantity: 3 }],
    ["null, clearing it", { quantity: 3, reorderLevel: null }, { quantity: 3, reorderLevel: null }],
    ["zero", { quantity: 3, reorderLevel: 0 }, { quantity: 3, reorderLevel: 0 }],
    [
      "the largest stock",
      { quantity: 3, reorderLevel: INVENTORY_LIMITS.maxStock },
      { quantity: 3, reorderLevel: INVENTORY_LIMITS.maxStock },
    ],
  ];
  for (const [what, body, parsed] of accepted) {
    it(`accepts a level ${what}`, () => {
      expect(parseSetStock(body)).to.deep.equal(parsed);
    });
  }

  for (const [reorderLevel, message] of [
    [-1, "reorderLevel must not be negative"],
    [2.5, "reorderLevel must be an integer"],
    ["3", "reorderLevel must be a number"],
    [INVENTORY_LIMITS.maxStock + 1, `reorderLevel must be at most ${INVENTORY_LIMITS.maxStock}`],
  ] as const) {
    it(`refuses a level ${JSON.stringify(reorderLevel)}, naming reorderLevel`, () => {
      expect(() => parseSetStock({ quantity: 3, reorderLevel }))
        .to.throw(ValidationError, message)
        .that.includes({ field: "reorderLevel" });
    });
  }
});

describe("the inventory list query", () => {
  const cases: [string, Record<string, string> | undefined, boolean][] = [
    ["no query string", undefined, false],
    ["lowStock absent", { limit: "5" }, false],
    ["lowStock=false", { lowStock: "false" }, false],
    ["lowStock=true", { lowStock: "true" }, true],
  ];
  for (const [what, query, lowStock] of cases) {
    it(`reads lowStock ${lowStock} from ${what}`, () => {
      expect(parseInventoryQuery(query).lowStock).to.equal(lowStock);
    });
  }

  it("reads the page beside lowStock", () => {
    expect(parseInventoryQuery({ lowStock: "true", nextToken: "abc" }).page).to.deep.equal({
      limit: DEFAULT_PAGE_SIZE,
      nextToken: "abc",
    });
  });

  for (const value of ["yes", "TRUE", "1", ""]) {
    it(`refuses lowStock=${JSON.stringify(value)}, naming lowStock`, () => {
      expect(() => parseInventoryQuery({ lowStock: value }))
        .to.throw(ValidationError, "lowStock must be true or false")
        .that.includes({ field: "lowStock" });
    });
  }
});
