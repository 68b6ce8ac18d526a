import type { IndexDefinition, TableDefinition } from "./tables";

/** DynamoDB actions a function may be granted. */
export type DynamoDbAction =
  | "dynamodb:GetItem"
  | "dynamodb:BatchGetItem"
  | "dynamodb:PutItem"
  | "dynamodb:UpdateItem"
  | "dynamodb:DeleteItem"
  | "dynamodb:Query"
  | "dynamodb:Scan"
  | "dynamodb:ConditionCheckItem";

/** Access to one table: exactly the actions a function calls, on the table or on some of its indexes. */
export interface TableGrant {
  /** The table. */
  readonly table: TableDefinition;
  /** The actions the function calls (a transaction needs the action of each of its parts). */
  readonly actions: readonly DynamoDbAction[];
  /** When set, the grant is on these indexes only, not on the table itself. */
  readonly indexes?: readonly IndexDefinition[];
}

/**
 * Access to a resource other than a table. Each becomes one IAM statement on that one resource
 * and the environment variable that names it.
 */
export type ServiceGrant =
  /** `states:StartSyncExecution` on the order workflow. */
  | "orderWorkflow:start"
  /** `sns:Publish` on the order-events topic: committed changes announced as events. */
  | "events:publish"
  /** `ses:SendEmail` as the stack's sender identity, through its configuration set. */
  | "mail:send";
