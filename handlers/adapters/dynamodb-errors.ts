import { TransientError } from "../../domain/errors";

/** DynamoDB errors that say "not now" rather than "never". */
const TRANSIENT = new Set([
  "ProvisionedThroughputExceededException",
  "ThrottlingException",
  "RequestLimitExceeded",
  "InternalServerError",
  "ServiceUnavailable",
  "TransactionConflictException",
  "TransactionInProgressException",
]);

function isConflictCancellation(error: Error): boolean {
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return error.name === "TransactionCanceledException" && reasons.some((r) => r.Code === "TransactionConflict");
}

/** The error to throw for a failed DynamoDB call: a `TransientError` when retrying may help, else the error itself. */
export function classifyDynamoDbError(error: unknown): unknown {
  if (error instanceof Error && (TRANSIENT.has(error.name) || isConflictCancellation(error))) {
    return new TransientError(`DynamoDB: ${error.name}`, { cause: error });
  }
  return error;
}

/** Whether a conditional write (or one condition of a transaction) failed. */
export function isConditionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === "ConditionalCheckFailedException") return true;
  const reasons = (error as Error & { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
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
