import { TransientError } from "../../domain/errors";

/**
 * How the AWS SDK's standard retry mode tells "not now" from "never" (`@smithy/core/retry`, which
 * the clients run): these names, codes and statuses. Kept here rather than imported, because a
 * function's bundle carries only valibot, Powertools and `@aws-sdk/*` (which the runtime provides).
 */
export const SDK_RETRIED = {
  /** Throttling, by error name (any 429 too). */
  throttling: new Set([
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "PriorRequestNotComplete",
    "ProvisionedThroughputExceededException",
    "RequestLimitExceeded",
    "RequestThrottled",
    "RequestThrottledException",
    "SlowDown",
    "ThrottledException",
    "Throttling",
    "ThrottlingException",
    "TooManyRequestsException",
    "TransactionInProgressException",
  ]),
  /** Timeouts, by error name. */
  timeouts: new Set(["TimeoutError", "RequestTimeout", "RequestTimeoutException"]),
  /** Network failures, by Node's error code. */
  network: new Set([
    "ECONNRESET",
    "ECONNREFUSED",
    "EPIPE",
    "ETIMEDOUT",
    "EHOSTUNREACH",
    "ENETUNREACH",
    "ENOTFOUND",
    "EAI_AGAIN",
  ]),
  /** The service's own faults, by HTTP status. */
  statuses: new Set([429, 500, 502, 503, 504]),
} as const;

/** DynamoDB's own "not now" that the SDK's lists miss: a write lost a race with a transaction. */
const TRANSACTION_CONFLICT = "TransactionConflictException";

type SdkError = Error & { code?: unknown; $metadata?: { httpStatusCode?: number } };
type CancellationReasons = { CancellationReasons?: { Code?: string }[] };

function isConflictCancellation(error: Error): boolean {
  const reasons = (error as Error & CancellationReasons).CancellationReasons ?? [];
  return error.name === "TransactionCanceledException" && reasons.some((r) => r.Code === "TransactionConflict");
}

/** Whether the SDK would call `error` throttling or transient, looking through its causes as the SDK does. */
export function isSdkRetryable(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 10) return false;
  const { code, $metadata } = error as SdkError;
  return (
    SDK_RETRIED.throttling.has(error.name) ||
    SDK_RETRIED.timeouts.has(error.name) ||
    (typeof code === "string" && SDK_RETRIED.network.has(code)) ||
    SDK_RETRIED.statuses.has($metadata?.httpStatusCode ?? 0) ||
    isSdkRetryable(error.cause, depth + 1)
  );
}

/**
 * Whether a failed DynamoDB call says "not now" rather than "never": throttling
 * (`ProvisionedThroughputExceededException`, `ThrottlingException`, any 429), DynamoDB's own
 * faults (5xx), a timeout or a network failure (connection refused, reset or timed out, host not
 * found), and transaction conflicts. The SDK already retried each of them (standard mode).
 */
export function isDynamoDbNotNow(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  return (
    isSdkRetryable(error) ||
    ["InternalServerError", "ServiceUnavailable", TRANSACTION_CONFLICT].includes(error.name) ||
    isConflictCancellation(error)
  );
}

/** The error to throw for a failed DynamoDB call: a `TransientError` when retrying may help, else the error itself. */
export function classifyDynamoDbError(error: unknown): unknown {
  if (error instanceof Error && isDynamoDbNotNow(error)) {
    const code = (error as Error & { code?: unknown }).code;
    return new TransientError(`DynamoDB: ${typeof code === "string" ? code : error.name}`, { cause: error });
  }
  return error;
}

/**
 * Whether a single-item write was refused because a transaction on the same item was in flight
 * (DynamoDB's `TransactionConflictException`, which the SDK does not retry).
 */
export function isTransactionConflict(error: unknown): boolean {
  return error instanceof Error && error.name === TRANSACTION_CONFLICT;
}

/** Whether a conditional write (or one condition of a transaction) failed. */
export function isConditionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "ConditionalCheckFailedException") return true;
  const reasons = (error as Error & CancellationReasons).CancellationReasons ?? [];
  return error.name === "TransactionCanceledException" && reasons.some((r) => r.Code === "ConditionalCheckFailed");
}

/** Runs a DynamoDB call, rethrowing its failure as `classifyDynamoDbError` says. */
export async function withDynamoDbErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw classifyDynamoDbError(error);
  }
}
