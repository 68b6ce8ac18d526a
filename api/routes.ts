import { createUser } from "../handlers/create-user";
import { deleteOrder } from "../handlers/delete-order";
import { getOrder } from "../handlers/get-order";
import { getUser } from "../handlers/get-user";
import type { ApiHandlerFactory } from "../handlers/http";
import { listInventory } from "../handlers/list-inventory";
import { listOrders } from "../handlers/list-orders";
import { placeOrder } from "../handlers/place-order";
import { setStock } from "../handlers/set-stock";
import { updateOrderStatus } from "../handlers/update-order-status";
import { updateUser } from "../handlers/update-user";
import type { ServiceGrant, TableGrant } from "../storage/access";
import { idempotencyTable, inventoryTable, ordersTable, usersTable } from "../storage/tables";
import { WORKFLOW_TIMEOUT_SECONDS } from "../workflow/definition";

export type { DynamoDbAction, ServiceGrant, TableGrant } from "../storage/access";

/** HTTP methods the API serves (OPTIONS is CORS preflight, answered by API Gateway itself). */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** One route of the API and the function behind it. */
export interface Route {
  /** HTTP method. */
  readonly method: HttpMethod;
  /** Path in API Gateway's syntax, e.g. `/orders/{id}`. */
  readonly path: string;
  /** The function's name: its Pulumi child name suffix and its log group's. Never rename once shipped. */
  readonly functionName: string;
  /** Builds the handler; passed to `CallbackFunction` as `callbackFactory` and called locally with local adapters. */
  readonly handler: ApiHandlerFactory;
  /** Every table access the function needs; its IAM policy is exactly this plus `services`. */
  readonly grants: readonly TableGrant[];
  /** Every other resource the function uses. */
  readonly services?: readonly ServiceGrant[];
  /** The function's timeout when it must outlast the stack's `functionTimeoutSeconds`. */
  readonly timeoutSeconds?: number;
}

/** A status update reads the order, changes it, and gives stock back when it cancels. */
const statusUpdateGrants: readonly TableGrant[] = [
  { table: ordersTable, actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { table: inventoryTable, actions: ["dynamodb:UpdateItem"] },
];

/**
 * The API, written once: `OrdersApi` deploys it to API Gateway and the local stack serves it.
 */
export const routes: readonly Route[] = [
  {
    method: "POST",
    path: "/orders",
    functionName: "place-order",
    handler: placeOrder,
    grants: [
      {
        table: idempotencyTable,
        actions: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
      },
    ],
    services: ["orderWorkflow:start"],
    // It waits for the whole workflow, which may take WORKFLOW_TIMEOUT_SECONDS; API Gateway waits 30 s.
    timeoutSeconds: WORKFLOW_TIMEOUT_SECONDS + 3,
  },
  {
    method: "GET",
    path: "/orders",
    functionName: "list-orders",
    handler: listOrders,
    grants: [
      {
        table: ordersTable,
        actions: ["dynamodb:Query"],
        indexes: [ordersTable.indexes.byOwner, ordersTable.indexes.newest],
      },
    ],
  },
  {
    method: "GET",
    path: "/orders/{id}",
    functionName: "get-order",
    handler: getOrder,
    grants: [{ table: ordersTable, actions: ["dynamodb:GetItem"] }],
  },
  {
    method: "DELETE",
    path: "/orders/{id}",
    functionName: "delete-order",
    handler: deleteOrder,
    grants: [
      { table: ordersTable, actions: ["dynamodb:GetItem", "dynamodb:DeleteItem"] },
      { table: inventoryTable, actions: ["dynamodb:UpdateItem"] },
    ],
  },
  {
    method: "PATCH",
    path: "/orders/{id}",
    functionName: "update-order-status",
    handler: updateOrderStatus,
    grants: statusUpdateGrants,
    services: ["notifications:publish"],
  },
  {
    // The original API's status update, kept as an alias: the order id travels in the body.
    method: "PUT",
    path: "/orders",
    functionName: "update-order-status-legacy",
    handler: updateOrderStatus,
    grants: statusUpdateGrants,
    services: ["notifications:publish"],
  },
  {
    method: "POST",
    path: "/users",
    functionName: "create-user",
    handler: createUser,
    grants: [{ table: usersTable, actions: ["dynamodb:GetItem", "dynamodb:PutItem"] }],
    services: ["notifications:subscribe"],
  },
  {
    method: "GET",
    path: "/users/me",
    functionName: "get-user",
    handler: getUser,
    grants: [{ table: usersTable, actions: ["dynamodb:GetItem"] }],
  },
  {
    method: "PUT",
    path: "/users/me",
    functionName: "update-user",
    handler: updateUser,
    grants: [{ table: usersTable, actions: ["dynamodb:GetItem", "dynamodb:PutItem"] }],
    services: ["notifications:subscribe"],
  },
  {
    method: "GET",
    path: "/inventory",
    functionName: "list-inventory",
    handler: listInventory,
    grants: [{ table: inventoryTable, actions: ["dynamodb:Scan"] }],
  },
  {
    method: "PUT",
    path: "/inventory/{itemId}",
    functionName: "set-stock",
    handler: setStock,
    grants: [{ table: inventoryTable, actions: ["dynamodb:UpdateItem"] }],
  },
];

/** API Gateway's name for a route, e.g. `GET /orders/{id}`. */
export function routeKey(route: Pick<Route, "method" | "path">): string {
  return `${route.method} ${route.path}`;
}
