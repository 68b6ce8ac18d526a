import { parseStockMovement } from "../../domain/inventory";
import type { InventoryRepository } from "../../domain/ports";
import { awsAdapters } from "../adapters/from-environment";
import type { TaskHandlerFactory } from "./task";

/**
 * `ReleaseStock`: the compensation; gives back what `CheckInventory` reserved for the order, every
 * line, once. Each line's reservation is given back in its own transaction, because the sweeper may
 * have given some back already; nothing to give back (the sweeper did, or the order was written) is
 * no failure.
 */
export function makeReleaseStock(deps: { readonly inventory: InventoryRepository; readonly now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return async (input: unknown): Promise<Record<string, never>> => {
    const { orderId, lines } = parseStockMovement(input);
    const at = now();
    await Promise.all(lines.map((line) => deps.inventory.release(orderId, line.product, line.quantity, at)));
    return {};
  };
}

export const releaseStock: TaskHandlerFactory = () =>
  makeReleaseStock({ inventory: awsAdapters().inventoryRepository() });
