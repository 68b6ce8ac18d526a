import { GetCommand, PutCommand, ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { expect } from "chai";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- asl-validator is `module.exports = fn`
import aslValidator = require("asl-validator");
import { TransientError } from "../../domain/errors";
import type { Order } from "../../domain/order";
import { isTransientFailure } from "../../domain/placement";
import type { InventoryRepository, OrderRepository } from "../../domain/ports";
import { dynamoInventoryRepository } from "../../handlers/adapters/dynamo-inventory-repository";
import { dynamoOrderRepository } from "../../handlers/adapters/dynamo-order-repository";
import { makeCheckInventory } from "../../handlers/tasks/check-inventory";
import { makeCreateOrder } from "../../handlers/tasks/create-order";
import { makeReleaseStock } from "../../handlers/tasks/release-stock";
import type { TaskHandler } from "../../handlers/tasks/task";
import { localOrderWorkflow } from "../../local/local-order-workflow";
import { State, TRANSIENT_ERRORS, orderWorkflowDefinition } from "../../workflow/definition";
import { documentClient, freshStockTables } from "../support/dynamodb";

const arns = {
  taskArns: {
    [State.CheckInventory]: "arn:aws:lambda:eu-west-1:123456789012:function:oms-check-inventory",
    [State.CreateOrder]: "arn:aws:lambda:eu-west-1:123456789012:function:oms-create-order",
    [State.ReleaseStock]: "arn:aws:lambda:eu-west-1:123456789012:function:oms-release-stock",
  },
};

function orderFor(product: string, quantity: number, n = 1): Order {
  return {
    OrderId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    ownerId: "alice",
    customerName: "Alice",
    product,
    quantity,
    items: [{ product, quantity }],
    status: "PLACED",
    createdAt: "2026-11-27T10:00:00.000Z",
  };
}

/** An order of several lines, as the API hands it to the workflow: unpriced. */
function orderOfLines(lines: readonly { product: string; quantity: number }[], n = 1): Order {
  return {
    OrderId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    ownerId: "alice",
    customerName: "Alice",
    items: lines.map(({ product, quantity }) => ({ product, quantity })),
    status: "PLACED",
    createdAt: "2026-11-27T10:00:00.000Z",
  };
}

describe("the order workflow definition", () => {
  it("is valid Amazon States Language", () => {
    const { isValid, errorsText } = aslValidator(orderWorkflowDefinition(arns));

    expect(isValid, errorsText("\n")).to.equal(true);
  });

  it("keeps the original states and their meaning, and never lets a reservation go without compensation", () => {
    const { StartAt, States } = orderWorkflowDefinition(arns);

    expect(StartAt).to.equal("CheckInventory");
    expect(States.CheckInventory.Next).to.equal("IsAvailable");
    expect(States.IsAvailable.Choices[0]).to.deep.equal({
      Variable: "$.InventoryResult.result",
      StringEquals: "Available",
      Next: "CreateOrder",
    });
    expect(States.OutOfStock).to.include({ Type: "Fail", Error: "ItemUnavailable" });
    expect(States.CreateOrder.Catch[0]).to.include({ Next: "ReleaseStock" });
    expect(States.ReleaseStock.Next).to.equal("DescribeFailure");
    expect(States.DescribeFailure.Next).to.equal("OrderFailed");
  });

  it("moves stock for every line of the order, and gives CreateOrder the prices CheckInventory reserved at", () => {
    const { States } = orderWorkflowDefinition(arns);

    expect(States.CheckInventory.Parameters).to.deep.equal({
      "orderId.$": "$.order.OrderId",
      "lines.$": "$.order.items",
    });
    expect(States.ReleaseStock.Parameters).to.deep.equal({
      "orderId.$": "$.order.OrderId",
      "lines.$": "$.order.items",
    });
    expect(States.CreateOrder.Parameters).to.deep.equal({
      "order.$": "$.order",
      "prices.$": "$.InventoryResult.prices",
    });
    // The priced order CreateOrder returns is what the run ends with.
    expect(States.CreateOrder.ResultPath).to.equal("$.order");
  });

  it("fails UnknownProduct with CheckInventory's cause, which names the product and its line", () => {
    const { States } = orderWorkflowDefinition(arns);

    expect(States.UnknownProduct).to.deep.equal({
      Type: "Fail",
      Error: "UnknownProduct",
      CausePath: "$.InventoryResult.cause",
    });
  });

  it("fails OrderFailed with the error CreateOrder failed with, as JSON, whoever runs it", () => {
    const { States } = orderWorkflowDefinition(arns);

    expect(States.CreateOrder.Catch[0]).to.include({ ResultPath: "$.failure" });
    expect(States.DescribeFailure).to.deep.include({
      Type: "Pass",
      Parameters: { "cause.$": "States.JsonToString($.failure)" },
    });
    expect(States.OrderFailed).to.deep.equal({ Type: "Fail", Error: "OrderFailed", CausePath: "$.cause" });
  });

  it("sends no mail: a created order ends the run as placed, and its OrderPlaced event mails the customer", () => {
    const { States } = orderWorkflowDefinition(arns);

    expect(States.CreateOrder.Next).to.equal("OrderPlaced");
    expect(States.OrderPlaced).to.deep.equal({ Type: "Succeed", OutputPath: "$.order" });
    const resources = Object.values(States).flatMap((state) => ("Resource" in state ? [state.Resource] : []));
    expect(resources).to.have.members(Object.values(arns.taskArns));
  });
});

describe("the order workflow, run locally on DynamoDB Local", function () {
  this.timeout(60_000);
  let client: DynamoDBDocumentClient;
  let inventory: InventoryRepository;
  let orders: OrderRepository;
  let tables: Awaited<ReturnType<typeof freshStockTables>>;

  beforeEach(async () => {
    client = await documentClient();
    tables = await freshStockTables();
    inventory = dynamoInventoryRepository(client, tables);
    orders = dynamoOrderRepository(client, tables);
    await inventory.setStock("Headlight", { quantity: 4 }, new Date());
  });

  function workflow(overrides: Partial<Record<string, TaskHandler>> = {}) {
    return localOrderWorkflow({
      tasks: {
        [State.CheckInventory]: makeCheckInventory({ inventory }),
        [State.CreateOrder]: makeCreateOrder({ orders }),
        [State.ReleaseStock]: makeReleaseStock({ inventory }),
        ...overrides,
      },
      retryIntervalMs: 0,
    });
  }

  async function stock(itemId: string) {
    const { Item } = await client.send(new GetCommand({ TableName: tables.inventory, Key: { itemId } }));
    return Item;
  }

  /** Every reservation still held. */
  async function reservations() {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: tables.reservations }));
    return Items;
  }

  it("reserves the stock and creates the order when the item is available", async () => {
    const order = orderFor("Headlight", 3);

    const outcome = await workflow().place(order);

    expect(outcome).to.deep.equal({ kind: "placed", order });
    expect(await orders.get(order.OrderId)).to.deep.equal(order);
    expect(await stock("Headlight")).to.deep.include({ quantity: 1 });
    expect(await reservations()).to.deep.equal([]);
  });

  it("fails with ItemUnavailable, reserving nothing, when too few units are left", async () => {
    const outcome = await workflow().place(orderFor("Headlight", 5));

    expect(outcome).to.deep.equal({
      kind: "outOfStock",
      shortLines: [{ product: "Headlight", requested: 5, available: 4 }],
    });
    expect(await stock("Headlight")).to.deep.include({ quantity: 4 });
  });

  it("fails with UnknownProduct for an item the inventory does not carry", async () => {
    expect(await workflow().place(orderFor("Wiper", 1))).to.deep.equal({
      kind: "unknownProduct",
      product: "Wiper",
      line: 0,
    });
  });

  it("places an order of several lines at the items' prices, the run ending with the priced order", async () => {
    await inventory.setStock("Wiper", { quantity: 5, unitPrice: { amount: 1250, currency: "EUR" } }, new Date());
    await inventory.setStock("Headlight", { quantity: 4, unitPrice: { amount: 4999, currency: "EUR" } }, new Date());
    const order = orderOfLines([
      { product: "Headlight", quantity: 2 },
      { product: "Wiper", quantity: 3 },
    ]);

    const outcome = await workflow().place(order);

    const priced: Order = {
      ...order,
      items: [
        {
          product: "Headlight",
          quantity: 2,
          unitPrice: { amount: 4999, currency: "EUR" },
          lineTotal: { amount: 9998, currency: "EUR" },
        },
        {
          product: "Wiper",
          quantity: 3,
          unitPrice: { amount: 1250, currency: "EUR" },
          lineTotal: { amount: 3750, currency: "EUR" },
        },
      ],
      total: { amount: 13748, currency: "EUR" },
    };
    expect(outcome).to.deep.equal({ kind: "placed", order: priced });
    expect(await orders.get(order.OrderId)).to.deep.equal(priced);
    expect(await stock("Headlight")).to.deep.include({ quantity: 2, committed: 2 });
    expect(await stock("Wiper")).to.deep.include({ quantity: 2, committed: 3 });
    expect(await reservations()).to.deep.equal([]);
  });

  it("reserves nothing on any line when one line is short, and names every short line", async () => {
    await inventory.setStock("Wiper", { quantity: 1 }, new Date());
    await inventory.setStock("Mirror", { quantity: 9 }, new Date());

    const outcome = await workflow().place(
      orderOfLines([
        { product: "Headlight", quantity: 5 },
        { product: "Mirror", quantity: 2 },
        { product: "Wiper", quantity: 2 },
      ]),
    );

    expect(outcome).to.deep.equal({
      kind: "outOfStock",
      shortLines: [
        { product: "Headlight", requested: 5, available: 4 },
        { product: "Wiper", requested: 2, available: 1 },
      ],
    });
    expect(await stock("Headlight")).to.deep.include({ quantity: 4 });
    expect(await stock("Mirror")).to.deep.include({ quantity: 9 });
    expect(await stock("Wiper")).to.deep.include({ quantity: 1 });
    expect(await reservations()).to.deep.equal([]);
  });

  it("fails with UnknownProduct naming the first line the inventory does not carry, reserving nothing", async () => {
    const outcome = await workflow().place(
      orderOfLines([
        { product: "Headlight", quantity: 1 },
        { product: "Wiper", quantity: 1 },
        { product: "Mirror", quantity: 1 },
      ]),
    );

    expect(outcome).to.deep.equal({ kind: "unknownProduct", product: "Wiper", line: 1 });
    expect(await stock("Headlight")).to.deep.include({ quantity: 4 });
    expect(await reservations()).to.deep.equal([]);
  });

  it("gives every line's stock back before failing when CreateOrder fails for an order of several lines", async () => {
    await inventory.setStock("Wiper", { quantity: 5 }, new Date());
    const failing: TaskHandler = async () => {
      throw new Error("the orders table is gone");
    };

    const outcome = await workflow({ [State.CreateOrder]: failing }).place(
      orderOfLines([
        { product: "Headlight", quantity: 2 },
        { product: "Wiper", quantity: 3 },
      ]),
    );

    expect(outcome).to.deep.include({ kind: "failed", error: "OrderFailed" });
    expect(await stock("Headlight")).to.deep.include({ quantity: 4, committed: 0 });
    expect(await stock("Wiper")).to.deep.include({ quantity: 5, committed: 0 });
    expect(await reservations()).to.deep.equal([]);
  });

  it("gives the stock back before failing when CreateOrder fails", async () => {
    const order = orderFor("Headlight", 2);
    const failing: TaskHandler = async () => {
      throw new Error("the orders table is gone");
    };

    const outcome = await workflow({ [State.CreateOrder]: failing }).place(order);

    expect(outcome).to.deep.equal({
      kind: "failed",
      error: "OrderFailed",
      cause: JSON.stringify({ Error: "Error", Cause: "the orders table is gone" }),
    });
    expect(await stock("Headlight")).to.deep.include({ quantity: 4 });
    expect(await reservations()).to.deep.equal([]);
    expect(await orders.get(order.OrderId)).to.equal(undefined);
  });

  it("fails as transient when CreateOrder keeps failing transiently, so that the API answers 503 here as on AWS", async () => {
    const order = orderFor("Headlight", 2);
    const throttled: TaskHandler = async () => {
      throw new TransientError("DynamoDB: ThrottlingException");
    };

    const outcome = await workflow({ [State.CreateOrder]: throttled }).place(order);

    expect(outcome).to.deep.include({ kind: "failed", error: "OrderFailed" });
    expect(isTransientFailure(outcome as { error: string; cause: string }, TRANSIENT_ERRORS)).to.equal(true);
    expect(await stock("Headlight")).to.deep.include({ quantity: 4 });
  });

  it("retries a transient task error and reserves only once", async () => {
    const check = makeCheckInventory({ inventory });
    let calls = 0;
    const flaky: TaskHandler = async (input) => {
      calls += 1;
      const decision = await check(input);
      if (calls === 1) throw new TransientError("DynamoDB: ThrottlingException");
      return decision;
    };
    const order = orderFor("Headlight", 1);

    const outcome = await workflow({ [State.CheckInventory]: flaky }).place(order);

    expect(calls).to.equal(2);
    expect(outcome.kind).to.equal("placed");
    expect(await stock("Headlight")).to.deep.include({ quantity: 3 });
  });

  it("creates an order once when CreateOrder is retried after it succeeded", async () => {
    const create = makeCreateOrder({ orders });
    let calls = 0;
    const lostAnswer: TaskHandler = async (input) => {
      calls += 1;
      const created = await create(input);
      if (calls === 1) throw new TransientError("the answer was lost");
      return created;
    };
    const order = orderFor("Headlight", 2);

    const outcome = await workflow({ [State.CreateOrder]: lostAnswer }).place(order);

    expect(calls).to.equal(2);
    expect(outcome).to.deep.equal({ kind: "placed", order });
    expect(await stock("Headlight")).to.deep.include({ quantity: 2 });
  });

  it("never sells more than it has: 20 simultaneous orders for 3 units make 3 orders", async () => {
    await client.send(new PutCommand({ TableName: tables.inventory, Item: { itemId: "Seatbelt", quantity: 3 } }));
    const run = workflow();

    const outcomes = await Promise.all(Array.from({ length: 20 }, (_, i) => run.place(orderFor("Seatbelt", 1, i + 1))));

    expect(outcomes.filter((o) => o.kind === "placed")).to.have.length(3);
    expect(outcomes.filter((o) => o.kind === "outOfStock")).to.have.length(17);
    expect(await stock("Seatbelt")).to.deep.include({ quantity: 0 });
  });
});
