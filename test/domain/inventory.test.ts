import { expect } from "chai";
import { ValidationError } from "../../domain/errors";
import {
  INVENTORY_LIMITS,
  decideReservation,
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
