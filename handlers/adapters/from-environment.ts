import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type {
  InventoryRepository,
  Notifier,
  OrderRepository,
  OrderWorkflow,
  SubscriptionRegistry,
  UserRepository,
} from "../../domain/ports";
import { idempotencyTable, inventoryTable, ordersTable, usersTable } from "../../storage/tables";
import { dynamoInventoryRepository } from "./dynamo-inventory-repository";
import { dynamoOrderRepository } from "./dynamo-order-repository";
import { dynamoUserRepository } from "./dynamo-user-repository";
import { sfnOrderWorkflow } from "./sfn-order-workflow";
import { snsNotifications } from "./sns-notifications";

/**
 * Environment variables, other than table names, through which a deployment wires a function to
 * the resources it may use (`HandlerFunction` sets exactly those its grants name).
 */
export const SERVICE_ENV = {
  notificationsTopicArn: "NOTIFICATIONS_TOPIC_ARN",
  orderWorkflowArn: "ORDER_WORKFLOW_ARN",
} as const;

/** A setting the deployment must provide; its absence is a wiring bug, reported at cold start. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`Environment variable ${name} is not set`);
  }
  return value;
}

/** An SDK client whose calls show as X-Ray subsegments (Powertools Tracer does nothing outside Lambda). */
function traced<T>(client: T): T {
  return new Tracer().captureAWSv3Client(client);
}

function documentClient(): DynamoDBDocumentClient {
  return DynamoDBDocumentClient.from(traced(new DynamoDBClient({})));
}

export function orderRepository(): OrderRepository {
  return dynamoOrderRepository(documentClient(), {
    orders: requiredEnv(ordersTable.envVar),
    inventory: process.env[inventoryTable.envVar] ?? "",
  });
}

export function inventoryRepository(): InventoryRepository {
  return dynamoInventoryRepository(documentClient(), requiredEnv(inventoryTable.envVar));
}

export function userRepository(): UserRepository {
  return dynamoUserRepository(documentClient(), requiredEnv(usersTable.envVar));
}

export function notifications(): Notifier & SubscriptionRegistry {
  return snsNotifications(traced(new SNSClient({})), requiredEnv(SERVICE_ENV.notificationsTopicArn));
}

export function orderWorkflow(): OrderWorkflow {
  return sfnOrderWorkflow(traced(new SFNClient({})), requiredEnv(SERVICE_ENV.orderWorkflowArn));
}

export function idempotencyStore(): DynamoDBPersistenceLayer {
  return new DynamoDBPersistenceLayer({
    tableName: requiredEnv(idempotencyTable.envVar),
    awsSdkV3Client: traced(new DynamoDBClient({})),
  });
}
