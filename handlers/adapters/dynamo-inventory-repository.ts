import { GetCommand, ScanCommand, UpdateCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { TransientError } from "../../domain/errors";
import { type InventoryItem, type ReservationDecision, decideReservation } from "../../domain/inventory";
import type { InventoryRepository } from "../../domain/ports";
import { inventoryTable } from "../../storage/tables";
import { classifyDynamoDbError, isConditionFailure, withDynamoDbErrors } from "./dynamodb-errors";
import { decodePageToken, encodePageToken } from "./page-token";

/**
 * How often a reservation tries again when its condition failed yet a re-read says the stock would
 * do (it was refilled in between) before it gives up as transient.
 */
const RESERVE_ATTEMPTS = 3;

function toItem(item: Record<string, unknown>): InventoryItem {
  return {
    itemId: item["itemId"] as string,
    quantity: item["quantity"] as number,
    updatedAt: item["updatedAt"] as string,
  };
}

/**
 * Stock in DynamoDB. Each item keeps `reservations`, the ids of orders in flight that took units
 * from it, so that a retried reservation or release changes stock once: the condition of every
 * update checks that set.
 */
export function dynamoInventoryRepository(client: DynamoDBDocumentClient, tableName: string): InventoryRepository {
  const key = inventoryTable.partitionKey.name;

  async function read(itemId: string) {
    const { Item } = await withDynamoDbErrors(() =>
      client.send(new GetCommand({ TableName: tableName, Key: { [key]: itemId }, ConsistentRead: true })),
    );
    return Item;
  }

  return {
    async list(page) {
      const { Items = [], LastEvaluatedKey } = await withDynamoDbErrors(() =>
        client.send(
          new ScanCommand({
            TableName: tableName,
            Limit: page.limit,
            ...(page.nextToken ? { ExclusiveStartKey: decodePageToken(page.nextToken, [key]) } : {}),
          }),
        ),
      );
      return {
        items: Items.map(toItem).sort((a, b) => a.itemId.localeCompare(b.itemId)),
        ...(LastEvaluatedKey ? { nextToken: encodePageToken(LastEvaluatedKey) } : {}),
      };
    },

    async setStock(itemId, quantity, now) {
      const { Attributes = {} } = await withDynamoDbErrors(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { [key]: itemId },
            UpdateExpression: "SET quantity = :quantity, updatedAt = :now",
            ExpressionAttributeValues: { ":quantity": quantity, ":now": now.toISOString() },
            ReturnValues: "ALL_NEW",
          }),
        ),
      );
      return toItem(Attributes);
    },

    async reserve(orderId, itemId, quantity): Promise<ReservationDecision> {
      for (let attempt = 0; attempt < RESERVE_ATTEMPTS; attempt++) {
        try {
          await client.send(
            new UpdateCommand({
              TableName: tableName,
              Key: { [key]: itemId },
              UpdateExpression: "SET quantity = quantity - :quantity, updatedAt = :now ADD reservations :order",
              ConditionExpression:
                "attribute_exists(quantity) AND quantity >= :quantity AND NOT contains(reservations, :orderId)",
              ExpressionAttributeValues: {
                ":quantity": quantity,
                ":now": new Date().toISOString(),
                ":order": new Set([orderId]),
                ":orderId": orderId,
              },
            }),
          );
          return { result: "Available" };
        } catch (error) {
          if (!isConditionFailure(error)) throw classifyDynamoDbError(error);
        }
        const current = await read(itemId);
        if ((current?.["reservations"] as Set<string> | undefined)?.has(orderId)) {
          return { result: "Available" };
        }
        const decision = decideReservation(current?.["quantity"] as number | undefined, quantity);
        if (decision.result !== "Available") {
          return decision;
        }
      }
      throw new TransientError(`Stock of ${itemId} kept changing during the reservation`);
    },

    async release(orderId, itemId, quantity) {
      try {
        await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: { [key]: itemId },
            UpdateExpression: "SET quantity = quantity + :quantity, updatedAt = :now DELETE reservations :order",
            ConditionExpression: "contains(reservations, :orderId)",
            ExpressionAttributeValues: {
              ":quantity": quantity,
              ":now": new Date().toISOString(),
              ":order": new Set([orderId]),
              ":orderId": orderId,
            },
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw classifyDynamoDbError(error);
      }
    },
  };
}
