import * as v from "valibot";
import { type Money, MoneySchema, UnitPriceSchema } from "./money";
import { type PageRequest, ListQuerySchema, parsePageRequest } from "./pagination";
import { boundedText, parseOrThrow, requireFields } from "./validation";

/** Limits on stock records. */
export const INVENTORY_LIMITS = { itemIdLength: 100, maxStock: 1_000_000 } as const;

/**
 * A number of units, from `min` to `max`, with messages that name `quantity`: the one rule for
 * stock levels, stock movements and the quantity an order asks for.
 */
export function quantityPipe(min: 0 | 1, max: number) {
  return unitsPipe("quantity", min, max);
}

/** A number of units, from `min` to `max`, with messages that name `field`. */
function unitsPipe(field: string, min: 0 | 1, max: number) {
  return v.pipe(
    v.number(`${field} must be a number`),
    v.integer(`${field} must be an integer`),
    v.minValue(min, min === 0 ? `${field} must not be negative` : `${field} must be a positive integer`),
    v.maxValue(max, `${field} must be at most ${max}`),
  );
}

/** An item's reorder level: it is low on stock when its free units are at or below it. */
const reorderLevelPipe = unitsPipe("reorderLevel", 0, INVENTORY_LIMITS.maxStock);

/** An item's id, as a path names it: the product's name, trimmed, 1 to `itemIdLength` characters. */
export const ItemIdSchema = boundedText("itemId", INVENTORY_LIMITS.itemIdLength);

/** An item the shop sells and how many units are free to order. */
export const InventoryItemSchema = v.object({
  itemId: v.pipe(v.string(), v.description("The product's name; orders name it in `product`")),
  quantity: v.pipe(quantityPipe(0, INVENTORY_LIMITS.maxStock), v.description("Units in stock and not reserved")),
  reorderLevel: v.optional(
    v.pipe(
      reorderLevelPipe,
      v.description("Low on stock at or below this many free units; absent when the item has no level"),
    ),
  ),
  unitPrice: v.optional(
    v.pipe(MoneySchema, v.description("What one unit costs; orders placed from now on are priced at it")),
  ),
  updatedAt: v.pipe(v.string(), v.isoTimestamp(), v.description("When the stock last changed")),
});
export type InventoryItem = v.InferOutput<typeof InventoryItemSchema>;

/**
 * An item's books as stored: its free units and `committed`, the units taken out of free stock and
 * held by a reservation or by an order that holds stock (`holdsStock`). Every move changes both in
 * one write, so that no write needs to read the other first:
 *
 * | move                                            | quantity | committed |
 * | ----------------------------------------------- | -------- | --------- |
 * | stock set by an admin                           | = n      | —         |
 * | units reserved (`CheckInventory`)               | − q      | + q       |
 * | reservation given back (`ReleaseStock`, sweep)  | + q      | − q       |
 * | order written from its reservation              | —        | —         |
 * | PLACED order cancelled or deleted               | + q      | − q       |
 * | SHIPPED or DELIVERED order deleted (units gone) | —        | − q       |
 *
 * Hence, from the tables alone: committed = units reserved + units of orders that hold stock. The
 * stock audit checks exactly that (`audit/stock-audit.ts`). Setting the stock touches no total:
 * free stock is what the admin says it is, and nothing sets it but the admin and the moves above.
 */
export interface StockBooks {
  /** Free units. */
  readonly quantity: number;
  /** Units held by reservations and orders; absent on an item stored before OMS kept it. */
  readonly committed?: number;
}

/**
 * A `PUT /inventory/{itemId}` body. `reorderLevel` and `unitPrice` absent keep what the item has: a
 * restock names the units counted, and must not silently drop a level or a price another admin
 * set; `null` clears them. A new price prices orders placed from then on, never those placed.
 */
export const SetStockSchema = v.object({
  quantity: quantityPipe(0, INVENTORY_LIMITS.maxStock),
  reorderLevel: v.optional(
    v.nullable(
      v.pipe(
        reorderLevelPipe,
        v.description("Low on stock at or below this many free units; absent keeps the item's level, null clears it"),
      ),
    ),
  ),
  unitPrice: v.optional(
    v.nullable(
      v.pipe(
        UnitPriceSchema,
        v.description("What one unit costs, in integer minor units; absent keeps the item's price, null clears it"),
      ),
    ),
  ),
});

