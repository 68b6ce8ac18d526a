import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { SESv2Client } from "@aws-sdk/client-sesv2";
import { SFNClient } from "@aws-sdk/client-sfn";
import { SNSClient } from "@aws-sdk/client-sns";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { Tracer } from "@aws-lambda-powertools/tracer";
import type {
  EventPublisher,
  InventoryRepository,
  Mailer,
  OrderRepository,
  OrderWorkflow,
  UserRepository,
} from "../../domain/ports";
import {
  idempotencyTable,
  inventoryTable,
  orderLinesTable,
  orderTimelineTable,
  ordersTable,
  reservationsTable,
  usersTable,
} from "../../storage/tables";
import { dynamoInventoryRepository } from "./dynamo-inventory-repository";
import { dynamoOrderRepository } from "./dynamo-order-repository";
import { dynamoUserRepository } from "./dynamo-user-repository";
import { SES_CLIENT_RETRIES, sesMailer } from "./ses-mailer";
import { sfnOrderWorkflow } from "./sfn-order-workflow";
import { snsEventPublisher } from "./sns-event-publisher";

/**
 * Environment variables, other than table names, through which a deployment wires a function to
 * the resources it may use (`HandlerFunction` sets exactly those its grants name).
 */
export const SERVICE_ENV = {
  orderWorkflowArn: "ORDER_WORKFLOW_ARN",
  /** The order-events topic (`events:publish`). */
  eventsTopicArn: "EVENTS_TOPIC_ARN",
  /** The sender address of customer mail, an SES identity of the stack (`mail:send`). */
  mailFrom: "MAIL_FROM",
  /** The SES configuration set customer mail goes through (`mail:send`). */
  mailConfigurationSet: "MAIL_CONFIGURATION_SET",
} as const;

/** A setting the deployment must provide; its absence is a wiring bug, reported at cold start. */
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === "") {
    throw new Error(`Environment variable ${name} is not set`);
  }
  return value;
}

/**
 * A function's adapters to AWS, wired by the environment the deployment set. A factory makes one
 * of these per cold start: each adapter it hands out gets its own SDK client, and one Powertools
 * Tracer shows every client's calls as X-Ray subsegments (outside Lambda, the Tracer does nothing).
 */
export function awsAdapters() {
  const tracer = new Tracer();
  const traced = <T>(client: T): T => tracer.captureAWSv3Client(client);
  const documentClient = () => DynamoDBDocumentClient.from(traced(new DynamoDBClient({})));

  return {
    orderRepository: (): OrderRepository => {
      const client = documentClient();
      const users = process.env[usersTable.envVar];
      return dynamoOrderRepository(
        client,
        {
          orders: requiredEnv(ordersTable.envVar),
          inventory: process.env[inventoryTable.envVar] ?? "",
          reservations: process.env[reservationsTable.envVar] ?? "",
          orderLines: process.env[orderLinesTable.envVar] ?? "",
          orderTimeline: process.env[orderTimelineTable.envVar] ?? "",
        },
        users ? dynamoUserRepository(client, users) : undefined,
      );
    },

    /** What the mailer writes to: an order's timeline, and nothing else of the order. */
    orderTimeline: (): Pick<OrderRepository, "record"> =>
      dynamoOrderRepository(documentClient(), {
        orders: "",
        inventory: "",
        reservations: "",
        orderLines: "",
        orderTimeline: requiredEnv(orderTimelineTable.envVar),
      }),

    // A function is told only the tables its grants name: listing or setting stock needs no other.
    inventoryRepository: (reservationLifetimeSeconds?: number): InventoryRepository =>
      dynamoInventoryRepository(
        documentClient(),
        {
          inventory: requiredEnv(inventoryTable.envVar),
          reservations: process.env[reservationsTable.envVar] ?? "",
          orders: process.env[ordersTable.envVar] ?? "",
        },
        reservationLifetimeSeconds,
      ),

    userRepository: (): UserRepository => dynamoUserRepository(documentClient(), requiredEnv(usersTable.envVar)),

    orderWorkflow: (): OrderWorkflow =>
      sfnOrderWorkflow(traced(new SFNClient({})), requiredEnv(SERVICE_ENV.orderWorkflowArn)),

    eventPublisher: (): EventPublisher =>
      snsEventPublisher(traced(new SNSClient({})), requiredEnv(SERVICE_ENV.eventsTopicArn)),

    // The SDK retries SES's throttling and its own faults with back-off before the mailer sees them.
    mailer: (): Mailer =>
      sesMailer(traced(new SESv2Client(SES_CLIENT_RETRIES)), {
        from: requiredEnv(SERVICE_ENV.mailFrom),
        configurationSet: requiredEnv(SERVICE_ENV.mailConfigurationSet),
      }),

    idempotencyStore: (): DynamoDBPersistenceLayer =>
      new DynamoDBPersistenceLayer({
        tableName: requiredEnv(idempotencyTable.envVar),
        awsSdkV3Client: traced(new DynamoDBClient({})),
      }),
  };
}
