import { checkInventory } from "../handlers/tasks/check-inventory";
import { createOrder } from "../handlers/tasks/create-order";
import { releaseStock } from "../handlers/tasks/release-stock";
import type { TaskHandlerFactory } from "../handlers/tasks/task";
import type { TableGrant } from "../storage/access";
import { inventoryTable, orderLinesTable, orderTimelineTable, ordersTable, reservationsTable } from "../storage/tables";
import { State, type TaskState } from "./definition";

/** A Task state of the order workflow and the function that does its work. */
export interface WorkflowTask {
  /** The state this function serves. */
  readonly state: TaskState;
  /** The function's name: its Pulumi child name suffix and its log group's. Never rename once shipped. */
  readonly functionName: string;
  /** Builds the handler: serialized and bundled for Lambda by `handlerArchive`, called as is locally. */
  readonly handler: TaskHandlerFactory;
  /** Every table access the function needs; its IAM policy is exactly this. */
  readonly grants: readonly TableGrant[];
}

/**
 * The workflow's functions, written once: `OrderWorkflow` deploys them and puts their ARNs in the
 * definition; the local stack runs them in place of those ARNs.
 */
export const workflowTasks: readonly WorkflowTask[] = [
  {
    state: State.CheckInventory,
    functionName: "check-inventory",
    handler: checkInventory,
    // Every line's item read (free units, price), then one transaction: each line's stock taken and
    // reservation put, the order checked not written; a retry reads back the prices it reserved at
    // (from its reservations, or from its order once written).
    grants: [
      { table: inventoryTable, actions: ["dynamodb:UpdateItem", "dynamodb:GetItem"] },
      { table: reservationsTable, actions: ["dynamodb:PutItem", "dynamodb:Query"] },
      { table: ordersTable, actions: ["dynamodb:ConditionCheckItem", "dynamodb:GetItem"] },
    ],
  },
  {
    state: State.CreateOrder,
    functionName: "create-order",
    handler: createOrder,
    // One transaction: order put, its line rows and `placed` entry put, every reservation deleted; a
    // re-read tells a retry from an expired reservation.
    grants: [
      { table: ordersTable, actions: ["dynamodb:PutItem", "dynamodb:GetItem"] },
      { table: reservationsTable, actions: ["dynamodb:DeleteItem"] },
      { table: orderLinesTable, actions: ["dynamodb:PutItem"] },
      { table: orderTimelineTable, actions: ["dynamodb:PutItem"] },
    ],
  },
  {
    state: State.ReleaseStock,
    functionName: "release-stock",
    handler: releaseStock,
    // One transaction a line: reservation deleted, stock given back, order checked not written.
    grants: [
      { table: reservationsTable, actions: ["dynamodb:DeleteItem"] },
      { table: inventoryTable, actions: ["dynamodb:UpdateItem"] },
      { table: ordersTable, actions: ["dynamodb:ConditionCheckItem"] },
    ],
  },
];
