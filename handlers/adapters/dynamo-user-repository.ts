import { GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import type { UserRepository } from "../../domain/ports";
import { ORDER_MAIL_DEFAULT, type UserProfile } from "../../domain/user";
import { usersTable } from "../../storage/tables";
import { classifyDynamoDbError, isConditionFailure, withDynamoDbErrors } from "./dynamodb-errors";

/** A stored profile; one stored before order mail could be turned off has it on. */
function toProfile(item: Record<string, unknown>): UserProfile {
  return {
    userId: item["userId"] as string,
    name: item["name"] as string,
    email: item["email"] as string,
    orderMail: typeof item["orderMail"] === "boolean" ? item["orderMail"] : ORDER_MAIL_DEFAULT,
    createdAt: item["createdAt"] as string,
    updatedAt: item["updatedAt"] as string,
  };
}

/** Customer profiles in DynamoDB. */
export function dynamoUserRepository(client: DynamoDBDocumentClient, tableName: string): UserRepository {
  const key = usersTable.partitionKey.name;

  async function put(item: UserProfile, condition: string, values?: Record<string, unknown>) {
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

    async idsByEmail(email) {
      // The index is eventually consistent: a profile created a moment ago may not be found yet.
      const { byEmail } = usersTable.indexes;
      const { Items = [] } = await withDynamoDbErrors(() =>
        client.send(
          new QueryCommand({
            TableName: tableName,
            IndexName: byEmail.name,
            KeyConditionExpression: "#email = :email",
            ExpressionAttributeNames: { "#email": byEmail.partitionKey.name, "#userId": key },
            ExpressionAttributeValues: { ":email": email },
            ProjectionExpression: "#userId",
          }),
        ),
      );
      return Items.map((item) => item[key] as string);
    },

    create: (profile) => put(profile, `attribute_not_exists(${key})`),

    update: (profile, expectedUpdatedAt) => put(profile, "updatedAt = :expected", { ":expected": expectedUpdatedAt }),
  };
}
