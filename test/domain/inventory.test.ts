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
import { type Money, MONEY_LIMITS } from "../../domain/money";

describe("the inventory decision", () => {
  const eur = (amount: number): Money => ({ amount, currency: "EUR" });
  const headlight = { product: "Headlight", quantity: 2 };
  const wiper = { product: "Wiper", quantity: 3 };
  const bulb = { product: "Bulb", quantity: 1 };

  const available: [string, number, number][] = [
    ["more than enough units", 4, 2],
    ["exactly enough units", 3, 3],
  ];
  for (const [what, free, requested] of available) {
    it(`serves a line with ${what}`, () => {
      expect(decideReservation([{ product: "Headlight", quantity: requested }], [{ quantity: free }])).to.deep.equal({
        result: "Available",
        prices: [null],
      });
    });
  }

  it("serves every line at its item's price, in the order of the lines, null for an item without one", () => {
    const decision = decideReservation(
      [headlight, wiper, bulb],
      [{ quantity: 2, unitPrice: eur(1999) }, { quantity: 10 }, { quantity: 1, unitPrice: eur(350) }],
    );

    expect(decision).to.deep.equal({ result: "Available", prices: [eur(1999), null, eur(350)] });
  });

  it("names every line short of stock, with what it asked for and what is free", () => {
    const decision = decideReservation(
      [headlight, wiper, bulb],
      [{ quantity: 1 }, { quantity: 10 }, { quantity: 0, unitPrice: eur(350) }],
    );

    expect(decision).to.deep.equal({
      result: "OutOfStock",
      shortLines: [
        { product: "Headlight", requested: 2, available: 1 },
        { product: "Bulb", requested: 1, available: 0 },
      ],
    });
  });

  it("refuses an order naming a product the inventory does not carry, naming its first such line", () => {
    const decision = decideReservation([headlight, wiper, bulb], [{ quantity: 0 }, undefined, undefined]);

    expect(decision).to.deep.equal({
      result: "UnknownProduct",
      product: "Wiper",
      cause: JSON.stringify({ product: "Wiper", line: 1 }),
    });
  });

  it("puts the product and its line (from 0) in the cause the workflow fails with, as JSON", () => {
    const decision = decideReservation([headlight, wiper, bulb], [{ quantity: 5 }, { quantity: 5 }, undefined]);

    expect(decision.result).to.equal("UnknownProduct");
    expect(JSON.parse((decision as { cause: string }).cause)).to.deep.equal({ product: "Bulb", line: 2 });
  });

  it("refuses an unknown product before it counts units short", () => {
    expect(decideReservation([headlight, wiper], [{ quantity: 0 }, undefined]).result).to.equal("UnknownProduct");
  });
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

  it("reads a stock movement line by line", () => {
    const movement = {
      orderId: "o",
      lines: [
        { product: "Headlight", quantity: 2 },
        { product: "Wiper", quantity: 1 },
      ],
    };

    expect(parseStockMovement(movement)).to.deep.equal(movement);
  });

  it("refuses a stock movement line for no units, naming it", () => {
    expect(() =>
      parseStockMovement({
        orderId: "o",
        lines: [
          { product: "Headlight", quantity: 2 },
          { product: "Wiper", quantity: 0 },
        ],
      }),
    )
      .to.throw(ValidationError, "quantity must be a positive integer")
      .that.includes({ field: "lines.1.quantity" });
  });

  it("refuses a stock movement of no lines", () => {
    expect(() => parseStockMovement({ orderId: "o", lines: [] }))
      .to.throw(ValidationError, "lines must not be empty")
      .that.includes({ field: "lines" });
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

describe("a unit price in a stock set", () => {
  const accepted: [string, unknown, Record<string, unknown>][] = [
    ["absent, keeping the item's price", { quantity: 3 }, { quantity: 3 }],
    ["null, clearing it", { quantity: 3, unitPrice: null }, { quantity: 3, unitPrice: null }],
    [
      "in integer minor units",
      { quantity: 3, unitPrice: { amount: 1999, currency: "EUR" } },
      { quantity: 3, unitPrice: { amount: 1999, currency: "EUR" } },
    ],
    [
      "of nothing",
      { quantity: 3, unitPrice: { amount: 0, currency: "JPY" } },
      { quantity: 3, unitPrice: { amount: 0, currency: "JPY" } },
    ],
    [
      "at the dearest",
      { quantity: 3, unitPrice: { amount: MONEY_LIMITS.maxUnitPrice, currency: "EUR" } },
      { quantity: 3, unitPrice: { amount: MONEY_LIMITS.maxUnitPrice, currency: "EUR" } },
    ],
  ];
  for (const [what, body, parsed] of accepted) {
    it(`accepts a price ${what}`, () => {
      expect(parseSetStock(body)).to.deep.equal(parsed);
    });
  }

  const refused: [string, unknown, string, string][] = [
    [
      "in a float amount",
      { amount: 19.99, currency: "EUR" },
      "unitPrice.amount",
      "amount must be an integer number of minor units (cents)",
    ],
    ["below nothing", { amount: -1, currency: "EUR" }, "unitPrice.amount", "amount must not be negative"],
    [
      "dearer than the dearest",
      { amount: MONEY_LIMITS.maxUnitPrice + 1, currency: "EUR" },
      "unitPrice.amount",
      `amount must be at most ${MONEY_LIMITS.maxUnitPrice}`,
    ],
    [
      "in a lower-case currency",
      { amount: 1999, currency: "eur" },
      "unitPrice.currency",
      "currency must be an ISO 4217 code such as EUR",
    ],
    [
      "in no currency at all",
      { amount: 1999, currency: "QQQ" },
      "unitPrice.currency",
      "currency must be an ISO 4217 code such as EUR",
    ],
  ];
  for (const [what, unitPrice, field, message] of refused) {
    it(`refuses a price ${what}, naming ${field}`, () => {
      expect(() => parseSetStock({ quantity: 3, unitPrice }))
        .to.throw(ValidationError, message)
        .that.includes({ field });
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
