import { BatchProcessor, EventType as BatchEventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as v from "valibot";
import { MailRejectedError } from "../domain/errors";
import { OmsEventSchema } from "../domain/events";
import { type CustomerMailEvent, isCustomerMailEvent, mailRecipientId, orderMail } from "../domain/mail";
import { BusinessMetric, type BusinessMetrics, type Mailer, type UserRepository } from "../domain/ports";
import { MAIL_QUEUE } from "../events/mail-queue";
import { awsAdapters } from "./adapters/from-environment";
import { withBusinessMetrics } from "./adapters/powertools-metrics";
import { type InjectedAdapters, decorated } from "./http";

/** The order mailer's function. */
export type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

/** What the order mailer needs from the outside world. */
export interface SendOrderMailDeps {
  readonly users: UserRepository;
  readonly mailer: Mailer;
  readonly metrics: BusinessMetrics;
  /** Where the ids of the events already mailed about are remembered. */
  readonly idempotency: BasePersistenceLayer;
  readonly logger?: Logger;
}

/** What became of one event: only `sent` sent a mail. */
type MailOutcome = "sent" | "noProfile" | "orderMailOff" | "rejected";

/**
 * How long an event's id is remembered: as long as the dead-letter queue keeps a message, so that
 * a message redriven from it is not mailed again when an earlier delivery of it was.
 */
const REMEMBER_SECONDS = MAIL_QUEUE.retentionDays * 24 * 60 * 60;

/** A queue message's body as an event, or `undefined` when it is not one: a poison message. */
function eventOf(record: SQSRecord): { event?: v.InferOutput<typeof OmsEventSchema>; problem?: string } {
  let body: unknown;
  try {
    body = JSON.parse(record.body);
  } catch {
    return { problem: "the body is not JSON" };
  }
  const parsed = v.safeParse(OmsEventSchema, body);
  return parsed.success
    ? { event: parsed.output }
    : { problem: `${v.getDotPath(parsed.issues[0]) ?? "body"}: ${parsed.issues[0].message}` };
}

/**
 * Reads the customer-mail queue and e-mails each order's owner about it, once per event: the
 * event's id is the Powertools Idempotency key, so an event SQS delivers twice is mailed once.
 * No profile, or order mail turned off, means no mail. An event's message fails (and SQS
 * delivers it again after the visibility timeout, up to `MAIL_QUEUE.maxReceiveCount` times
 * before the dead-letter queue) when SES says "not now" (`TransientError`, after the SDK's own
 * retries) or when it is not an event at all; a mail SES refuses for good is acknowledged,
 * logged and counted as `NotificationFailures`.
 */
export function makeSendOrderMail(deps: SendOrderMailDeps): QueueHandler {
  const logger = deps.logger ?? new Logger();
  const config = new IdempotencyConfig({ eventKeyJmesPath: "id", expiresAfterSeconds: REMEMBER_SECONDS });

  const mailAbout = async (event: CustomerMailEvent): Promise<MailOutcome> => {
    const profile = await deps.users.get(mailRecipientId(event));
    if (!profile) return "noProfile";
    if (!profile.orderMail) return "orderMailOff";
    try {
      await deps.mailer.send(orderMail(event, profile));
      return "sent";
    } catch (error) {
      if (!(error instanceof MailRejectedError)) throw error;
      deps.metrics.count(BusinessMetric.NotificationFailures);
      logger.warn("Order mail refused for good; not tried again", { eventId: event.id, error });
      return "rejected";
    }
  };
  // Powertools deletes the id's record when `mailAbout` throws, so that a redelivery tries again.
  const mailOnce = makeIdempotent(mailAbout, {
    persistenceStore: deps.idempotency,
    keyPrefix: "send-order-mail",
    config,
  });

  const handler: QueueHandler = async (batch, context) => {
    // How long a delivery may hold an event's id before another may take it over.
    config.registerLambdaContext(context);
    const processor = new BatchProcessor(BatchEventType.SQS);
    const mailRecord = async (record: SQSRecord): Promise<void> => {
      const { event, problem } = eventOf(record);
      if (!event) {
        logger.error("Not an event; it ends in the dead-letter queue", {
          messageId: record.messageId,
          receiveCount: record.attributes.ApproximateReceiveCount,
          problem,
        });
        throw new Error(`Message ${record.messageId} is not an event: ${problem}`);
      }
      if (!isCustomerMailEvent(event)) {
        // The subscription's filter policy keeps these out; one that slips through mails nobody.
        logger.warn("No customer is mailed about this event type", { eventId: event.id, type: event.type });
        return;
      }
      try {
        const outcome = await mailOnce(event);
        logger.info("Order mail handled", { eventId: event.id, type: event.type, outcome });
      } catch (error) {
        logger.warn("Order mail not sent; the queue delivers it again", {
          eventId: event.id,
          receiveCount: record.attributes.ApproximateReceiveCount,
          error: error instanceof Error ? error : String(error),
        });
        throw error;
      }
    };
    return processPartialResponse(batch, mailRecord, processor, {
      context,
      // Every message's failure is reported as its own, whether or not its batch-mates failed too.
      throwOnFullBatchFailure: false,
    });
  };
  return decorated(handler, logger.injectLambdaContext({ resetKeys: true }));
}

/** Builds the order mailer once per cold start: the factory `pulumi up` serializes (see `infra/handler-code.ts`). */
export const sendOrderMail = (adapters: InjectedAdapters = {}): QueueHandler => {
  const aws = awsAdapters();
  return withBusinessMetrics(adapters.metrics, (metrics) =>
    makeSendOrderMail({
      users: aws.userRepository(),
      mailer: adapters.mailer ?? aws.mailer(),
      metrics,
      idempotency: aws.idempotencyStore(),
    }),
  );
};
