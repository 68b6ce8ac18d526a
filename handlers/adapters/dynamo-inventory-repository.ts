import {
  GetCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { setTimeout } from "node:timers/promises";
import { TransientError } from "../../domain/errors";
import {
  type InventoryItem,
  type ReservationDecision,
  type StockLine,
  type StockOnHand,
  type StockSetting,
  decideReservation,
} from "../../domain/inventory";
import type { Money } from "../../domain/money";
import { orderFromItem } from "../../domain/order";
import type { InventoryRepository } from "../../domain/ports";
import { RESERVATION_LIFETIME_SECONDS, type Reservation, reservationDeadline } from "../../domain/reservation";
import { inventoryTable, ordersTable, reservationsTable } from "../../storage/tables";
import {
  classifyDynamoDbError,
  isConditionFailure,
  isTransactionConflict,
  withDynamoDbErrors,
} from "./dynamodb-errors";
import { decodePageToken, encodePageToken } from "./page-token";

/**
 * How often a write on a busy item is tried before it gives up as transient: a reservation whose
 * condition failed yet the item says it would do now (it changed in between), or a stock level
 * set while a reservation's transaction held the item.
 */
export const STOCK_WRITE_ATTEMPTS = 3;

/** The longest pause before trying a stock level set again, times the attempt; the pause is random up to it. */
const SET_STOCK_BACKOFF_MS = 25;

type TransactWriteItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** Physical names of the tables stock moves between. */
export interface StockTables {
  readonly inventory: string;
  /** Reservations in flight; needed by `reserve`, `release` and `reservationsPastDeadline`. */
  readonly reservations: string;
  /** Orders, only ever checked (never written): a written order keeps its units. Needed by `reserve` and `release`. */
  readonly orders: string;
}

function toItem(item: Record<string, unknown>): InventoryItem {
  return {
    itemId: item["itemId"] as string,
    quantity: item["quantity"] as number,
    ...(item["reorderLevel"] === undefined ? {} : { reorderLevel: item["reorderLevel"] as number }),
    ...(item["unitPrice"] === undefined ? {} : { unitPrice: item["unitPrice"] as Money }),
    updatedAt: item["updatedAt"] as string,
  };
}

/** The attributes an admin may set or clear beside the stock. */
const OPTIONAL_SETTINGS = ["reorderLevel", "unitPrice"] as const;

/**
 * The parts of an update that store the optional settings: `SET` each one given, `REMOVE` each one
 * `null`, nothing for one absent (the item keeps it).
 */
function optionalSettingsUpdate(stock: StockSetting) {
  const set: string[] = [];
  const remove: string[] = [];
  const values: Record<string, unknown> = {};
  for (const name of OPTIONAL_SETTINGS) {
    const value = stock[name];
    if (value === null) remove.push(name);
    if (value !== null && value !== undefined) {
      set.push(`${name} = :${name}`);
      values[`:${name}`] = value;
    }
  }
  return {
    set: set.map((part) => `, ${part}`).join(""),
    remove: remove.length > 0 ? ` REMOVE ${remove.join(", ")}` : "",
    values,
  };
}

/**
 * The condition that an item's price is still the one read: a reservation takes units at the price
 * it reports, so that an order is priced as the stock was when its units were taken.
 */
function priceCondition(
  index: number,
  price: Money | undefined,
): { condition: string; names: Record<string, string>; values: Record<string, unknown> } {
  if (price === undefined) {
    return { condition: "attribute_not_exists(#price)", names: { "#price": "unitPrice" }, values: {} };
  }
  return {
    condition: `#price.#amount = :amount${index} AND #price.#currency = :currency${index}`,
    names: { "#price": "unitPrice", "#amount": "amount", "#currency": "currency" },
    values: { [`:amount${index}`]: price.amount, [`:currency${index}`]: price.currency },
  };
}

function toReservation(item: Record<string, unknown>): Reservation {
  return {
    orderId: item["orderId"] as string,
    itemId: item["itemId"] as string,
    quantity: item["quantity"] as number,
    deadline: item["deadline"] as string,
  };
}

/** Why each part of a cancelled transaction failed (`None` for a part that did not), in the order of its parts. */
function cancellationCodes(error: unknown): readonly (string | undefined)[] {
  const reasons = (error as { CancellationReasons?: { Code?: string }[] }).CancellationReasons ?? [];
  return reasons.map((reason) => reason.Code);
}

/**
 * Stock in DynamoDB. Units taken for an order live in the reservations table, one item per order
 * and item with its deadline, until the order is written (`createReserved` consumes it), the
 * workflow gives them back, or the sweeper does past the deadline. Each of these moves stock and
 * the reservation in one transaction whose conditions let exactly one of them happen once.
 */
export function dynamoInventoryRepository(
  client: DynamoDBDocumentClient,
  tables: StockTables,
  /** How long a reservation lives before the sweeper may give it back; shorter only in specs. */
  reservationLifetimeSeconds: number = RESERVATION_LIFETIME_SECONDS,
): InventoryRepository {
  const key = inventoryTable.partitionKey.name;
  const orderKey = ordersTable.partitionKey.name;
  const reservationKey = (orderId: string, itemId: string) => ({
    [reservationsTable.partitionKey.name]: orderId,
    [reservationsTable.sortKey.name]: itemId,
  });

  /**
   * The prices this order's units were taken at, when it holds them already: from its reservations
   * (a retried `CheckInventory`), or from its order once written (a task run again after
   * `CreateOrder`); `undefined` when it holds nothing, so that the caller's decision stands.
   */
  async function reservedPrices(
    orderId: string,
    lines: readonly StockLine[],
  ): Promise<ReservationDecision | undefined> {
    const { Items = [] } = await withDynamoDbErrors(() =>
      client.send(
        new QueryCommand({
          TableName: tables.reservations,
          KeyConditionExpression: "#orderId = :orderId",
          ExpressionAttributeNames: { "#orderId": reservationsTable.partitionKey.name },
          ExpressionAttributeValues: { ":orderId": orderId },
          ConsistentRead: true,
        }),
      ),
    );
    let held: ReadonlyMap<string, Money | undefined>;
    if (Items.length > 0) {
      held = new Map(
        Items.map((item) => [item[reservationsTable.sortKey.name] as string, item["unitPrice"] as Money | undefined]),
      );
    } else {
      const { Item } = await withDynamoDbErrors(() =>
        client.send(new GetCommand({ TableName: tables.orders, Key: { [orderKey]: orderId }, ConsistentRead: true })),
      );
      if (!Item) return undefined;
      held = new Map(orderFromItem(Item).items.map((line) => [line.product, line.unitPrice]));
    }
    return { result: "Available", prices: lines.map((line) => held.get(line.product) ?? null) };
  }

  async function read(itemId: string) {
    const { Item } = await withDynamoDbErrors(() =>
      client.send(new GetCommand({ TableName: tables.inventory, Key: { [key]: itemId }, ConsistentRead: true })),
    );
    return Item;
  }

  return {
    async list(page, filter) {
      // A Scan reads `Limit` items and only then applies the filter, so a low-stock page may be
      // short, or empty, and still carry a `LastEvaluatedKey`: the caller goes on until there is none.
      const { Items = [], LastEvaluatedKey } = await withDynamoDbErrors(() =>
        client.send(
          new ScanCommand({
            TableName: tables.inventory,
            Limit: page.limit,
            ...(filter?.lowStock
              ? { FilterExpression: "attribute_exists(reorderLevel) AND quantity <= reorderLevel" }
              : {}),
            ...(page.nextToken ? { ExclusiveStartKey: decodePageToken(page.nextToken, [key]) } : {}),
          }),
        ),
      );
      return {
        items: Items.map(toItem).sort((a, b) => a.itemId.localeCompare(b.itemId)),
        ...(LastEvaluatedKey ? { nextToken: encodePageToken(LastEvaluatedKey) } : {}),
      };
    },

    async setStock(itemId, stock, now) {
      // No condition and nothing read first: the new free stock does not depend on the old, and
      // `committed` (what reservations and orders hold) is not the admin's to change, so a set
      // never loses a race to a reservation. A new item starts with nothing committed. The reorder
      // level and the price, like the stock, are absolute, so they ride in the same write.
      const settings = optionalSettingsUpdate(stock);
      const update = {
        TableName: tables.inventory,
        Key: { [key]: itemId },
        UpdateExpression: `SET quantity = :quantity, committed = if_not_exists(committed, :nothing), updatedAt = :now${settings.set}${settings.remove}`,
        ExpressionAttributeValues: {
          ":quantity": stock.quantity,
          ":nothing": 0,
          ":now": now.toISOString(),
          ...settings.values,
        },
        ReturnValues: "ALL_NEW",
      } as const;
      for (let attempt = 1; ; attempt++) {
        try {
          const { Attributes = {} } = await client.send(new UpdateCommand(update));
          return toItem(Attributes);
        } catch (error) {
          // DynamoDB refuses a plain write on an item a transaction holds at that instant (a
          // reservation, say). The set is absolute, so writing it again is safe.
          if (attempt >= STOCK_WRITE_ATTEMPTS || !isTransactionConflict(error)) throw classifyDynamoDbError(error);
          await setTimeout(Math.random() * SET_STOCK_BACKOFF_MS * attempt);
        }
      }
    },

    async reserve(orderId, lines, now): Promise<ReservationDecision> {
      for (let attempt = 0; attempt < STOCK_WRITE_ATTEMPTS; attempt++) {
        // Every line's item read first: the decision names every short line, and the transaction's
        // conditions are exactly these reads, so that the prices it reports are the ones it took at.
        const stock = await Promise.all(lines.map((line) => read(line.product)));
        const decision = decideReservation(
          lines,
          stock.map((item) => (item ? (toItem(item) satisfies StockOnHand) : undefined)),
        );
        if (decision.result !== "Available") {
          // Units this order already holds (a retried task whose first try was taken) read as gone.
          return (await reservedPrices(orderId, lines)) ?? decision;
        }
        const items = lines.flatMap((line, index): TransactWriteItem[] => {
          const price = priceCondition(index, (stock[index] ? toItem(stock[index]) : undefined)?.unitPrice);
          const unitPrice = decision.prices[index];
          return [
            {
              Update: {
                TableName: tables.inventory,
                Key: { [key]: line.product },
                UpdateExpression: "SET quantity = quantity - :quantity, updatedAt = :now ADD committed :quantity",
                ConditionExpression: `attribute_exists(quantity) AND quantity >= :quantity AND ${price.condition}`,
                ExpressionAttributeNames: price.names,
                ExpressionAttributeValues: { ":quantity": line.quantity, ":now": now.toISOString(), ...price.values },
              },
            },
            {
              Put: {
                TableName: tables.reservations,
                Item: {
                  ...reservationKey(orderId, line.product),
                  quantity: line.quantity,
                  deadline: reservationDeadline(now, reservationLifetimeSeconds),
                  ...(unitPrice ? { unitPrice } : {}),
                },
                ConditionExpression: "attribute_not_exists(#orderId)",
                ExpressionAttributeNames: { "#orderId": reservationsTable.partitionKey.name },
              },
            },
          ];
        });
        try {
          await client.send(
            new TransactWriteCommand({
              TransactItems: [
                ...items,
                {
                  // An order already written consumed its reservations: reserving again would hold
                  // units that nothing ever gives back.
                  ConditionCheck: {
                    TableName: tables.orders,
                    Key: { [orderKey]: orderId },
                    ConditionExpression: "attribute_not_exists(#orderId)",
                    ExpressionAttributeNames: { "#orderId": orderKey },
                  },
                },
              ],
            }),
          );
          return decision;
        } catch (error) {
          if (!isConditionFailure(error)) throw classifyDynamoDbError(error);
          const codes = cancellationCodes(error);
          const failed = (index: number) => codes[index] === "ConditionalCheckFailed";
          // Reserved already (a retried task), or its order is written: nothing more to take.
          const reservedBefore = lines.some((_, index) => failed(index * 2 + 1));
          if (reservedBefore || failed(lines.length * 2)) {
            return (await reservedPrices(orderId, lines)) ?? { result: "Available", prices: lines.map(() => null) };
          }
          // Otherwise an item's stock or price changed since it was read: read again.
          if (!lines.some((_, index) => failed(index * 2))) throw classifyDynamoDbError(error);
        }
      }
      throw new TransientError(`Stock of order ${orderId}'s items kept changing during the reservation`);
    },

    async release(orderId, itemId, quantity, now) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Delete: {
                  TableName: tables.reservations,
                  Key: reservationKey(orderId, itemId),
                  ConditionExpression: "attribute_exists(#orderId) AND quantity = :quantity",
                  ExpressionAttributeNames: { "#orderId": reservationsTable.partitionKey.name },
                  ExpressionAttributeValues: { ":quantity": quantity },
                },
              },
              {
                Update: {
                  TableName: tables.inventory,
                  Key: { [key]: itemId },
                  UpdateExpression: "SET quantity = quantity + :quantity, updatedAt = :now ADD committed :given",
                  ConditionExpression: "attribute_exists(quantity)",
                  ExpressionAttributeValues: { ":quantity": quantity, ":given": -quantity, ":now": now.toISOString() },
                },
              },
              {
                // Never true while the reservation exists (writing the order deletes it); kept so
                // that no bug elsewhere can make units both sold and free.
                ConditionCheck: {
                  TableName: tables.orders,
                  Key: { [orderKey]: orderId },
                  ConditionExpression: "attribute_not_exists(#orderId)",
                  ExpressionAttributeNames: { "#orderId": orderKey },
                },
              },
            ],
          }),
        );
        return true;
      } catch (error) {
        if (isConditionFailure(error)) return false;
        throw classifyDynamoDbError(error);
      }
    },

    async *reservationsPastDeadline(now) {
      // A Scan, on purpose: the table holds only reservations in flight (each is deleted when its
      // order is written or its units are given back), so it reads as many items as orders are
      // being placed right now, however many orders exist.
      let startKey: Record<string, unknown> | undefined;
      do {
        const { Items = [], LastEvaluatedKey } = await withDynamoDbErrors(() =>
          client.send(
            new ScanCommand({
              TableName: tables.reservations,
              FilterExpression: "deadline < :now",
              ExpressionAttributeValues: { ":now": now.toISOString() },
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
        for (const item of Items) yield toReservation(item);
        startKey = LastEvaluatedKey;
      } while (startKey);
    },
  };
}
