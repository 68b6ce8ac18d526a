import { createUser } from "../handlers/create-user";
import { deleteOrder } from "../handlers/delete-order";
import { exportOrders } from "../handlers/export-orders";
import { getOrder } from "../handlers/get-order";
import { getUser } from "../handlers/get-user";
import { countingDependencyUnavailable } from "../handlers/adapters/powertools-metrics";
import type { ApiHandlerFactory } from "../handlers/http";
import { listInventory } from "../handlers/list-inventory";
import { listOrders } from "../handlers/list-orders";
import { placeOrder } from "../handlers/place-order";
import { setStock } from "../handlers/set-stock";
import { updateOrderStatus } from "../handlers/update-order-status";
import { updateUser } from "../handlers/update-user";
import type * as v from "valibot";
import { InventoryItemSchema, InventoryQuerySchema, SetStockSchema } from "../domain/inventory";
import {
  type Order,
  OrderSchema,
  OrderWithTimelineSchema,
  PlaceOrderBodySchema,
  STATUS_UPDATED_MESSAGE,
  StatusUpdateResultSchema,
} from "../domain/order";
import { ordersCsv } from "../domain/order-csv";
import { OrderSearchQuerySchema } from "../domain/order-search";
import { LegacyStatusUpdateSchema, StatusUpdateSchema } from "../domain/order-status";
import { pageSchema } from "../domain/pagination";
import { CreateUserSchema, UpdateUserSchema, UserProfileSchema } from "../domain/user";
import type { ServiceGrant, TableGrant } from "../storage/access";
import type { Refusal, ResponseSpec } from "./responses";
import {
  idempotencyTable,
  inventoryTable,
  orderLinesTable,
  orderTimelineTable,
  ordersTable,
  usersTable,
} from "../storage/tables";
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
  /** Builds the handler: serialized and bundled for Lambda by `handlerArchive`, called locally with local adapters. */
  readonly handler: ApiHandlerFactory;
  /** Every table access the function needs; its IAM policy is exactly this plus `services`. */
  readonly grants: readonly TableGrant[];
  /** Every other resource the function uses. */
  readonly services?: readonly ServiceGrant[];
  /** The function's timeout when it must outlast the stack's `functionTimeoutSeconds`. */
  readonly timeoutSeconds?: number;
  /** One line for the API reference. */
  readonly summary: string;
  /** Only members of the admin group may call it; others get 403. */
  readonly adminOnly?: true;
  /** The JSON body it reads, with an example. */
  readonly body?: { readonly schema: v.GenericSchema; readonly example: unknown };
  /** The query string it reads. */
  readonly query?: v.ObjectSchema<v.ObjectEntries, undefined>;
  /** It honours an `Idempotency-Key` header. */
  readonly idempotencyKey?: true;
  /** Its answer when it works. */
  readonly success: ResponseSpec;
  /** The refusals it gives on purpose, besides the 401, 429 and 500 any route can give. */
  readonly refusals: readonly Refusal[];
}

/** An order as the original API's example showed it, with what OMS adds: its line, priced, and its total. */
const EXAMPLE_ORDER = {
  OrderId: "994dd3bc-a43a-4342-b07b-3f5829e3c046",
  ownerId: "467ebf85-c30b-4f17-aae8-f2ec85a7c19c",
  customerName: "Kamlesh",
  product: "MacBook Pro",
  quantity: 1,
  items: [
    {
      product: "MacBook Pro",
      quantity: 1,
      unitPrice: { amount: 249900, currency: "EUR" },
      lineTotal: { amount: 249900, currency: "EUR" },
    },
  ],
  total: { amount: 249900, currency: "EUR" },
  status: "PLACED",
  createdAt: "2025-08-01T07:47:40.000Z",
};

/** The example order's timeline once it was placed and its customer mailed. */
const EXAMPLE_TIMELINE = [
  { at: "2025-08-01T07:47:40.000Z", by: EXAMPLE_ORDER.ownerId, event: "placed" },
  {
    at: "2025-08-01T07:47:42.000Z",
    by: "system",
    event: "mailSent",
    subject: `Your order ${EXAMPLE_ORDER.OrderId} is placed`,
  },
];

/** The same selection as `GET /orders`, one CSV row per order line (`ORDER_CSV_COLUMNS`). */
const EXAMPLE_CSV = ordersCsv([EXAMPLE_ORDER as Order]);

const EXAMPLE_PROFILE = {
  userId: "467ebf85-c30b-4f17-aae8-f2ec85a7c19c",
  name: "Dinesh",
  email: "dinesh@example.com",
  orderMail: true,
  createdAt: "2025-08-01T07:07:28.000Z",
  updatedAt: "2025-08-01T07:07:28.000Z",
};

const statusUpdateRefusals: readonly Refusal[] = [
  "missingFields",
  "invalidField",
  "forbidden",
  "notFound",
  "invalidTransition",
  "conflict",
];

