import { expect } from "chai";
import { MissingFieldsError, NotFoundError, ValidationError } from "../../domain/errors";
import type { Money } from "../../domain/money";
import {
  type NewOrder,
  type Order,
  ORDER_LIMITS,
  findVisibleOrder,
  isOrderId,
  newOrder,
  orderFromItem,
  parseNewOrder,
  priceOrder,
} from "../../domain/order";
import { OrderStatus } from "../../domain/order-status";

/** The original API's example body: one product, one quantity. */
const valid = { customerName: "Kamlesh", product: "MacBook Pro", quantity: 1 };
/** `valid` as the domain reads it: an order of one line. */
const validOneLine: NewOrder = { customerName: "Kamlesh", lines: [{ product: "MacBook Pro", quantity: 1 }] };

describe("parseNewOrder", () => {
  it("reads the original API's example order as an order of one line", () => {
    expect(parseNewOrder(valid)).to.deep.equal(validOneLine);
  });

  it("drops unknown fields instead of storing them", () => {
    expect(
      parseNewOrder({ ...valid, OrderId: "chosen-by-client", ownerId: "someone-else", admin: true }),
    ).to.deep.equal(validOneLine);
  });

  it("trims the names it stores", () => {
    expect(parseNewOrder({ ...valid, customerName: "  Kamlesh  " }).customerName).to.equal("Kamlesh");
  });

  it("reports every absent field at once, in the original API's shape", () => {
    const error = catchError(() => parseNewOrder({ customerName: "Kamlesh" }));

    expect(error).to.be.instanceOf(MissingFieldsError);
    expect(error).to.include({ message: "Missing required fields" });
    expect((error as MissingFieldsError).missingFields).to.deep.equal(["product", "quantity"]);
    expect((error as MissingFieldsError).requiredFields).to.deep.equal(["customerName", "product", "quantity"]);
  });

  it("counts a null field as absent", () => {
    const error = catchError(() => parseNewOrder({ ...valid, quantity: null }));

    expect((error as MissingFieldsError).missingFields).to.deep.equal(["quantity"]);
  });

  it("reads null items as absent, so the original API's fields are the ones required", () => {
    const error = catchError(() => parseNewOrder({ customerName: "Kamlesh", items: null }));

    expect(error).to.be.instanceOf(MissingFieldsError);
    expect((error as MissingFieldsError).missingFields).to.deep.equal(["product", "quantity"]);
    expect((error as MissingFieldsError).requiredFields).to.deep.equal(["customerName", "product", "quantity"]);
  });

  const badBodies: [string, unknown][] = [
    ["an array", [valid]],
    ["a string", "order"],
    ["a number", 42],
    ["null", null],
  ];
  for (const [what, body] of badBodies) {
    it(`refuses ${what} as the body, naming body`, () => {
      expectValidationError(() => parseNewOrder(body), "body", "body must be a JSON object");
    });
  }

  const badFields: [string, Record<string, unknown>, string, string][] = [
    ["a numeric customerName", { customerName: 7 }, "customerName", "customerName must be a string"],
    ["a blank customerName", { customerName: "   " }, "customerName", "customerName must not be empty"],
    [
      "an over-long customerName",
      { customerName: "x".repeat(ORDER_LIMITS.customerNameLength + 1) },
      "customerName",
      `customerName must be at most ${ORDER_LIMITS.customerNameLength} characters`,
    ],
    ["an object as product", { product: { name: "MacBook" } }, "product", "product must be a string"],
    [
      "an over-long product",
      { product: "p".repeat(ORDER_LIMITS.productLength + 1) },
      "product",
      `product must be at most ${ORDER_LIMITS.productLength} characters`,
    ],
    ["a string quantity", { quantity: "1" }, "quantity", "quantity must be a number"],
    ["a zero quantity", { quantity: 0 }, "quantity", "quantity must be a positive integer"],
    ["a negative quantity", { quantity: -3 }, "quantity", "quantity must be a positive integer"],
    ["a fractional quantity", { quantity: 1.5 }, "quantity", "quantity must be an integer"],
    [
      "a quantity over the limit",
      { quantity: ORDER_LIMITS.maxQuantity + 1 },
      "quantity",
      `quantity must be at most ${ORDER_LIMITS.maxQuantity}`,
    ],
    ["a boolean quantity", { quantity: true }, "quantity", "quantity must be a number"],
  ];
  for (const [what, change, field, message] of badFields) {
    it(`refuses ${what}, naming ${field}`, () => {
      expectValidationError(() => parseNewOrder({ ...valid, ...change }), field, message);
    });
  }

  it("accepts names of exactly the maximum length", () => {
    const name = "n".repeat(ORDER_LIMITS.customerNameLength);

    expect(parseNewOrder({ ...valid, customerName: name }).customerName).to.equal(name);
  });
});

