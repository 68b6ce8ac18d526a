import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DeleteCommand, DynamoDBDocumentClient, GetCommand, PutCommand, QueryCommand } from "@aws-sdk/lib-dynamodb";
import { ValidationError } from "../domain/errors";
import type { Order } from "../domain/order";
import type { OrderRepository } from "../domain/order-repository";
import type { Page, PageRequest } from "../domain/pagination";
import { ORDER_KIND, ordersTable } from "../storage/tables";
import { requiredEnv } from "./environment";

type Key = Record<string, string>;

const INVALID_TOKEN = "nextToken is invalid";

/** The API's view of a stored item: the order's own fields, nothing the table needs for indexing. */
function toOrder(item: Record<string, unknown>): Order {
  return {
    OrderId: item["OrderId"] as string,
    ownerId: item["ownerId"] as string,
    customerName: item["customerName"] as string,
    product: item["product"] as string,
    quantity: item["quantity"] as number,
    status: item["status"] as Order["status"],
    createdAt: item["createdAt"] as string,
  };
}

function encodeToken(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/**
 * Reads a `nextToken` back into DynamoDB's `ExclusiveStartKey`, refusing one that was not made for
 * this listing: a token from another owner's listing must not become a way to read their orders.
 */
function decodeToken(token: string, expected: Key): Key {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch (error) {
    throw new ValidationError("nextToken", INVALID_TOKEN, { cause: error });
  }
  if (typeof key !== "object" || key === null || Array.isArray(key)) {
    throw new ValidationError("nextToken", INVALID_TOKEN);
  }
  const fields = key as Record<string, unknown>;
  const names = Object.keys(fields).sort();
  const wanted = ["OrderId", "createdAt", ...Object.keys(expected)].sort();
  const sameShape = names.length === wanted.length && names.every((name, i) => name === wanted[i]);
  if (!sameShape || names.some((name) => typeof fields[name] !== "string")) {
    throw new ValidationError("nextToken", INVALID_TOKEN);
  }
  if (Object.entries(expected).some(([name, value]) => fields[name] !== value)) {
    throw new ValidationError("nextToken", INVALID_TOKEN);
  }
  return fields as Key;
}

/** Orders in DynamoDB, in the table `ordersTable` describes. */
export function dynamoOrderRepository(client: DynamoDBDocumentClient, tableName: string): OrderRepository {
  const { byOwner, newest } = ordersTable.indexes;
  return {
    async create(order) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { ...order, kind: ORDER_KIND },
          ConditionExpression: "attribute_not_exists(OrderId)",
        }),
      );
    },

    async get(orderId) {
      const { Item } = await client.send(new GetCommand({ TableName: tableName, Key: { OrderId: orderId } }));
      return Item ? toOrder(Item) : undefined;
    },

    async list(ownerId: string | undefined, page: PageRequest): Promise<Page<Order>> {
      const [attribute, value] = ownerId === undefined ? ["kind", ORDER_KIND] : ["ownerId", ownerId];
      const partition: Key = { [attribute]: value };
      const { Items = [], LastEvaluatedKey } = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: ownerId === undefined ? newest.name : byOwner.name,
          KeyConditionExpression: "#partition = :partition",
          ExpressionAttributeNames: { "#partition": attribute },
          ExpressionAttributeValues: { ":partition": value },
          ScanIndexForward: false,
          Limit: page.limit,
          ...(page.nextToken ? { ExclusiveStartKey: decodeToken(page.nextToken, partition) } : {}),
        }),
      );
      return {
        items: Items.map(toOrder),
        ...(LastEvaluatedKey ? { nextToken: encodeToken(LastEvaluatedKey) } : {}),
      };
    },

    async remove(orderId, ownerId) {
      try {
        const { Attributes } = await client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { OrderId: orderId },
            ConditionExpression:
              ownerId === undefined ? "attribute_exists(OrderId)" : "attribute_exists(OrderId) AND ownerId = :owner",
            ...(ownerId === undefined ? {} : { ExpressionAttributeValues: { ":owner": ownerId } }),
            ReturnValues: "ALL_OLD",
          }),
        );
        return Attributes ? toOrder(Attributes) : undefined;
      } catch (error) {
        if (error instanceof Error && error.name === "ConditionalCheckFailedException") {
          return undefined;
        }
        throw error;
      }
    },
  };
}

/** The orders table named by the function's environment, through a client built once per cold start. */
export function ordersFromEnvironment(): OrderRepository {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  return dynamoOrderRepository(client, requiredEnv(ordersTable.envVar));
}
