import { expect } from "chai";
import {
  InvalidTransitionError,
  MissingFieldsError,
  OrderNotCancellableError,
  ValidationError,
} from "../../domain/errors";
import {
  ORDER_STATUSES,
  type OrderStatus,
  SHIPMENT_LIMITS,
  cancellationOnDelete,
  deletionReturnsStock,
  nextStatus,
  parseLegacyStatusUpdate,
  parseStatusUpdate,
  returnsStock,
  shipmentOf,
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

describe("DELETE of an order (cancellationOnDelete)", () => {
  // Orders are records: DELETE cancels what the machine lets it cancel, and nothing is removed.
  const cases: [OrderStatus, OrderStatus | undefined][] = [
    ["PLACED", "CANCELLED"],
    ["CANCELLED", undefined],
  ];
  for (const [from, to] of cases) {
    it(`${to ? `cancels a ${from} order` : `leaves a ${from} order as it is`}`, () => {
      expect(cancellationOnDelete(from)).to.equal(to);
    });
  }

  for (const from of ORDER_STATUSES.filter((status) => !cases.some(([c]) => c === status))) {
    it(`refuses a ${from} order with OrderNotCancellableError saying why`, () => {
      expect(() => cancellationOnDelete(from))
        .to.throw(
          OrderNotCancellableError,
          `The order is ${from}: its units have left, so it can no longer be cancelled or deleted`,
        )
        .that.includes({ from, to: "CANCELLED" });
    });
  }

  it("cancels exactly where the status machine allows a cancel, and gives the stock back then", () => {
    const cancellable = ORDER_STATUSES.filter(
      (from) => from !== "CANCELLED" && allowed.some(([a, b]) => a === from && b === "CANCELLED"),
    );

    expect(cases.filter(([, to]) => to !== undefined).map(([from]) => from)).to.deep.equal(cancellable);
    expect(cancellable.every((from) => returnsStock(from, "CANCELLED"))).to.equal(true);
  });
});

describe("the shipment of a status update (shipmentOf)", () => {
  const shipment = { carrier: "DHL Express", trackingNumber: "JD014600006281230418" };
  const refused: [string, OrderStatus, { carrier?: string; trackingNumber?: string }, string, string][] = [
    ["a carrier alone", "SHIPPED", { carrier: "DHL" }, "trackingNumber", "trackingNumber must be given with carrier"],
    [
      "a tracking number alone",
      "SHIPPED",
      { trackingNumber: "1Z" },
      "carrier",
      "carrier must be given with trackingNumber",
    ],
    ...ORDER_STATUSES.filter((status) => status !== "SHIPPED").map(
      (status): [string, OrderStatus, typeof shipment, string, string] => [
        `a shipment with ${status}`,
        status,
        shipment,
        "carrier",
        "carrier may only be given when the status is SHIPPED",
      ],
    ),
    [
      "a tracking number with DELIVERED",
      "DELIVERED",
      { trackingNumber: "1Z" },
      "trackingNumber",
      "trackingNumber may only be given when the status is SHIPPED",
    ],
  ];

  it("takes both fields with SHIPPED", () => {
    expect(shipmentOf("SHIPPED", shipment)).to.deep.equal(shipment);
  });

  it("takes neither, with any status", () => {
    expect(ORDER_STATUSES.map((status) => shipmentOf(status, {}))).to.deep.equal(ORDER_STATUSES.map(() => undefined));
  });

  for (const [what, status, fields, field, message] of refused) {
    it(`refuses ${what}, naming ${field}`, () => {
      expect(() => shipmentOf(status, fields))
        .to.throw(ValidationError, message)
        .that.includes({ field });
    });
  }
});

describe("parseStatusUpdate", () => {
  it("reads a status regardless of case, as the original API sent `shipped`", () => {
    expect(parseStatusUpdate({ status: "shipped" })).to.deep.equal({ status: "SHIPPED" });
  });

  it("reads a shipment with SHIPPED, trimmed", () => {
    expect(parseStatusUpdate({ status: "shipped", carrier: " DHL ", trackingNumber: "1Z999" })).to.deep.equal({
      status: "SHIPPED",
      shipment: { carrier: "DHL", trackingNumber: "1Z999" },
    });
  });

  const bounded: [string, number][] = [
    ["carrier", SHIPMENT_LIMITS.carrierLength],
    ["trackingNumber", SHIPMENT_LIMITS.trackingNumberLength],
  ];
  for (const [field, max] of bounded) {
    it(`refuses a ${field} longer than ${max} characters, or empty, naming it`, () => {
      const body = { status: "SHIPPED", carrier: "DHL", trackingNumber: "1Z" };

      expect(() => parseStatusUpdate({ ...body, [field]: "x".repeat(max + 1) }))
        .to.throw(ValidationError, `${field} must be at most ${max} characters`)
        .that.includes({ field });
      expect(() => parseStatusUpdate({ ...body, [field]: "  " }))
        .to.throw(ValidationError, `${field} must not be empty`)
        .that.includes({ field });
    });
  }

  it("refuses a shipment with another status, naming the field", () => {
    expect(() => parseStatusUpdate({ status: "CANCELLED", trackingNumber: "1Z" }))
      .to.throw(ValidationError, "trackingNumber may only be given when the status is SHIPPED")
      .that.includes({ field: "trackingNumber" });
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

  it("reads a shipment in the original API's PUT /orders body too", () => {
    const body = { orderId: "o", userId: "u", status: "shipped", carrier: "DHL", trackingNumber: "1Z999" };

    expect(parseLegacyStatusUpdate(body)).to.deep.equal({
      orderId: "o",
      userId: "u",
      status: "SHIPPED",
      shipment: { carrier: "DHL", trackingNumber: "1Z999" },
    });
  });

  it("reports a PUT /orders body without orderId in the original API's missing-fields shape", () => {
    expect(() => parseLegacyStatusUpdate({ userId: "u", status: "shipped" }))
      .to.throw(MissingFieldsError, "Missing required fields")
      .that.deep.includes({ missingFields: ["orderId"], requiredFields: ["orderId", "userId", "status"] });
  });
});
