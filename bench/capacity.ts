import { ORDER_INDEX_SHARDS, orderLinesTable, ordersTable } from "../storage/tables";

/**
 * DynamoDB's capacity rules, as its Developer Guide states them, applied to the writes OMS makes.
 * DynamoDB Local's `ConsumedCapacity` cannot stand in for them: for a `TransactWriteItems` it
 * reports one item per table (ten lines' reservations count as one) and doubles index writes, which
 * DynamoDB does not (nubo-db/dynoxide#188, checked against DynamoDB). So the bills and the partition
 * ceilings count the writes themselves; DynamoDB Local's figure for a single PutItem is shown beside
 * them as a check on the sizes.
 */

/** "DynamoDB item sizes and formats": 1 KB is 1,024 bytes; a write unit takes up to 1 KB, a read unit 4 KB. */
const WRITE_UNIT_BYTES = 1024;
const READ_UNIT_BYTES = 4 * 1024;

/**
 * "Capacity management for transactions" (Amazon DynamoDB Transactions: How it works): DynamoDB
 * performs two underlying writes of every item in a transaction, one to prepare it and one to
 * commit it. A `ConditionCheck` is an item of the transaction too.
 */
export const TRANSACTION_FACTOR = 2;

/**
 * "Understanding DynamoDB warm throughput in different scenarios" and "Key range throughput exceeded
 * (hot partitions)": each partition of a table or of a global secondary index takes at most 1,000
 * write units and 3,000 read units a second, however much the table may take as a whole.
 */
export const PARTITION_WRITE_UNITS_PER_SECOND = 1000;
export const PARTITION_READ_UNITS_PER_SECOND = 3000;

/** The orders table's indexes: every one projects the whole item, so each order write is written to each. */
const ORDER_INDEXES = Object.keys(ordersTable.indexes).length;
/** Of those, the ones keyed by the status: a status change moves the order's entry (a delete and a put). */
const STATUS_KEYED_INDEXES = 1;
const LINE_INDEXES = Object.keys(orderLinesTable.indexes).length;

const utf8 = (text: string) => Buffer.byteLength(text, "utf8");

/** A number's bytes: one per two significant digits, and one (leading and trailing zeroes trimmed). */
function numberBytes(value: number): number {
  const digits = Math.abs(value)
    .toLocaleString("en-US", { useGrouping: false, maximumSignificantDigits: 21 })
    .replace(".", "")
    .replace(/^0+/, "")
    .replace(/0+$/, "");
  // Zero has no significant digit: one byte, as DynamoDB Local also counts it.
  return Math.ceil(digits.length / 2) + 1;
}

/** A value's bytes, its name left out: the rules of "DynamoDB item sizes and formats". */
function valueBytes(value: unknown): number {
  if (typeof value === "string") return utf8(value);
  if (typeof value === "number") return numberBytes(value);
  if (typeof value === "boolean" || value === null) return 1;
  // A List or a Map: 3 bytes whatever it holds, and 1 byte more per element.
  if (Array.isArray(value)) return 3 + value.reduce((sum: number, element) => sum + 1 + valueBytes(element), 0);
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, element]) => element !== undefined);
    return 3 + entries.reduce((sum, [name, element]) => sum + 1 + utf8(name) + valueBytes(element), 0);
  }
  throw new Error(`No DynamoDB size for a value of type ${typeof value}`);
}

/** An item's size as DynamoDB bills it: every attribute's name and value ("DynamoDB item sizes and formats"). */
export function itemBytes(item: Readonly<Record<string, unknown>>): number {
  return Object.entries(item)
    .filter(([, value]) => value !== undefined)
    .reduce((sum, [name, value]) => sum + utf8(name) + valueBytes(value), 0);
}

/** Write units of one standard write of an item this size: one per started KB. */
export function writeUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / WRITE_UNIT_BYTES));
}

/** Read units of one strongly consistent read of an item this size: one per started 4 KB. */
export function readUnits(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / READ_UNIT_BYTES));
}

/** DynamoDB work in on-demand units. */
export interface Units {
  readonly reads: number;
  readonly writes: number;
}

