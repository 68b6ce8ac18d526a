import { marshall } from "@aws-sdk/util-dynamodb";
import type { DynamoDBStreamEvent, SQSEvent, ScheduledEvent } from "aws-lambda";
import { StateMachine } from "aws-local-stepfunctions";
import * as v from "valibot";
import { type OpenApiDocument, type Parameter, openApiDocument } from "../api/openapi-document";
import { type Route, routeKey, routes } from "../api/routes";
import { ADMIN_GROUP } from "../domain/caller";
import { type TableChange, eventFromChange } from "../domain/events";
import type { ReservationDecision } from "../domain/inventory";
import { OrderSchema, priceOrder } from "../domain/order";
import { type eventFunctions, eventPublisher, orderMailer, reservationSweeper } from "../events/functions";
import type { ApiEvent } from "../handlers/http";
import { apiEvent, claimsFor } from "../test/support/api-events";
import { orderIndexKeys, ordersTable } from "../storage/tables";
import {
  State,
  TASK_STATES,
  type TaskState,
  type WorkflowResources,
  orderWorkflowDefinition,
} from "../workflow/definition";
import { type WorkflowTask, workflowTasks } from "../workflow/tasks";

const customer = claimsFor("bench-customer");
const admin = claimsFor("bench-admin", [ADMIN_GROUP]);

/**
 * The workflow's input as the API starts it (`sfnOrderWorkflow` sends `{ order }`): an order that
 * `OrderSchema` accepts. Each task's event is what its state's `Parameters` make of it.
 */
export const WORKFLOW_INPUT = {
  order: v.parse(OrderSchema, {
    OrderId: "00000000-0000-4000-8000-000000000001",
    ownerId: customer["sub"],
    customerName: "Bench",
    product: "Headlight",
    quantity: 1,
    items: [{ product: "Headlight", quantity: 1 }],
    status: "PLACED",
    createdAt: "2026-11-27T10:00:00.000Z",
  }),
};

/** The API contract, built once: it holds each path parameter's example. */
let contract: OpenApiDocument | undefined;

function noEvent(functionName: string, reason: string): never {
  throw new Error(`No warm-up event for ${functionName}: ${reason}`);
}

/** The value of each of the route's path parameters: the example the API contract publishes for it. */
function pathParameterValues(route: Route, document: OpenApiDocument): Record<string, string> {
  const operation = document.paths[route.path]?.[route.method.toLowerCase() as Lowercase<Route["method"]>];
  const parameters = (operation?.parameters ?? []).filter(
    (parameter): parameter is Parameter => "in" in parameter && parameter.in === "path",
  );
  return Object.fromEntries(
    parameters.map((parameter) => {
      if (typeof parameter.example !== "string") {
        noEvent(route.functionName, `the path parameter {${parameter.name}} has no example in the API contract`);
      }
      return [parameter.name, parameter.example];
    }),
  );
}

/**
 * A route's request, from the route table: its route key, the contract's example for each path
 * parameter, its `body.example`, no query string, and an admin's claims when it is `adminOnly`.
 */
export function routeWarmUpEvent(route: Route): ApiEvent {
  const document = (contract ??= openApiDocument());
  if (route.body && !v.safeParse(route.body.schema, route.body.example).success) {
    noEvent(route.functionName, "its body.example does not pass its body.schema");
  }
  if (route.query && !v.safeParse(route.query, {}).success) {
    noEvent(route.functionName, "its query schema requires a parameter, and the route table gives no example");
  }
  const pathParameters = pathParameterValues(route, document);
  const path = route.path.replace(/\{([^}]+)\}/g, (_, name: string) =>
    encodeURIComponent(pathParameters[name] ?? noEvent(route.functionName, `{${name}} has no value`)),
  );
  return apiEvent({
    routeKey: routeKey(route),
    path,
    ...(Object.keys(pathParameters).length > 0 ? { pathParameters } : {}),
    claims: route.adminOnly ? admin : customer,
    ...(route.body ? { body: JSON.stringify(route.body.example) } : {}),
  });
}

