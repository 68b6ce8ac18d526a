import { GetCommand, PutCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { UserRepository } from "../../domain/ports";
import type { UserProfile } from "../../domain/user";
import { usersTable } from "../../storage/tables";
import { classifyDynamoDbError, isConditionFailure, withDynamoDbErrors } from "./dynamodb-errors";

function toProfile(item: Record<string, unknown>): UserProfile & { subscriptionArn?: string } {
  return {
    userId: item["userId"] as string,
    name: item["name"] as string,
    email: item["email"] as string,
    createdAt: item["createdAt"] as string,
    updatedAt: item["updatedAt"] as string,
    ...(typeof item["subscriptionArn"] === "string" ? { subscriptionArn: item["subscriptionArn"] } : {}),
  };
}

/** Customer profiles in DynamoDB. */
export function dynamoUserRepository(client: DynamoDBDocumentClient, tableName: string): UserRepository {
  const key = usersTable.partitionKey.name;

  async function put(item: Record<string, unknown>, condition: string, values?: Record<string, unknown>) {
    try {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: item,
          ConditionExpression: condition,
          ...(values ? { ExpressionAttributeValues: values } : {}),
        }),
      );
      return true;
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw classifyDynamoDbError(error);
    }
  }

  return {
    async get(userId) {
      const { Item } = await withDynamoDbErrors(() =>
        client.send(new GetCommand({ TableName: tableName, Key: { [key]: userId }, ConsistentRead: true })),
      );
      return Item ? toProfile(Item) : undefined;
    },

    create: (profile, subscriptionArn) => put({ ...profile, subscriptionArn }, `attribute_not_exists(${key})`),

    update: (profile, subscriptionArn, expectedEmail) =>
      put({ ...profile, subscriptionArn }, "email = :expected", { ":expected": expectedEmail }),
  };
}
