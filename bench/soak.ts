import { randomUUID } from "node:crypto";
import type { StackProcess } from "./local-stack-process";
import { type MemorySample, sampleMemory } from "./soak-memory";
import {
  SOAK_MIX,
  type ScheduledRequest,
  SoakOperation,
  type SoakSubject,
  restockQuantity,
  soakSchedule,
} from "./soak-schedule";
import { type SoakOutcome, type SoakRecord, type SoakWindow, soakWindows, summarizeWindow } from "./soak-windows";

/** The item the soak's customers buy and its admin restocks; apart from the load run's. */
export const SOAK_ITEM = "Soak widget";
/** Rows of the report: long enough for percentiles, short enough that a drift shows as a trend. */
export const SOAK_WINDOW_SECONDS = 15;
/** A request not answered by then counts as a timeout: API Gateway gives up at 30 s. */
const REQUEST_TIMEOUT_MS = 30_000;

/** A soak window and the stack's memory as the window ended. */
export interface SoakWindowResult extends SoakWindow {
  readonly memory: MemorySample;
}

/** Everything a soak measured. */
export interface SoakMeasurements {
  readonly seconds: number;
  readonly rate: number;
  readonly windowSeconds: number;
  readonly requestTimeoutSeconds: number;
  readonly mix: readonly { readonly operation: SoakOperation; readonly route: string; readonly weight: number }[];
  /** What each restock sets the soak's item to. */
  readonly restockQuantity: number;
  readonly windows: readonly SoakWindowResult[];
  /** The whole soak as one window. */
  readonly total: SoakWindow;
  /** Before the first request, and once every request had its answer or timed out; both after a full collection. */
  readonly memory: { readonly start: MemorySample; readonly end: MemorySample };
  /** The most any request left after its scheduled time (ms): the generator kept the rate if small. */
  readonly maxSendLagMs: number;
  /** Error lines the stack logged during the soak. */
  readonly stackErrors: number;
}

/** What the soak has learnt from earlier answers: the orders it may read, ship and deliver. */
interface SoakOrders {
  /** Every order placed, read in turn. */
  readonly readable: string[];
  /** Placed and not yet shipped, oldest first. */
  readonly placed: string[];
  /** Shipped and not yet delivered, oldest first. */
  readonly shipped: string[];
  readCursor: number;
}

interface SoakRequest {
  readonly method: "GET" | "POST" | "PATCH" | "PUT";
  readonly path: string;
  readonly token: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: unknown;
  /** Records what a successful answer makes possible next. */
  readonly onSuccess?: (body: unknown) => void;
}

/** The request for `operation`, or undefined when it needs an order that no answer has given yet. */
function requestFor(operation: SoakOperation, stack: StackProcess, orders: SoakOrders, restock: number) {
  const take = (subject: SoakSubject) => (subject === "placed" ? orders.placed : orders.shipped).shift();
  const customer = stack.customer.token;
  const admin = stack.admin.token;
  const orderPath = (id: string) => `/orders/${encodeURIComponent(id)}`;
  switch (operation) {
    case SoakOperation.Place:
      return {
        method: "POST",
        path: "/orders",
        token: customer,
        headers: { "idempotency-key": randomUUID() },
        body: { customerName: "Soak", product: SOAK_ITEM, quantity: 1 },
        onSuccess: (body) => {
          const id = (body as { OrderId?: unknown }).OrderId;
          if (typeof id !== "string") return;
          orders.readable.push(id);
          orders.placed.push(id);
        },
      } satisfies SoakRequest;
    case SoakOperation.List:
      return { method: "GET", path: "/orders", token: customer } satisfies SoakRequest;
    case SoakOperation.Read: {
      if (orders.readable.length === 0) return undefined;
      const id = orders.readable[orders.readCursor++ % orders.readable.length] ?? "";
      return { method: "GET", path: orderPath(id), token: customer } satisfies SoakRequest;
    }
    case SoakOperation.Ship: {
      const id = take("placed");
      if (id === undefined) return undefined;
      return {
        method: "PATCH",
        path: orderPath(id),
        token: admin,
        body: { status: "SHIPPED" },
        onSuccess: () => void orders.shipped.push(id),
      } satisfies SoakRequest;
    }
    case SoakOperation.Deliver: {
      const id = take("shipped");
      if (id === undefined) return undefined;
      return {
        method: "PATCH",
        path: orderPath(id),
        token: admin,
        body: { status: "DELIVERED" },
      } satisfies SoakRequest;
    }
    case SoakOperation.Restock:
      return {
        method: "PUT",
        path: `/inventory/${encodeURIComponent(SOAK_ITEM)}`,
        token: admin,
        body: { quantity: restock },
      } satisfies SoakRequest;
  }
}

