import { GetCommand, ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { expect } from "chai";
import { auditStock, discrepancies } from "../../audit/stock-audit";
import { readStockSnapshot } from "../../audit/table-snapshot";
import { TransientError } from "../../domain/errors";
import type { Order } from "../../domain/order";
import { BusinessMetric, type InventoryRepository, type OrderRepository } from "../../domain/ports";
import {
  RESERVATION_LIFETIME_SECONDS,
  RESERVATION_SWEEP_INTERVAL_SECONDS,
  ReservationExpiredError,
} from "../../domain/reservation";
import { dynamoInventoryRepository } from "../../handlers/adapters/dynamo-inventory-repository";
import { dynamoOrderRepository } from "../../handlers/adapters/dynamo-order-repository";
import { makeSweepReservations } from "../../handlers/sweep-reservations";
import { makeCheckInventory } from "../../handlers/tasks/check-inventory";
import { makeCreateOrder } from "../../handlers/tasks/create-order";
import { makeReleaseStock } from "../../handlers/tasks/release-stock";
import { lambdaContext } from "../../local/lambda-context";
import { LocalMetrics } from "../../local/local-metrics";
import { localOrderWorkflow } from "../../local/local-order-workflow";
import { State, WORKFLOW_TIMEOUT_SECONDS } from "../../workflow/definition";
import { documentClient, freshStockTables } from "../support/dynamodb";

const RESERVED_AT = new Date("2026-11-27T10:00:00.000Z");
/** A moment after every reservation made at `RESERVED_AT` is past its deadline. */
const PAST_DEADLINE = new Date(RESERVED_AT.getTime() + (RESERVATION_LIFETIME_SECONDS + 1) * 1000);
const context = lambdaContext({
  functionName: "sweep-reservations",
  memoryMb: 256,
  timeoutSeconds: 60,
  region: "us-east-1",
  accountId: "000000000000",
});

/** Runs `task` again while it fails with `TransientError`, as the workflow retries CreateOrder. */
async function retryingTransient<T>(task: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      return await task();
    } catch (error) {
      if (!(error instanceof TransientError)) throw error;
    }
  }
}

function orderFor(n: number, product = "Headlight", quantity = 1): Order {
  return {
    OrderId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
    ownerId: "alice",
    customerName: "Alice",
    product,
    quantity,
    items: [{ product, quantity }],
    status: "PLACED",
    createdAt: RESERVED_AT.toISOString(),
  };
}