const statusUpdated: ResponseSpec = {
  status: 200,
  description: "The order in its new status; its OrderStatusChanged event e-mails the customer",
  schema: StatusUpdateResultSchema,
  example: {
    ...EXAMPLE_ORDER,
    status: "SHIPPED",
    updatedAt: "2025-08-01T07:50:00.000Z",
    carrier: "DHL Express",
    trackingNumber: "JD014600006281230418",
    message: STATUS_UPDATED_MESSAGE,
  },
};

/**
 * A status update reads the order, changes it, gives stock back when it cancels, and records the
 * change on the order's timeline, all in one transaction.
 */
const statusUpdateGrants: readonly TableGrant[] = [
  { table: ordersTable, actions: ["dynamodb:GetItem", "dynamodb:UpdateItem"] },
  { table: inventoryTable, actions: ["dynamodb:UpdateItem"] },
  { table: orderTimelineTable, actions: ["dynamodb:PutItem"] },
];

/**
 * A search Queries the index its filter names: the owner's, a shard of every order's or of a
 * status's, a product's lines (then reads those orders in one BatchGetItem), or finds a customer by
 * e-mail first.
 */
const searchGrants: readonly TableGrant[] = [
  {
    table: ordersTable,
    actions: ["dynamodb:Query"],
    indexes: [ordersTable.indexes.byOwner, ordersTable.indexes.newestInShard, ordersTable.indexes.byStatus],
  },
  { table: ordersTable, actions: ["dynamodb:BatchGetItem"] },
  { table: orderLinesTable, actions: ["dynamodb:Query"], indexes: [orderLinesTable.indexes.byProduct] },
  { table: usersTable, actions: ["dynamodb:Query"], indexes: [usersTable.indexes.byEmail] },
];

