import { createOrder } from "../handlers/create-order";
import { deleteOrder } from "../handlers/delete-order";
import { getOrder } from "../handlers/get-order";
import type { ApiHandlerFactory } from "../handlers/http";
import { listOrders } from "../handlers/list-orders";
import type { TableGrant } from "../storage/access";
import { ordersTable } from "../storage/tables";

/** HTTP methods the API serves (OPTIONS is CORS preflight, answered by API Gateway itself). */
export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

export type { DynamoDbAction, TableGrant } from "../storage/access";

/** One route of the API and the function behind it. */
export interface Route {
  /** HTTP method. */
  readonly method: HttpMethod;
  /** Path in API Gateway's syntax, e.g. `/orders/{id}`. */
  readonly path: string;
  /** The function's name: its Pulumi child name suffix and its log group's. Never rename once shipped. */
  readonly functionName: string;
  /** Builds the handler; passed to `CallbackFunction` as `callbackFactory` and called as is locally. */
  readonly handler: ApiHandlerFactory;
  /** Every table access the function needs; its IAM policy is exactly this. */
  readonly grants: readonly TableGrant[];
}

/**
 * The API, written once: `OrdersApi` deploys it to API Gateway and the local stack serves it.
 */
export const routes: readonly Route[] = [
  {
    method: "POST",
    path: "/orders",
    functionName: "create-order",
    handler: createOrder,
    grants: [{ table: ordersTable, actions: ["dynamodb:PutItem"] }],
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
    grants: [{ table: ordersTable, actions: ["dynamodb:DeleteItem"] }],
  },
];

/** API Gateway's name for a route, e.g. `GET /orders/{id}`. */
export function routeKey(route: Pick<Route, "method" | "path">): string {
  return `${route.method} ${route.path}`;
}