describe("reservations", () => {
  it("outlive any run of the order workflow, so that the sweeper never takes a live one", () => {
    expect(RESERVATION_LIFETIME_SECONDS).to.be.greaterThan(WORKFLOW_TIMEOUT_SECONDS);
  });

  describe("on DynamoDB Local", function () {
    this.timeout(60_000);
    let client: DynamoDBDocumentClient;
    let tables: Awaited<ReturnType<typeof freshStockTables>>;
    let inventory: InventoryRepository;
    let orders: OrderRepository;
    let metrics: LocalMetrics;

    beforeEach(async () => {
      client = await documentClient();
      tables = await freshStockTables();
      inventory = dynamoInventoryRepository(client, tables);
      orders = dynamoOrderRepository(client, tables);
      metrics = new LocalMetrics();
      await inventory.setStock("Headlight", { quantity: 10 }, RESERVED_AT);
    });

    const sweep = (now: Date) => makeSweepReservations({ inventory, metrics, now: () => now })({}, context);
    const free = async (itemId = "Headlight") =>
      (await client.send(new GetCommand({ TableName: tables.inventory, Key: { itemId } }))).Item?.["quantity"];
    const held = async () =>
      (await client.send(new ScanCommand({ TableName: tables.reservations }))).Items?.length ?? 0;
    const audit = async (now: Date) => auditStock(await readStockSnapshot(client, tables), { now });

    const books = async (itemId = "Headlight") => {
      const { Item } = await client.send(new GetCommand({ TableName: tables.inventory, Key: { itemId } }));
      return { quantity: Item?.["quantity"], committed: Item?.["committed"] };
    };

    describe("setting the stock", () => {
      it("starts a new item with nothing committed", async () => {
        await inventory.setStock("Wiper", { quantity: 5 }, RESERVED_AT);

        expect(await books("Wiper")).to.deep.equal({ quantity: 5, committed: 0 });
      });

      it("is one write with no condition on the old stock, and leaves the committed units alone", async () => {
        await inventory.reserve(orderFor(1).OrderId, [{ product: "Headlight", quantity: 3 }], RESERVED_AT);
        const sent: { command: string; input: Record<string, unknown> }[] = [];
        const recording = await documentClient();
        recording.middlewareStack.add(
          (next, context) => async (args) => {
            sent.push({ command: context.commandName ?? "", input: args.input as Record<string, unknown> });
            return next(args);
          },
          { step: "initialize" },
        );

        const item = await dynamoInventoryRepository(recording, tables).setStock(
          "Headlight",
          { quantity: 2 },
          RESERVED_AT,
        );

        expect(item).to.deep.equal({ itemId: "Headlight", quantity: 2, updatedAt: RESERVED_AT.toISOString() });
        expect(sent.map(({ command }) => command)).to.deep.equal(["UpdateItemCommand"]);
        expect(sent[0]?.input).to.not.have.property("ConditionExpression");
        expect(await books()).to.deep.equal({ quantity: 2, committed: 3 });
      });

      it("never fails racing reservations, and the books still balance", async () => {
        const racing = Array.from({ length: 20 }, (_, i) => orderFor(i + 1));

        const [sets, reservations] = await Promise.all([
          Promise.allSettled(racing.map((_, i) => inventory.setStock("Headlight", { quantity: 10 + i }, RESERVED_AT))),
          Promise.allSettled(
            racing.map((order) =>
              inventory.reserve(order.OrderId, [{ product: "Headlight", quantity: 1 }], RESERVED_AT),
            ),
          ),
        ]);

        expect(sets.filter((set) => set.status === "rejected")).to.deep.equal([]);
        // A reservation may lose its own race (and the workflow retries it); what it took is held.
        const taken = reservations.filter((r) => r.status === "fulfilled" && r.value.result === "Available").length;
        expect((await books()).committed).to.equal(taken);
        expect(await held()).to.equal(taken);
        expect(discrepancies(await audit(RESERVED_AT))).to.equal(0);
      });
    });

    it("holds the units in a reservation with its deadline, once however often the task is retried", async () => {
      const check = makeCheckInventory({ inventory, now: () => RESERVED_AT });
      const input = { orderId: orderFor(1).OrderId, lines: [{ product: "Headlight", quantity: 3 }] };

      const decisions = [await check(input), await check(input)];

      expect(decisions).to.deep.equal([
        { result: "Available", prices: [null] },
        { result: "Available", prices: [null] },
      ]);
      expect(await free()).to.equal(7);
      const { Items } = await client.send(new ScanCommand({ TableName: tables.reservations }));
      expect(Items).to.deep.equal([
        {
          orderId: input.orderId,
          itemId: "Headlight",
          quantity: 3,
          deadline: new Date(RESERVED_AT.getTime() + RESERVATION_LIFETIME_SECONDS * 1000).toISOString(),
        },
      ]);
    });

    it("takes nothing more for an order already written", async () => {
      const order = orderFor(1, "Headlight", 2);
      await inventory.reserve(order.OrderId, [{ product: "Headlight", quantity: 2 }], RESERVED_AT);
      await orders.createReserved(order);

      const again = await inventory.reserve(order.OrderId, [{ product: "Headlight", quantity: 2 }], RESERVED_AT);

      expect(again).to.deep.equal({ result: "Available", prices: [null] });
      expect([await free(), await held()]).to.deep.equal([8, 0]);
    });

    describe("when a task dies after the reservation and CreateOrder never runs", () => {
      beforeEach(async () => {
        await makeCheckInventory({ inventory, now: () => RESERVED_AT })({
          orderId: orderFor(1).OrderId,
          lines: [{ product: "Headlight", quantity: 4 }],
        });
      });

      it("keeps the units held until the deadline", async () => {
        const outcome = await sweep(new Date(PAST_DEADLINE.getTime() - 2000));

        expect(outcome).to.deep.equal({ released: 0, deferred: 0 });
        expect([await free(), await held()]).to.deep.equal([6, 1]);
      });

      it("gives them back once past the deadline, exactly once when two sweeps run at once, and counts it", async () => {
        const outcomes = await Promise.all([sweep(PAST_DEADLINE), sweep(PAST_DEADLINE)]);
        // A sweep that lost a transaction conflict leaves the reservation to the next one.
        outcomes.push(await sweep(PAST_DEADLINE));

        expect(outcomes.reduce((sum, outcome) => sum + outcome.released, 0)).to.equal(1);
        expect([await free(), await held()]).to.deep.equal([10, 0]);
        expect(metrics.snapshot()[BusinessMetric.ReservationsReleased] ?? 0).to.equal(
          outcomes.reduce((sum, outcome) => sum + outcome.released, 0),
        );
        expect(discrepancies(await audit(PAST_DEADLINE))).to.equal(0);
      });

      it("is found by the audit as a leak one sweep period past its deadline, until it is swept", async () => {
        const late = new Date(PAST_DEADLINE.getTime() + RESERVATION_SWEEP_INTERVAL_SECONDS * 1000);

        const before = await audit(late);
        await sweep(late);
        const after = await audit(late);

        expect(before[1]?.rows).to.deep.equal([
          {
            orderId: orderFor(1).OrderId,
            itemId: "Headlight",
            quantity: 4,
            deadline: new Date(RESERVED_AT.getTime() + RESERVATION_LIFETIME_SECONDS * 1000).toISOString(),
            problem: "past its deadline and not swept",
          },
        ]);
        expect(discrepancies(after)).to.equal(0);
      });
    });

    it("fails a CreateOrder whose reservation was swept, writing no order, and the workflow ends OrderFailed", async () => {
      const order = orderFor(1, "Headlight", 2);
      let reachCreateOrder = () => {};
      const reachedCreateOrder = new Promise<void>((resolve) => (reachCreateOrder = resolve));
      let endStall = () => {};
      const stallEnded = new Promise<void>((resolve) => (endStall = resolve));
      const stalled = localOrderWorkflow({
        tasks: {
          [State.CheckInventory]: makeCheckInventory({ inventory, now: () => RESERVED_AT }),
          // The run stalls past the deadline before CreateOrder writes, and the sweeper goes first
          // (as its own invocation, not inside CreateOrder's: each runs under its own role).
          [State.CreateOrder]: async (input) => {
            reachCreateOrder();
            await stallEnded;
            return makeCreateOrder({ orders })(input);
          },
          [State.ReleaseStock]: makeReleaseStock({ inventory }),
        },
        retryIntervalMs: 0,
      });

      const placing = stalled.place(order);
      await reachedCreateOrder;
      await sweep(PAST_DEADLINE);
      endStall();
      const outcome = await placing;

      expect(outcome).to.deep.include({ kind: "failed", error: "OrderFailed" });
      expect(await orders.get(order.OrderId)).to.equal(undefined);
      expect([await free(), await held()]).to.deep.equal([10, 0]);
      let refused: unknown;
      await orders.createReserved(order).catch((error: unknown) => (refused = error));
      expect(refused).to.be.instanceOf(ReservationExpiredError);
      expect((refused as Error).message).to.equal(
        `The stock reserved for order ${order.OrderId} was given back before the order was written`,
      );
    });

    it("never both sells and frees, nor neither: CreateOrder racing the sweeper past the deadline", async () => {
      const placed = Array.from({ length: 10 }, (_, i) => orderFor(i + 1));
      for (const order of placed) await inventory.reserve(order.OrderId, order.items, RESERVED_AT);

      const [created] = await Promise.all([
        Promise.allSettled(placed.map((order) => retryingTransient(() => orders.createReserved(order)))),
        sweep(PAST_DEADLINE),
        sweep(PAST_DEADLINE),
      ]);
      // What a transaction conflict left behind, the next sweep takes.
      await sweep(PAST_DEADLINE);

      const written = await Promise.all(placed.map(async (order) => (await orders.get(order.OrderId)) !== undefined));
      const writtenCount = written.filter(Boolean).length;
      // Each order is either written (its CreateOrder succeeded) or refused as expired, never another failure.
      created.forEach((result, i) => {
        if (result.status === "rejected") expect(result.reason).to.be.instanceOf(ReservationExpiredError);
        expect(result.status === "fulfilled").to.equal(written[i]);
      });
      expect(await free()).to.equal(10 - writtenCount);
      expect(await held()).to.equal(0);
      expect(discrepancies(await audit(PAST_DEADLINE))).to.equal(0);
    });
  });
});
