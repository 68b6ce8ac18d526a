import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { join } from "node:path";
import type { Suite } from "mocha";
import { type Invocation, type InvocationTarget, currentInvocation, observeInvocations } from "../../local/invocation";
import { LocalSes } from "../../local/local-ses";
import { LOCAL_EVENTS_TOPIC_ARN, LocalSns } from "../../local/local-sns";
import { tables } from "../../storage/tables";

/**
 * Records, while the suite runs the handlers, every AWS call a function or the workflow makes:
 * SDK calls (DynamoDB on DynamoDB Local, and any other client) through a middleware every SDK
 * client gets, calls to the local stand-ins (SNS, the workflow's start, its task invocations) at
 * their ports. `test/infra/recorded-aws-calls.test.ts` then checks each against the role the
 * deployment gives its caller. Loaded by `.mocharc.json` before any spec.
 */

/** What a call touched, by the logical names both the local stack and the deployment derive from. */
export type TouchedResource =
  | { readonly kind: "table"; readonly table: string; readonly index?: string }
  /** A topic or state machine by its local name, which ends with its logical name (`oms-local-order-notifications`). */
  | { readonly kind: "topic"; readonly localName: string }
  /** The stack's one sender identity (`mailFrom`), which `ses:SendEmail` is authorized on. */
  | { readonly kind: "senderIdentity"; readonly address: string }
  /** An SES configuration set by its local name, which ends with its logical name (`oms-local-customer-mail`). */
  | { readonly kind: "configurationSet"; readonly localName: string }
  | { readonly kind: "stateMachine"; readonly localName: string }
  | { readonly kind: "function"; readonly functionName: string }
  /** A resource the recorder cannot name: the check fails on it, with this description. */
  | { readonly kind: "unknown"; readonly description: string };

/** One AWS request as IAM sees it: who, which action, on what, with which request context. */
export interface RecordedCall {
  readonly caller: InvocationTarget;
  /** The IAM action, e.g. `dynamodb:UpdateItem`. */
  readonly action: string;
  readonly resource: TouchedResource;
  /** Context keys AWS sets on the request, e.g. `dynamodb:EnclosingOperation` for a transaction's parts. */
  readonly context: Readonly<Record<string, string>>;
  /** What made it: the SDK operation, or the local stand-in's port. */
  readonly via: string;
}

/** What this mocha run recorded. */
export interface Recording {
  /** Each distinct call once, with how often it was made. */
  readonly calls: readonly { readonly call: RecordedCall; readonly count: number }[];
  /** Every invocation the local stack or a spec started, so that a function that made no call shows. */
  readonly invoked: readonly InvocationTarget[];
  /** SDK calls made outside any invocation (a spec's own setup): not any function's. */
  readonly unattributed: number;
}

const calls = new Map<string, { call: RecordedCall; count: number }>();
const invoked = new Map<string, InvocationTarget>();
let unattributed = 0;

export function recording(): Recording {
  return { calls: [...calls.values()], invoked: [...invoked.values()], unattributed };
}

export function targetName(target: InvocationTarget): string {
  return target.kind === "function" ? target.functionName : target.name;
}

function record(call: RecordedCall): void {
  const key = JSON.stringify(call);
  const seen = calls.get(key);
  if (seen) seen.count += 1;
  else calls.set(key, { call, count: 1 });
}

/** Records `action` on each of `resources` for the invocation running now; outside one, only counts it. */
function recordNow(via: string, action: string, resources: readonly TouchedResource[], context = {}): void {
  const caller = currentInvocation()?.target;
  if (caller === undefined) {
    unattributed += 1;
    return;
  }
  for (const resource of resources) record({ caller, action, resource, context, via });
}

// --- Which OMS resource a physical name is -------------------------------------------------------

/**
 * The logical table a physical name is: the local stack names tables `oms-local-<logical>`
 * (`localTableName`), the specs' `freshTable` names them `test-<logical>-<uuid>`.
 */
function tableResource(physical: unknown, index?: unknown): TouchedResource {
  const table = tables.find(
    (candidate) =>
      typeof physical === "string" &&
      (physical.endsWith(`-${candidate.name}`) || physical.startsWith(`test-${candidate.name}-`)),
  );
  if (table === undefined) return { kind: "unknown", description: `table ${String(physical)}` };
  return { kind: "table", table: table.name, ...(typeof index === "string" ? { index } : {}) };
}

