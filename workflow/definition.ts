import { WorkflowError } from "../domain/placement";

/** The workflow's states. The first five keep the names and meaning of the original design. */
export const State = {
  CheckInventory: "CheckInventory",
  IsAvailable: "IsAvailable",
  CreateOrder: "CreateOrder",
  OutOfStock: "OutOfStock",
  DescribeShortage: "DescribeShortage",
  UnknownProduct: "UnknownProduct",
  OrderPlaced: "OrderPlaced",
  ReleaseStock: "ReleaseStock",
  DescribeFailure: "DescribeFailure",
  OrderFailed: "OrderFailed",
} as const;
export type StateName = (typeof State)[keyof typeof State];

/** Task errors worth retrying: ours (`TransientError`) and Lambda's own transient failures. */
export const TRANSIENT_ERRORS = [
  "TransientError",
  "Lambda.ServiceException",
  "Lambda.AWSLambdaException",
  "Lambda.SdkClientException",
  "Lambda.TooManyRequestsException",
] as const;

/** The states whose work a function of ours does (`workflow/tasks.ts` has one for each). */
export const TASK_STATES = [State.CheckInventory, State.CreateOrder, State.ReleaseStock] as const;
export type TaskState = (typeof TASK_STATES)[number];

/** Where the workflow's tasks run. */
export interface WorkflowResources {
  /** The function behind each of `TASK_STATES`. */
  readonly taskArns: Readonly<Record<TaskState, string>>;
}

/** Longest run: the API waits for the end, and API Gateway gives up after 30 s. */
export const WORKFLOW_TIMEOUT_SECONDS = 25;

/** The workflow's input: the order the API validated, with its id and owner. */
const ORDER = "$.order";

const retryTransient = (maxAttempts: number) => [
  { ErrorEquals: [...TRANSIENT_ERRORS], IntervalSeconds: 1, MaxAttempts: maxAttempts, BackoffRate: 2 },
];

/**
 * The order workflow in Amazon States Language, written once: `OrderWorkflow` deploys it with the
 * real ARNs and the local stack runs it in `aws-local-stepfunctions`.
 *
 * CheckInventory reserves every line's stock atomically (every line or none) and reports the prices
 * it reserved at; IsAvailable branches on that decision; CreateOrder writes the order at those prices. If CreateOrder fails, ReleaseStock gives the units back before the execution
 * fails with OrderFailed, whose cause is the error CreateOrder failed with, as JSON
 * (`{"Error": …, "Cause": …}`), so that the API can tell a dependency's "not now" from a bug
 * (`isTransientFailure`) whoever runs the workflow: Step Functions puts Lambda's error JSON in
 * `Cause`, the local emulator only its message, and both put its name in `Error`. The workflow sends no mail: the order's write is an `OrderPlaced` event on the orders
 * table's change stream, and that event e-mails the customer (`events/functions.ts`).
 */
export function orderWorkflowDefinition(resources: WorkflowResources) {
  return {
    Comment: "Reserve stock and create the order; give the stock back if the order cannot be created",
    StartAt: State.CheckInventory,
    TimeoutSeconds: WORKFLOW_TIMEOUT_SECONDS,
    States: {
      [State.CheckInventory]: {
        Type: "Task",
        Resource: resources.taskArns[State.CheckInventory],
        Parameters: { "orderId.$": `${ORDER}.OrderId`, "lines.$": `${ORDER}.items` },
        ResultPath: "$.InventoryResult",
        Retry: retryTransient(3),
        Next: State.IsAvailable,
      },
      [State.IsAvailable]: {
        Type: "Choice",
        Choices: [
          { Variable: "$.InventoryResult.result", StringEquals: "Available", Next: State.CreateOrder },
          { Variable: "$.InventoryResult.result", StringEquals: "UnknownProduct", Next: State.UnknownProduct },
        ],
        Default: State.DescribeShortage,
      },
      [State.DescribeShortage]: {
        Type: "Pass",
        Parameters: { "cause.$": "States.JsonToString($.InventoryResult)" },
        Next: State.OutOfStock,
      },
      [State.OutOfStock]: {
        Type: "Fail",
        Error: WorkflowError.ItemUnavailable,
        CausePath: "$.cause",
      },
      [State.UnknownProduct]: {
        Type: "Fail",
        Error: WorkflowError.UnknownProduct,
        // Which product, and on which line: `CheckInventory` wrote it as JSON.
        CausePath: "$.InventoryResult.cause",
      },
      [State.CreateOrder]: {
        Type: "Task",
        Resource: resources.taskArns[State.CreateOrder],
        // The order, priced at what its units were reserved at, replaces the one the API sent.
        Parameters: { "order.$": ORDER, "prices.$": "$.InventoryResult.prices" },
        ResultPath: ORDER,
        Retry: retryTransient(3),
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: State.ReleaseStock }],
        Next: State.OrderPlaced,
      },
      [State.OrderPlaced]: {
        Type: "Succeed",
        OutputPath: ORDER,
      },
      [State.ReleaseStock]: {
        Type: "Task",
        Resource: resources.taskArns[State.ReleaseStock],
        Parameters: { "orderId.$": `${ORDER}.OrderId`, "lines.$": `${ORDER}.items` },
        ResultPath: null,
        Retry: retryTransient(6),
        Next: State.DescribeFailure,
      },
      [State.DescribeFailure]: {
        Type: "Pass",
        Parameters: { "cause.$": "States.JsonToString($.failure)" },
        Next: State.OrderFailed,
      },
      [State.OrderFailed]: {
        Type: "Fail",
        Error: WorkflowError.OrderFailed,
        CausePath: "$.cause",
      },
    },
  };
}

/** The definition's type, for the components and the local runner. */
export type OrderWorkflowDefinition = ReturnType<typeof orderWorkflowDefinition>;
