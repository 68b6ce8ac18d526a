import * as v from "valibot";
import { InvalidTransitionError, OrderNotCancellableError, ValidationError } from "./errors";
import { boundedText, parseOrThrow, requireFields } from "./validation";

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

/**
 * Whether an order removed from the table in this status had its units put back: only while they
 * were still reserved for it. The API no longer removes orders (`DELETE` cancels, see
 * `cancellationOnDelete`); an item removed by other means still makes an `OrderDeleted` event.
 */
export function deletionReturnsStock(status: OrderStatus): boolean {
  return status === OrderStatus.Placed;
}

/**
 * What `DELETE /orders/{id}` does to an order in `current` status: orders are records, so it
 * cancels rather than removes. `CANCELLED` when the machine allows the cancel, `undefined` when the
 * order is already cancelled (a repeated DELETE changes nothing), else `OrderNotCancellableError`:
 * a shipped or delivered order's units have left, and only its status history can say so.
 */
export function cancellationOnDelete(current: OrderStatus): OrderStatus | undefined {
  if (current === OrderStatus.Cancelled) return undefined;
  if (!ORDER_TRANSITIONS[current].includes(OrderStatus.Cancelled)) {
    throw new OrderNotCancellableError(current);
  }
  return OrderStatus.Cancelled;
}

/** Bounds on the shipment an order may carry once `SHIPPED`. */
export const SHIPMENT_LIMITS = {
  /** Carrier names ("DHL Express", "La Poste Colissimo") fit easily. */
  carrierLength: 50,
  /** The longest common formats (USPS IMpb, 34 characters) with room to spare. */
  trackingNumberLength: 64,
} as const;

/** Who carries a shipped order, and the number the customer follows it by: both or neither. */
export const ShipmentSchema = v.object({
  carrier: boundedText("carrier", SHIPMENT_LIMITS.carrierLength),
  trackingNumber: boundedText("trackingNumber", SHIPMENT_LIMITS.trackingNumberLength),
});
export type Shipment = v.InferOutput<typeof ShipmentSchema>;

const SHIPMENT_FIELDS = ["carrier", "trackingNumber"] as const;

/** What a status update may add: a shipment, whose rules `shipmentOf` checks. */
const shipmentEntries = {
  carrier: v.optional(
    v.pipe(
      ShipmentSchema.entries.carrier,
      v.description("Who carries the order; only with status SHIPPED, and with trackingNumber"),
    ),
  ),
  trackingNumber: v.optional(
    v.pipe(
      ShipmentSchema.entries.trackingNumber,
      v.description("The carrier's tracking number; only with status SHIPPED, and with carrier"),
    ),
  ),
};

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

/** The longest note an admin may give with a status change. */
export const NOTE_LENGTH = 500;

/** Why the status changed, in the admin's words: kept on the order's timeline. */
const note = v.optional(
  v.pipe(boundedText("note", NOTE_LENGTH), v.description("Why, for the order's timeline (not mailed)")),
);

export const StatusUpdateSchema = v.object({ status, ...shipmentEntries, note });

/** The original API's `PUT /orders` body, kept as an alias of `PATCH /orders/{id}`. */
export const LegacyStatusUpdateSchema = v.object({
  orderId: v.string("orderId must be a string"),
  userId: v.string("userId must be a string"),
  status,
  ...shipmentEntries,
  note,
});

/** A status change as requested: the status, the shipment when the order is being shipped, and a note. */
export interface StatusUpdate {
  readonly status: OrderStatus;
  readonly shipment?: Shipment;
  readonly note?: string;
}

/**
 * The shipment a status update carries, if any. Only a move to `SHIPPED` may carry one, and then
 * with both fields: a carrier without a number cannot be followed, a number without a carrier cannot
 * be looked up. Each refusal names the field at fault.
 */
export function shipmentOf(
  status: OrderStatus,
  fields: { readonly carrier?: string | undefined; readonly trackingNumber?: string | undefined },
): Shipment | undefined {
  const given = SHIPMENT_FIELDS.filter((field) => fields[field] !== undefined);
  const first = given[0];
  if (first === undefined) return undefined;
  if (status !== OrderStatus.Shipped) {
    throw new ValidationError(first, `${first} may only be given when the status is ${OrderStatus.Shipped}`);
  }
  const absent = SHIPMENT_FIELDS.find((field) => fields[field] === undefined);
  if (absent !== undefined) {
    throw new ValidationError(absent, `${absent} must be given with ${first}`);
  }
  return { carrier: fields.carrier as string, trackingNumber: fields.trackingNumber as string };
}

/** Validates a `PATCH /orders/{id}` body; statuses are matched without regard to case (`shipped` works). */
export function parseStatusUpdate(body: unknown): StatusUpdate {
  const { status, note, ...shipment } = parseOrThrow(StatusUpdateSchema, requireFields(body, ["status"]));
  return withNote(withShipment(status, shipmentOf(status, shipment)), note);
}

/** Validates the original API's `PUT /orders` body. */
export function parseLegacyStatusUpdate(body: unknown): StatusUpdate & { orderId: string; userId: string } {
  const { orderId, userId, status, note, ...shipment } = parseOrThrow(
    LegacyStatusUpdateSchema,
    requireFields(body, ["orderId", "userId", "status"]),
  );
  return { orderId, userId, ...withNote(withShipment(status, shipmentOf(status, shipment)), note) };
}

function withNote(update: StatusUpdate, note: string | undefined): StatusUpdate {
  return note === undefined ? update : { ...update, note };
}

function withShipment(status: OrderStatus, shipment: Shipment | undefined): StatusUpdate {
  return shipment ? { status, shipment } : { status };
}
