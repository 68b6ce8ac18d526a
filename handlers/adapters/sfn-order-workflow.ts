import { StartSyncExecutionCommand, type SFNClient } from "@aws-sdk/client-sfn";
import { TransientError } from "../../domain/errors";
import { interpretExecution } from "../../domain/placement";
import type { OrderWorkflow } from "../../domain/ports";
import { SDK_RETRIED } from "./dynamodb-errors";

/** Network failures that happen before a request leaves the function: Step Functions never saw it. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);

type SdkError = Error & { code?: unknown; $metadata?: { httpStatusCode?: number } };

function wasNotSent(error: unknown, depth = 0): boolean {
  if (!(error instanceof Error) || depth > 5) return false;
  const { code } = error as SdkError;
  return (typeof code === "string" && NOT_SENT.has(code)) || wasNotSent(error.cause, depth + 1);
}

/**
 * Whether `StartSyncExecution` failed without running the execution, so that the same request may
 * succeed later and nothing was done: Step Functions answers with an error code only for "errors
 * that prevent your execution from running" (its API reference), so throttling (any 429,
 * `ThrottlingException`, `KmsThrottlingException`) and its own faults (5xx) qualify, and so does a
 * request that never left (connection refused, host not found). A connection reset or a timeout
 * after sending does not: the execution may be running and may place the order, so that failure
 * escapes as one OMS cannot explain.
 */
export function isStepFunctionsNotNow(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const status = (error as SdkError).$metadata?.httpStatusCode ?? 0;
  return (
    SDK_RETRIED.throttling.has(error.name) ||
    error.name === "KmsThrottlingException" ||
    status === 429 ||
    status >= 500 ||
    wasNotSent(error)
  );
}

/** The order workflow as an Express state machine, run synchronously so the API can answer with its result. */
export function sfnOrderWorkflow(client: SFNClient, stateMachineArn: string): OrderWorkflow {
  return {
    async place(order) {
      let result;
      try {
        result = await client.send(
          new StartSyncExecutionCommand({ stateMachineArn, name: order.OrderId, input: JSON.stringify({ order }) }),
        );
      } catch (error) {
        if (isStepFunctionsNotNow(error)) {
          const { code } = error as SdkError;
          throw new TransientError(`Step Functions: ${typeof code === "string" ? code : (error as Error).name}`, {
            cause: error,
          });
        }
        throw error;
      }
      return interpretExecution(
        {
          status: result.status ?? "FAILED",
          ...(result.output !== undefined ? { output: result.output } : {}),
          ...(result.error !== undefined ? { error: result.error } : {}),
          ...(result.cause !== undefined ? { cause: result.cause } : {}),
        },
        order,
      );
    },
  };
}
