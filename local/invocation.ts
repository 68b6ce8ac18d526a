import { AsyncLocalStorage } from "node:async_hooks";

/**
 * What runs when the local stack stands in for Lambda or Step Functions: a function, by the
 * `functionName` of its route (`api/routes.ts`) or task (`workflow/tasks.ts`), or the order workflow's
 * state machine.
 */
export type InvocationTarget =
  | { readonly kind: "function"; readonly functionName: string }
  | { readonly kind: "stateMachine"; readonly name: string };

/** One run of a target, and the run that started it. */
export interface Invocation {
  readonly target: InvocationTarget;
  /**
   * The run that invoked this one (the state machine for its tasks, place-order for the workflow);
   * none when a request came from outside, through the API.
   */
  readonly caller?: Invocation;
}

/** The order workflow's state machine, by the logical name the deployment gives it. */
export const ORDER_WORKFLOW_STATE_MACHINE: InvocationTarget = { kind: "stateMachine", name: "order-workflow" };

const running = new AsyncLocalStorage<Invocation>();
const observers = new Set<(invocation: Invocation) => void>();

/**
 * Runs `work` as an invocation of `target`. In the cloud each function runs under its own role,
 * so the AWS calls made inside `work` (awaited or not) belong to `target`: `currentInvocation` says so.
 */
export function runInvocation<T>(target: InvocationTarget, work: () => T): T {
  const invocation: Invocation = { target, ...withCaller(running.getStore()) };
  for (const observe of observers) observe(invocation);
  return running.run(invocation, work);
}

/** The invocation the calling code runs in, if any. */
export function currentInvocation(): Invocation | undefined {
  return running.getStore();
}

/**
 * Tells `observe` of every invocation as it starts (the suite checks each against the IAM policy
 * the caller's role has); returns how to stop.
 */
export function observeInvocations(observe: (invocation: Invocation) => void): () => void {
  observers.add(observe);
  return () => observers.delete(observe);
}

function withCaller(caller: Invocation | undefined): { caller?: Invocation } {
  return caller === undefined ? {} : { caller };
}
