import { type ReservationDecision, parseStockMovement } from "../../domain/inventory";
import type { InventoryRepository } from "../../domain/ports";
import { awsAdapters } from "../adapters/from-environment";
import type { TaskHandlerFactory } from "./task";

/**
 * `CheckInventory`: reserves every line's units if all are free, atomically (every line or none),
 * until the reservations' deadline, and says what it decided: the prices it reserved at, every
 * short line, or the unknown product.
 */
export function makeCheckInventory(deps: { readonly inventory: InventoryRepository; readonly now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return async (input: unknown): Promise<ReservationDecision> => {
    const { orderId, lines } = parseStockMovement(input);
    return deps.inventory.reserve(orderId, lines, now());
  };
}

export const checkInventory: TaskHandlerFactory = () =>
  makeCheckInventory({ inventory: awsAdapters().inventoryRepository() });
