import type { Order } from "./order";
import type { Page, PageRequest } from "./pagination";

/** Where orders live. The DynamoDB adapter is in `handlers/`; tests use the same one on DynamoDB Local. */
export interface OrderRepository {
  /** Stores a new order; fails if its id is taken. */
  create(order: Order): Promise<void>;
  /** The order with this id, if any. */
  get(orderId: string): Promise<Order | undefined>;
  /** Orders newest first: one owner's, or everyone's when `ownerId` is undefined. */
  list(ownerId: string | undefined, page: PageRequest): Promise<Page<Order>>;
  /** Deletes the order if it exists and, when `ownerId` is given, belongs to that owner; returns what was deleted. */
  remove(orderId: string, ownerId: string | undefined): Promise<Order | undefined>;
}