/** What an admin sets on an item: its free stock, and its reorder level and price when given. */
export type StockSetting = v.InferOutput<typeof SetStockSchema>;

/** Validates a `PUT /inventory/{itemId}` body. */
export function parseSetStock(body: unknown): StockSetting {
  return parseOrThrow(SetStockSchema, requireFields(body, ["quantity"]));
}

/** The query string of `GET /inventory`: a page, and whether only items low on stock are wanted. */
export const InventoryQuerySchema = v.object({
  ...ListQuerySchema.entries,
  lowStock: v.optional(
    v.pipe(
      v.picklist(["true", "false"], "lowStock must be true or false"),
      v.description(
        "`true`: only items whose free quantity is at or below their reorder level. Such a page is " +
          "filtered after it is read, so it may hold fewer items than `limit`, or none, and still " +
          "carry a `nextToken`: go on until there is none",
      ),
      v.transform((lowStock) => lowStock === "true"),
    ),
  ),
});

/** What `GET /inventory` asks for. */
export interface InventoryQuery {
  readonly page: PageRequest;
  /** Only items at or below their reorder level. */
  readonly lowStock: boolean;
}

/** Reads `GET /inventory`'s query string. */
export function parseInventoryQuery(query: Readonly<Record<string, string | undefined>> | undefined): InventoryQuery {
  const { lowStock } = parseOrThrow(InventoryQuerySchema, { lowStock: query?.["lowStock"] });
  return { page: parsePageRequest(query), lowStock: lowStock ?? false };
}

/** Validates an item id taken from a path. */
export function parseItemId(itemId: string): string {
  return parseOrThrow(ItemIdSchema, itemId, "itemId");
}

/** One line of stock an order takes or gives back. */
export interface StockLine {
  readonly product: string;
  readonly quantity: number;
}

/** What the workflow's stock tasks receive: which order takes (or gives back) how many of what, line by line. */
const StockMovementSchema = v.object({
  orderId: v.string("orderId must be a string"),
  lines: v.pipe(
    v.array(
      v.object({ product: v.string("product must be a string"), quantity: quantityPipe(1, INVENTORY_LIMITS.maxStock) }),
    ),
    v.minLength(1, "lines must not be empty"),
  ),
});

/** Validates a stock task's input. */
export function parseStockMovement(input: unknown): v.InferOutput<typeof StockMovementSchema> {
  return parseOrThrow(StockMovementSchema, input);
}

/** A line the inventory cannot serve in full: what it asked for and what was free. */
export interface ShortLine {
  readonly product: string;
  readonly requested: number;
  readonly available: number;
}

/**
 * What checking the inventory for an order decided; `CheckInventory` returns it to the workflow.
 * `prices` are the lines' unit prices as they were reserved (`null` for an item without one), in
 * the order of the lines; `cause` is what the workflow's `UnknownProduct` state fails with, as JSON.
 */
export type ReservationDecision =
  | { readonly result: "Available"; readonly prices: readonly (Money | null)[] }
  | { readonly result: "OutOfStock"; readonly shortLines: readonly ShortLine[] }
  | { readonly result: "UnknownProduct"; readonly product: string; readonly cause: string };

/** An item as a reservation reads it: its free units and its price. */
export interface StockOnHand {
  readonly quantity: number;
  readonly unitPrice?: Money;
}

/**
 * The inventory decision for an order's lines, from the items as read (`undefined`: no such item):
 * the first line naming an unknown product refuses it; else every line short of free units is
 * named, with what is free; else it can be served at the items' prices. The store applies it in one
 * transaction whose conditions are exactly these reads, so it also reports this when they fail.
 */
export function decideReservation(
  lines: readonly StockLine[],
  stock: readonly (StockOnHand | undefined)[],
): ReservationDecision {
  const unknown = lines.findIndex((_, index) => stock[index] === undefined);
  if (unknown >= 0) {
    const product = (lines[unknown] as StockLine).product;
    return { result: "UnknownProduct", product, cause: JSON.stringify({ product, line: unknown }) };
  }
  const shortLines = lines.flatMap((line, index) => {
    const available = (stock[index] as StockOnHand).quantity;
    return available < line.quantity ? [{ product: line.product, requested: line.quantity, available }] : [];
  });
  if (shortLines.length > 0) return { result: "OutOfStock", shortLines };
  return { result: "Available", prices: lines.map((_, index) => stock[index]?.unitPrice ?? null) };
}
