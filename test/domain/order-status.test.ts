import { expect } from "chai";
import { InvalidTransitionError, MissingFieldsError, ValidationError } from "../../domain/errors";
import {
  ORDER_STATUSES,
  type OrderStatus,
  deletionReturnsStock,
  nextStatus,
  parseLegacyStatusUpdate,
  parseStatusUpdate,
  returnsStock,
} from "../../domain/order-status";

const allowed: [OrderStatus, OrderStatus][] = [
  ["PLACED", "SHIPPED"],
  ["PLACED", "CANCELLED"],
  ["SHIPPED", "DELIVERED"],
];

describe("the order-status machine", () => {
  for (const [from, to] of allowed) {
    it(`allows ${from} → ${to}`, () => {
      expect(nextStatus(from, to)).to.equal(to);
    });
  }

  for (const from of ORDER_STATUSES) {
    for (const to of ORDER_STATUSES) {
      if (allowed.some(([a, b]) => a === from && b === to)) continue;
      it(`refuses ${from} → ${to} with InvalidTransitionError`, () => {
        expect(() => nextStatus(from, to))
          .to.throw(InvalidTransitionError, `Cannot change an order from ${from} to ${to}`)
          .that.includes({ from, to });
      });
    }
  }

  it("gives stock back only when a placed order is cancelled", () => {
    const giving = allowed.filter(([from, to]) => returnsStock(from, to));

    expect(giving).to.deep.equal([["PLACED", "CANCELLED"]]);
  });

  it("gives stock back on deletion only while the units are still the order's (PLACED)", () => {
    expect(ORDER_STATUSES.filter(deletionReturnsStock)).to.deep.equal(["PLACED"]);
  });
});

describe("parseStatusUpdate", () => {
  it("reads a status regardless of case, as the original API sent `shipped`", () => {
    expect(parseStatusUpdate({ status: "shipped" })).to.equal("SHIPPED");
  });

  it("refuses an unknown status, naming status", () => {
    expect(() => parseStatusUpdate({ status: "LOST" }))
      .to.throw(ValidationError, "status must be one of PLACED, SHIPPED, DELIVERED, CANCELLED")
      .that.includes({ field: "status" });
  });

  it("reads the original API's PUT /orders body", () => {
    expect(parseLegacyStatusUpdate({ orderId: "o", userId: "u", status: "shipped" })).to.deep.equal({
      orderId: "o",
      userId: "u",
      status: "SHIPPED",
    });
  });

  it("reports a PUT /orders body without orderId in the original API's missing-fields shape", () => {
    expect(() => parseLegacyStatusUpdate({ userId: "u", status: "shipped" }))
      .to.throw(MissingFieldsError, "Missing required fields")
      .that.deep.includes({ missingFields: ["orderId"], requiredFields: ["orderId", "userId", "status"] });
  });
});
