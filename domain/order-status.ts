import * as v from "valibot";
import { InvalidTransitionError } from "./errors";
import { parseOrThrow, requireFields } from "./validation";

/** Where an order is in its life. */
export const OrderStatus = {
  Placed: "PLACED",
  Shipped: "SHIPPED",
  Delivered: "DELIVERED",
  Cancelled: "CANCELLED",
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/** Every status, for validation and documentation. */
export const ORDER_STATUSES = Object.values(OrderStatus);

/** The order-status machine: from each status, the statuses an admin may move an order to. */
const ORDER_TRANSITIONS: Readonly<Record<OrderStatus, readonly OrderStatus[]>> = {
  PLACED: [OrderStatus.Shipped, OrderStatus.Cancelled],
  SHIPPED: [OrderStatus.Delivered],
  DELIVERED: [],
  CANCELLED: [],
};

/** The status an order moves to, or `InvalidTransitionError` when the machine does not allow it. */
export function nextStatus(current: OrderStatus, requested: OrderStatus): OrderStatus {
  if (!ORDER_TRANSITIONS[current].includes(requested)) {
    throw new InvalidTransitionError(current, requested);
  }
  return requested;
}

/** Whether moving between these statuses puts the order's units back in stock. */
export function returnsStock(from: OrderStatus, to: OrderStatus): boolean {
  return from === OrderStatus.Placed && to === OrderStatus.Cancelled;
}

/**
 * Whether an order in this status holds units taken from stock (they are sold): every status but
 * CANCELLED, the one status `returnsStock` gives them back on the way to.
 */
export function holdsStock(status: OrderStatus): boolean {
  return status !== OrderStatus.Cancelled;
}

/** Whether deleting an order in this status puts its units back: only while they are still reserved for it. */
export function deletionReturnsStock(status: OrderStatus): boolean {
  return status === OrderStatus.Placed;
}

const status = v.pipe(
  v.string("status must be a string"),
  // What clients may send, for the API contract: JSON Schema cannot upper-case before comparing.
  v.metadata({
    enum: [...ORDER_STATUSES, ...ORDER_STATUSES.map((name) => name.toLowerCase())],
    description: "Matched without regard to case",
  }),
  v.toUpperCase(),
  v.picklist(ORDER_STATUSES, `status must be one of ${ORDER_STATUSES.join(", ")}`),
);

export const StatusUpdateSchema = v.object({ status });

/** The original API's `PUT /orders` body, kept as an alias of `PATCH /orders/{id}`. */
export const LegacyStatusUpdateSchema = v.object({
  orderId: v.string("orderId must be a string"),
  userId: v.string("userId must be a string"),
  status,
});

/** Validates a `PATCH /orders/{id}` body; statuses are matched without regard to case (`shipped` works). */
export function parseStatusUpdate(body: unknown): OrderStatus {
  return parseOrThrow(StatusUpdateSchema, requireFields(body, ["status"])).status;
}

/** Validates the original API's `PUT /orders` body. */
export function parseLegacyStatusUpdate(body: unknown): { orderId: string; userId: string; status: OrderStatus } {
  return parseOrThrow(LegacyStatusUpdateSchema, requireFields(body, ["orderId", "userId", "status"]));
}