/** A local handler of a Task state, as `aws-local-stepfunctions` takes it (its JSON type is not exported). */
type LocalTaskHandler = NonNullable<
  NonNullable<NonNullable<Parameters<StateMachine["run"]>[1]>["overrides"]>["taskResourceLocalHandlers"]
>[string];
type JSONValue = Parameters<LocalTaskHandler>[0];

/** What CheckInventory answers when `WORKFLOW_INPUT`'s order's units are free: reserved, at a price a line. */
const RESERVED = {
  result: "Available",
  prices: WORKFLOW_INPUT.order.items.map(() => ({ amount: 1999, currency: "EUR" })),
} as const satisfies ReservationDecision;

/**
 * A task's input as Step Functions hands it over: the workflow, as the definition writes it, run by
 * `aws-local-stepfunctions` on `WORKFLOW_INPUT` until it reaches the task, whose input is caught on
 * the way in. The tasks on the way answer as when the order is placed (CheckInventory reserves at
 * `RESERVED`'s prices); on the way to ReleaseStock, CreateOrder fails.
 */
export async function taskWarmUpEvent(task: WorkflowTask): Promise<unknown> {
  const arn = (functionName: string) => `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`;
  const definition = orderWorkflowDefinition({
    taskArns: Object.fromEntries(
      workflowTasks.map((each) => [each.state, arn(each.functionName)]),
    ) as WorkflowResources["taskArns"],
  });
  if (!Object.keys(definition.States).includes(task.state)) {
    noEvent(task.functionName, `the workflow has no state ${task.state}`);
  }
  // Step Functions hands JSON over: the answers are plain data.
  const answers: Readonly<Record<TaskState, () => Promise<JSONValue>>> = {
    [State.CheckInventory]: () => Promise.resolve(RESERVED as unknown as JSONValue),
    [State.CreateOrder]: () =>
      task.state === State.ReleaseStock
        ? Promise.reject(new Error("CreateOrder fails on the way to ReleaseStock"))
        : Promise.resolve(priceOrder(WORKFLOW_INPUT.order, RESERVED.prices) as unknown as JSONValue),
    [State.ReleaseStock]: () => Promise.resolve({}),
  };
  let received: unknown;
  const machine = new StateMachine(definition as ConstructorParameters<typeof StateMachine>[0]);
  const execution = machine.run(WORKFLOW_INPUT, {
    overrides: {
      taskResourceLocalHandlers: Object.fromEntries(
        TASK_STATES.map((state) => [
          state,
          (input: JSONValue) => {
            if (state === task.state) received = input;
            return answers[state]();
          },
        ]),
      ),
    },
  });
  try {
    await execution.result;
  } catch (error) {
    // The way to ReleaseStock ends in OrderFailed: only a run that never reached the task is wrong.
    if (received === undefined) {
      noEvent(task.functionName, `its state ${task.state} cannot run on the workflow's input: ${String(error)}`);
    }
  }
  if (received === undefined) noEvent(task.functionName, `the workflow never reaches its state ${task.state}`);
  return received;
}

const ACCOUNT_ARN = "arn:aws:dynamodb:us-east-1:123456789012";

/** The committed change behind the event functions' warm-up events: `WORKFLOW_INPUT`'s order, written with its index keys. */
export const ORDER_WRITTEN: TableChange = {
  table: "orders",
  id: "00000000000000000000000000000bench",
  kind: "INSERT",
  at: WORKFLOW_INPUT.order.createdAt,
  after: { ...WORKFLOW_INPUT.order, ...orderIndexKeys(WORKFLOW_INPUT.order) },
};

/**
 * The orders table's change stream delivering `ORDER_WRITTEN`, as Lambda hands a batch to the
 * publisher: the stream's ARN names the table the function is told (`environment`), so the record
 * is published, not refused as coming from elsewhere.
 */
