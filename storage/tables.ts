/** DynamoDB attribute types used in keys. */
export type KeyType = "S" | "N";

/** One key attribute of a table or index. */
export interface KeyAttribute {
  readonly name: string;
  readonly type: KeyType;
}

/** A global secondary index; every index here projects all attributes. */
export interface IndexDefinition {
  readonly name: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
}

/**
 * A table as both the cloud (`OrdersApi`) and the local stack create it, so that the two can
 * never disagree about keys or indexes.
 */
export interface TableDefinition {
  /** Logical name: the suffix of its Pulumi resource name and of its stack output. */
  readonly name: string;
  /** The environment variable that tells a function the table's physical name. */
  readonly envVar: string;
  readonly partitionKey: KeyAttribute;
  readonly sortKey?: KeyAttribute;
  readonly indexes: Readonly<Record<string, IndexDefinition>>;
  /** Attribute holding an epoch-seconds expiry, when DynamoDB should delete expired items. */
  readonly timeToLiveAttribute?: string;
  /**
   * Whether its committed changes are streamed, with the item before and after each change: the
   * source of OMS's events (`domain/events.ts`).
   */
  readonly streamed?: true;
}

/**
 * How many partitions the admin's indexes spread orders over. An index partition takes about 1,000
 * write units a second; each order lands in one of `ORDER_INDEX_SHARDS` partitions of `newestInShard`
 * and of its status's `byStatus`, by its id, so order writes meet that limit only at
 * `ORDER_INDEX_SHARDS` times the rate one partition takes (see the README's quotas). A read asks
 * every shard for a page and merges them newest first.
 */
export const ORDER_INDEX_SHARDS = 8;

/** The shard an order's index entries live in: its id's first hex digit, which a random UUID spreads evenly. */
export function orderShard(orderId: string): number {
  const digit = Number.parseInt(orderId.charAt(0), 16);
  return (Number.isNaN(digit) ? 0 : digit) % ORDER_INDEX_SHARDS;
}

/** The partition of `newestInShard` that holds orders of shard `shard`. */
export function listShardKey(shard: number): string {
  return `ORDERS#${shard}`;
}

/** The partition of `byStatus` that holds orders of shard `shard` in `status`. */
export function statusShardKey(status: string, shard: number): string {
  return `${status}#${shard}`;
}

/** The attributes an order item carries for the admin's indexes: written with the order, and with every status change. */
export function orderIndexKeys(order: { readonly OrderId: string; readonly status: string }) {
  const shard = orderShard(order.OrderId);
  return { listShard: listShardKey(shard), statusShard: statusShardKey(order.status, shard) };
}

/**
 * Orders. `byOwner` answers "my orders, newest first" (and an admin's search by customer) with a
 * Query. `newestInShard` answers "every order, newest first" and `byStatus` "orders in this status,
 * newest first", each spread over `ORDER_INDEX_SHARDS` partitions (`orderIndexKeys`): no index has
 * a constant partition key, so no one partition takes every order's write. Every index sorts by
 * `createdAt`, which a date range narrows.
 */
export const ordersTable = {
  name: "orders",
  envVar: "ORDERS_TABLE",
  streamed: true,
  partitionKey: { name: "OrderId", type: "S" },
  indexes: {
    byOwner: {
      name: "byOwner",
      partitionKey: { name: "ownerId", type: "S" },
      sortKey: { name: "createdAt", type: "S" },
    },
    newestInShard: {
      name: "newestInShard",
      partitionKey: { name: "listShard", type: "S" },
      sortKey: { name: "createdAt", type: "S" },
    },
    byStatus: {
      name: "byStatus",
      partitionKey: { name: "statusShard", type: "S" },
      sortKey: { name: "createdAt", type: "S" },
    },
  },
} as const satisfies TableDefinition;

/**
 * One item per line of every order, written in the order's own transaction and never changed:
 * `byProduct` answers an admin's "orders with this product, newest first" with a Query (an order's
 * item cannot be indexed by the products inside its list of lines).
 */
export const orderLinesTable = {
  name: "orderLines",
  envVar: "ORDER_LINES_TABLE",
  partitionKey: { name: "orderId", type: "S" },
  sortKey: { name: "product", type: "S" },
  indexes: {
    byProduct: {
      name: "byProduct",
      partitionKey: { name: "product", type: "S" },
      sortKey: { name: "createdAt", type: "S" },
    },
  },
} as const satisfies TableDefinition;

/**
 * Every order's timeline: one item per entry, each written in the same transaction as the change it
 * records (or, for mail, once under the event's id), read with one Query per order.
 */
export const orderTimelineTable = {
  name: "orderTimeline",
  envVar: "ORDER_TIMELINE_TABLE",
  partitionKey: { name: "orderId", type: "S" },
  sortKey: { name: "entryId", type: "S" },
  indexes: {},
} as const satisfies TableDefinition;

/**
 * Stock per item. `reservations` (a string set of order ids in flight) makes reserving and
 * releasing idempotent per order.
 */
export const inventoryTable = {
  name: "inventory",
  envVar: "INVENTORY_TABLE",
  streamed: true,
  partitionKey: { name: "itemId", type: "S" },
  indexes: {},
} as const satisfies TableDefinition;

/** Customer profiles, keyed by the Cognito `sub`; `byEmail` finds a customer's id from their e-mail address. */
export const usersTable = {
  name: "users",
  envVar: "USERS_TABLE",
  partitionKey: { name: "userId", type: "S" },
  indexes: {
    byEmail: { name: "byEmail", partitionKey: { name: "email", type: "S" } },
  },
} as const satisfies TableDefinition;

/**
 * Powertools Idempotency's records for `POST /orders`; DynamoDB deletes them after their
 * `expiration` (TTL).
 */
export const idempotencyTable = {
  name: "idempotency",
  envVar: "IDEMPOTENCY_TABLE",
  partitionKey: { name: "id", type: "S" },
  timeToLiveAttribute: "expiration",
  indexes: {},
} as const satisfies TableDefinition;

/**
 * Units taken from stock for an order that is not written yet, one item per order and item, each
 * with its deadline. Only reservations in flight live here: writing the order, giving the units
 * back, or the sweeper (past the deadline) deletes the item, each in one transaction with the stock
 * or the order, so exactly one of them ever happens.
 */
export const reservationsTable = {
  name: "reservations",
  envVar: "RESERVATIONS_TABLE",
  partitionKey: { name: "orderId", type: "S" },
  sortKey: { name: "itemId", type: "S" },
  indexes: {},
} as const satisfies TableDefinition;

/** Every table OMS owns. */
export const tables: readonly TableDefinition[] = [
  ordersTable,
  inventoryTable,
  usersTable,
  idempotencyTable,
  reservationsTable,
  orderLinesTable,
  orderTimelineTable,
];

/** Every attribute a table's keys and indexes use, once each, as DynamoDB wants them declared. */
export function keyAttributes(table: TableDefinition): KeyAttribute[] {
  const all = [table.partitionKey, table.sortKey];
  for (const index of Object.values(table.indexes)) {
    all.push(index.partitionKey, index.sortKey);
  }
  const byName = new Map<string, KeyAttribute>();
  for (const attribute of all) {
    if (attribute) byName.set(attribute.name, attribute);
  }
  return [...byName.values()];
}