/** What one order's placement and its status changes cost in DynamoDB, by the writes OMS makes. */
export interface OrderUnits {
  /**
   * CheckInventory: a strongly consistent GetItem of each line's stock, then one transaction of each
   * line's stock update and reservation put, and a check that the order is not written yet.
   */
  readonly reserve: Units;
  /**
   * CreateOrder: one transaction of the order, its `placed` timeline entry, and each line's item
   * and reservation delete; then the order's entry in each of the orders table's indexes, and each
   * line's in `byProduct`.
   */
  readonly create: Units;
  /**
   * A status change that returns no stock (ship, deliver): one transaction of the order's update and
   * its timeline entry; then every index rewrites the order's entry, and `byStatus` moves it.
   */
  readonly statusChange: Units;
}

/**
 * The units of placing an order of `lines` lines whose stored item (index keys included) takes
 * `orderItemBytes`. Every other item OMS writes for it (stock, reservation, line, timeline entry)
 * holds ids, a product name of at most 100 characters, numbers and timestamps: under 1 KB, one unit
 * a write. Index writes are standard writes, even when the table's write was a transaction. An
 * order grows by a few dozen bytes when shipped (carrier, tracking number, `updatedAt`); it is
 * counted at its placed size.
 */
export function orderUnits(orderItemBytes: number, lines: number): OrderUnits {
  const order = writeUnits(orderItemBytes);
  const transaction = (items: number) => TRANSACTION_FACTOR * items;
  return {
    reserve: { reads: lines, writes: transaction(2 * lines + 1) },
    create: {
      reads: 0,
      writes: transaction(order + 1 + 2 * lines) + ORDER_INDEXES * order + LINE_INDEXES * lines,
    },
    statusChange: {
      reads: 0,
      writes:
        transaction(order + 1) + (ORDER_INDEXES - STATUS_KEYED_INDEXES) * order + STATUS_KEYED_INDEXES * 2 * order,
    },
  };
}

/** One partition that many orders' writes share, and how fast orders may come before it is full. */
export interface PartitionCeiling {
  readonly partition: string;
  /** Whose writes share it. */
  readonly sharedBy: string;
  /** Write units one order puts on it when placed, and over its life (placed, then `statusChanges` changes). */
  readonly placedUnits: number;
  readonly lifeUnits: number;
  /** Orders a second (sharing it) at which it takes 1,000 write units a second: placements alone, and whole lives. */
  readonly placedPerSecond: number;
  readonly lifePerSecond: number;
}

/**
 * The partitions that orders share, and the order rate at which each meets DynamoDB's 1,000 write
 * units a second, for orders whose item takes `orderItemBytes`, each later moved
 * through `statusChanges` statuses without stock (ship, deliver). Keys that every order has its own
 * of (its id in the orders, reservations, lines and timeline tables) share nothing.
 */
export function partitionCeilings(orderItemBytes: number, statusChanges: number): PartitionCeiling[] {
  const order = writeUnits(orderItemBytes);
  const ceiling = (
    partition: string,
    sharedBy: string,
    partitions: number,
    placedUnits: number,
    lifeUnits: number,
  ): PartitionCeiling => ({
    partition,
    sharedBy,
    placedUnits,
    lifeUnits,
    placedPerSecond: (partitions * PARTITION_WRITE_UNITS_PER_SECOND) / placedUnits,
    lifePerSecond: (partitions * PARTITION_WRITE_UNITS_PER_SECOND) / lifeUnits,
  });
  return [
    // Each status change rewrites the order's entry in its shard.
    ceiling(
      `orders.newestInShard (${ORDER_INDEX_SHARDS} shards)`,
      "every order",
      ORDER_INDEX_SHARDS,
      order,
      (1 + statusChanges) * order,
    ),
    // The order's entry comes in when placed and goes out at its first change.
    ceiling(
      `orders.byStatus PLACED (${ORDER_INDEX_SHARDS} shards)`,
      "every order",
      ORDER_INDEX_SHARDS,
      order,
      (statusChanges > 0 ? 2 : 1) * order,
    ),
    ceiling("orders.byOwner", "one customer's orders", 1, order, (1 + statusChanges) * order),
    // A line's item is written once, with its order, and never changed.
    ceiling("orderLines.byProduct", "one product's lines", 1, 1, 1),
    // Reserving a line updates its stock item in a transaction; nothing more while the order lives.
    ceiling("inventory item", "one product's lines", 1, TRANSACTION_FACTOR, TRANSACTION_FACTOR),
  ];
}
