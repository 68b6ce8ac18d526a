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
    principals: ["place-order"],
    action: "dynamodb:DeleteItem",
    resource: "table:idempotency",
    reason:
      "Powertools Idempotency deletes the in-progress record when the handler throws (the workflow failed), so that the key can be retried",
  },
  {
    principals: ["create-user"],
    action: "sns:Unsubscribe",
    resource: "topic:order-notifications",
    reason:
      "create-user undoes its subscription when storing the profile fails, or when a concurrent request stored one with another subscription",
  },
];

export const GRANT_JUSTIFICATIONS: readonly GrantJustification[] = [...PLATFORM, ...FAILURE_PATHS];
