import { ORDER_PLACED, RECIPIENT_ATTRIBUTE, type TextTemplate } from "../domain/notifications";
import { WorkflowError } from "../domain/placement";

/** The workflow's states. The first five keep the names and meaning of the original design. */
export const State = {
  CheckInventory: "CheckInventory",
  IsAvailable: "IsAvailable",
  CreateOrder: "CreateOrder",
  OutOfStock: "OutOfStock",
  DescribeShortage: "DescribeShortage",
  UnknownProduct: "UnknownProduct",
  NotifyCustomer: "NotifyCustomer",
  NotificationFailed: "NotificationFailed",
  OrderPlaced: "OrderPlaced",
  ReleaseStock: "ReleaseStock",
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
  /** Topic `NotifyCustomer` publishes to. */
  readonly notificationsTopicArn: string;
}

/** Step Functions' direct SNS integration. */
export const SNS_PUBLISH = "arn:aws:states:::sns:publish";

/** Longest run: the API waits for the end, and API Gateway gives up after 30 s. */
export const WORKFLOW_TIMEOUT_SECONDS = 25;

/** The workflow's input: the order the API validated, with its id and owner. */
const ORDER = "$.order";

/** `States.Format` call that renders a template from the order, exactly like `formatText`. */
export function statesFormat(template: TextTemplate): string {
  const text = template.text.replace(/[\\'{}]/g, (c) => `\\${c}`).replace(/\\\{\\\}/g, "{}");
  return `States.Format('${text}', ${template.fields.map((field) => `${ORDER}.${field}`).join(", ")})`;
}

const retryTransient = (maxAttempts: number) => [
  { ErrorEquals: [...TRANSIENT_ERRORS], IntervalSeconds: 1, MaxAttempts: maxAttempts, BackoffRate: 2 },
];

/**
 * The order workflow in Amazon States Language, written once: `OrderWorkflow` deploys it with the
 * real ARNs and the local stack runs it in `aws-local-stepfunctions`.
 *
 * CheckInventory reserves stock atomically; IsAvailable branches on that decision; CreateOrder
 * writes the order; NotifyCustomer e-mails the customer. If CreateOrder fails, ReleaseStock gives
 * the units back before the execution fails. A failed e-mail does not undo a placed order.
 */
export function orderWorkflowDefinition(resources: WorkflowResources) {
  return {
    Comment: "Reserve stock, create the order, tell the customer; give the stock back if the order cannot be created",
    StartAt: State.CheckInventory,
    TimeoutSeconds: WORKFLOW_TIMEOUT_SECONDS,
    States: {
      [State.CheckInventory]: {
        Type: "Task",
        Resource: resources.taskArns[State.CheckInventory],
        Parameters: {
          "orderId.$": `${ORDER}.OrderId`,
          "itemId.$": `${ORDER}.product`,
          "quantity.$": `${ORDER}.quantity`,
        },
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
        Cause: "The requested item is not in the inventory",
      },
      [State.CreateOrder]: {
        Type: "Task",
        Resource: resources.taskArns[State.CreateOrder],
        Parameters: { "order.$": ORDER },
        ResultPath: null,
        Retry: retryTransient(3),
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.failure", Next: State.ReleaseStock }],
        Next: State.NotifyCustomer,
      },
      [State.NotifyCustomer]: {
        Type: "Task",
        Resource: SNS_PUBLISH,
        Parameters: {
          TopicArn: resources.notificationsTopicArn,
          "Subject.$": statesFormat(ORDER_PLACED.subject),
          "Message.$": statesFormat(ORDER_PLACED.message),
          MessageAttributes: { [RECIPIENT_ATTRIBUTE]: { DataType: "String", "StringValue.$": `${ORDER}.ownerId` } },
        },
        ResultPath: null,
        Retry: [{ ErrorEquals: ["States.TaskFailed"], IntervalSeconds: 1, MaxAttempts: 2, BackoffRate: 2 }],
        Catch: [{ ErrorEquals: ["States.ALL"], ResultPath: "$.notificationFailure", Next: State.NotificationFailed }],
        Next: State.OrderPlaced,
      },
      [State.NotificationFailed]: {
        Type: "Pass",
        Comment: "The order stands: a confirmation e-mail that could not be sent is no reason to undo it",
        Next: State.OrderPlaced,
      },
      [State.OrderPlaced]: {
        Type: "Succeed",
        OutputPath: ORDER,
      },
      [State.ReleaseStock]: {
        Type: "Task",
        Resource: resources.taskArns[State.ReleaseStock],
        Parameters: {
          "orderId.$": `${ORDER}.OrderId`,
          "itemId.$": `${ORDER}.product`,
          "quantity.$": `${ORDER}.quantity`,
        },
        ResultPath: null,
        Retry: retryTransient(6),
        Next: State.OrderFailed,
      },
      [State.OrderFailed]: {
        Type: "Fail",
        Error: WorkflowError.OrderFailed,
        CausePath: "$.failure.Cause",
      },
    },
  };
}

/** The definition's type, for the components and the local runner. */
export type OrderWorkflowDefinition = ReturnType<typeof orderWorkflowDefinition>;
