import type { Context } from "aws-lambda";
import { randomBytes, randomUUID } from "node:crypto";

/** What a local invocation's context is made of. */
export interface LambdaContextOptions {
  /** The physical function name, e.g. `oms-local-create-order`. */
  readonly functionName: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly region: string;
  readonly accountId: string;
  /** Milliseconds since the epoch; injectable for tests. */
  readonly now?: () => number;
}

/**
 * The Lambda `Context` a function receives, as far as a local invocation can honestly fill it:
 * `getRemainingTimeInMillis` counts down from the configured timeout, which libraries such as
 * Powertools Idempotency read. The legacy `done`/`fail`/`succeed` callbacks do nothing.
 */
export function lambdaContext(options: LambdaContextOptions): Context {
  const now = options.now ?? (() => Date.now());
  const deadline = now() + options.timeoutSeconds * 1000;
  const day = new Date(now()).toISOString().slice(0, 10).replaceAll("-", "/");
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${options.accountId}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memoryMb),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${day}/[$LATEST]${randomBytes(16).toString("hex")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
