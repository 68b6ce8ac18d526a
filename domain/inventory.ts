import * as v from "valibot";
import { boundedText, parseOrThrow, requireFields } from "./validation";

/** Limits on stock records. */
export const INVENTORY_LIMITS = { itemIdLength: 100, maxStock: 1_000_000 } as const;

/** An item the shop sells and how many units are free to order. */
export const InventoryItemSchema = v.object({
  itemId: v.pipe(v.string(), v.description("The product's name; orders name it in `product`")),
  quantity: v.pipe(v.number(), v.integer(), v.minValue(0), v.description("Units in stock and not reserved")),
  updatedAt: v.pipe(v.string(), v.isoTimestamp(), v.description("When the stock last changed")),
});
export type InventoryItem = v.InferOutput<typeof InventoryItemSchema>;

export const SetStockSchema = v.object({
  quantity: v.pipe(
    v.number("quantity must be a number"),
    v.integer("quantity must be an integer"),
    v.minValue(0, "quantity must not be negative"),
    v.maxValue(INVENTORY_LIMITS.maxStock, `quantity must be at most ${INVENTORY_LIMITS.maxStock}`),
  ),
});
export type SetStockInput = v.InferInput<typeof SetStockSchema>;

/** Validates a `PUT /inventory/{itemId}` body. */
export function parseSetStock(body: unknown): v.InferOutput<typeof SetStockSchema> {
  return parseOrThrow(SetStockSchema, requireFields(body, ["quantity"]));
}

/** Validates an item id taken from a path. */
export function parseItemId(itemId: string): string {
  return parseOrThrow(boundedText("itemId", INVENTORY_LIMITS.itemIdLength), itemId, "itemId");
}

/** What the workflow's stock tasks receive: which order takes (or gives back) how many of what. */
export const StockMovementSchema = v.object({
  orderId: v.string("orderId must be a string"),
  itemId: v.string("itemId must be a string"),
  quantity: v.pipe(
    v.number("quantity must be a number"),
    v.integer("quantity must be an integer"),
    v.minValue(1, "quantity must be a positive integer"),
  ),
});
export type StockMovement = v.InferOutput<typeof StockMovementSchema>;

/** Validates a stock task's input. */
export function parseStockMovement(input: unknown): StockMovement {
  return parseOrThrow(StockMovementSchema, input);
}

/** What checking the inventory for an order decided; `CheckInventory` returns it to the workflow. */
export type ReservationDecision =
  | { readonly result: "Available" }
  | { readonly result: "OutOfStock"; readonly available: number }
  | { readonly result: "UnknownProduct" };

/**
 * The inventory decision: an order can be served when the product exists and enough units are
 * free. The store applies it atomically (a conditional update), so this is also what it reports
 * when the condition fails.
 */
export function decideReservation(available: number | undefined, requested: number): ReservationDecision {
  if (available === undefined) return { result: "UnknownProduct" };
  if (available < requested) return { result: "OutOfStock", available };
  return { result: "Available" };
}

/** The stock the local stack starts with: the seed deployment's items. */
export const SEED_INVENTORY: readonly { itemId: string; quantity: number }[] = [
  { itemId: "Headlight", quantity: 4 },
  { itemId: "Seatbelt", quantity: 3 },
  { itemId: "coolant", quantity: 2 },
  { itemId: "MacBook Pro", quantity: 10 },
];
