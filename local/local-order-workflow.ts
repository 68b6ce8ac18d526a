import { ExecutionError, ExecutionTimeoutError, StateMachine } from "aws-local-stepfunctions";
import type { Order } from "../domain/order";
import { type ExecutionResult, interpretExecution } from "../domain/placement";
import type { OrderWorkflow } from "../domain/ports";
import type { TaskHandler } from "../handlers/tasks/task";
import { State, type WorkflowResources, orderWorkflowDefinition } from "../workflow/definition";
import { workflowTasks } from "../workflow/tasks";
import { ORDER_WORKFLOW_STATE_MACHINE, runInvocation } from "./invocation";

/** What the local workflow runs in place of the cloud's task functions. */
export interface LocalWorkflowOptions {
  /** A handler per Task state that runs a function (`workflowTasks`); defaults to each task's own factory. */
  readonly tasks?: Partial<Record<string, TaskHandler>>;
  /** Retry pauses in milliseconds instead of the definition's seconds (tests use 0). */
  readonly retryIntervalMs?: number;
  /**
   * The execution's timeout instead of the definition's `TimeoutSeconds`, so that a spec sees a
   * run time out in seconds. @default WORKFLOW_TIMEOUT_SECONDS, as deployed
   */
  readonly timeoutSeconds?: number;
}

type LocalHandlers = NonNullable<
  NonNullable<NonNullable<Parameters<StateMachine["run"]>[1]>["overrides"]>["taskResourceLocalHandlers"]
>;

function localFunctionArn(functionName: string): string {
  return `arn:aws:lambda:us-east-1:000000000000:function:oms-local-${functionName}`;
}

/** How the emulator's failure reads as Step Functions' own execution result. */
function failureOf(error: unknown): ExecutionResult {
  if (error instanceof ExecutionTimeoutError) return { status: "TIMED_OUT" };
  if (error instanceof ExecutionError) {
    const failure = error.cause as { name?: string; message?: string } | undefined;
    return { status: "FAILED", error: failure?.name ?? "States.Runtime", cause: failure?.message ?? error.message };
  }
  throw error;
}

/**
 * The order workflow offline: the same definition (`orderWorkflowDefinition`) run by
 * `aws-local-stepfunctions`, with each Task state served by the same handler its cloud function
 * runs.
 */
export function localOrderWorkflow(options: LocalWorkflowOptions): OrderWorkflow {
  const definition = orderWorkflowDefinition({
    taskArns: Object.fromEntries(
      workflowTasks.map((task) => [task.state, localFunctionArn(task.functionName)]),
    ) as WorkflowResources["taskArns"],
  });
  const timed =
    options.timeoutSeconds === undefined ? definition : { ...definition, TimeoutSeconds: options.timeoutSeconds };
  const machine = new StateMachine(timed as ConstructorParameters<typeof StateMachine>[0]);
  // The emulator types inputs and results as JSON values; the handlers take and give exactly that.
  const asLocal = (handler: (input: never) => Promise<unknown>) => handler as unknown as LocalHandlers[string];
  const handlers: LocalHandlers = {};
  for (const task of workflowTasks) {
    const handler = options.tasks?.[task.state] ?? task.handler();
    const target = { kind: "function", functionName: task.functionName } as const;
    handlers[task.state] = asLocal((input: unknown) => runInvocation(target, () => handler(input)));
  }
  const retryIntervalOverrides =
    options.retryIntervalMs === undefined
      ? undefined
      : Object.fromEntries(Object.values(State).map((state) => [state, options.retryIntervalMs as number]));

  return {
    async place(order: Order) {
      const execution = runInvocation(ORDER_WORKFLOW_STATE_MACHINE, () =>
        machine.run(
          { order: { ...order } },
          {
            overrides: {
              taskResourceLocalHandlers: handlers,
              ...(retryIntervalOverrides ? { retryIntervalOverrides } : {}),
            },
          },
        ),
      );
      let result: ExecutionResult;
      try {
        result = { status: "SUCCEEDED", output: JSON.stringify(await execution.result) };
      } catch (error) {
        result = failureOf(error);
      }
      return interpretExecution(result, order);
    },
  };
}
