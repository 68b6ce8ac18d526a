import { parseInventoryQuery } from "../domain/inventory";
import type { InventoryRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, json } from "./http";

/** What `GET /inventory` needs from the outside world. */
export interface ListInventoryDeps {
  readonly inventory: InventoryRepository;
}

/**
 * `GET /inventory`: items and their free stock, for any signed-in user, one page at a time;
 * `?lowStock=true`: only those at or below their reorder level.
 */
export function makeListInventory(deps: ListInventoryDeps): ApiHandler {
  return httpHandler(async (event) => {
    callerOf(event);
    const { page, lowStock } = parseInventoryQuery(event.queryStringParameters);
    return json(200, await deps.inventory.list(page, { lowStock }));
  });
}

export const listInventory: ApiHandlerFactory = () =>
  makeListInventory({ inventory: awsAdapters().inventoryRepository() });
