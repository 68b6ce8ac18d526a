import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent, SQSBatchResponse, SQSEvent } from "aws-lambda";
import { EVENT_TYPE_ATTRIBUTE } from "../domain/events";
import { CUSTOMER_MAIL_EVENT_TYPES } from "../domain/mail";
import type { BusinessMetrics } from "../domain/ports";
import { MAILER_TIMEOUT_SECONDS, MAIL_QUEUE, eventPublisher, orderMailer } from "../events/functions";
import { sesMailer } from "../handlers/adapters/ses-mailer";
import { snsEventPublisher } from "../handlers/adapters/sns-event-publisher";
import type { InjectedAdapters } from "../handlers/http";
import type { LocalLog } from "./gateway";
import { runInvocation } from "./invocation";
import { lambdaContext } from "./lambda-context";
import type { LocalAlerting } from "./local-alerting";
import { LocalSes, localSesClient } from "./local-ses";
import { LOCAL_EVENTS_TOPIC_ARN, LocalSns, localSnsClient } from "./local-sns";
import { LocalQueue, QueuePoller } from "./local-sqs";
import { LocalStreams } from "./local-streams";
import type { Mailbox } from "./mailbox";

/** The cloud's event source mapping of the customer-mail queue hands the mailer 10 messages at most. */
export const MAIL_BATCH_SIZE = 10;

/** The cloud's event source mapping of the change streams hands the publisher 100 records at most (Lambda's default). */
export const STREAM_BATCH_SIZE = 100;

/** Options for `startEventChain`. */
export interface EventChainOptions {
  /** Local names are `<prefix>-customer-mail`, `<prefix>-customer-mail-dlq`, like the cloud's `<stack>-…`. */
  readonly prefix: string;
  readonly region: string;
  readonly dynamodbEndpoint: string;
  /** The physical names of the streamed tables. */
  readonly streamedTables: readonly string[];
  readonly mailbox: Mailbox;
  readonly alerting: LocalAlerting;
  /** Where the mailer counts its business metrics (refused mail). */
  readonly metrics: BusinessMetrics;
  readonly log: LocalLog;
  /** The sender of customer mail (`mailFrom`): the one identity the local SES has verified. */
  readonly mailFrom: string;
  /** How long a received mail message stays invisible. @default MAIL_QUEUE.visibilityTimeoutSeconds */
  readonly mailVisibilityTimeoutMs?: number;
  /** Where the streams' positions are kept across restarts; none when absent. */
  readonly positionsFile?: string;
  /** Lambda's memory setting, as the context reports it. */
  readonly functionMemoryMb: number;
  /** The publisher's timeout (the stack's function timeout). */
  readonly functionTimeoutSeconds: number;
}

/** The running chain from the tables' streams to the mailbox. */
export interface EventChain {
  readonly sns: LocalSns;
  readonly ses: LocalSes;
  readonly mailQueue: LocalQueue;
  readonly mailDeadLetterQueue: LocalQueue;
  /** The publisher's event source mapping: pause it to stand for a publisher that is down. */
  readonly streams: LocalStreams;
  /**
   * Resolves once every change committed before the call is published and every mail it makes is
   * sent (or parked in the dead-letter queue).
   */
  settled(timeoutMs?: number): Promise<void>;
  /** Moves the dead-letter queue's messages back to the mail queue; answers how many. */
  redriveMail(): number;
  stop(): Promise<void>;
}

type Invoked<E, R> = (event: E) => Promise<R>;

/**
 * A function as Lambda runs it for an event source mapping: a fresh context per invocation, its AWS
 * calls attributed to it, and a throw logged and counted in its `Errors` before the mapping retries.
 */
function asFunction<E, R>(
  functionName: string,
  timeoutSeconds: number,
  handler: (event: E, context: Context) => Promise<R>,
  options: EventChainOptions,
): Invoked<E, R> {
  return async (event) => {
    const context = lambdaContext({
      functionName: `${options.prefix}-${functionName}`,
      memoryMb: options.functionMemoryMb,
      timeoutSeconds,
      region: options.region,
      accountId: "000000000000",
    });
    try {
      return await runInvocation({ kind: "function", functionName }, () => handler(event, context));
    } catch (error) {
      options.log.error(
        JSON.stringify({
          level: "ERROR",
          message: "Function failed",
          functionName,
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        }),
      );
      options.alerting.recordError(functionName, error);
      throw error;
    }
  };
}

