import { expect } from "chai";
import type { Order } from "../../domain/order";
import { interpretExecution } from "../../domain/placement";

const order: Order = {
  OrderId: "o-1",
  ownerId: "u-1",
  customerName: "K",
  product: "Headlight",
  quantity: 2,
  status: "PLACED",
  createdAt: "2026-11-27T10:00:00.000Z",
};

describe("interpretExecution", () => {
  it("reads a succeeded execution's output as the placed order", () => {
    expect(interpretExecution({ status: "SUCCEEDED", output: JSON.stringify(order) }, order)).to.deep.equal({
      kind: "placed",
      order,
    });
  });

  it("reads ItemUnavailable as out of stock, with the units the decision saw", () => {
    const cause = JSON.stringify({ result: "OutOfStock", available: 1 });

    expect(interpretExecution({ status: "FAILED", error: "ItemUnavailable", cause }, order)).to.deep.equal({
      kind: "outOfStock",
      available: 1,
    });
  });

  it("reads UnknownProduct as an unknown product", () => {
    expect(interpretExecution({ status: "FAILED", error: "UnknownProduct" }, order)).to.deep.equal({
      kind: "unknownProduct",
    });
  });

  it("reports anything else as a failure, with what the execution said", () => {
    expect(interpretExecution({ status: "TIMED_OUT" }, order)).to.deep.equal({
      kind: "failed",
      error: "States.TIMED_OUT",
      cause: "The execution ended TIMED_OUT",
    });
    expect(interpretExecution({ status: "FAILED", error: "OrderFailed", cause: "boom" }, order)).to.deep.equal({
      kind: "failed",
      error: "OrderFailed",
      cause: "boom",
    });
  });
});
