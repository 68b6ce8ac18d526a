import { apiEvent, claimsFor } from "../test/support/api-events";

const ORDER_ID = "00000000-0000-4000-8000-000000000001";
const customer = claimsFor("bench-customer");
const admin = claimsFor("bench-admin", ["admin"]);

/**
 * The request each function gets on its first (cold) invocation: a valid one that goes through
 * its SDK clients, so that the measured cold start includes what the SDK loads lazily.
 */
const EVENTS: Readonly<Record<string, unknown>> = {
  "place-order": apiEvent({
    routeKey: "POST /orders",
    claims: customer,
    body: '{"customerName":"Bench","product":"Headlight","quantity":1}',
  }),
  "list-orders": apiEvent({ routeKey: "GET /orders", claims: customer, query: { limit: "20" } }),
  "get-order": apiEvent({ routeKey: "GET /orders/{id}", pathParameters: { id: ORDER_ID }, claims: customer }),
  "delete-order": apiEvent({ routeKey: "DELETE /orders/{id}", pathParameters: { id: ORDER_ID }, claims: customer }),
  "update-order-status": apiEvent({
    routeKey: "PATCH /orders/{id}",
    pathParameters: { id: ORDER_ID },
    claims: admin,
    body: '{"status":"SHIPPED"}',
  }),
  "update-order-status-legacy": apiEvent({
    routeKey: "PUT /orders",
    claims: admin,
    body: `{"orderId":"${ORDER_ID}","userId":"bench-customer","status":"SHIPPED"}`,
  }),
  "create-user": apiEvent({
    routeKey: "POST /users",
    claims: customer,
    body: '{"name":"Bench","email":"bench-customer@example.com"}',
  }),
  "get-user": apiEvent({ routeKey: "GET /users/me", claims: customer }),
  "update-user": apiEvent({ routeKey: "PUT /users/me", claims: customer, body: '{"name":"Bench Two"}' }),
  "list-inventory": apiEvent({ routeKey: "GET /inventory", claims: customer }),
  "set-stock": apiEvent({
    routeKey: "PUT /inventory/{itemId}",
    pathParameters: { itemId: "Headlight" },
    claims: admin,
    body: '{"quantity":4}',
  }),
  "check-inventory": { orderId: ORDER_ID, itemId: "Headlight", quantity: 1 },
  "create-order": {
    order: {
      OrderId: ORDER_ID,
      ownerId: "bench-customer",
      customerName: "Bench",
      product: "Headlight",
      quantity: 1,
      status: "PLACED",
      createdAt: "2026-11-27T10:00:00.000Z",
    },
  },
  "release-stock": { orderId: ORDER_ID, itemId: "Headlight", quantity: 1 },
};

/** The first event `functionName` gets in the cold-start measurement. */
export function warmUpEvent(functionName: string): unknown {
  const event = EVENTS[functionName];
  if (event === undefined) throw new Error(`No warm-up event for ${functionName}: add one to bench/warm-up-events.ts`);
  return event;
}