export function streamWarmUpEvent(environment: Readonly<Record<string, string>>): DynamoDBStreamEvent {
  const table = environment[ordersTable.envVar] ?? ordersTable.name;
  return {
    Records: [
      {
        eventID: ORDER_WRITTEN.id,
        eventName: ORDER_WRITTEN.kind,
        eventVersion: "1.1",
        eventSource: "aws:dynamodb",
        awsRegion: "us-east-1",
        eventSourceARN: `${ACCOUNT_ARN}:table/${table}/stream/2026-11-27T10:00:00.000`,
        dynamodb: {
          ApproximateCreationDateTime: Date.parse(ORDER_WRITTEN.at) / 1000,
          Keys: marshall({ [ordersTable.partitionKey.name]: WORKFLOW_INPUT.order.OrderId }) as never,
          NewImage: marshall(ORDER_WRITTEN.after) as never,
          SequenceNumber: "100000000000000000001",
          SizeBytes: 512,
          StreamViewType: "NEW_AND_OLD_IMAGES",
        },
      },
    ],
  };
}

/** The mail queue delivering the event `ORDER_WRITTEN` makes (`eventFromChange`), raw, as SNS sends it and Lambda hands it over. */
export function queueWarmUpEvent(): SQSEvent {
  const event = eventFromChange(ORDER_WRITTEN) ?? noEvent(orderMailer.functionName, "the order written makes no event");
  const sent = String(Date.parse(ORDER_WRITTEN.at));
  return {
    Records: [
      {
        messageId: "00000000-0000-4000-8000-0000000bench",
        receiptHandle: "bench",
        body: JSON.stringify(event),
        attributes: {
          ApproximateReceiveCount: "1",
          SentTimestamp: sent,
          SenderId: "AIDAIENQZJOLO23YVJ4VO",
          ApproximateFirstReceiveTimestamp: sent,
        },
        messageAttributes: {},
        md5OfBody: "",
        eventSource: "aws:sqs",
        eventSourceARN: "arn:aws:sqs:us-east-1:123456789012:oms-customer-mail",
        awsRegion: "us-east-1",
      },
    ],
  };
}

/**
 * What the sweeper's schedule (no `Input`) hands it: EventBridge Scheduler's
 * default notification. The sweeper reads nothing from it.
 */
export function scheduleWarmUpEvent(): ScheduledEvent {
  return {
    version: "0",
    id: "00000000-0000-4000-8000-0000000bench",
    "detail-type": "Scheduled Event",
    source: "aws.scheduler",
    account: "123456789012",
    time: WORKFLOW_INPUT.order.createdAt,
    region: "us-east-1",
    resources: [`arn:aws:scheduler:us-east-1:123456789012:schedule/default/oms-${reservationSweeper.functionName}`],
    detail: {},
  };
}

/**
 * The request `functionName` gets on its first (cold) invocation: a valid one, derived from the
 * route table, the workflow or the domain's events, that goes through its SDK clients, so that the
 * measured cold start includes what the SDK loads lazily. `environment` is the function's own, as
 * deployed. Fails, naming the function, when none can be derived.
 */
export async function warmUpEvent(
  functionName: string,
  environment: Readonly<Record<string, string>> = {},
): Promise<unknown> {
  const route = routes.find((candidate) => candidate.functionName === functionName);
  if (route) return routeWarmUpEvent(route);
  const task = workflowTasks.find((candidate) => candidate.functionName === functionName);
  if (task) return taskWarmUpEvent(task);
  const events: Readonly<Record<(typeof eventFunctions)[number]["functionName"], () => unknown>> = {
    [eventPublisher.functionName]: () => streamWarmUpEvent(environment),
    [orderMailer.functionName]: queueWarmUpEvent,
    [reservationSweeper.functionName]: scheduleWarmUpEvent,
  };
  const event = Object.entries(events).find(([name]) => name === functionName)?.[1];
  if (event) return event();
  return noEvent(functionName, "it is neither a route's function, a workflow task's nor an event function");
}
