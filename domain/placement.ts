import type { ShortLine } from "./inventory";
import type { Order } from "./order";
import type { PlacementOutcome } from "./ports";

/** Errors a failed run of the order workflow ends with. */
export const WorkflowError = {
  ItemUnavailable: "ItemUnavailable",
  UnknownProduct: "UnknownProduct",
  OrderFailed: "OrderFailed",
} as const;

/** How an execution ended, in Step Functions' terms (`StartSyncExecution`'s answer). */
export interface ExecutionResult {
  readonly status: "SUCCEEDED" | "FAILED" | "TIMED_OUT" | "ABORTED";
  /** The execution's output, JSON, when it succeeded. */
  readonly output?: string;
  /** The error it failed with. */
  readonly error?: string;
  /** The error's cause. */
  readonly cause?: string;
}

/** The lines a shortage's cause names (`CheckInventory`'s decision, as JSON). */
function shortLinesFrom(cause: string | undefined): readonly ShortLine[] {
  try {
    const parsed = JSON.parse(cause ?? "") as { shortLines?: unknown };
    return Array.isArray(parsed.shortLines) ? (parsed.shortLines as ShortLine[]) : [];
  } catch {
    return [];
  }
}

/** The unknown product an `UnknownProduct` failure's cause names, and its line. */
function unknownProductFrom(cause: string | undefined): { product?: string; line?: number } {
  try {
    const parsed = JSON.parse(cause ?? "") as { product?: unknown; line?: unknown };
    return {
      ...(typeof parsed.product === "string" ? { product: parsed.product } : {}),
      ...(typeof parsed.line === "number" ? { line: parsed.line } : {}),
    };
  } catch {
    return {};
  }
}

/** What a run of the order workflow means for the order the API asked it to place. */
export function interpretExecution(result: ExecutionResult, order: Order): PlacementOutcome {
  if (result.status === "SUCCEEDED") {
    return { kind: "placed", order: result.output ? (JSON.parse(result.output) as Order) : order };
  }
  if (result.error === WorkflowError.ItemUnavailable) {
    return { kind: "outOfStock", shortLines: shortLinesFrom(result.cause) };
  }
  if (result.error === WorkflowError.UnknownProduct) {
    const { product = order.items[0]?.product ?? "", line = 0 } = unknownProductFrom(result.cause);
    return { kind: "unknownProduct", product, line };
  }
  return {
    kind: "failed",
    error: result.error ?? `States.${result.status}`,
    cause: result.cause ?? `The execution ended ${result.status}`,
  };
}

/**
 * The error a failure's cause names: the caught error object's `Error` (what `OrderFailed` carries,
 * see `workflow/definition.ts`), or Lambda's `errorType` (a task's own failure on AWS).
 */
function errorInCause(cause: string): string | undefined {
  try {
    const parsed = JSON.parse(cause) as { errorType?: unknown; Error?: unknown };
    const name = parsed.Error ?? parsed.errorType;
    return typeof name === "string" ? name : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a failed run failed only because a dependency said "not now" after the workflow's
 * retries, so that the same order may be placed by trying again later, and no order was written:
 * - a task failed with one of `transientErrors` (the errors the workflow retries): `CheckInventory`
 *   reserves in one conditional update, so nothing was taken; or `ReleaseStock` could not give the
 *   units back, which the reservation sweeper does once their deadline passes;
 * - `OrderFailed` after `CreateOrder` failed with one of them (its cause is that error as JSON): its
 *   transaction wrote nothing, and `ReleaseStock` gave the units back.
 * A run that timed out is not: its tasks may still write after the execution ended.
 */
export function isTransientFailure(
  failure: { readonly error: string; readonly cause: string },
  transientErrors: readonly string[],
): boolean {
  if (transientErrors.includes(failure.error)) return true;
  if (failure.error !== WorkflowError.OrderFailed) return false;
  const cause = errorInCause(failure.cause);
  return cause !== undefined && transientErrors.includes(cause);
}
