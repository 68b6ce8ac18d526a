import type { SoakOperation } from "./soak-schedule";
import { percentile } from "./stats";

/** What became of one scheduled request. */
export type SoakOutcome =
  /** An HTTP answer, its body read, `latencyMs` after the request was due to leave. */
  | { readonly kind: "answered"; readonly status: number; readonly latencyMs: number }
  /** No answer within the request timeout. */
  | { readonly kind: "timeout" }
  /** The connection failed. */
  | { readonly kind: "error" }
  /** Not sent: a dependent operation had no order to act on yet. */
  | { readonly kind: "skipped" };

/** One scheduled request and its outcome. */
export interface SoakRecord {
  /** When it was due to leave, from the start of the soak (ms). */
  readonly atMs: number;
  readonly operation: SoakOperation;
  readonly outcome: SoakOutcome;
}

/** p50 and p99 of one operation's answers. */
export interface OperationLatency {
  readonly answered: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
}

/** The requests due to leave in one span of the soak, and what became of them. */
export interface SoakWindow {
  readonly startSeconds: number;
  readonly endSeconds: number;
  /** Requests sent (skipped ones are not). */
  readonly sent: number;
  readonly skipped: number;
  /** Answers by status class. */
  readonly ok: number;
  readonly clientErrors: number;
  readonly serverErrors: number;
  readonly timeouts: number;
  readonly errors: number;
  /** Answers by exact status, e.g. `{ "201": 90, "409": 2 }`. */
  readonly statuses: Readonly<Record<string, number>>;
  /** Every answer, whatever the operation. */
  readonly all: OperationLatency;
  /** Each operation of the mix, in mix order; NaN latencies where it had no answer. */
  readonly operations: Readonly<Partial<Record<SoakOperation, OperationLatency>>>;
}

function latencyOf(records: readonly SoakRecord[]): OperationLatency {
  const latencies = records.flatMap((record) => (record.outcome.kind === "answered" ? [record.outcome.latencyMs] : []));
  return { answered: latencies.length, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99) };
}

/** Summarizes `records` as one window from `startSeconds` to `endSeconds`, each operation in `operations` order. */
export function summarizeWindow(
  records: readonly SoakRecord[],
  startSeconds: number,
  endSeconds: number,
  operations: readonly SoakOperation[],
): SoakWindow {
  const count = (kind: SoakOutcome["kind"]) => records.filter((record) => record.outcome.kind === kind).length;
  const statuses: Record<string, number> = {};
  const classes = { 2: 0, 4: 0, 5: 0 } as Record<number, number>;
  for (const { outcome } of records) {
    if (outcome.kind !== "answered") continue;
    statuses[outcome.status] = (statuses[outcome.status] ?? 0) + 1;
    const statusClass = Math.floor(outcome.status / 100);
    classes[statusClass] = (classes[statusClass] ?? 0) + 1;
  }
  return {
    startSeconds,
    endSeconds,
    sent: records.length - count("skipped"),
    skipped: count("skipped"),
    ok: classes[2] ?? 0,
    clientErrors: classes[4] ?? 0,
    serverErrors: classes[5] ?? 0,
    timeouts: count("timeout"),
    errors: count("error"),
    statuses,
    all: latencyOf(records),
    operations: Object.fromEntries(
      operations.map((operation) => [operation, latencyOf(records.filter((record) => record.operation === operation))]),
    ),
  };
}

/**
 * The soak cut into windows of `windowSeconds` by when each request was due to leave (the last
 * window is shorter when `seconds` is not a multiple), so that every window holds the same number
 * of requests and a drift shows as a change from one row to the next.
 */
export function soakWindows(
  records: readonly SoakRecord[],
  seconds: number,
  windowSeconds: number,
  operations: readonly SoakOperation[],
): SoakWindow[] {
  const windows = Math.max(1, Math.ceil(seconds / windowSeconds));
  const byWindow: SoakRecord[][] = Array.from({ length: windows }, () => []);
  for (const record of records) {
    const index = Math.min(windows - 1, Math.floor(record.atMs / 1000 / windowSeconds));
    byWindow[index]?.push(record);
  }
  return byWindow.map((windowRecords, index) =>
    summarizeWindow(windowRecords, index * windowSeconds, Math.min(seconds, (index + 1) * windowSeconds), operations),
  );
}
