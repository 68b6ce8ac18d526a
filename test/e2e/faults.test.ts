import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { expect } from "chai";
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { auditStock, discrepancies, renderAudit } from "../../audit/stock-audit";
import { readStockSnapshot } from "../../audit/table-snapshot";
import { RequestInProgressError } from "../../domain/errors";
import { BusinessMetric } from "../../domain/ports";
import type { TaskHandler } from "../../handlers/tasks/task";
import type { LocalConfig } from "../../local/gateway";
import { type LocalStack, localTableName, startLocalStack } from "../../local/local-stack";
import { freePort } from "../../local/ports";
import { type LocalTokens, localToken } from "../../local/sign-in";
import { inventoryTable, ordersTable, reservationsTable } from "../../storage/tables";
import { State, TASK_STATES, type TaskState } from "../../workflow/definition";
import { type NpmStart, startNpmStart } from "../support/npm-start";

/**
 * The workflow's timeout in these specs: longer than its retries across the outage take (pauses of
 * 1 s and 2 s after failed attempts), short enough for the timeout case to last seconds.
 */
const WORKFLOW_TIMEOUT_SECONDS = 8;
/** Outlasts the workflow, as the domain's lifetime outlasts the deployed one. */
const RESERVATION_LIFETIME_SECONDS = WORKFLOW_TIMEOUT_SECONDS + 1;
const SWEEP_INTERVAL_MS = 500;
/**
 * What a reservation may take to come back: its lifetime, up to two sweep periods (a sweep may
 * start just before the deadline), and a second for the sweep's own run on a busy machine.
 */
const GIVEN_BACK_WITHIN_MS = RESERVATION_LIFETIME_SECONDS * 1000 + 2 * SWEEP_INTERVAL_MS + 1000;
const OUTAGE_MS = 3000;

const quiet = { info: () => undefined, error: () => undefined };
const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** An answer as the client saw it. */
interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: Record<string, unknown> | undefined;
}

interface CallOptions {
  readonly method?: string;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

async function call(baseUrl: string, token: string, path: string, options: CallOptions = {}): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method: options.method ?? "GET",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...options.headers },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Every answer but a 201 is `{"message": …}` JSON, with no stack trace anywhere in it. */
function isCleanRefusal(answer: Answer): boolean {
  return typeof answer.json?.["message"] === "string" && !/\n\s+at\s/.test(answer.text);
}

/** Lambda's error when a function's runtime dies mid-invocation (killed, out of memory). */
function runtimeExit(): Error {
  const error = new Error("Runtime exited with error: signal: killed");
  error.name = "Runtime.ExitError";
  return error;
}

/** What a task's function does instead of its work, given the real handler. */
type TaskFault = (real: TaskHandler, input: unknown) => Promise<unknown>;

/** Dies before doing anything. */
const dies: TaskFault = () => Promise.reject(runtimeExit());

/** Does its work (which commits), then dies before answering: the workflow sees a failure. */
const diesAfterItsWrite: TaskFault = async (real, input) => {
  await real(input);
  throw runtimeExit();
};

/** Dies the first time only; a later run (a client's retry) works. */
function diesOnce(): TaskFault {
  let died = false;
  return (real, input) => {
    if (died) return real(input);
    died = true;
    return Promise.reject(runtimeExit());
  };
}

/** A gate a spec opens when it wants a held task to go on. */
class Gate {
  readonly opened: Promise<void>;
  open!: () => void;
  /** Resolves when a task reached the gate. */
  readonly reached: Promise<void>;
  arrive!: () => void;

  constructor() {
    this.opened = new Promise((resolve) => (this.open = resolve));
    this.reached = new Promise((resolve) => (this.arrive = resolve));
  }
}

/** Waits at `gate`, then does its work, late; what the late work did is kept in `late`. */
function heldAt(gate: Gate, late: { result?: Promise<unknown> } = {}): TaskFault {
  return async (real, input) => {
    gate.arrive();
    await gate.opened;
    late.result = real(input);
    return late.result;
  };
}

/**
 * The product a task's input is about, by its first line: `CheckInventory` and `ReleaseStock` get
 * the order's lines, `CreateOrder` the order. The specs place orders of one line.
 */
