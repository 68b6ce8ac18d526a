import * as v from "valibot";
import { OrderStatus } from "./order-status";
import { boundedText, parseOrThrow, requireFields } from "./validation";

/** Limits on what one order may say; they keep items small and error messages exact. */
export const ORDER_LIMITS = {
  customerNameLength: 100,
  productLength: 100,
  maxQuantity: 1000,
} as const;

/** Fields `POST /orders` needs, in the order the original API listed them. */
export const REQUIRED_ORDER_FIELDS = ["customerName", "product", "quantity"] as const;

export const CreateOrderSchema = v.object({
  customerName: boundedText("customerName", ORDER_LIMITS.customerNameLength),
  product: boundedText("product", ORDER_LIMITS.productLength),
  quantity: v.pipe(
    v.number("quantity must be a number"),
    v.integer("quantity must be an integer"),
    v.minValue(1, "quantity must be a positive integer"),
    v.maxValue(ORDER_LIMITS.maxQuantity, `quantity must be at most ${ORDER_LIMITS.maxQuantity}`),
  ),
});
export type CreateOrderInput = v.InferInput<typeof CreateOrderSchema>;
export type NewOrder = v.InferOutput<typeof CreateOrderSchema>;

/** An order as OMS stores and returns it. `OrderId` keeps the original API's spelling. */
export interface Order extends NewOrder {
  readonly OrderId: string;
  readonly ownerId: string;
  readonly status: OrderStatus;
  readonly createdAt: string;
  /** When the status last changed. */
  readonly updatedAt?: string;
}

/**
 * Validates a `POST /orders` body. Absent (or null) required fields are reported together, in the
 * original API's shape; then the first wrong field is named. Unknown fields are dropped.
 */
export function parseNewOrder(body: unknown): NewOrder {
  return parseOrThrow(CreateOrderSchema, requireFields(body, REQUIRED_ORDER_FIELDS));
}

/** The order a caller places, before the workflow has run; ids and time come from outside so that this stays pure. */
export function newOrder(input: NewOrder, ownerId: string, orderId: string, now: Date): Order {
  return {
    OrderId: orderId,
    ownerId,
    customerName: input.customerName,
    product: input.product,
    quantity: input.quantity,
    status: OrderStatus.Placed,
    createdAt: now.toISOString(),
  };
}

const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Order ids are UUIDs; anything else cannot name an order, so it is simply not found. */
export function isOrderId(value: string): boolean {
  return ORDER_ID.test(value);
}