/**
 * OMS's event path, offline, with the cloud's code at every step: the tables' streams (DynamoDB
 * Local) → the publisher's handler → the order-events topic → an `sqs` subscription filtered on
 * the customer-mail event types, raw delivery → the customer-mail queue (redriving to its DLQ
 * after `MAIL_QUEUE.maxReceiveCount` receives) → the mailer's handler → SES → the local mailbox.
 * The handlers get the cloud's SNS and SES adapters, talking to the local stand-ins.
 */
export async function startEventChain(options: EventChainOptions): Promise<EventChain> {
  const sns = new LocalSns();
  const configurationSet = `${options.prefix}-customer-mail`;
  const ses = new LocalSes({
    mailbox: options.mailbox,
    from: options.mailFrom,
    configurationSets: [configurationSet],
    region: options.region,
  });
  const visibilityTimeoutMs = options.mailVisibilityTimeoutMs ?? MAIL_QUEUE.visibilityTimeoutSeconds * 1000;
  const mailDeadLetterQueue = new LocalQueue({ name: `${options.prefix}-customer-mail-dlq`, visibilityTimeoutMs });
  const mailQueue = new LocalQueue({
    name: `${options.prefix}-customer-mail`,
    visibilityTimeoutMs,
    redrivePolicy: { deadLetterQueue: mailDeadLetterQueue, maxReceiveCount: MAIL_QUEUE.maxReceiveCount },
  });
  sns.subscribeQueue({
    queue: mailQueue,
    filterPolicy: { [EVENT_TYPE_ATTRIBUTE]: [...CUSTOMER_MAIL_EVENT_TYPES] },
    rawMessageDelivery: true,
  });

  // Like a cold start: each factory runs once, with the local stand-ins behind the cloud's adapters.
  const adapters: InjectedAdapters = {
    events: snsEventPublisher(localSnsClient(sns), LOCAL_EVENTS_TOPIC_ARN),
    mailer: sesMailer(localSesClient(ses), { from: options.mailFrom, configurationSet }),
    metrics: options.metrics,
  };
  const publish = asFunction<DynamoDBStreamEvent, DynamoDBBatchResponse>(
    eventPublisher.functionName,
    options.functionTimeoutSeconds,
    eventPublisher.handler(adapters),
    options,
  );
  const mail = asFunction<SQSEvent, SQSBatchResponse>(
    orderMailer.functionName,
    MAILER_TIMEOUT_SECONDS,
    orderMailer.handler(adapters),
    options,
  );

  const credentials = { accessKeyId: "local", secretAccessKey: "local" };
  const clientConfig = { endpoint: options.dynamodbEndpoint, region: options.region, credentials };
  const dynamodb = new DynamoDBClient(clientConfig);
  const streamsClient = new DynamoDBStreamsClient(clientConfig);
  const streams = new LocalStreams({
    dynamodb,
    streams: streamsClient,
    tableNames: options.streamedTables,
    invoke: publish,
    batchSize: STREAM_BATCH_SIZE,
    region: options.region,
    ...(options.positionsFile ? { positionsFile: options.positionsFile } : {}),
  });
  const poller = new QueuePoller({ queue: mailQueue, invoke: mail, batchSize: MAIL_BATCH_SIZE });
  await streams.start();
  poller.start();

  return {
    sns,
    ses,
    mailQueue,
    mailDeadLetterQueue,
    streams,
    async settled(timeoutMs = 60_000) {
      await streams.caughtUp(timeoutMs);
      await poller.drained(timeoutMs);
    },
    redriveMail: () => mailDeadLetterQueue.redrive([mailQueue]),
    async stop() {
      await Promise.all([streams.stop(), poller.stop()]);
      dynamodb.destroy();
      streamsClient.destroy();
    },
  };
}