function productOf(input: unknown): string | undefined {
  const { lines, order } = input as { lines?: { product?: string }[]; order?: { items?: { product?: string }[] } };
  return (lines ?? order?.items)?.[0]?.product;
}

/** Misbehaving tasks, by product, so that concurrent specs on their own items do not meet. */
const taskFaults = new Map<string, Partial<Record<TaskState, TaskFault>>>();
const faultyTasks = Object.fromEntries(
  TASK_STATES.map((state) => [
    state,
    (real: TaskHandler): TaskHandler =>
      (input) => {
        const fault = taskFaults.get(productOf(input) ?? "")?.[state];
        return fault ? fault(real, input) : real(input);
      },
  ]),
);

/** Polls `read` until `done` says yes, or fails after `withinMs` with what it read last. */
async function eventually<T>(read: () => Promise<T>, done: (value: T) => boolean, withinMs: number): Promise<T> {
  const until = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > until) throw new Error(`Still not there after ${withinMs} ms: ${JSON.stringify(value)}`);
    await delay(100);
  }
}

describe("The local stack under faults", function () {
  this.timeout(120_000);

  describe("with DynamoDB behind a fault proxy, short reservations and failing task functions", () => {
    let stack: LocalStack;
    let db: DynamoDBDocumentClient;
    let customer: LocalTokens;
    let admin: LocalTokens;

    const audited = { inventory: "", orders: "", reservations: "" };
    const snapshot = () => readStockSnapshot(db, audited);
    const audit = async () => {
      const results = auditStock(await snapshot(), { now: new Date(), graceSeconds: SWEEP_INTERVAL_MS / 1000 });
      return { count: discrepancies(results), report: renderAudit(results) };
    };
    const order = (product: string, key: string, quantity = 1) =>
      call(stack.url, customer.idToken, "/orders", {
        method: "POST",
        body: { customerName: "Faulty", product, quantity },
        headers: { "idempotency-key": key },
      });
    /** A new item with `quantity` units, its name unique to the run. */
    const newItem = async (name: string, quantity: number) => {
      const itemId = `${name}-${randomUUID().slice(0, 8)}`;
      const set = await call(stack.url, admin.idToken, `/inventory/${encodeURIComponent(itemId)}`, {
        method: "PUT",
        body: { quantity },
      });
      expect(set.status, set.text).to.equal(200);
      return itemId;
    };
    const stockOf = async (itemId: string) => {
      const { items, reservations, orders } = await snapshot();
      return {
        free: items.find((item) => item.itemId === itemId)?.quantity,
        reserved: reservations.filter((reservation) => reservation.itemId === itemId).length,
        orders: orders
          .filter((written) => written.items.some((line) => line.product === itemId))
          .map((written) => written.OrderId),
      };
    };
    const released = async () => {
      const metrics = (await (await fetch(`${stack.url}/_local/metrics`)).json()) as Record<string, number>;
      return metrics[BusinessMetric.ReservationsReleased] ?? 0;
    };

    before(async () => {
      stack = await startLocalStack({
        port: 0,
        dataDir: null,
        log: quiet,
        // Twenty orders at once would meet the stage's burst limit first.
        throttle: { burstLimit: 1000, rateLimit: 1000 },
        workflowTimeoutSeconds: WORKFLOW_TIMEOUT_SECONDS,
        reservationLifetimeSeconds: RESERVATION_LIFETIME_SECONDS,
        sweepIntervalMs: SWEEP_INTERVAL_MS,
        faults: { dynamodbProxy: true, tasks: faultyTasks },
      });
      db = DynamoDBDocumentClient.from(
        new DynamoDBClient({
          endpoint: stack.dynamodbEndpoint,
          region: stack.region,
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        }),
      );
      Object.assign(audited, {
        inventory: localTableName(inventoryTable),
        orders: localTableName(ordersTable),
        reservations: localTableName(reservationsTable),
      });
      customer = await localToken({ ...stack, email: "faulty@example.com" });
      admin = await localToken({ ...stack, email: "faulty-admin@example.com", admin: true });
    });

    after(async () => {
      await stack?.dynamodbProxy?.up();
      db?.destroy();
      await stack?.stop();
      taskFaults.clear();
    });

    it("answers 201, 409 or 503 with a JSON message while DynamoDB is unreachable for 3 s, writes exactly the orders it answered 201, and leaves the audit clean", async () => {
      // Arrange: orders every 200 ms from before the outage to after it, so that some are cut mid-run.
      const stocked = 10;
      const product = await newItem("Outage", stocked);
      const proxy = stack.dynamodbProxy;
      if (!proxy) throw new Error("The stack was started without its DynamoDB proxy");

      // Act
      const answers = Promise.all(
        Array.from({ length: 20 }, (_, i) => delay(i * 200).then(() => order(product, `outage-${i}-${product}`))),
      );
      await delay(500);
      await proxy.downFor(OUTAGE_MS);
      const answered = await answers;
      // Every run has ended; a run that could not give its units back leaves them to the sweeper.
      const after = await eventually(
        () => stockOf(product),
        (stock) => stock.reserved === 0,
        GIVEN_BACK_WITHIN_MS,
      );
      const { count, report } = await audit();

      // Assert
      const placed = answered.filter((answer) => answer.status === 201).map((answer) => answer.json?.["OrderId"]);
      const refused = answered.filter((answer) => answer.status !== 201);
      expect(
        answered.map((answer) => answer.status).filter((status) => ![201, 409, 503].includes(status)),
      ).to.deep.equal([]);
      expect(answered.map((answer) => answer.status)).to.include(503);
      expect(refused.filter((answer) => !isCleanRefusal(answer)).map((answer) => answer.text)).to.deep.equal([]);
      expect(
        refused.filter((answer) => answer.status === 503).every((answer) => answer.headers.has("retry-after")),
      ).to.equal(true);
      expect([...after.orders].sort()).to.deep.equal([...placed].sort());
      expect(after.free).to.equal(stocked - placed.length);
      expect(count, report).to.equal(0);
    });

    describe("when a task's function dies after the reservation, a run times out, or an Idempotency-Key is retried", () => {
      /**
       * Each case on its own item, all started at once in `before` (each waits for a reservation's
       * deadline at most once, together), each checked by its own spec.
       */
      interface Case {
        readonly name: string;
        readonly faults: Partial<Record<TaskState, TaskFault>>;
        /** Whether the units come back only through the sweeper (no compensation ran). */
        readonly sweeperGivesBack: boolean;
        /** The answer to the order. */
        readonly status: number;
        /** What happens once the units are back, before the item is looked at again. */
        readonly thenRuns?: () => Promise<void>;
      }
      const timeoutGate = new Gate();
      const lateCreateOrder: { result?: Promise<unknown> } = {};
      const deathCases: readonly Case[] = [
        {
          name: "CreateOrder's function dies after the reservation: the workflow's ReleaseStock gives the units back",
          faults: { [State.CreateOrder]: dies },
          sweeperGivesBack: false,
          status: 500,
        },
        {
          name: "CreateOrder's and ReleaseStock's functions both die: the sweeper gives the units back",
          faults: { [State.CreateOrder]: dies, [State.ReleaseStock]: dies },
          sweeperGivesBack: true,
          status: 500,
        },
        {
          name: "CheckInventory's function dies after its reservation was written (its answer lost): the sweeper gives the units back",
          faults: { [State.CheckInventory]: diesAfterItsWrite },
          sweeperGivesBack: true,
          status: 500,
        },
        {
          name: "the workflow times out while CreateOrder stalls: the sweeper gives the units back, and the late CreateOrder writes no order",
          faults: { [State.CreateOrder]: heldAt(timeoutGate, lateCreateOrder) },
          sweeperGivesBack: true,
          status: 500,
          thenRuns: async () => {
            timeoutGate.open();
            await lateCreateOrder.result?.catch(() => undefined);
          },
        },
      ];
      const retryCases = [
        { name: "CreateOrder's function died (ReleaseStock gave the units back)", sweeperGivesBack: false },
        { name: "CreateOrder's and ReleaseStock's functions died", sweeperGivesBack: true },
      ] as const;

      interface Observed {
        readonly product: string;
        readonly stocked: number;
        readonly answers: readonly Answer[];
        /** How long the units took to be free again, from the order's answer. */
        readonly givenBackAfterMs: number;
        readonly stock: Awaited<ReturnType<typeof stockOf>>;
      }
      const QUANTITY = 2;
      const STOCKED = 5;
      const deaths = new Map<string, Promise<Observed>>();
      const retries = new Map<string, Promise<Observed>>();
      let inProgress: Promise<Observed & { readonly lateError?: unknown }>;
      let releasedBefore = 0;

      /** Orders once, then waits until the item's units are all free or sold again. */
      async function settle(product: string, answers: Answer[], orderedAt: number): Promise<Observed> {
        const stock = await eventually(
          () => stockOf(product),
          (seen) => seen.reserved === 0 && seen.free === STOCKED - QUANTITY * seen.orders.length,
          GIVEN_BACK_WITHIN_MS,
        );
        return { product, stocked: STOCKED, answers, givenBackAfterMs: Date.now() - orderedAt, stock };
      }

      async function runDeath(deathCase: Case): Promise<Observed> {
        const product = await newItem("Dies", STOCKED);
        taskFaults.set(product, deathCase.faults);
        const orderedAt = Date.now();
        const answer = await order(product, `dies-${product}`, QUANTITY);
        const observed = await settle(product, [answer], orderedAt);
        if (!deathCase.thenRuns) return observed;
        await deathCase.thenRuns();
        return { ...observed, stock: await stockOf(product) };
      }

      async function runRetry(retryCase: (typeof retryCases)[number]): Promise<Observed> {
        const product = await newItem("Retried", STOCKED);
        taskFaults.set(product, {
          [State.CreateOrder]: diesOnce(),
          ...(retryCase.sweeperGivesBack ? { [State.ReleaseStock]: diesOnce() } : {}),
        });
        const key = `retried-${product}`;
        const orderedAt = Date.now();
        const first = await order(product, key, QUANTITY);
        const retried = await order(product, key, QUANTITY);
        return settle(product, [first, retried], orderedAt);
      }

      async function runInProgress() {
        const product = await newItem("InProgress", STOCKED);
        const gate = new Gate();
        taskFaults.set(product, { [State.CreateOrder]: heldAt(gate) });
        const key = `in-progress-${product}`;
        const orderedAt = Date.now();
        const first = order(product, key, QUANTITY);
        await gate.reached;
        const meanwhile = await order(product, key, QUANTITY);
        gate.open();
        const answers = [await first, meanwhile, await order(product, key, QUANTITY)];
        return settle(product, answers, orderedAt);
      }

      before(async () => {
        releasedBefore = await released();
        for (const deathCase of deathCases) deaths.set(deathCase.name, runDeath(deathCase));
        for (const retryCase of retryCases) retries.set(retryCase.name, runRetry(retryCase));
        inProgress = runInProgress();
        // Each spec awaits its own; none is left rejected unobserved meanwhile.
        for (const run of [...deaths.values(), ...retries.values(), inProgress]) run.catch(() => undefined);
      });

      for (const deathCase of deathCases) {
        it(`${deathCase.name}, within the reservation's deadline and a sweep`, async () => {
          const observed = await deaths.get(deathCase.name);

          expect(observed?.answers.map((answer) => answer.status)).to.deep.equal([deathCase.status]);
          expect(observed?.answers.every(isCleanRefusal)).to.equal(true);
          expect(observed?.stock).to.deep.equal({ free: STOCKED, reserved: 0, orders: [] });
          expect(observed?.givenBackAfterMs).to.be.at.most(GIVEN_BACK_WITHIN_MS);
        });
      }

      it("the late CreateOrder of the timed-out run finds its reservation given back and fails with ReservationExpiredError", async () => {
        await Promise.allSettled(deaths.values());

        const late = await lateCreateOrder.result?.then(
          () => undefined,
          (error: unknown) => error,
        );

        expect((late as Error | undefined)?.name).to.equal("ReservationExpiredError");
      });

      it("answers 409 to the same Idempotency-Key while its first attempt runs, then the first attempt's order to every retry: one order", async () => {
        const observed = await inProgress;

        const [first, meanwhile, again] = observed.answers;
        expect([first?.status, meanwhile?.status, again?.status]).to.deep.equal([201, 409, 201]);
        expect(meanwhile?.json).to.deep.equal({ message: new RequestInProgressError().message });
        expect(again?.json?.["OrderId"]).to.equal(first?.json?.["OrderId"]);
        expect(observed.stock).to.deep.equal({
          free: STOCKED - QUANTITY,
          reserved: 0,
          orders: [first?.json?.["OrderId"]],
        });
      });

      for (const retryCase of retryCases) {
        it(`places one order when the same Idempotency-Key is retried after a first attempt failed half-way: ${retryCase.name}`, async () => {
          const observed = await retries.get(retryCase.name);

          const [first, retried] = observed?.answers ?? [];
          expect([first?.status, retried?.status]).to.deep.equal([500, 201]);
          expect(first && isCleanRefusal(first)).to.equal(true);
          expect(observed?.stock).to.deep.equal({
            free: STOCKED - QUANTITY,
            reserved: 0,
            orders: [retried?.json?.["OrderId"]],
          });
        });
      }

      it("counts each reservation the sweeper gave back as ReservationsReleased, and leaves the audit clean", async () => {
        await Promise.allSettled([...deaths.values(), ...retries.values(), inProgress]);

        const releasedNow = await released();
        const { count, report } = await audit();

        const bySweeper = [...deathCases, ...retryCases].filter((c) => c.sweeperGivesBack).length;
        expect(releasedNow - releasedBefore).to.equal(bySweeper);
        expect(count, report).to.equal(0);
      });
    });
  });

  describe("npm start, killed with SIGKILL and started again on the same OMS_DATA_DIR", () => {
    let dataDir: string;
    let running: NpmStart | undefined;

    before(() => {
      dataDir = mkdtempSync(join(tmpdir(), "oms-killed-"));
    });

    after(async () => {
      await running?.stop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("still has every user, order, token and stock level, and the audit of it is clean", async () => {
      // Arrange: users, their tokens, a profile, stock and orders on a stack that will not see it coming.
      const env = { OMS_DATA_DIR: dataDir, OMS_PORT: String(await freePort()) };
      running = await startNpmStart(env);
      const first = running;
      const pool = await userPoolOf(first.url);
      const erin = await localToken({ ...pool, email: "erin@example.com" });
      const boss = await localToken({ ...pool, email: "boss@example.com", admin: true });
      const itemId = `Killed-${randomUUID().slice(0, 8)}`;
      const setUp = [
        await call(first.url, erin.idToken, "/users", {
          method: "POST",
          body: { name: "Erin", email: "erin@example.com" },
        }),
        await call(first.url, boss.idToken, `/inventory/${itemId}`, { method: "PUT", body: { quantity: 7 } }),
        await call(first.url, erin.idToken, "/orders", {
          method: "POST",
          body: { customerName: "Erin", product: itemId, quantity: 3 },
        }),
      ];
      const placed = setUp[2]?.json;
      const read = (url: string) =>
        Promise.all([
          call(url, erin.idToken, "/users/me"),
          call(url, erin.idToken, `/orders/${String(placed?.["OrderId"])}`),
          call(url, boss.idToken, "/inventory?limit=100"),
        ]);
      const before = await read(first.url);

      // Act
      await first.kill();
      running = undefined;
      running = await startNpmStart(env);
      const afterRestart = await read(running.url);
      const again = await localToken({ ...(await userPoolOf(running.url)), email: "erin@example.com" });
      const audit = await auditOf(running.url);

      // Assert
      expect(setUp.map((answer) => answer.status)).to.deep.equal([201, 200, 201]);
      expect(afterRestart.map((answer) => answer.status)).to.deep.equal([200, 200, 200]);
      expect(afterRestart.map((answer) => answer.json)).to.deep.equal(before.map((answer) => answer.json));
      expect(again.sub).to.equal(erin.sub);
      expect(audit.exitCode, audit.output).to.equal(0);
    });
  });
});

/** What `npm run token` reads from a running stack to sign a user in. */
async function userPoolOf(url: string) {
  const config = (await (await fetch(`${url}/_local/config`)).json()) as LocalConfig;
  return { cognitoEndpoint: config.cognitoEndpoint, userPoolId: config.userPoolId, clientId: config.clientId };
}

/** `npm run audit -- --url <url>`, as an operator runs it against `npm start`. */
async function auditOf(url: string): Promise<{ exitCode: number | null; output: string }> {
  const child = spawn("npm", ["run", "-s", "audit", "--", "--url", url], {
    cwd: join(__dirname, "..", ".."),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const exitCode = await new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { exitCode, output };
}
