import { parseItemId, parseSetStock } from "../domain/inventory";
import type { InventoryRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import {
  type ApiHandler,
  type ApiHandlerFactory,
  callerOf,
  httpHandler,
  json,
  jsonBody,
  pathParameter,
  requireAdmin,
} from "./http";

/** What `PUT /inventory/{itemId}` needs from the outside world. */
export interface SetStockDeps {
  readonly inventory: InventoryRepository;
  readonly now: () => Date;
}

/**
 * `PUT /inventory/{itemId}` (admin): sets an item's free stock, and its reorder level and unit
 * price when the body names them, adding the item when it is new.
 */
export function makeSetStock(deps: SetStockDeps): ApiHandler {
  return httpHandler(async (event) => {
    requireAdmin(callerOf(event));
    const itemId = parseItemId(pathParameter(event, "itemId"));
    return json(200, await deps.inventory.setStock(itemId, parseSetStock(jsonBody(event)), deps.now()));
  });
}

export const setStock: ApiHandlerFactory = () =>
  makeSetStock({ inventory: awsAdapters().inventoryRepository(), now: () => new Date() });
