/** A workflow task's function: Step Functions passes the state's input and takes what it returns. */
export type TaskHandler = (input: unknown) => Promise<unknown>;

/** Builds a task's function once per cold start: the factory `pulumi up` serializes (see `infra/handler-code.ts`). */
export type TaskHandlerFactory = () => TaskHandler;
