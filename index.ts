import * as pulumi from "@pulumi/pulumi";
import { routes } from "./api/routes";
import { eventPublisher, orderMailer, reservationSweeper } from "./events/functions";
import {
  Alerting,
  CustomerMail,
  Data,
  Identity,
  OrderEvents,
  OrderWorkflow,
  OrdersApi,
  ReservationSweeper,
} from "./infra";
import {
  CONFIG_NAMESPACE,
  STACK_CONFIG_KEYS,
  type StackConfig,
  StackConfigSchema,
  parseStackConfig,
} from "./infra/stack-config";
import { tables } from "./storage/tables";
import { orderWorkflowDefinition } from "./workflow/definition";
import { workflowTasks } from "./workflow/tasks";

/**
 * The stack's `oms:*` config, read once and validated. Pulumi hands objects, lists, numbers and
 * booleans to the program as JSON text, so those are parsed; keys the schema types as strings are
 * kept verbatim, so that a domain prefix such as `2024` stays a string.
 */
function readStackConfig(): StackConfig {
  const config = new pulumi.Config(CONFIG_NAMESPACE);
  const raw: Record<string, unknown> = {};
  for (const key of STACK_CONFIG_KEYS) {
    const text = config.get(key);
    if (text !== undefined) {
      raw[key] = StackConfigSchema.entries[key].type === "string" ? text : parseJsonOrKeep(text);
    }
  }
  try {
    return parseStackConfig(raw, pulumi.getStack());
  } catch (error) {
    // A RunError shows as its message alone, without a stack trace into this file.
    throw new pulumi.RunError(error instanceof Error ? error.message : String(error));
  }
}

function parseJsonOrKeep(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

const config = readStackConfig();
const stack = pulumi.getStack();

const identity = new Identity("oms", {
  authDomainPrefix: config.authDomainPrefix,
  callbackUrls: config.callbackUrls,
  protectData: config.protectData,
  ...(config.userPoolEmail ? { userPoolEmail: config.userPoolEmail } : {}),
});

const data = new Data("oms", { tables, protectData: config.protectData });

const events = new OrderEvents("oms", {
  publisher: eventPublisher,
  tables,
  deployedTables: data.tables,
  streamArns: data.streamArns,
  eventsTopicArn: data.eventsTopicArn,
  memoryMb: config.functionMemoryMb,
  logRetentionDays: config.logRetentionDays,
  stack,
});

const workflow = new OrderWorkflow("oms", {
  definition: orderWorkflowDefinition,
  tasks: workflowTasks,
  tables: data.tables,
  functionMemoryMb: config.functionMemoryMb,
  functionTimeoutSeconds: config.functionTimeoutSeconds,
  logRetentionDays: config.logRetentionDays,
  stack,
});

const sweeper = new ReservationSweeper("oms", {
  sweeper: reservationSweeper,
  tables: data.tables,
  memoryMb: config.functionMemoryMb,
  logRetentionDays: config.logRetentionDays,
  stack,
});

const api = new OrdersApi("oms", {
  routes,
  tables: data.tables,
  issuerUrl: identity.issuerUrl,
  clientId: identity.clientId,
  throttle: config.throttle,
  corsAllowedOrigins: config.corsAllowedOrigins,
  logRetentionDays: config.logRetentionDays,
  functionMemoryMb: config.functionMemoryMb,
  functionTimeoutSeconds: config.functionTimeoutSeconds,
  orderWorkflowArn: workflow.stateMachineArn,
  ...(config.customDomain ? { customDomain: config.customDomain } : {}),
  ...(config.edge.enabled ? { edge: { rateLimitPer5Minutes: config.edge.rateLimitPer5Minutes } } : {}),
  stack,
});

const mail = new CustomerMail("oms", {
  mailer: orderMailer,
  tables: data.tables,
  eventsTopicArn: data.eventsTopicArn,
  mailFrom: config.mailFrom,
  ...(config.mailSandbox ? { sandboxRecipients: config.mailSandbox.recipients } : {}),
  memoryMb: config.functionMemoryMb,
  logRetentionDays: config.logRetentionDays,
  stack,
});

// What is alarmed on and graphed: every function, the workflow, the API, every table, the events
// topic's deliveries, the event publisher's lag, and every dead-letter queue.
const alerting = new Alerting("oms", {
  alertEmail: config.alertEmail,
  thresholds: config.alarms,
  functions: {
    ...api.functions,
    ...workflow.functions,
    [eventPublisher.functionName]: events.publisherFunctionName,
    [orderMailer.functionName]: mail.mailerFunctionName,
    [reservationSweeper.functionName]: sweeper.functionName,
  },
  stateMachines: { "order-workflow": workflow.stateMachineArn },
  apis: { api: api.apiId },
  tables: Object.fromEntries(Object.entries(data.tables).map(([logical, table]) => [logical, table.name])),
  topics: { "order-events": data.eventsTopicName },
  deadLetterQueues: { "events-failed": events.failureQueueName, "customer-mail-dlq": mail.deadLetterQueueName },
  streamReaders: { [eventPublisher.functionName]: events.publisherFunctionName },
  stack,
});

/** Base URL of the orders API, as clients should call it: CloudFront's (or its custom domain) when the edge is on. */
export const apiUrl = api.url;
/** Where the custom domain's DNS record must point (CNAME or alias), when the stack has one. */
export const customDomainTarget = api.customDomainTarget;
/** Cognito user pool id. */
export const userPoolId = identity.userPoolId;
/** Cognito app client id: the audience of the tokens the API accepts. */
export const userPoolClientId = identity.clientId;
/** Hosted UI sign-in page (authorization code flow, back to the first callback URL). */
export const hostedUiLoginUrl = identity.hostedUiLoginUrl;
/** Physical DynamoDB table names, by logical name. */
export const tableNames = data.tableNames;
/** ARN of the SNS topic that receives every operational alarm. */
export const alertTopicArn = alerting.alertTopicArn;
/** Name of the stack's CloudWatch dashboard. */
export const dashboardName = alerting.dashboardName;
/** ARN of the order workflow's Express state machine. */
export const orderWorkflowArn = workflow.stateMachineArn;
/** ARN of the order-events topic: subscribe to it (an SQS queue with a filter policy on `type`) to hear of every committed change. */
export const eventsTopicArn = data.eventsTopicArn;