describe("parseNewOrder with items", () => {
  /** `count` lines, each of its own product. */
  const lines = (count: number) =>
    Array.from({ length: count }, (_, index) => ({ product: `Part ${index}`, quantity: 1 }));

  it("reads each line, in the order given", () => {
    const body = {
      customerName: "Kamlesh",
      items: [
        { product: "Headlight", quantity: 2 },
        { product: "Wiper", quantity: 1 },
      ],
    };

    expect(parseNewOrder(body)).to.deep.equal({ customerName: "Kamlesh", lines: body.items });
  });

  it("reads a single line in items as an order of one line", () => {
    expect(parseNewOrder({ customerName: "Kamlesh", items: [{ product: "MacBook Pro", quantity: 1 }] })).to.deep.equal(
      validOneLine,
    );
  });

  it(`accepts ${ORDER_LIMITS.maxLines} lines, the most one order holds`, () => {
    expect(parseNewOrder({ customerName: "Kamlesh", items: lines(ORDER_LIMITS.maxLines) }).lines).to.have.length(
      ORDER_LIMITS.maxLines,
    );
  });

  it("trims the products it stores and drops unknown fields of a line", () => {
    const parsed = parseNewOrder({ customerName: "Kamlesh", items: [{ product: " Wiper ", quantity: 1, price: 0 }] });

    expect(parsed.lines).to.deep.equal([{ product: "Wiper", quantity: 1 }]);
  });

  it("reports an absent customerName in the original API's shape, requiring customerName and items", () => {
    const error = catchError(() => parseNewOrder({ items: lines(1) }));

    expect(error).to.be.instanceOf(MissingFieldsError);
    expect((error as MissingFieldsError).missingFields).to.deep.equal(["customerName"]);
    expect((error as MissingFieldsError).requiredFields).to.deep.equal(["customerName", "items"]);
  });

  const badItems: [string, unknown, string, string][] = [
    ["no lines", [], "items", `items must hold 1 to ${ORDER_LIMITS.maxLines} lines`],
    [
      `${ORDER_LIMITS.maxLines + 1} lines`,
      lines(ORDER_LIMITS.maxLines + 1),
      "items",
      `items must hold 1 to ${ORDER_LIMITS.maxLines} lines`,
    ],
    ["an object as items", { product: "Wiper", quantity: 1 }, "items", "items must be an array of lines"],
    ["a string as items", "Wiper", "items", "items must be an array of lines"],
    [
      "a zero quantity on the second line",
      [
        { product: "Headlight", quantity: 1 },
        { product: "Wiper", quantity: 0 },
      ],
      "items.1.quantity",
      "quantity must be a positive integer",
    ],
    [
      "a quantity over the limit on the first line",
      [{ product: "Headlight", quantity: ORDER_LIMITS.maxQuantity + 1 }],
      "items.0.quantity",
      `quantity must be at most ${ORDER_LIMITS.maxQuantity}`,
    ],
    ["a string quantity", [{ product: "Headlight", quantity: "2" }], "items.0.quantity", "quantity must be a number"],
    ["a blank product", [{ product: "  ", quantity: 1 }], "items.0.product", "product must not be empty"],
    [
      "an over-long product",
      [{ product: "p".repeat(ORDER_LIMITS.productLength + 1), quantity: 1 }],
      "items.0.product",
      `product must be at most ${ORDER_LIMITS.productLength} characters`,
    ],
    [
      "a product on two lines",
      [
        { product: "Headlight", quantity: 1 },
        { product: "Wiper", quantity: 1 },
        { product: "Headlight", quantity: 2 },
      ],
      "items.2.product",
      'product "Headlight" is already on line 1: give each product once, with its whole quantity',
    ],
    [
      "a product on two lines that differ only in spaces",
      [
        { product: "Wiper", quantity: 1 },
        { product: " Wiper ", quantity: 1 },
      ],
      "items.1.product",
      'product "Wiper" is already on line 1: give each product once, with its whole quantity',
    ],
  ];
  for (const [what, items, field, message] of badItems) {
    it(`refuses ${what}, naming ${field}`, () => {
      expectValidationError(() => parseNewOrder({ customerName: "Kamlesh", items }), field, message);
    });
  }

  it("refuses a line without a product, naming items.N.product", () => {
    const error = catchError(() => parseNewOrder({ customerName: "Kamlesh", items: [...lines(2), { quantity: 1 }] }));

    expect(error).to.be.instanceOf(ValidationError);
    expect(error).to.include({ field: "items.2.product" });
  });

  for (const [field, value] of [
    ["product", "Headlight"],
    ["quantity", 1],
  ] as const) {
    it(`refuses ${field} given beside items, naming ${field}`, () => {
      expectValidationError(
        () => parseNewOrder({ customerName: "Kamlesh", items: lines(1), [field]: value }),
        field,
        `${field} must not be given with items: put it on a line`,
      );
    });
  }
});

