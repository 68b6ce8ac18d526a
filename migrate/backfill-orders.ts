import {
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { setTimeout as sleep } from "node:timers/promises";
import { type Order, orderFromItem } from "../domain/order";
import { type TimelineEntry, TimelineEvent } from "../domain/timeline";
import { isConditionFailure } from "../handlers/adapters/dynamodb-errors";
import { orderIndexKeys } from "../storage/tables";

type TransactWriteItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];
type StoredItem = Record<string, unknown>;

/** Physical names of the tables an order's backfill writes. */
export interface BackfillTables {
  readonly orders: string;
  readonly orderLines: string;
  readonly orderTimeline: string;
}

export interface BackfillOptions {
  /**
   * Only count the orders that need migrating; write nothing.
   * @default false
   */
  readonly dryRun?: boolean;
  /**
   * Orders a page of the scan holds at most.
   * @default as many as fit in DynamoDB's 1 MB page
   */
  readonly pageSize?: number;
  /** Told the counts so far after each page of the scan: a large table takes a while. */
  readonly onPage?: (progress: BackfillSummary) => void;
}

/** An order the backfill left as it was, and why: it needs a person. */
export interface UnmigratedOrder {
  readonly orderId: string;
  readonly reason: string;
}

/** What a run did. */
export interface BackfillSummary {
  readonly scanned: number;
  /** Orders brought up to date; in a dry run, those that would be. */
  readonly migrated: number;
  /** Orders that needed nothing: written by this OMS, or migrated before. */
  readonly current: number;
  readonly unmigrated: readonly UnmigratedOrder[];
}

/**
 * Orders migrated side by side. Each is a round trip or three; a few in flight shorten a run over a
 * large table several times over while keeping its burst of transactions (each write in one costs
 * twice the write units) small. Each also makes a change on the orders' stream, which publishes no
 * event: the status is the same.
 */
const PARALLEL_ORDERS = 8;

/** How often one order is read and written again when something else changed it first. */
const ATTEMPTS = 5;

/**
 * Whether a stored order already has what this OMS writes with every order: its lines (`items`)
 * and the admin indexes' keys for its id and its current status. An order with them has its
 * `orderLines` rows and `placed` entry too: `createReserved`, and this backfill, write all of them
 * in one transaction.
 */
function isCurrent(item: StoredItem, order: Order): boolean {
  const keys = orderIndexKeys(order);
  return (
    Array.isArray(item["items"]) && item["listShard"] === keys.listShard && item["statusShard"] === keys.statusShard
  );
}

/** Whether a transaction lost to another write of the same item: read it again and retry. */
function lostRace(error: unknown): boolean {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return isConditionFailure(error) || reasons.some((reason) => reason.Code === "TransactionConflict");
}

/**
 * Brings every order written before OMS stored orders by their lines up to date, one transaction
 * per order: the order gets `items` (its one line), `listShard` and `statusShard` (so the admin's
 * list and status search see it), each line its `orderLines` row (the product search) and the order
 * its `placed` timeline entry, dated when it was placed and by its owner, as `createReserved` writes
 * them. The order's write is conditional on the status it was read in, so that a status changed
 * meanwhile is never indexed under the old one: the order is read again and retried. Orders already
 * current are not written: a second run changes nothing.
 */
