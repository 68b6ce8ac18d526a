import { PublishBatchCommand, type PublishBatchRequestEntry, type SNSClient } from "@aws-sdk/client-sns";
import { TransientError } from "../../domain/errors";
import { EVENT_TYPE_ATTRIBUTE, type OmsEvent } from "../../domain/events";
import type { EventPublisher } from "../../domain/ports";

/** SNS takes at most ten messages per `PublishBatch` call (Amazon SNS API Reference, PublishBatch). */
export const PUBLISH_BATCH_SIZE = 10;

/** One event as a batch entry: its JSON as the message, its type as the attribute subscriptions filter on. */
function entryOf(event: OmsEvent, index: number): PublishBatchRequestEntry {
  return {
    // Unique within the call, which is all SNS asks of an entry id; the event's own id travels in the body.
    Id: String(index),
    Message: JSON.stringify(event),
    MessageAttributes: { [EVENT_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: event.type } },
  };
}

/**
 * Events to the order-events topic, ten per `PublishBatch` call. SNS answers a batch with a
 * result per entry, even when the call itself succeeds: any entry it did not take fails the
 * whole publish with a `TransientError`, so that the change stream offers the change again.
 * Publishing an event twice is harmless (subscribers deduplicate on its id).
 */
export function snsEventPublisher(client: SNSClient, topicArn: string): EventPublisher {
  return {
    async publish(events) {
      for (let start = 0; start < events.length; start += PUBLISH_BATCH_SIZE) {
        const batch = events.slice(start, start + PUBLISH_BATCH_SIZE);
        const { Failed = [] } = await client.send(
          new PublishBatchCommand({ TopicArn: topicArn, PublishBatchRequestEntries: batch.map(entryOf) }),
        );
        if (Failed.length > 0) {
          const reasons = Failed.map((failure) => {
            const event = batch[Number(failure.Id)];
            return `${event?.id ?? failure.Id}: ${failure.Code}${failure.SenderFault ? " (sender fault)" : ""}`;
          });
          throw new TransientError(
            `SNS did not take ${Failed.length} of ${batch.length} events: ${reasons.join(", ")}`,
          );
        }
      }
    },
  };
}
