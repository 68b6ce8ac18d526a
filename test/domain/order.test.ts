import { expect } from "chai";
import { MissingFieldsError, NotFoundError, ValidationError } from "../../domain/errors";
import { type Order, ORDER_LIMITS, findVisibleOrder, isOrderId, parseNewOrder, newOrder } from "../../domain/order";
import { OrderStatus } from "../../domain/order-status";

const valid = { customerName: "Kamlesh", product: "MacBook Pro", quantity: 1 };

describe("parseNewOrder", () => {
  it("accepts the original API's example order", () => {
    expect(parseNewOrder(valid)).to.deep.equal(valid);
  });

  it("drops unknown fields instead of storing them", () => {
    expect(
      parseNewOrder({ ...valid, OrderId: "chosen-by-client", ownerId: "someone-else", admin: true }),
    ).to.deep.equal(valid);
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

describe("newOrder", () => {
  it("makes a PLACED order owned by the caller, stamped with the given id and time", () => {
    const now = new Date("2026-11-27T10:00:00.000Z");

    const order = newOrder(valid, "user-1", "0b9c8f5e-7d1c-4e7a-9a51-2f0b7c1d9e11", now);

    expect(order).to.deep.equal({
      OrderId: "0b9c8f5e-7d1c-4e7a-9a51-2f0b7c1d9e11",
      ownerId: "user-1",
      customerName: "Kamlesh",
      product: "MacBook Pro",
      quantity: 1,
      status: OrderStatus.Placed,
      createdAt: "2026-11-27T10:00:00.000Z",
    });
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
  const order = newOrder(valid, "alice", "994dd3bc-a43a-4342-b07b-3f5829e3c046", new Date());
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
