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
 * Orders. `byOwner` answers "my orders, newest first" with a Query. `newest` answers the admin's
 * "every order, newest first": its partition key is the constant `kind` = "ORDER", which caps
 * writes to that index at one partition's throughput (about 1,000 orders a second).
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
    newest: {
      name: "newest",
      partitionKey: { name: "kind", type: "S" },
      sortKey: { name: "createdAt", type: "S" },
    },
  },
} as const satisfies TableDefinition;

/** The value of `kind` on every order item, the partition of the `newest` index. */
export const ORDER_KIND = "ORDER";

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

/** Customer profiles, keyed by the Cognito `sub`. */
export const usersTable = {
  name: "users",
  envVar: "USERS_TABLE",
  partitionKey: { name: "userId", type: "S" },
  indexes: {},
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