/** A topic by the name the local stack gave it, from its ARN or a subscription's (`<topic ARN>:<id>`). */
function topicResource(arn: unknown): TouchedResource {
  const name = typeof arn === "string" ? arn.split(":")[5] : undefined;
  return name === undefined
    ? { kind: "unknown", description: `topic ${String(arn)}` }
    : { kind: "topic", localName: name };
}

function stateMachineResource(arn: unknown): TouchedResource {
  const name = typeof arn === "string" ? arn.split(":")[6] : undefined;
  return name === undefined
    ? { kind: "unknown", description: `state machine ${String(arn)}` }
    : { kind: "stateMachine", localName: name };
}

// --- SDK calls ------------------------------------------------------------------------------------

/** IAM's service prefix of each SDK client OMS uses. */
const SERVICE_OF_CLIENT: Readonly<Record<string, string>> = {
  DynamoDBClient: "dynamodb",
  SNSClient: "sns",
  SFNClient: "states",
};

/**
 * The IAM action a transaction's part needs ("Using IAM with DynamoDB transactions", Amazon
 * DynamoDB Developer Guide: the underlying item operation's, `ConditionCheckItem` for a check).
 */
const TRANSACTION_PART_ACTIONS: Readonly<Record<string, string>> = {
  Put: "dynamodb:PutItem",
  Update: "dynamodb:UpdateItem",
  Delete: "dynamodb:DeleteItem",
  ConditionCheck: "dynamodb:ConditionCheckItem",
  Get: "dynamodb:GetItem",
};

type Input = Readonly<Record<string, unknown>>;

function recordDynamoDb(operation: string, input: Input): void {
  const via = `DynamoDB ${operation}`;
  if (operation === "TransactWriteItems" || operation === "TransactGetItems") {
    for (const item of (input["TransactItems"] ?? []) as Input[]) {
      for (const [part, request] of Object.entries(item)) {
        const action = TRANSACTION_PART_ACTIONS[part] ?? `dynamodb:${part}`;
        recordNow(via, action, [tableResource((request as Input)["TableName"])], {
          "dynamodb:EnclosingOperation": operation,
        });
      }
    }
    return;
  }
  if (operation === "BatchGetItem" || operation === "BatchWriteItem") {
    const names = Object.keys((input["RequestItems"] ?? {}) as Input);
    recordNow(
      via,
      `dynamodb:${operation}`,
      names.map((name) => tableResource(name)),
    );
    return;
  }
  recordNow(via, `dynamodb:${operation}`, [tableResource(input["TableName"], input["IndexName"])]);
}

function recordSdkCall(clientName: string, commandName: string, input: Input): void {
  const operation = commandName.replace(/Command$/, "");
  const service = SERVICE_OF_CLIENT[clientName];
  if (service === "dynamodb") return recordDynamoDb(operation, input);
  if (service === "sns") {
    const arn = input["TopicArn"] ?? input["TargetArn"] ?? input["SubscriptionArn"];
    return recordNow(`SNS ${operation}`, `sns:${operation}`, [topicResource(arn)]);
  }
  if (service === "states") {
    return recordNow(`Step Functions ${operation}`, `states:${operation}`, [
      stateMachineResource(input["stateMachineArn"]),
    ]);
  }
  recordNow(`${clientName} ${operation}`, `${clientName}:${operation}`, [
    { kind: "unknown", description: `a ${clientName} call` },
  ]);
}

interface MiddlewareContext {
  readonly clientName?: string;
  readonly commandName?: string;
}

type Handler = (args: { readonly input: Input }) => Promise<unknown>;

interface RecordedClient {
  readonly middlewareStack: {
    add(
      middleware: (next: Handler, context: MiddlewareContext) => Handler,
      options: { step: "initialize"; name: string; override: boolean },
    ): void;
  };
}

const RECORDER = "omsRecordAwsCall";

/**
 * Every SDK client inherits `send` from one base class: wrapping it gives each client, the first
 * time it sends, a middleware that sees the wire operation (`GetItem`, not the document client's
 * `Get`) with its input, in the caller's async context.
 */
