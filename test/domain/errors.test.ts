import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import * as errors from "../../domain/errors";

/** One instance of every error class, built the way the domain builds them. */
function everyError(): Error[] {
  return [
    new errors.OmsError("plain"),
    new errors.ValidationError("quantity", "quantity must be a positive integer", { cause: "not a number" }),
    new errors.MissingFieldsError(["product"], ["customerName", "product", "quantity"]),
    new errors.NotFoundError("Order", "42"),
    new errors.UnauthorizedError(),
    new errors.ForbiddenError("admin"),
    new errors.ConflictError("A profile already exists for this user"),
    new errors.OutOfStockError(
      [
        { product: "Headlight", requested: 2, available: 1 },
        { product: "Wiper", requested: 3, available: 0 },
      ],
      true,
    ),
    new errors.UnknownProductError("Wiper", 2),
    new errors.InvalidTransitionError("SHIPPED", "PLACED"),
    new errors.OrderNotCancellableError("SHIPPED"),
    new errors.IdempotencyKeyReusedError(),
    new errors.RequestInProgressError(),
    new errors.TransientError("DynamoDB: ThrottlingException"),
    new errors.MailRejectedError("SES refused the mail: MessageRejected", { cause: "unverified recipient" }),
  ];
}

/** What a handler relies on: class identity, name, message, own fields. */
function describeAll(): unknown[] {
  return everyError().map((error) => ({
    isOms: error instanceof errors.OmsError,
    isError: error instanceof Error,
    classes: Object.entries(errors)
      .filter(([, type]) => error instanceof type)
      .map(([name]) => name),
    name: error.name,
    message: error.message,
    text: String(error),
    fields: { ...error },
    cause: error.cause,
    hasStack: typeof error.stack === "string",
  }));
}

describe("OmsError and its subclasses", () => {
  it("are named for their class and carry their fields", () => {
    const described = describeAll() as { name: string; classes: string[] }[];

    expect(described.map((d) => d.name)).to.deep.equal(Object.keys(errors));
    expect(described.find((d) => d.name === "UnknownProductError")?.classes).to.deep.equal([
      "OmsError",
      "ValidationError",
      "UnknownProductError",
    ]);
    expect(described[2]).to.deep.include({
      message: "Missing required fields",
      fields: { missingFields: ["product"], requiredFields: ["customerName", "product", "quantity"] },
    });
  });

  it("carry every short line of an order out of stock", () => {
    const shortLines = [{ product: "Headlight", requested: 2, available: 1 }];

    const error = new errors.OutOfStockError(shortLines, false);

    expect(error).to.include({ message: "Item out of stock", severalLines: false });
    expect(error.shortLines).to.deep.equal(shortLines);
  });

  const unknownProducts: [string, errors.UnknownProductError, string][] = [
    ["product, on a one-line order", new errors.UnknownProductError("Wiper"), "product"],
    ["its line, from 0, on an order of several", new errors.UnknownProductError("Wiper", 2), "items.2.product"],
  ];
  for (const [what, error, field] of unknownProducts) {
    it(`name the unknown product's field: ${what}`, () => {
      expect(error).to.include({ field, product: "Wiper", message: 'product "Wiper" is not in the inventory' });
    });
  }

  it("behave the same after Pulumi's closure serializer has rewritten them for Lambda", async () => {
    const { text } = await pulumi.runtime.serializeFunction(() => describeAll, { isFactoryFunction: true });
    const dir = mkdtempSync(join(tmpdir(), "oms-errors-"));
    try {
      writeFileSync(join(dir, "index.js"), text);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const packaged = require(join(dir, "index.js")) as { handler: () => unknown[] };

      expect(packaged.handler()).to.deep.equal(describeAll());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
