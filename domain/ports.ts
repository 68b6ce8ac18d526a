import type { OmsEvent } from "./events";
import type { InventoryItem, ReservationDecision, ShortLine, StockLine, StockSetting } from "./inventory";
import type { Order } from "./order";
import type { OrderSelection } from "./order-search";
import type { TimelineEntry } from "./timeline";
import type { OrderStatus, Shipment } from "./order-status";
import type { Page, PageRequest } from "./pagination";
import type { Reservation } from "./reservation";
import type { UserProfile } from "./user";

/** Where orders live. */
export interface OrderRepository {
  /**
   * Stores a new order, priced, with its lines' index entries and its `placed` timeline entry, and
   * consumes the reservations its units were taken under, all in one transaction. Doing it again for
   * the same order changes nothing. `ReservationExpiredError` when a reservation was given back first
   * (the sweeper, past its deadline): no order is written.
   */
  createReserved(order: Order): Promise<void>;
  /** The order with this id, if any. */
  get(orderId: string): Promise<Order | undefined>;
  /** The order's timeline, oldest first. */
  timeline(orderId: string): Promise<TimelineEntry[]>;
  /** Orders newest first: one owner's, or everyone's when `ownerId` is undefined. */
  list(ownerId: string | undefined, page: PageRequest): Promise<Page<Order>>;
  /** The orders an admin's selection names, newest first, each filter a Query on an index. */
  search(selection: OrderSelection, page: PageRequest): Promise<Page<Order>>;
  /**
   * Applies a status change if the order is still in the status it was read in, returning stock and
   * writing its timeline entries in the same transaction; `undefined` when the order changed meanwhile.
   */
  changeStatus(change: StatusChange, now: Date): Promise<Order | undefined>;
  /**
   * Adds an entry to an order's timeline that records something outside the order's item (a mail
   * sent). `key` makes it idempotent: an entry already recorded under it is not written again.
   */
  record(orderId: string, key: string, entry: TimelineEntry): Promise<void>;
}

/** Stock, changed only atomically. */
export interface InventoryRepository {
  /**
   * Items and their free stock, one page at a time; with `lowStock`, only those at or below their
   * reorder level, so that a page may be short or empty and still have a next one.
   */
  list(page: PageRequest, filter?: { readonly lowStock?: boolean }): Promise<Page<InventoryItem>>;
  /**
   * Sets an item's free stock, creating the item (with nothing `committed`) when it is new, in one
   * write that reads nothing and depends on no earlier value, so that it never loses a race with a
   * reservation. The units reservations and orders hold (`committed`, see `StockBooks`) stay as they are.
   * `reorderLevel` and `unitPrice` are stored in the same write when given; `null` removes them,
   * absent keeps them.
   */
  setStock(itemId: string, stock: StockSetting, now: Date): Promise<InventoryItem>;
  /**
   * Takes every line's units for `orderId` if all of them are free, never going below zero, at the
   * items' prices as read, and holds them in one reservation a line until `reservationDeadline(now)`,
   * all in one transaction: every line or none. Doing it again for the same order (its reservations
   * still held, or its order already written) takes nothing more and reports `Available` at the
   * prices it was reserved at.
   */
  reserve(orderId: string, lines: readonly StockLine[], now: Date): Promise<ReservationDecision>;
  /**
   * Gives back what `reserve` took for `orderId`, in one transaction, unless its order was written;
   * `true` when this call gave the units back. Doing it again, or without a reservation, changes nothing.
   */
  release(orderId: string, itemId: string, quantity: number, now: Date): Promise<boolean>;
  /** Every reservation whose deadline has passed at `now`, one page at a time. */
  reservationsPastDeadline(now: Date): AsyncIterable<Reservation>;
}

/** Customer profiles. */
export interface UserRepository {
  get(userId: string): Promise<UserProfile | undefined>;
  /** Stores a new profile; `false` when the user already has one. */
  create(profile: UserProfile): Promise<boolean>;
  /** The ids of the users whose profile has this e-mail address (one, as a rule; none when nobody has it). */
  idsByEmail(email: string): Promise<string[]>;
  /**
   * Replaces the profile if it is still the version last updated at `expectedUpdatedAt`; `false`
   * when it changed meanwhile, so that two updates never silently undo each other.
   */
  update(profile: UserProfile, expectedUpdatedAt: string): Promise<boolean>;
}

/** How a run of the order workflow ended, as the API needs to know it. */
export type PlacementOutcome =
  | { readonly kind: "placed"; readonly order: Order }
  | { readonly kind: "outOfStock"; readonly shortLines: readonly ShortLine[] }
  | { readonly kind: "unknownProduct"; readonly product: string; readonly line: number }
  | { readonly kind: "failed"; readonly error: string; readonly cause: string };

/** Runs the order workflow (Step Functions in the cloud) for one order and waits for its end. */
export interface OrderWorkflow {
  place(order: Order): Promise<PlacementOutcome>;
}

/** What changing an order's status does to the store, atomically. */
interface StatusChange {
  readonly order: Order;
  readonly to: OrderStatus;
  /** Whether the order's units go back to stock in the same transaction. */
  readonly returnStock: boolean;
  /** Stored on the order with the change (a move to SHIPPED). */
  readonly shipment?: Shipment;
  /** Who asked for it: a user id. */
  readonly by: string;
  /** The admin's note, for the timeline. */
  readonly note?: string;
}

/** Business events worth counting; CloudWatch metrics in the cloud, alarms subtract refusals from failures. */
export const BusinessMetric = {
  /** An order the workflow placed. */
  OrdersPlaced: "OrdersPlaced",
  /** An order the workflow refused on purpose (out of stock, unknown product): a failed execution that is no fault. */
  OrdersRefused: "OrdersRefused",
  /** An admin moved an order to another status. */
  StatusChanges: "StatusChanges",
  /** A customer's order e-mail the mail service refused for good (it is not tried again). */
  NotificationFailures: "NotificationFailures",
  /** A request answered 503: a dependency (DynamoDB, Step Functions) still said "not now" after the retries. */
  DependencyUnavailable: "DependencyUnavailable",
  /** Units' reservations the sweeper gave back, their deadline passed with no order written: each is a lost run. */
  ReservationsReleased: "ReservationsReleased",
} as const;
export type BusinessMetric = (typeof BusinessMetric)[keyof typeof BusinessMetric];

/** Counts business events. */
export interface BusinessMetrics {
  count(metric: BusinessMetric): void;
}

/**
 * Where committed changes are announced (the order-events topic in the cloud). Publishing the same
 * event again is harmless: subscribers deduplicate on its `id`.
 */
export interface EventPublisher {
  /** Publishes every event, each with its `type` as a message attribute; fails when any was not taken. */
  publish(events: readonly OmsEvent[]): Promise<void>;
}

/** One e-mail to one recipient. */
export interface OutgoingMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html?: string;
}

/**
 * Sends e-mail (Amazon SES in the cloud). Throws `TransientError` when the service says "not now"
 * (throttling, its own faults), so that the message is tried again later, and `MailRejectedError`
 * when it will never take this mail (an address it refuses), so that it is not.
 */
export interface Mailer {
  send(mail: OutgoingMail): Promise<void>;
}
