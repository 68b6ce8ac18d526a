import { ownerScope } from "../domain/caller";
import { parsePageRequest } from "../domain/pagination";
import type { OrderRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json } from "./http";

/** What `GET /orders` needs from the outside world. */
export interface ListOrdersDeps {
  readonly orders: OrderRepository;
}

/** `GET /orders`: the caller's orders (an admin's: everyone's), newest first, one page at a time. */
export function makeListOrders(deps: ListOrdersDeps): ApiHandler {
  return httpHandler(async (event) => {
    const caller = callerOf(event);
    const page = await deps.orders.list(ownerScope(caller), parsePageRequest(event.queryStringParameters));
    return json(200, page);
  });
}

export const listOrders: ApiHandlerFactory = () => makeListOrders({ orders: awsAdapters().orderRepository() });
