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

function availableFrom(cause: string | undefined): number {
  try {
    const parsed = JSON.parse(cause ?? "") as { available?: unknown };
    return typeof parsed.available === "number" ? parsed.available : 0;
  } catch {
    return 0;
  }
}

/** What a run of the order workflow means for the order the API asked it to place. */
export function interpretExecution(result: ExecutionResult, order: Order): PlacementOutcome {
  if (result.status === "SUCCEEDED") {
    return { kind: "placed", order: result.output ? (JSON.parse(result.output) as Order) : order };
  }
  if (result.error === WorkflowError.ItemUnavailable) {
    return { kind: "outOfStock", available: availableFrom(result.cause) };
  }
  if (result.error === WorkflowError.UnknownProduct) {
    return { kind: "unknownProduct" };
  }
  return {
    kind: "failed",
    error: result.error ?? `States.${result.status}`,
    cause: result.cause ?? `The execution ended ${result.status}`,
  };
}
