import { parseOrderSearch } from "../domain/order-search";
import type { OrderRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json, requireAdmin } from "./http";

/** What `GET /orders` needs from the outside world. */
export interface ListOrdersDeps {
  readonly orders: OrderRepository;
}

/**
 * `GET /orders`: the caller's orders, newest first, one page at a time, placed between `from` and
 * `to` when given. An admin sees everyone's, and may filter by status, customer or product, each a
 * Query on its own index; a customer who names one of those filters is refused (403).
 */
export function makeListOrders(deps: ListOrdersDeps): ApiHandler {
  return httpHandler(async (event) => {
    const caller = callerOf(event);
    const { selection, page, filtered } = parseOrderSearch(event.queryStringParameters);
    if (caller.isAdmin) return json(200, await deps.orders.search(selection, page));
    // Status, customer and product are the admin's filters (`INDEX_FILTERS`).
    if (filtered) requireAdmin(caller);
    return json(200, await deps.orders.search({ ...selection, by: "owner", ownerId: caller.userId }, page));
  });
}

export const listOrders: ApiHandlerFactory = () => makeListOrders({ orders: awsAdapters().orderRepository() });
