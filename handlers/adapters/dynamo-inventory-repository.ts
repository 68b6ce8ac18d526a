import {
  GetCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import { setTimeout } from "node:timers/promises";
import { TransientError } from "../../domain/errors";
import { type InventoryItem, type ReservationDecision, decideReservation } from "../../domain/inventory";
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
    updatedAt: item["updatedAt"] as string,
  };
}

/**
 * The part of an update that stores a reorder level: `SET` it when given, `REMOVE` it for `null`,
 * nothing when absent (the item keeps its level).
 */
function reorderLevelUpdate(reorderLevel: number | null | undefined) {
  if (reorderLevel === undefined) return { set: "", remove: "", values: {} };
  if (reorderLevel === null) return { set: "", remove: " REMOVE reorderLevel", values: {} };
  return { set: ", reorderLevel = :reorderLevel", remove: "", values: { ":reorderLevel": reorderLevel } };
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

    async setStock(itemId, quantity, now, reorderLevel) {
      // No condition and nothing read first: the new free stock does not depend on the old, and
      // `committed` (what reservations and orders hold) is not the admin's to change, so a set
      // never loses a race to a reservation. A new item starts with nothing committed. The reorder
      // level, like the stock, is absolute, so it rides in the same write.
      const level = reorderLevelUpdate(reorderLevel);
      const update = {
        TableName: tables.inventory,
        Key: { [key]: itemId },
        UpdateExpression: `SET quantity = :quantity, committed = if_not_exists(committed, :nothing), updatedAt = :now${level.set}${level.remove}`,
        ExpressionAttributeValues: {
          ":quantity": quantity,
          ":nothing": 0,
          ":now": now.toISOString(),
          ...level.values,
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

    async reserve(orderId, itemId, quantity, now): Promise<ReservationDecision> {
      for (let attempt = 0; attempt < STOCK_WRITE_ATTEMPTS; attempt++) {
        try {
          await client.send(
            new TransactWriteCommand({
              TransactItems: [
                {
                  Update: {
                    TableName: tables.inventory,
                    Key: { [key]: itemId },
                    UpdateExpression: "SET quantity = quantity - :quantity, updatedAt = :now ADD committed :quantity",
                    ConditionExpression: "attribute_exists(quantity) AND quantity >= :quantity",
                    ExpressionAttributeValues: { ":quantity": quantity, ":now": now.toISOString() },
                  },
                },
                {
                  Put: {
                    TableName: tables.reservations,
                    Item: {
                      ...reservationKey(orderId, itemId),
                      quantity,
                      deadline: reservationDeadline(now, reservationLifetimeSeconds),
                    },
                    ConditionExpression: "attribute_not_exists(#orderId)",
                    ExpressionAttributeNames: { "#orderId": reservationsTable.partitionKey.name },
                  },
                },
                {
                  // An order already written consumed its reservation: reserving again would hold
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
          return { result: "Available" };
        } catch (error) {
          if (!isConditionFailure(error)) throw classifyDynamoDbError(error);
          const [stock, reservation, order] = cancellationCodes(error);
          // Reserved already (a retried task), or its order is written: nothing more to take.
          if (reservation === "ConditionalCheckFailed" || order === "ConditionalCheckFailed") {
            return { result: "Available" };
          }
          if (stock !== "ConditionalCheckFailed") throw classifyDynamoDbError(error);
        }
        const decision = decideReservation((await read(itemId))?.["quantity"] as number | undefined, quantity);
        if (decision.result !== "Available") return decision;
      }
      throw new TransientError(`Stock of ${itemId} kept changing during the reservation`);
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