describe("newOrder", () => {
  const now = new Date("2026-11-27T10:00:00.000Z");
  const orderId = "0b9c8f5e-7d1c-4e7a-9a51-2f0b7c1d9e11";

  it("makes a PLACED order of one line owned by the caller, with the original API's product and quantity", () => {
    const order = newOrder(validOneLine, "user-1", orderId, now);

    expect(order).to.deep.equal({
      OrderId: orderId,
      ownerId: "user-1",
      customerName: "Kamlesh",
      product: "MacBook Pro",
      quantity: 1,
      items: [{ product: "MacBook Pro", quantity: 1 }],
      status: OrderStatus.Placed,
      createdAt: "2026-11-27T10:00:00.000Z",
    });
  });

  it("makes an order of several lines with its items only: no single product or quantity names it", () => {
    const lines = [
      { product: "Headlight", quantity: 2 },
      { product: "Wiper", quantity: 1 },
    ];

    const order = newOrder({ customerName: "Kamlesh", lines }, "user-1", orderId, now);

    expect(order).to.deep.equal({
      OrderId: orderId,
      ownerId: "user-1",
      customerName: "Kamlesh",
      items: lines,
      status: OrderStatus.Placed,
      createdAt: "2026-11-27T10:00:00.000Z",
    });
    expect(order).not.to.have.any.keys("product", "quantity", "total");
  });
});

describe("priceOrder", () => {
  const eur = (amount: number): Money => ({ amount, currency: "EUR" });
  const placed = newOrder(
    {
      customerName: "Kamlesh",
      lines: [
        { product: "Headlight", quantity: 3 },
        { product: "Wiper", quantity: 2 },
      ],
    },
    "user-1",
    "0b9c8f5e-7d1c-4e7a-9a51-2f0b7c1d9e11",
    new Date("2026-11-27T10:00:00.000Z"),
  );

  it("prices each line at its unit price times its quantity, and totals them when one currency prices every line", () => {
    const priced = priceOrder(placed, [eur(1999), eur(450)]);

    expect(priced.items).to.deep.equal([
      { product: "Headlight", quantity: 3, unitPrice: eur(1999), lineTotal: eur(5997) },
      { product: "Wiper", quantity: 2, unitPrice: eur(450), lineTotal: eur(900) },
    ]);
    expect(priced.total).to.deep.equal(eur(6897));
  });

  it("keeps the rest of the order as it was", () => {
    const { items: _lines, ...rest } = placed;

    expect(priceOrder(placed, [eur(1999), eur(450)])).to.deep.include(rest);
  });

  it("leaves a line without a price unpriced, and the order without a total", () => {
    const priced = priceOrder(placed, [eur(1999), null]);

    expect(priced.items).to.deep.equal([
      { product: "Headlight", quantity: 3, unitPrice: eur(1999), lineTotal: eur(5997) },
      { product: "Wiper", quantity: 2 },
    ]);
    expect(priced).not.to.have.property("total");
  });

  it("gives no total when the lines are priced in different currencies", () => {
    const priced = priceOrder(placed, [eur(1999), { amount: 450, currency: "USD" }]);

    expect(priced.items[1]).to.deep.equal({
      product: "Wiper",
      quantity: 2,
      unitPrice: { amount: 450, currency: "USD" },
      lineTotal: { amount: 900, currency: "USD" },
    });
    expect(priced).not.to.have.property("total");
  });

  it("gives a total of nothing when every line is free", () => {
    expect(priceOrder(placed, [eur(0), eur(0)]).total).to.deep.equal(eur(0));
  });

  it("leaves an order it priced as it was when prices change afterwards", () => {
    const priced = priceOrder(placed, [eur(1999), eur(450)]);
    const asPriced = structuredClone(priced);

    const repriced = priceOrder(placed, [eur(2499), eur(500)]);

    expect(priced).to.deep.equal(asPriced);
    expect(repriced.total).to.deep.equal(eur(8497));
    expect(placed).not.to.have.property("total");
    expect(placed.items).to.deep.equal([
      { product: "Headlight", quantity: 3 },
      { product: "Wiper", quantity: 2 },
    ]);
  });
});