/** Sends one request and times it from when it was due, reading the whole body as a client would. */
async function send(url: string, request: SoakRequest, dueAt: number): Promise<SoakOutcome> {
  try {
    const response = await fetch(`${url}${request.path}`, {
      method: request.method,
      headers: {
        authorization: `Bearer ${request.token}`,
        "content-type": "application/json",
        ...request.headers,
      },
      ...(request.body === undefined ? {} : { body: JSON.stringify(request.body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await response.text();
    const latencyMs = performance.now() - dueAt;
    if (response.ok && request.onSuccess) request.onSuccess(text === "" ? undefined : JSON.parse(text));
    return { kind: "answered", status: response.status, latencyMs };
  } catch (error) {
    return error instanceof Error && error.name === "TimeoutError" ? { kind: "timeout" } : { kind: "error" };
  }
}

/**
 * Runs `schedule` against the stack: each request leaves when due, without waiting for earlier
 * answers, and the returned promise settles once every request has its outcome.
 */
async function drive(
  stack: StackProcess,
  schedule: readonly ScheduledRequest[],
  startedAt: number,
  restock: number,
): Promise<{ records: SoakRecord[]; maxSendLagMs: number }> {
  const orders: SoakOrders = { readable: [], placed: [], shipped: [], readCursor: 0 };
  const outcomes: Promise<SoakRecord>[] = [];
  let maxSendLagMs = 0;
  let next = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      for (let due = schedule[next]; due && startedAt + due.atMs <= now; due = schedule[++next]) {
        const { atMs, operation } = due;
        maxSendLagMs = Math.max(maxSendLagMs, now - (startedAt + atMs));
        const request = requestFor(operation, stack, orders, restock);
        outcomes.push(
          request
            ? send(stack.url, request, startedAt + atMs).then((outcome) => ({ atMs, operation, outcome }))
            : Promise.resolve({ atMs, operation, outcome: { kind: "skipped" } }),
        );
      }
      const upcoming = schedule[next];
      if (upcoming) setTimeout(tick, Math.max(0, startedAt + upcoming.atMs - performance.now()));
      else resolve();
    };
    tick();
  });
  return { records: await Promise.all(outcomes), maxSendLagMs };
}

/**
 * Mixed traffic at a fixed rate on the local stack for `seconds` (`rate × seconds` requests, each
 * given up after 30 s, so the soak always ends), reported per window of `SOAK_WINDOW_SECONDS` with
 * the stack's memory as each window ends, and before and after.
 */
export async function measureSoak(
  stack: StackProcess,
  options: { readonly seconds: number; readonly rate: number },
  progress: (line: string) => void = () => undefined,
): Promise<SoakMeasurements> {
  // The machine's rule: load goes to loopback only.
  if (!new URL(stack.url).hostname.startsWith("127.")) {
    throw new Error(`The soak only drives loopback, not ${stack.url}`);
  }
  const restock = restockQuantity(SOAK_MIX);
  const stocked = await fetch(`${stack.url}/inventory/${encodeURIComponent(SOAK_ITEM)}`, {
    method: "PUT",
    headers: { authorization: `Bearer ${stack.admin.token}`, "content-type": "application/json" },
    body: JSON.stringify({ quantity: restock }),
  });
  if (stocked.status !== 200) throw new Error(`Stocking the soak item answered ${stocked.status}`);
  const errorsBefore = await stack.errors();
  const start = await sampleMemory(stack, 0, true);

  const schedule = soakSchedule(options.rate, options.seconds, SOAK_MIX);
  const startedAt = performance.now();
  const windowEnds = Array.from({ length: Math.ceil(options.seconds / SOAK_WINDOW_SECONDS) }, (_, index) =>
    Math.min(options.seconds, (index + 1) * SOAK_WINDOW_SECONDS),
  );
  // Memory as each window ends, taken while the traffic runs.
  const samples: Promise<MemorySample>[] = [];
  const timers = windowEnds.map((end) =>
    setTimeout(
      () => {
        samples.push(sampleMemory(stack, end, false));
        progress(`soak: ${end} of ${options.seconds} s`);
      },
      Math.max(0, startedAt + end * 1000 - performance.now()),
    ),
  );
  const { records, maxSendLagMs } = await drive(stack, schedule, startedAt, restock);
  // Every request has its outcome; a window end the timers have not reached yet is sampled now.
  timers.forEach((timer) => clearTimeout(timer));
  while (samples.length < windowEnds.length) samples.push(sampleMemory(stack, windowEnds[samples.length] ?? 0, false));
  const windowMemory = await Promise.all(samples);
  const end = await sampleMemory(stack, (performance.now() - startedAt) / 1000, true);
  const stackErrors = (await stack.errors()) - errorsBefore;

  const operations = SOAK_MIX.map((entry) => entry.operation);
  return {
    seconds: options.seconds,
    rate: options.rate,
    windowSeconds: SOAK_WINDOW_SECONDS,
    requestTimeoutSeconds: REQUEST_TIMEOUT_MS / 1000,
    mix: SOAK_MIX.map(({ operation, route, weight }) => ({ operation, route, weight })),
    restockQuantity: restock,
    windows: soakWindows(records, options.seconds, SOAK_WINDOW_SECONDS, operations).map((window, index) => ({
      ...window,
      memory: windowMemory[index] ?? start,
    })),
    total: summarizeWindow(records, 0, options.seconds, operations),
    memory: { start, end },
    maxSendLagMs,
    stackErrors,
  };
}
