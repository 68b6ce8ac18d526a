import { BatchProcessor, EventType as BatchEventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from "aws-lambda";
import * as v from "valibot";
import { MailRejectedError } from "../domain/errors";
import { OmsEventSchema } from "../domain/events";
import { type CustomerMailEvent, isCustomerMailEvent, mailRecipientId, orderMail } from "../domain/mail";
import {
  BusinessMetric,
  type BusinessMetrics,
  type Mailer,
  type OrderRepository,
  type UserRepository,
} from "../domain/ports";
import { SYSTEM_ACTOR, type TimelineEntry, TimelineEvent } from "../domain/timeline";
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
  /** Where a mail sent or refused is put on its order's timeline. */
  readonly orders: Pick<OrderRepository, "record">;
  readonly metrics: BusinessMetrics;
  /** Where the ids of the events already mailed about are remembered. */
  readonly idempotency: BasePersistenceLayer;
  readonly logger?: Logger;
  /** The clock a timeline entry is dated by. */
  readonly now?: () => Date;
}

/** What became of one event: only `sent` sent a mail. */
type MailOutcome = "sent" | "noProfile" | "orderMailOff" | "rejected";

/**
 * What the idempotency store remembers of an event: its outcome and, for a mail sent or refused,
 * the entry for the order's timeline. Events handled before mail went on timelines are remembered
 * as the bare outcome: they have no entry.
 */
type MailHandled = { readonly outcome: MailOutcome; readonly entry?: TimelineEntry } | MailOutcome;

/** The key a mail's timeline entry is recorded under: one per event, whichever delivery records it. */
const timelineKey = (event: CustomerMailEvent): string => `mail#${event.id}`;

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
 * No profile, or order mail turned off, means no mail. A mail sent is recorded on the order's
 * timeline as `mailSent`; a mail SES refuses for good is acknowledged, logged, counted as
 * `NotificationFailures` and recorded as `mailFailed`. An event's message fails (and SQS
 * delivers it again after the visibility timeout, up to `MAIL_QUEUE.maxReceiveCount` times
 * before the dead-letter queue) when SES or the timeline says "not now" (`TransientError`,
 * after the SDK's own retries) or when it is not an event at all.
 */
export function makeSendOrderMail(deps: SendOrderMailDeps): QueueHandler {
  const logger = deps.logger ?? new Logger();
  const now = deps.now ?? (() => new Date());
  const config = new IdempotencyConfig({ eventKeyJmesPath: "id", expiresAfterSeconds: REMEMBER_SECONDS });

  // The timeline entry is made here, dated when SES answered, and remembered with the outcome;
  // it is recorded after, outside: see `mailRecord`.
  const mailAbout = async (event: CustomerMailEvent): Promise<MailHandled> => {
    const profile = await deps.users.get(mailRecipientId(event));
    if (!profile) return { outcome: "noProfile" };
    if (!profile.orderMail) return { outcome: "orderMailOff" };
    const mail = orderMail(event, profile);
    const about = { by: SYSTEM_ACTOR, subject: mail.subject };
    try {
      await deps.mailer.send(mail);
    } catch (error) {
      if (!(error instanceof MailRejectedError)) throw error;
      deps.metrics.count(BusinessMetric.NotificationFailures);
      logger.warn("Order mail refused for good; not tried again", { eventId: event.id, error });
      const entry = { at: now().toISOString(), ...about, event: TimelineEvent.MailFailed, reason: error.message };
      return { outcome: "rejected", entry };
    }
    return { outcome: "sent", entry: { at: now().toISOString(), ...about, event: TimelineEvent.MailSent } };
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
        const handled = await mailOnce(event);
        const { outcome, entry } = typeof handled === "string" ? { outcome: handled, entry: undefined } : handled;
        // Recorded after the mail, not inside `mailAbout`: a failure there would forget the event
        // and mail it again on redelivery. Here a redelivery (or a redrive from the dead-letter
        // queue) finds the event remembered, mails nothing, and records the remembered entry under
        // the same key, which the repository writes once: one mail, one entry.
        if (entry) await deps.orders.record(event.data.order.OrderId, timelineKey(event), entry);
        logger.info("Order mail handled", { eventId: event.id, type: event.type, outcome });
      } catch (error) {
        logger.warn("Order mail not handled to the end; the queue delivers it again", {
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
      orders: aws.orderTimeline(),
      metrics,
      idempotency: aws.idempotencyStore(),
    }),
  );
};
