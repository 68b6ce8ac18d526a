import { PublishCommand, SubscribeCommand, UnsubscribeCommand, type SNSClient } from "@aws-sdk/client-sns";
import { ConflictError } from "../../domain/errors";
import { RECIPIENT_ATTRIBUTE, recipientFilterPolicy } from "../../domain/notifications";
import type { Notifier, SubscriptionRegistry } from "../../domain/ports";

/**
 * SNS refuses a second subscription of the same address with another filter: the address already
 * receives another user's order mail.
 */
function translateSubscribeError(error: unknown): unknown {
  if (
    error instanceof Error &&
    error.name === "InvalidParameterException" &&
    /different attributes/i.test(error.message)
  ) {
    return new ConflictError("This e-mail address already receives another user's order mail", { cause: error });
  }
  return error;
}

/** SNS caps e-mail subjects at 100 characters. */
const MAX_SUBJECT = 100;

/**
 * Customer mail through one SNS topic: each customer's e-mail subscription filters on their user
 * id, and every notification carries the recipient's id, so nobody receives another's mail.
 */
export function snsNotifications(client: SNSClient, topicArn: string): Notifier & SubscriptionRegistry {
  return {
    async subscribe(email, userId) {
      const { SubscriptionArn } = await client
        .send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: "email",
            Endpoint: email,
            Attributes: {
              FilterPolicy: JSON.stringify(recipientFilterPolicy(userId)),
              FilterPolicyScope: "MessageAttributes",
            },
            ReturnSubscriptionArn: true,
          }),
        )
        .catch((error: unknown) => {
          throw translateSubscribeError(error);
        });
      if (!SubscriptionArn) throw new Error("SNS returned no subscription ARN");
      return SubscriptionArn;
    },

    async unsubscribe(subscriptionArn) {
      try {
        await client.send(new UnsubscribeCommand({ SubscriptionArn: subscriptionArn }));
      } catch (error) {
        // A subscription that is gone already (or was never confirmed and expired) needs no undoing.
        if (!(error instanceof Error && error.name === "NotFoundException")) throw error;
      }
    },

    async notify(notification) {
      await client.send(
        new PublishCommand({
          TopicArn: topicArn,
          Subject: notification.subject.slice(0, MAX_SUBJECT),
          Message: notification.message,
          MessageAttributes: { [RECIPIENT_ATTRIBUTE]: { DataType: "String", StringValue: notification.userId } },
        }),
      );
    },
  };
}