export async function backfillOrders(
  client: DynamoDBDocumentClient,
  tables: BackfillTables,
  options: BackfillOptions = {},
): Promise<BackfillSummary> {
  let scanned = 0;
  let migrated = 0;
  let current = 0;
  const unmigrated: UnmigratedOrder[] = [];
  const summary = (): BackfillSummary => ({ scanned, migrated, current, unmigrated: [...unmigrated] });

  async function read(orderId: string): Promise<StoredItem | undefined> {
    const { Item } = await client.send(
      new GetCommand({ TableName: tables.orders, Key: { OrderId: orderId }, ConsistentRead: true }),
    );
    return Item;
  }

  async function hasPlacedEntry(orderId: string): Promise<boolean> {
    const { Item } = await client.send(
      new GetCommand({
        TableName: tables.orderTimeline,
        Key: { orderId, entryId: TimelineEvent.Placed },
        ConsistentRead: true,
      }),
    );
    return Item !== undefined;
  }

  /** The backfill of one order read as `order`, as the parts of one transaction. */
  async function writesFor(order: Order): Promise<TransactWriteItem[]> {
    const keys = orderIndexKeys(order);
    const writes: TransactWriteItem[] = [
      {
        Update: {
          TableName: tables.orders,
          Key: { OrderId: order.OrderId },
          // `kind` (the removed `newest` index's key) stays: an OMS rolled back to before this change lists by it.
          UpdateExpression:
            "SET listShard = :listShard, statusShard = :statusShard, #items = if_not_exists(#items, :items)",
          ConditionExpression: "#status = :status",
          ExpressionAttributeNames: { "#status": "status", "#items": "items" },
          ExpressionAttributeValues: {
            ":listShard": keys.listShard,
            ":statusShard": keys.statusShard,
            ":items": order.items,
            ":status": order.status,
          },
        },
      },
      // Lines never change once placed: a row written again is the same row.
      ...order.items.map((line): TransactWriteItem => ({
        Put: {
          TableName: tables.orderLines,
          Item: { orderId: order.OrderId, product: line.product, quantity: line.quantity, createdAt: order.createdAt },
        },
      })),
    ];
    // Only when missing, and on that condition: an entry already there is never overwritten, and one
    // written after this read fails the transaction, which the next attempt reads and leaves out.
    if (!(await hasPlacedEntry(order.OrderId))) {
      const placed: TimelineEntry = { at: order.createdAt, by: order.ownerId, event: TimelineEvent.Placed };
      writes.push({
        Put: {
          TableName: tables.orderTimeline,
          Item: { orderId: order.OrderId, entryId: TimelineEvent.Placed, ...placed },
          ConditionExpression: "attribute_not_exists(entryId)",
        },
      });
    }
    return writes;
  }

  /** Migrates one scanned order, reading it again each time another write got there first. */
  async function migrate(scannedItem: StoredItem): Promise<void> {
    const orderId = String(scannedItem["OrderId"]);
    let item: StoredItem | undefined = scannedItem;
    for (let attempt = 1; item !== undefined; attempt++) {
      let order: Order;
      try {
        order = orderFromItem(item);
      } catch (error) {
        unmigrated.push({ orderId, reason: error instanceof Error ? error.message : String(error) });
        return;
      }
      if (isCurrent(item, order)) {
        current++;
        return;
      }
      if (options.dryRun) {
        migrated++;
        return;
      }
      try {
        await client.send(new TransactWriteCommand({ TransactItems: await writesFor(order) }));
        migrated++;
        return;
      } catch (error) {
        if (!lostRace(error)) throw error;
        if (attempt === ATTEMPTS) {
          unmigrated.push({ orderId, reason: `it changed under each of ${ATTEMPTS} attempts; run again` });
          return;
        }
      }
      // The other write is a transaction of its own, over in milliseconds.
      await sleep(20 * 2 ** attempt);
      item = await read(orderId);
    }
    unmigrated.push({ orderId, reason: "it was deleted while being migrated" });
  }

  let startKey: StoredItem | undefined;
  do {
    const page = await client.send(
      new ScanCommand({
        TableName: tables.orders,
        ConsistentRead: true,
        ...(options.pageSize === undefined ? {} : { Limit: options.pageSize }),
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    const items = page.Items ?? [];
    scanned += items.length;
    await inParallel(items, PARALLEL_ORDERS, migrate);
    options.onPage?.(summary());
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return summary();
}

/**
 * Runs `task` on every item, `width` at a time. A failure stops it taking more, and is thrown once
 * every task in flight has ended, so that nothing still writes when the caller reports it.
 */
async function inParallel<T>(items: readonly T[], width: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, worker));
  if (failure) throw failure.error;
}

/** The run's summary, as `npm run migrate` prints it. */
export function renderBackfill(summary: BackfillSummary, dryRun: boolean): string {
  const rows: [string, number][] = [
    ["Orders scanned", summary.scanned],
    [dryRun ? "To migrate (dry run: nothing written)" : "Migrated", summary.migrated],
    ["Already current", summary.current],
  ];
  if (summary.unmigrated.length > 0) rows.push(["Not migrated", summary.unmigrated.length]);
  const width = Math.max(...rows.map(([label]) => label.length));
  const digits = Math.max(...rows.map(([, count]) => String(count).length));
  const lines = rows.map(([label, count]) => `${`${label}:`.padEnd(width + 1)} ${String(count).padStart(digits)}`);
  if (summary.unmigrated.length > 0) {
    lines.push("", "Not migrated (each needs a look; running again retries them):");
    for (const { orderId, reason } of summary.unmigrated) lines.push(`  ${orderId}: ${reason}`);
  }
  return `${lines.join("\n")}\n`;
}