describe("orderFromItem", () => {
  const stored = {
    OrderId: "0b9c8f5e-7d1c-4e7a-9a51-2f0b7c1d9e11",
    ownerId: "user-1",
    customerName: "Kamlesh",
    status: OrderStatus.Placed,
    createdAt: "2026-11-27T10:00:00.000Z",
  };

  it("reads an order stored before OMS took several lines as an order of that one line", () => {
    expect(orderFromItem({ ...stored, product: "Headlight", quantity: 2 })).to.deep.equal({
      ...stored,
      product: "Headlight",
      quantity: 2,
      items: [{ product: "Headlight", quantity: 2 }],
    });
  });

  it("reads an order of several lines as stored, its prices and total included", () => {
    const order: Order = {
      ...stored,
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
          unitPrice: { amount: 450, currency: "EUR" },
          lineTotal: { amount: 450, currency: "EUR" },
        },
      ],
      total: { amount: 4448, currency: "EUR" },
    };

    expect(orderFromItem(order)).to.deep.equal(order);
  });

  it("drops the attributes the table keeps for its indexes", () => {
    const order = { ...stored, items: [{ product: "Wiper", quantity: 1 }] };

    expect(orderFromItem({ ...order, listShard: "3", statusShard: "PLACED#3" })).to.deep.equal(order);
  });

  it("refuses, naming the order, an item with neither items nor product and quantity", () => {
    expect(() => orderFromItem(stored)).to.throw(Error, stored.OrderId);
  });

  it("refuses, naming the order, an item that is not an order", () => {
    expect(() => orderFromItem({ ...stored, status: "LOST", items: [] })).to.throw(
      Error,
      `Stored order ${stored.OrderId} is not valid`,
    );
  });
});

describe("isOrderId", () => {
  it("accepts a lower-case UUID and nothing else", () => {
    expect(isOrderId("994dd3bc-a43a-4342-b07b-3f5829e3c046")).to.equal(true);
    expect(isOrderId("994DD3BC-A43A-4342-B07B-3F5829E3C046")).to.equal(false);
    expect(isOrderId("994dd3bc")).to.equal(false);
    expect(isOrderId("x".repeat(3000))).to.equal(false);
  });
});

describe("findVisibleOrder", () => {
  const order = newOrder(validOneLine, "alice", "994dd3bc-a43a-4342-b07b-3f5829e3c046", new Date());
  const asked: string[] = [];
  const orders = {
    async get(orderId: string): Promise<Order | undefined> {
      asked.push(orderId);
      return orderId === order.OrderId ? order : undefined;
    },
  };

  const visible: [string, string | undefined][] = [
    ["its owner", "alice"],
    ["every owner's scope (an admin's)", undefined],
  ];
  for (const [who, owner] of visible) {
    it(`finds the order for ${who}`, async () => {
      expect(await findVisibleOrder(orders, order.OrderId, owner)).to.deep.equal(order);
    });
  }

  const hidden: [string, string, string | undefined][] = [
    ["another owner's order", order.OrderId, "bob"],
    ["an order that does not exist", "00000000-0000-4000-8000-000000000000", undefined],
    ["an id that cannot name an order", "not-an-id", undefined],
  ];
  for (const [what, orderId, owner] of hidden) {
    it(`answers ${what} with NotFoundError, naming the id`, async () => {
      const error = await findVisibleOrder(orders, orderId, owner).catch((caught: unknown) => caught);

      expect(error).to.be.instanceOf(NotFoundError);
      expect(error).to.include({ message: "Order not found", resource: "Order", id: orderId });
    });
  }

  it("does not look up an id that cannot name an order", async () => {
    asked.length = 0;

    await findVisibleOrder(orders, "x".repeat(3000), undefined).catch(() => undefined);

    expect(asked).to.deep.equal([]);
  });
});

function catchError(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected an error");
}

function expectValidationError(run: () => unknown, field: string, message: string): void {
  const error = catchError(run);
  expect(error).to.be.instanceOf(ValidationError);
  expect(error).to.include({ field, message });
}