/** The API's routes as written; `routes` is what is deployed and served. */
const routeTable: readonly Route[] = [
  {
    method: "POST",
    path: "/orders",
    functionName: "place-order",
    summary: "Place an order: reserve the stock, store the order (the customer is e-mailed about it)",
    // The original API's body: an order of one line. `items` takes up to 25 (see the contract).
    body: { schema: PlaceOrderBodySchema, example: { customerName: "Kamlesh", product: "MacBook Pro", quantity: 1 } },
    idempotencyKey: true,
    success: { status: 201, description: "The order, placed", schema: OrderSchema, example: EXAMPLE_ORDER },
    refusals: ["missingFields", "invalidField", "outOfStock", "idempotencyKeyReused", "conflict"],
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
    summary: "The caller's orders (an admin's: everyone's), newest first; admins filter by status, customer or product",
    query: OrderSearchQuerySchema,
    success: {
      status: 200,
      description: "One page of orders, newest first",
      schema: pageSchema(OrderSchema),
      example: { items: [EXAMPLE_ORDER] },
    },
    refusals: ["invalidField", "forbidden"],
    handler: listOrders,
    grants: searchGrants,
  },
  {
    method: "GET",
    path: "/orders/export",
    functionName: "export-orders",
    summary: "The same selection as GET /orders, as CSV (RFC 4180), one row per order line",
    adminOnly: true,
    query: OrderSearchQuerySchema,
    success: {
      status: 200,
      description: "One page of the selection as CSV; the next page's token is in `X-Next-Token` when there is one",
      mediaType: "text/csv",
      example: EXAMPLE_CSV,
    },
    refusals: ["invalidField", "forbidden"],
    handler: exportOrders,
    grants: searchGrants,
  },
  {
    method: "GET",
    path: "/orders/{id}",
    functionName: "get-order",
    summary: "One order and its timeline, for its owner or an admin",
    success: {
      status: 200,
      description: "The order, and every change of it, oldest first",
      schema: OrderWithTimelineSchema,
      example: { ...EXAMPLE_ORDER, timeline: EXAMPLE_TIMELINE },
    },
    refusals: ["notFound"],
    handler: getOrder,
    grants: [
      { table: ordersTable, actions: ["dynamodb:GetItem"] },
      { table: orderTimelineTable, actions: ["dynamodb:Query"] },
    ],
  },
  {
    method: "DELETE",
    path: "/orders/{id}",
    functionName: "delete-order",
    summary: "Cancel an order (orders are records: it stays, CANCELLED, its stock given back)",
    success: {
      status: 200,
      description:
        "The order, CANCELLED (as it was, if it already was); its OrderStatusChanged event e-mails the customer",
      schema: OrderSchema,
      example: { ...EXAMPLE_ORDER, status: "CANCELLED", updatedAt: "2025-08-01T07:50:00.000Z" },
    },
    refusals: ["notFound", "invalidTransition", "conflict"],
    handler: deleteOrder,
    // The same writes as a status update's cancel: nothing is ever removed.
    grants: statusUpdateGrants,
  },
  {
    method: "PATCH",
    path: "/orders/{id}",
    functionName: "update-order-status",
    summary: "Move an order to another status (the customer is e-mailed about it)",
    adminOnly: true,
    body: {
      schema: StatusUpdateSchema,
      example: {
        status: "shipped",
        carrier: "DHL Express",
        trackingNumber: "JD014600006281230418",
        note: "Left the warehouse with the morning pickup",
      },
    },
    success: statusUpdated,
    refusals: statusUpdateRefusals,
    handler: updateOrderStatus,
    grants: statusUpdateGrants,
  },
  {
    // The original API's status update, kept as an alias: the order id travels in the body.
    method: "PUT",
    path: "/orders",
    functionName: "update-order-status-legacy",
    summary: "The original API's status update: the order id in the body",
    adminOnly: true,
    body: {
      schema: LegacyStatusUpdateSchema,
      example: {
        orderId: "ec6b14fa-d31a-4c83-9fc4-9ee5e62a5c11",
        userId: "467ebf83-c38b-4f17-aae8-f2ec85a7c19c",
        status: "shipped",
      },
    },
    success: statusUpdated,
    refusals: statusUpdateRefusals,
    handler: updateOrderStatus,
    grants: statusUpdateGrants,
  },
  {
    method: "POST",
    path: "/users",
    functionName: "create-user",
    summary: "Create the caller's profile; order mail is on",
    body: { schema: CreateUserSchema, example: { name: "Dinesh", email: "dinesh@example.com" } },
    success: { status: 201, description: "The profile", schema: UserProfileSchema, example: EXAMPLE_PROFILE },
    refusals: ["missingFields", "invalidField", "conflict"],
    handler: createUser,
    // One conditional PutItem: it refuses a second profile by itself.
    grants: [{ table: usersTable, actions: ["dynamodb:PutItem"] }],
  },
  {
    method: "GET",
    path: "/users/me",
    functionName: "get-user",
    summary: "The caller's profile",
    success: { status: 200, description: "The profile", schema: UserProfileSchema, example: EXAMPLE_PROFILE },
    refusals: ["notFound"],
    handler: getUser,
    grants: [{ table: usersTable, actions: ["dynamodb:GetItem"] }],
  },
  {
    method: "PUT",
    path: "/users/me",
    functionName: "update-user",
    summary: "Change the caller's name, e-mail or whether they get order mail",
    body: { schema: UpdateUserSchema, example: { email: "dinesh.k@example.com", orderMail: false } },
    success: { status: 200, description: "The profile", schema: UserProfileSchema, example: EXAMPLE_PROFILE },
    refusals: ["invalidField", "notFound", "conflict"],
    handler: updateUser,
    grants: [{ table: usersTable, actions: ["dynamodb:GetItem", "dynamodb:PutItem"] }],
  },
  {
    method: "GET",
    path: "/inventory",
    functionName: "list-inventory",
    summary: "Items and their free stock; with lowStock=true, those at or below their reorder level",
    query: InventoryQuerySchema,
    success: {
      status: 200,
      description:
        "One page of items. With lowStock=true a page may hold fewer items than limit, or none, and still " +
        "carry a nextToken",
      schema: pageSchema(InventoryItemSchema),
      example: {
        items: [{ itemId: "Headlight", quantity: 4, reorderLevel: 5, updatedAt: "2025-08-01T07:00:00.000Z" }],
      },
    },
    refusals: ["invalidField"],
    handler: listInventory,
    grants: [{ table: inventoryTable, actions: ["dynamodb:Scan"] }],
  },
  {
    method: "PUT",
    path: "/inventory/{itemId}",
    functionName: "set-stock",
    summary:
      "Set an item's free stock and, optionally, its reorder level and unit price, adding the item when it is new",
    adminOnly: true,
    body: {
      schema: SetStockSchema,
      example: { quantity: 4, reorderLevel: 5, unitPrice: { amount: 4999, currency: "EUR" } },
    },
    success: {
      status: 200,
      description: "The item",
      schema: InventoryItemSchema,
      example: {
        itemId: "Headlight",
        quantity: 4,
        reorderLevel: 5,
        unitPrice: { amount: 4999, currency: "EUR" },
        updatedAt: "2025-08-01T07:00:00.000Z",
      },
    },
    refusals: ["missingFields", "invalidField", "forbidden"],
    handler: setStock,
    grants: [{ table: inventoryTable, actions: ["dynamodb:UpdateItem"] }],
  },
];

/**
 * The API, written once: `OrdersApi` deploys it to API Gateway and the local stack serves it. Every
 * route's function counts the 503s it answers, in this one place (`countingDependencyUnavailable`).
 */
export const routes: readonly Route[] = routeTable.map((route) => ({
  ...route,
  handler: countingDependencyUnavailable(route.handler),
}));

/** API Gateway's name for a route, e.g. `GET /orders/{id}`. */
export function routeKey(route: Pick<Route, "method" | "path">): string {
  return `${route.method} ${route.path}`;
}
