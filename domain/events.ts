import * as v from "valibot";
import { InventoryItemSchema } from "./inventory";
import { OrderSchema, StoredOrderSchema } from "./order";
import { ORDER_STATUSES, deletionReturnsStock } from "./order-status";

/**
 * What happened to OMS's data, as other systems (and the customer mailer) see it: one event per
 * committed change, derived from the tables' change streams, never announced before the write.
 */
export const EventType = {
  OrderPlaced: "OrderPlaced",
  OrderStatusChanged: "OrderStatusChanged",
  OrderDeleted: "OrderDeleted",
  StockChanged: "StockChanged",
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Every event type, in a stable order: what a subscriber may filter on. */
export const EVENT_TYPES = Object.values(EventType);

/** The message attribute every published event carries its `type` in, so that a subscription can filter on it. */
export const EVENT_TYPE_ATTRIBUTE = "type";

/** The version of every event's `data` shape; a breaking change of one bumps it. */
export const EVENT_VERSION = 1;

const status = v.picklist(ORDER_STATUSES);

/** The `data` of each event type. */
export const EventDataSchemas = {
  [EventType.OrderPlaced]: v.object({ order: OrderSchema }),
  [EventType.OrderStatusChanged]: v.object({
    order: v.pipe(OrderSchema, v.description("The order in its new status")),
    from: v.pipe(status, v.description("The status it left")),
    to: v.pipe(status, v.description("The status it is in now")),
  }),
  [EventType.OrderDeleted]: v.object({
    order: v.pipe(OrderSchema, v.description("The order as it was when it was deleted")),
    stockReturned: v.pipe(v.boolean(), v.description("Whether its units went back to stock")),
  }),
  [EventType.StockChanged]: v.object({
    itemId: InventoryItemSchema.entries.itemId,
    from: v.pipe(v.number(), v.description("Free units before the change (0 for a new item)")),
    to: v.pipe(v.number(), v.description("Free units after the change")),
  }),
} as const;

/** One event's envelope around the `data` of its type. */
function envelope<T extends EventType>(type: T) {
  return v.object({
    id: v.pipe(
      v.string(),
      v.minLength(1),
      v.description("Unique, and the same on every delivery of this event: deduplicate on it"),
    ),
    type: v.literal(type),
    version: v.literal(EVENT_VERSION),
    occurredAt: v.pipe(v.string(), v.isoTimestamp(), v.description("When the change was committed")),
    data: EventDataSchemas[type],
  });
}

/** Each event type's full schema, envelope and data. */
export const EventSchemas = {
  [EventType.OrderPlaced]: envelope(EventType.OrderPlaced),
  [EventType.OrderStatusChanged]: envelope(EventType.OrderStatusChanged),
  [EventType.OrderDeleted]: envelope(EventType.OrderDeleted),
  [EventType.StockChanged]: envelope(EventType.StockChanged),
} as const;

/** Any event OMS publishes. */
export const OmsEventSchema = v.variant("type", [
  EventSchemas.OrderPlaced,
  EventSchemas.OrderStatusChanged,
  EventSchemas.OrderDeleted,
  EventSchemas.StockChanged,
]);
export type OmsEvent = v.InferOutput<typeof OmsEventSchema>;

/** Which table a committed change is on. */
export type ChangedTable = "orders" | "inventory";

/** One committed change of one item, as a table's change stream reports it. */
export interface TableChange {
  readonly table: ChangedTable;
  /** Unique per change and the same on every delivery of it (the stream record's `eventID`). */
  readonly id: string;
  readonly kind: "INSERT" | "MODIFY" | "REMOVE";
  /** When the change was committed, ISO 8601. */
  readonly at: string;
  /** The item before the change (MODIFY, REMOVE). */
  readonly before?: Readonly<Record<string, unknown>>;
  /** The item after the change (INSERT, MODIFY). */
  readonly after?: Readonly<Record<string, unknown>>;
}

/** Reads an item as a schema's output, or fails naming the change: a stored item that does not parse is a bug. */
function itemAs<S extends v.GenericSchema>(schema: S, item: unknown, change: TableChange): v.InferOutput<S> {
  const result = v.safeParse(schema, item);
  if (!result.success) {
    throw new Error(
      `Change ${change.id} on ${change.table} holds an item that is not valid: ${result.issues[0].message}`,
    );
  }
  return result.output;
}

/**
 * When a change was committed: the time the write itself stamped on the item (`updatedAt`, else
 * `createdAt`), which is exact; else the stream's approximate time of the record, which is only to
 * the second on AWS (and to the minute on DynamoDB Local).
 */
function committedAt(change: TableChange): string {
  const stamped = change.kind === "REMOVE" ? undefined : (change.after?.["updatedAt"] ?? change.after?.["createdAt"]);
  return typeof stamped === "string" && !Number.isNaN(Date.parse(stamped)) ? stamped : change.at;
}

const StoredStockSchema = v.object({ itemId: v.string(), quantity: v.number() });

/**
 * The event a committed change makes, if any: an order written is placed, an order whose status
 * differs is a status change, an order removed is deleted, and an item whose free units differ is a
 * stock change. A change that alters nothing a subscriber is told about (a sold order's units
 * written off as it is deleted, say) makes none. Its id is the change's, so a redelivered change makes the same event.
 */
export function eventFromChange(change: TableChange): OmsEvent | undefined {
  const base = { id: change.id, version: EVENT_VERSION, occurredAt: committedAt(change) } as const;
  if (change.table === "orders") {
    if (change.kind === "INSERT") {
      return { ...base, type: EventType.OrderPlaced, data: { order: itemAs(StoredOrderSchema, change.after, change) } };
    }
    if (change.kind === "REMOVE") {
      const order = itemAs(StoredOrderSchema, change.before, change);
      return {
        ...base,
        type: EventType.OrderDeleted,
        data: { order, stockReturned: deletionReturnsStock(order.status) },
      };
    }
    const before = itemAs(StoredOrderSchema, change.before, change);
    const after = itemAs(StoredOrderSchema, change.after, change);
    if (before.status === after.status) return undefined;
    return {
      ...base,
      type: EventType.OrderStatusChanged,
      data: { order: after, from: before.status, to: after.status },
    };
  }
  if (change.kind === "REMOVE") return undefined;
  const after = itemAs(StoredStockSchema, change.after, change);
  const from = change.kind === "INSERT" ? 0 : itemAs(StoredStockSchema, change.before, change).quantity;
  if (from === after.quantity) return undefined;
  return { ...base, type: EventType.StockChanged, data: { itemId: after.itemId, from, to: after.quantity } };
}
