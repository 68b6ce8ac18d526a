import { STATES_LOG_DELIVERY_ACTIONS, XRAY_TRACING_ACTIONS } from "../infra/iam";

/**
 * Grants that no AWS call recorded by the suite uses, each with the reason it stays. The suite
 * (`test/infra/recorded-aws-calls.test.ts`) runs every handler on the local stack, records every
 * AWS call, and fails on a grant nobody uses that is not listed here, and on an entry here that no
 * unused grant matches (a recorded call uses it now, or no policy has it any more).
 */
export interface GrantJustification {
  /** Whose role has the grant: route or task `functionName`s, `order-workflow` for the state machine, or every function. */
  readonly principals: readonly string[] | "every function";
  /** The IAM action, e.g. `logs:PutLogEvents`. */
  readonly action: string;
  /**
   * The resource, named the same on every stack: `table:orders`, `table:orders/index:byOwner`,
   * `topic:order-notifications`, `function:check-inventory`, `own log group` (the log streams of
   * the principal's own log group), or `*`.
   */
  readonly resource: string;
  /** Why the grant stays although the handlers' recorded calls never use it. */
  readonly reason: string;
}

/** What Lambda and Step Functions do under a role themselves, outside the handlers' code. */
const PLATFORM: readonly GrantJustification[] = [
  ...["logs:CreateLogStream", "logs:PutLogEvents"].map((action) => ({
    principals: "every function" as const,
    action,
    resource: "own log group",
    reason:
      "Lambda's runtime writes the function's logs with the function's role; the handlers never call CloudWatch Logs",
  })),
  ...XRAY_TRACING_ACTIONS.map((action) => ({
    principals: "every function" as const,
    action,
    resource: "*",
    reason: "Lambda's active tracing sends the invocation's segments with the function's role; nothing traces locally",
  })),
  ...STATES_LOG_DELIVERY_ACTIONS.map((action) => ({
    principals: ["order-workflow"],
    action,
    resource: "*",
    reason:
      "Step Functions sets up the vended delivery of the state machine's logs with its role, when it is created or updated",
  })),
  ...XRAY_TRACING_ACTIONS.map((action) => ({
    principals: ["order-workflow"],
    action,
    resource: "*",
    reason:
      "Step Functions sends each traced execution's segments with the state machine's role; nothing traces locally",
  })),
];

/** What Lambda's event source mappings do with the function's role, outside the handlers' code. */
const EVENT_SOURCES: readonly GrantJustification[] = [
  ...["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"].flatMap((action) =>
    ["stream:orders", "stream:inventory"].map((resource) => ({
      principals: ["publish-events"],
      action,
      resource,
      reason: "Lambda's stream event source mapping reads the table's change stream with the function's role",
    })),
  ),
  {
    principals: ["publish-events"],
    action: "dynamodb:ListStreams",
    resource: "*",
    reason: "Lambda's stream event source mapping lists streams with the function's role; the action names no resource",
  },
  {
    principals: ["publish-events"],
    action: "sqs:SendMessage",
    resource: "queue:events-failed",
    reason:
      "Lambda's stream event source mapping sends what it gave up on to its on-failure destination with the function's role",
  },
  ...["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"].map((action) => ({
    principals: ["send-order-mail"],
    action,
    resource: "queue:customer-mail",
    reason: "Lambda's SQS event source mapping polls and deletes the queue's messages with the function's role",
  })),
];

/** Grants only a failure path uses, which no spec reaches yet. */
const FAILURE_PATHS: readonly GrantJustification[] = [
  {
    principals: ["place-order"],
    action: "dynamodb:GetItem",
    resource: "table:idempotency",
    reason:
      "Powertools Idempotency reads a record only when a conditional PutItem's refusal does not carry it; DynamoDB returns it (ReturnValuesOnConditionCheckFailure: ALL_OLD)",
  },
  {
    principals: ["send-order-mail"],
    action: "dynamodb:GetItem",
    resource: "table:idempotency",
    reason:
      "Powertools Idempotency reads a record only when a conditional PutItem's refusal does not carry it; DynamoDB returns it (ReturnValuesOnConditionCheckFailure: ALL_OLD)",
  },
];

export const GRANT_JUSTIFICATIONS: readonly GrantJustification[] = [...PLATFORM, ...EVENT_SOURCES, ...FAILURE_PATHS];
