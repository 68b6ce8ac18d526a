import { expect } from "chai";
import * as v from "valibot";
import {
  ForbiddenError,
  MissingFieldsError,
  NotFoundError,
  OmsError,
  OrderNotCancellableError,
  OutOfStockError,
  TransientError,
  UnauthorizedError,
  UnknownProductError,
  ValidationError,
} from "../../domain/errors";
import {
  OutOfStockBodySchema,
  RETRY_AFTER_SECONDS,
  SERVICE_UNAVAILABLE_MESSAGE,
  toHttpError,
} from "../../domain/http-errors";

describe("toHttpError", () => {
  const cases: [string, unknown, number, Record<string, unknown>][] = [
    [
      "missing fields",
      new MissingFieldsError(["product", "quantity"], ["customerName", "product", "quantity"]),
      400,
      {
        message: "Missing required fields",
        missingFields: ["product", "quantity"],
        requiredFields: ["customerName", "product", "quantity"],
      },
    ],
    [
      "a bad field",
      new ValidationError("quantity", "quantity must be a positive integer"),
      400,
      { message: "quantity must be a positive integer", field: "quantity" },
    ],
    [
      "an unknown product on a one-line order",
      new UnknownProductError("Wiper"),
      400,
      { message: 'product "Wiper" is not in the inventory', field: "product" },
    ],
    [
      "an unknown product on a line of several",
      new UnknownProductError("Wiper", 2),
      400,
      { message: 'product "Wiper" is not in the inventory', field: "items.2.product" },
    ],
    ["no identity", new UnauthorizedError(), 401, { message: "Unauthorized" }],
    ["a missing role", new ForbiddenError("admin"), 403, { message: "Forbidden" }],
    ["an unknown order", new NotFoundError("Order", "42"), 404, { message: "Order not found" }],
    [
      "a DELETE of a shipped order",
      new OrderNotCancellableError("SHIPPED"),
      409,
      {
        message: "The order is SHIPPED: its units have left, so it can no longer be cancelled or deleted",
        status: "SHIPPED",
        requested: "CANCELLED",
      },
    ],
  ];
  for (const [what, error, statusCode, body] of cases) {
    it(`answers ${what} with ${statusCode} and a JSON body naming it`, () => {
      expect(toHttpError(error)).to.deep.equal({ statusCode, body });
    });
  }

  describe("an order for more than is in stock", () => {
    const headlight = { product: "Headlight", requested: 2, available: 1 };
    const wiper = { product: "Wiper", requested: 3, available: 0 };

    it("answers a one-line order with 409 and exactly the original API's body: the product and its free units", () => {
      const http = toHttpError(new OutOfStockError([headlight], false));

      expect(http).to.deep.equal({
        statusCode: 409,
        body: { message: "Item out of stock", product: "Headlight", available: 1 },
      });
    });

    it("answers an order of several lines with the first short line, and every short line in lines", () => {
      const http = toHttpError(new OutOfStockError([headlight, wiper], true));

      expect(http).to.deep.equal({
        statusCode: 409,
        body: { message: "Item out of stock", product: "Headlight", available: 1, lines: [headlight, wiper] },
      });
    });

    it("lists lines for an order of several lines even when only one of them is short", () => {
      const http = toHttpError(new OutOfStockError([wiper], true));

      expect(http?.body).to.deep.equal({
        message: "Item out of stock",
        product: "Wiper",
        available: 0,
        lines: [wiper],
      });
    });

    for (const severalLines of [false, true]) {
      it(`answers with a body the API contract describes (${severalLines ? "several lines" : "one line"})`, () => {
        const body = toHttpError(new OutOfStockError([headlight, wiper], severalLines))?.body;

        expect(v.is(OutOfStockBodySchema, body)).to.equal(true);
      });
    }
  });

  it("answers a dependency that said not now with 503, Retry-After in seconds and a JSON message", () => {
    const throttled = Object.assign(new Error("Rate of requests exceeds the allowed throughput"), {
      name: "ProvisionedThroughputExceededException",
    });

    const http = toHttpError(
      new TransientError("DynamoDB: ProvisionedThroughputExceededException", { cause: throttled }),
    );

    expect(http).to.deep.equal({
      statusCode: 503,
      body: { message: SERVICE_UNAVAILABLE_MESSAGE },
      headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
    });
    expect(Number(http?.headers?.["retry-after"])).to.be.within(1, 2);
  });

  it("never names the failing dependency nor carries a stack in a 503", () => {
    const http = toHttpError(
      new TransientError("DynamoDB: ECONNREFUSED", { cause: new Error("connect ECONNREFUSED") }),
    );

    expect(JSON.stringify(http)).not.to.match(/at |stack|DynamoDB|ECONNREFUSED/);
  });

  it("leaves errors it does not know (bugs) to escape, so that Lambda counts them", () => {
    expect(toHttpError(new TypeError("x is undefined"))).to.equal(undefined);
    expect(toHttpError(new OmsError("unclassified"))).to.equal(undefined);
    expect(toHttpError("thrown string")).to.equal(undefined);
  });

  it("never puts a stack trace in a body", () => {
    const http = toHttpError(new ValidationError("body", "body must be valid JSON", { cause: new SyntaxError("x") }));

    expect(JSON.stringify(http)).not.to.match(/at |stack|SyntaxError/);
  });
});
