import { parseStockMovement } from "../../domain/inventory";
import type { InventoryRepository } from "../../domain/ports";
import { awsAdapters } from "../adapters/from-environment";
import type { TaskHandlerFactory } from "./task";

/**
 * `ReleaseStock`: the compensation; gives back what `CheckInventory` reserved for the order, once.
 * Nothing to give back (the sweeper did, or the order was written) is no failure.
 */
export function makeReleaseStock(deps: { readonly inventory: InventoryRepository; readonly now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return async (input: unknown): Promise<Record<string, never>> => {
    const { orderId, itemId, quantity } = parseStockMovement(input);
    await deps.inventory.release(orderId, itemId, quantity, now());
    return {};
  };
}

export const releaseStock: TaskHandlerFactory = () =>
  makeReleaseStock({ inventory: awsAdapters().inventoryRepository() });
