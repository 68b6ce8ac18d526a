import { type ReservationDecision, parseStockMovement } from "../../domain/inventory";
import type { InventoryRepository } from "../../domain/ports";
import { awsAdapters } from "../adapters/from-environment";
import type { TaskHandlerFactory } from "./task";

/**
 * `CheckInventory`: reserves the order's units if they are free, atomically, until the
 * reservation's deadline, and says what it decided.
 */
export function makeCheckInventory(deps: { readonly inventory: InventoryRepository; readonly now?: () => Date }) {
  const now = deps.now ?? (() => new Date());
  return async (input: unknown): Promise<ReservationDecision> => {
    const { orderId, itemId, quantity } = parseStockMovement(input);
    return deps.inventory.reserve(orderId, itemId, quantity, now());
  };
}

export const checkInventory: TaskHandlerFactory = () =>
  makeCheckInventory({ inventory: awsAdapters().inventoryRepository() });