function recordSdkCalls(): void {
  const bases = new Set(
    [DynamoDBClient, SNSClient, SFNClient].map((client) => Object.getPrototypeOf(client.prototype)),
  );
  const stacks = new WeakSet<object>();
  for (const base of bases as Set<{ send: (this: RecordedClient, ...args: unknown[]) => unknown }>) {
    const send = base.send;
    base.send = function (this: RecordedClient, ...args: unknown[]) {
      if (!stacks.has(this.middlewareStack)) {
        stacks.add(this.middlewareStack);
        this.middlewareStack.add(
          (next, context) => (args) => {
            recordSdkCall(context.clientName ?? "unknown", context.commandName ?? "unknown", args.input);
            return next(args);
          },
          { step: "initialize", name: RECORDER, override: true },
        );
      }
      return send.apply(this, args);
    };
  }
}

// --- The local stand-ins, at their ports ----------------------------------------------------------

/**
 * The local SNS stands where the SNS adapter calls `Publish` and `PublishBatch`; IAM authorizes
 * `PublishBatch` with `sns:Publish` ("Amazon SNS API permissions: Actions and resources reference").
 */
function recordLocalSns(): void {
  const prototype = LocalSns.prototype;
  const { publish, publishBatch } = prototype;
  prototype.publish = function (parameters) {
    recordNow("LocalSns.publish", "sns:Publish", [topicResource(parameters.TopicArn ?? LOCAL_EVENTS_TOPIC_ARN)]);
    return publish.call(this, parameters);
  };
  prototype.publishBatch = function (parameters) {
    recordNow("LocalSns.publishBatch", "sns:Publish", [topicResource(parameters.TopicArn ?? LOCAL_EVENTS_TOPIC_ARN)]);
    return publishBatch.call(this, parameters);
  };
}

/**
 * The local SES stands where the SES adapter calls `SendEmail`, which IAM authorizes on the sender's
 * identity and, when one is named, on the configuration set.
 */
function recordLocalSes(): void {
  const prototype = LocalSes.prototype;
  const { sendEmail } = prototype;
  prototype.sendEmail = function (input) {
    const from = input.FromEmailAddress ?? "";
    const identity = /<([^>]+)>\s*$/.exec(from)?.[1] ?? from;
    const configurationSet = input.ConfigurationSetName;
    recordNow("LocalSes.sendEmail", "ses:SendEmail", [
      { kind: "senderIdentity", address: identity },
      ...(configurationSet === undefined ? [] : [{ kind: "configurationSet", localName: configurationSet } as const]),
    ]);
    return sendEmail.call(this, input);
  };
}

/**
 * The cloud's place-order starts the workflow with `StartSyncExecution` (sfn-order-workflow.ts),
 * and the state machine invokes each task's function; locally both are invocations.
 */
function recordInvocations(): void {
  observeInvocations((invocation: Invocation) => {
    invoked.set(JSON.stringify(invocation.target), invocation.target);
    const caller = invocation.caller?.target;
    if (caller === undefined) return;
    const { target } = invocation;
    const call =
      target.kind === "stateMachine"
        ? { action: "states:StartSyncExecution", resource: { kind: "stateMachine", localName: target.name } }
        : { action: "lambda:InvokeFunction", resource: { kind: "function", functionName: target.functionName } };
    record({ caller, ...(call as Pick<RecordedCall, "action" | "resource">), context: {}, via: "local invocation" });
  });
}

recordSdkCalls();
recordLocalSns();
recordLocalSes();
recordInvocations();

// --- Mocha ---------------------------------------------------------------------------------------

/** The spec that checks what was recorded: it must run after every other. */
export const RECORDED_CALLS_SPEC = join(__dirname, "..", "infra", "recorded-aws-calls.test.ts");

/** Every spec file mocha loaded in this run. */
export function loadedSpecFiles(suite: Suite): string[] {
  let root = suite;
  while (root.parent) root = root.parent;
  return root.suites.map((child) => child.file).filter((file): file is string => file !== undefined);
}

/** Mocha root hooks: the recorded-calls spec moves behind every other, whatever order files came in. */
export const mochaHooks = {
  beforeAll(this: Mocha.Context): void {
    const root = this.test?.parent;
    if (!root) return;
    const checks = root.suites.filter((suite) => suite.file === RECORDED_CALLS_SPEC);
    const others = root.suites.filter((suite) => suite.file !== RECORDED_CALLS_SPEC);
    root.suites.splice(0, root.suites.length, ...others, ...checks);
  },
};
