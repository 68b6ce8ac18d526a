import { type LocalStack, startLocalStack } from "../local/local-stack";
import { localToken } from "../local/sign-in";

/**
 * The local stack in a process of its own, so that the load generator never shares its event
 * loop, and the functions' log lines go nowhere. Started by `bench/local-stack-process.ts`, it
 * reports `StackReady` over IPC and stops when told, or when its parent goes away.
 */

/** What the benchmark needs from the running stack. */
export interface StackReady {
  readonly type: "ready";
  readonly url: string;
  readonly dynamodbEndpoint: string;
  readonly region: string;
  /** Places and lists orders under load. */
  readonly customer: { readonly token: string; readonly sub: string };
  /** Owns the orders of the scale measurement. */
  readonly reader: { readonly token: string; readonly sub: string };
  /** Sets stock. */
  readonly admin: { readonly token: string };
}

/** What the parent may send. */
export type StackCommand =
  | { readonly type: "stop" }
  | { readonly type: "errors" }
  /** `collect` runs a full garbage collection first, so that the heap is what is still reachable. */
  | { readonly type: "memory"; readonly collect: boolean }
  /** Pauses or resumes the event publisher's reading of the change streams (answered with `{ type: "events" }`). */
  | { readonly type: "events"; readonly paused: boolean };

/** Answers `{ type: "errors" }`: how many error lines the stack has logged. */
export interface StackErrors {
  readonly type: "errors";
  readonly count: number;
}

/** Answers `{ type: "memory" }`: the stack process's id and its own view of its memory (bytes). */
export interface StackMemory {
  readonly type: "memory";
  readonly pid: number;
  readonly rssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  /** Whether a full collection ran first (the process runs with `--expose-gc`). */
  readonly collected: boolean;
}

/** Error lines past this many are counted, not printed: under load one fault repeats thousands of times. */
const PRINTED_ERRORS = 5;

async function main(): Promise<void> {
  let errors = 0;
  // Set once the stack is up; a stop asked for during startup still ends the process.
  const running: { stack?: LocalStack } = {};
  const stop = async () => {
    await running.stack?.stop();
    process.exit(0);
  };
  process.on("disconnect", () => void stop());
  process.on("message", (command: StackCommand) => {
    if (command.type === "stop") void stop();
    else if (command.type === "events") {
      if (command.paused) running.stack?.events.streams.pause();
      else running.stack?.events.streams.resume();
      process.send?.({ type: "events" });
    } else if (command.type === "memory") {
      const collected = command.collect && gc !== undefined;
      if (collected) gc?.();
      const { rss, heapUsed, heapTotal } = process.memoryUsage();
      process.send?.({
        type: "memory",
        pid: process.pid,
        rssBytes: rss,
        heapUsedBytes: heapUsed,
        heapTotalBytes: heapTotal,
        collected,
      } satisfies StackMemory);
    } else process.send?.({ type: "errors", count: errors } satisfies StackErrors);
  });

  const stack = await startLocalStack({
    port: 0,
    dataDir: null,
    // The stack's own throttle would answer 429 long before the machine is the limit.
    throttle: { burstLimit: 100_000, rateLimit: 100_000 },
    log: {
      info: () => undefined,
      error: (line) => {
        errors += 1;
        if (errors <= PRINTED_ERRORS) process.stderr.write(`${line}\n`);
      },
    },
  });
  running.stack = stack;
  const pool = { cognitoEndpoint: stack.cognitoEndpoint, userPoolId: stack.userPoolId, clientId: stack.clientId };
  const customer = await localToken({ ...pool, email: "bench-customer@example.com" });
  const reader = await localToken({ ...pool, email: "bench-reader@example.com" });
  const admin = await localToken({ ...pool, email: "bench-admin@example.com", admin: true });
  process.send?.({
    type: "ready",
    url: stack.url,
    dynamodbEndpoint: stack.dynamodbEndpoint,
    region: stack.region,
    customer: { token: customer.idToken, sub: customer.sub },
    reader: { token: reader.idToken, sub: reader.sub },
    admin: { token: admin.idToken },
  } satisfies StackReady);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
