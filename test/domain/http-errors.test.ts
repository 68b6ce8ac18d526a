import { expect } from "chai";
import {
  ForbiddenError,
  MissingFieldsError,
  NotFoundError,
  OmsError,
  UnauthorizedError,
  ValidationError,
} from "../../domain/errors";
import { toHttpError } from "../../domain/http-errors";

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
    ["no identity", new UnauthorizedError(), 401, { message: "Unauthorized" }],
    ["a missing role", new ForbiddenError("admin"), 403, { message: "Forbidden" }],
    ["an unknown order", new NotFoundError("Order", "42"), 404, { message: "Order not found" }],
  ];
  for (const [what, error, statusCode, body] of cases) {
    it(`answers ${what} with ${statusCode} and a JSON body naming it`, () => {
      expect(toHttpError(error)).to.deep.equal({ statusCode, body });
    });
  }

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
