import { expect } from "chai";
import type { Order } from "../../domain/order";
import { interpretExecution, isTransientFailure } from "../../domain/placement";
import { TRANSIENT_ERRORS } from "../../workflow/definition";

const order: Order = {
  OrderId: "o-1",
  ownerId: "u-1",
  customerName: "K",
  items: [
    { product: "Headlight", quantity: 2 },
    { product: "Wiper", quantity: 3 },
  ],
  status: "PLACED",
  createdAt: "2026-11-27T10:00:00.000Z",
};

describe("interpretExecution", () => {
  it("reads a succeeded execution's output as the placed order", () => {
    const priced: Order = { ...order, total: { amount: 100, currency: "EUR" } };

    expect(interpretExecution({ status: "SUCCEEDED", output: JSON.stringify(priced) }, order)).to.deep.equal({
      kind: "placed",
      order: priced,
    });
  });

  it("reads ItemUnavailable as out of stock, with every short line the decision named", () => {
    const shortLines = [
      { product: "Headlight", requested: 2, available: 1 },
      { product: "Wiper", requested: 3, available: 0 },
    ];
    const cause = JSON.stringify({ result: "OutOfStock", shortLines });

    expect(interpretExecution({ status: "FAILED", error: "ItemUnavailable", cause }, order)).to.deep.equal({
      kind: "outOfStock",
      shortLines,
    });
  });

  const unreadableShortages: [string, string | undefined][] = [
    ["no cause", undefined],
    ["a cause that is not JSON", "Item out of stock"],
    ["a cause without shortLines", JSON.stringify({ result: "OutOfStock" })],
  ];
  for (const [what, cause] of unreadableShortages) {
    it(`reads ItemUnavailable with ${what} as out of stock, naming no line`, () => {
      expect(interpretExecution({ status: "FAILED", error: "ItemUnavailable", cause }, order)).to.deep.equal({
        kind: "outOfStock",
        shortLines: [],
      });
    });
  }

  it("reads UnknownProduct as the unknown product and its line the cause names", () => {
    const cause = JSON.stringify({ product: "Wiper", line: 1 });

    expect(interpretExecution({ status: "FAILED", error: "UnknownProduct", cause }, order)).to.deep.equal({
      kind: "unknownProduct",
      product: "Wiper",
      line: 1,
    });
  });

  const unreadableUnknowns: [string, string | undefined][] = [
    ["no cause", undefined],
    ["a cause that is not JSON", "Wiper is not in the inventory"],
    ["a cause whose fields are of the wrong type", JSON.stringify({ product: 7, line: "1" })],
  ];
  for (const [what, cause] of unreadableUnknowns) {
    it(`reads UnknownProduct with ${what} as the order's first line`, () => {
      expect(interpretExecution({ status: "FAILED", error: "UnknownProduct", cause }, order)).to.deep.equal({
        kind: "unknownProduct",
        product: "Headlight",
        line: 0,
      });
    });
  }

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

describe("isTransientFailure", () => {
  const lambdaCause = (errorType: string) => JSON.stringify({ errorType, errorMessage: "DynamoDB: ECONNREFUSED" });
  /** What `OrderFailed` carries: the error CreateOrder's Catch caught, as JSON (`workflow/definition.ts`). */
  const caught = (error: string, cause: string) => JSON.stringify({ Error: error, Cause: cause });
  const cases: [string, { error: string; cause: string }, boolean][] = [
    ...TRANSIENT_ERRORS.map((error): [string, { error: string; cause: string }, boolean] => [
      `a task that still failed with ${error} after its retries`,
      { error, cause: lambdaCause(error) },
      true,
    ]),
    [
      "OrderFailed after CreateOrder failed with a TransientError",
      { error: "OrderFailed", cause: lambdaCause("TransientError") },
      true,
    ],
    [
      "OrderFailed whose cause is the caught TransientError, as Step Functions describes it",
      { error: "OrderFailed", cause: caught("TransientError", lambdaCause("TransientError")) },
      true,
    ],
    [
      "OrderFailed whose cause is the caught TransientError, as the local emulator describes it",
      { error: "OrderFailed", cause: caught("TransientError", "DynamoDB: ECONNREFUSED") },
      true,
    ],
    [
      "OrderFailed whose cause is a caught bug",
      { error: "OrderFailed", cause: caught("TypeError", lambdaCause("TypeError")) },
      false,
    ],
    [
      "OrderFailed after CreateOrder failed with a bug",
      { error: "OrderFailed", cause: lambdaCause("TypeError") },
      false,
    ],
    ["OrderFailed whose cause names no error", { error: "OrderFailed", cause: "boom" }, false],
    [
      "a timed-out run, whose tasks may still write",
      { error: "States.TIMED_OUT", cause: "The execution ended TIMED_OUT" },
      false,
    ],
    ["a task that failed with a bug", { error: "TypeError", cause: lambdaCause("TypeError") }, false],
  ];
  for (const [what, failure, transient] of cases) {
    it(`${transient ? "counts" : "does not count"} ${what}`, () => {
      expect(isTransientFailure(failure, TRANSIENT_ERRORS)).to.equal(transient);
    });
  }
});
