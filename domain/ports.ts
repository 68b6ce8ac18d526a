import type { InventoryItem, ReservationDecision } from "./inventory";
import type { Notification } from "./notifications";
import type { Order } from "./order";
import type { OrderStatus } from "./order-status";
import type { Page, PageRequest } from "./pagination";
import type { UserProfile } from "./user";

/** Where orders live. */
export interface OrderRepository {
  /**
   * Stores a new order and consumes the reservation its units were taken under, in one
   * transaction. Doing it again for the same order changes nothing.
   */
  createReserved(order: Order): Promise<void>;
  /** The order with this id, if any. */
  get(orderId: string): Promise<Order | undefined>;
  /** Orders newest first: one owner's, or everyone's when `ownerId` is undefined. */
  list(ownerId: string | undefined, page: PageRequest): Promise<Page<Order>>;
  /**
   * Applies a status change if the order is still in the status it was read in, returning stock in
   * the same transaction when asked; `undefined` when the order changed meanwhile.
   */
  changeStatus(change: StatusChange, now: Date): Promise<Order | undefined>;
  /**
   * Deletes the order if it is still in the status it was read in, returning its units in the same
   * transaction when asked; `false` when the order changed meanwhile.
   */
  remove(order: Order, returnStock: boolean): Promise<boolean>;
}

/** Stock, changed only atomically. */
export interface InventoryRepository {
  /** Items and their free stock, one page at a time. */
  list(page: PageRequest): Promise<Page<InventoryItem>>;
  /** Sets an item's free stock, creating the item when it is new. */
  setStock(itemId: string, quantity: number, now: Date): Promise<InventoryItem>;
  /**
   * Takes `quantity` units for `orderId` if that many are free, never going below zero. Doing it
   * again for the same order takes nothing more and reports `Available`.
   */
  reserve(orderId: string, itemId: string, quantity: number): Promise<ReservationDecision>;
  /** Gives back what `reserve` took for `orderId`; doing it again, or without a reservation, changes nothing. */
  release(orderId: string, itemId: string, quantity: number): Promise<void>;
}

/** Customer profiles. */
export interface UserRepository {
  get(userId: string): Promise<(UserProfile & { readonly subscriptionArn?: string }) | undefined>;
  /** Stores a new profile; `false` when the user already has one. */
  create(profile: UserProfile, subscriptionArn: string): Promise<boolean>;
  /** Replaces the profile if its e-mail is still `expectedEmail`; `false` when it changed meanwhile. */
  update(profile: UserProfile, subscriptionArn: string, expectedEmail: string): Promise<boolean>;
}

/** Who receives a user's order e-mails. */
export interface SubscriptionRegistry {
  /** Subscribes `email` to the order notifications of `userId` only; returns the subscription's id. */
  subscribe(email: string, userId: string): Promise<string>;
  /** Ends a subscription. */
  unsubscribe(subscriptionArn: string): Promise<void>;
}

/** Sends customer e-mails. */
export interface Notifier {
  notify(notification: Notification): Promise<void>;
}

/** How a run of the order workflow ended, as the API needs to know it. */
export type PlacementOutcome =
  | { readonly kind: "placed"; readonly order: Order }
  | { readonly kind: "outOfStock"; readonly available: number }
  | { readonly kind: "unknownProduct" }
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
}

/** Business events worth counting; CloudWatch metrics in the cloud, alarms subtract refusals from failures. */
export const BusinessMetric = {
  /** An order the workflow placed. */
  OrdersPlaced: "OrdersPlaced",
  /** An order the workflow refused on purpose (out of stock, unknown product): a failed execution that is no fault. */
  OrdersRefused: "OrdersRefused",
  /** An admin moved an order to another status. */
  StatusChanges: "StatusChanges",
  /** A customer e-mail about a status change could not be sent. */
  NotificationFailures: "NotificationFailures",
} as const;
export type BusinessMetric = (typeof BusinessMetric)[keyof typeof BusinessMetric];

/** Counts business events. */
export interface BusinessMetrics {
  count(metric: BusinessMetric): void;
}
