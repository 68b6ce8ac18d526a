import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { ConflictError } from "../domain/errors";
import { RECIPIENT_ATTRIBUTE, recipientFilterPolicy } from "../domain/notifications";
import type { Notifier, SubscriptionRegistry } from "../domain/ports";
import type { Mailbox } from "./mailbox";

/** The local order-notifications topic's ARN, in AWS's shape. */
export const LOCAL_NOTIFICATIONS_TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:oms-local-order-notifications";

/** An SNS `Publish` request, as the workflow's `NotifyCustomer` state sends it. */
export interface PublishParameters {
  readonly TopicArn?: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Readonly<Record<string, { readonly DataType: string; readonly StringValue?: string }>>;
}

interface Subscription {
  readonly arn: string;
  readonly email: string;
  readonly filterPolicy: Readonly<Record<string, readonly string[]>>;
}

/** SNS's rule for string filters: every key of the policy must be an attribute whose value is listed. */
function matches(policy: Subscription["filterPolicy"], attributes: PublishParameters["MessageAttributes"]): boolean {
  return Object.entries(policy).every(([key, allowed]) => {
    const value = attributes?.[key]?.StringValue;
    return value !== undefined && allowed.includes(value);
  });
}

/**
 * Enough of SNS for OMS, offline: one topic, e-mail subscriptions with filter policies, and
 * publish, delivering into the local mailbox. Subscriptions are confirmed at once (AWS waits for
 * the recipient to click a link; nobody can click locally). With a file, subscriptions survive
 * restarts alongside the persisted tables.
 */
export class LocalSns implements Notifier, SubscriptionRegistry {
  private readonly subscriptions = new Map<string, Subscription>();

  constructor(
    private readonly mailbox: Mailbox,
    private readonly file?: string,
  ) {
    if (file && existsSync(file)) {
      for (const subscription of JSON.parse(readFileSync(file, "utf8")) as Subscription[]) {
        this.subscriptions.set(subscription.arn, subscription);
      }
    }
  }

  async subscribe(email: string, userId: string): Promise<string> {
    const filterPolicy = recipientFilterPolicy(userId);
    const existing = [...this.subscriptions.values()].find((s) => s.email === email);
    if (existing) {
      // SNS hands back the same subscription for the same address and filter, and refuses another filter.
      if (JSON.stringify(existing.filterPolicy) === JSON.stringify(filterPolicy)) return existing.arn;
      throw new ConflictError("This e-mail address already receives another user's order mail");
    }
    const arn = `${LOCAL_NOTIFICATIONS_TOPIC_ARN}:${randomUUID()}`;
    this.subscriptions.set(arn, { arn, email, filterPolicy });
    this.save();
    return arn;
  }

  async unsubscribe(subscriptionArn: string): Promise<void> {
    this.subscriptions.delete(subscriptionArn);
    this.save();
  }

  async notify(notification: { userId: string; subject: string; message: string }): Promise<void> {
    await this.publish({
      Subject: notification.subject,
      Message: notification.message,
      MessageAttributes: { [RECIPIENT_ATTRIBUTE]: { DataType: "String", StringValue: notification.userId } },
    });
  }

  /** Delivers a message to every subscription whose filter lets it through. */
  async publish(parameters: PublishParameters): Promise<{ MessageId: string }> {
    for (const subscription of this.subscriptions.values()) {
      if (matches(subscription.filterPolicy, parameters.MessageAttributes)) {
        this.mailbox.send({ to: subscription.email, subject: parameters.Subject ?? "", body: parameters.Message });
      }
    }
    return { MessageId: randomUUID() };
  }

  /** Current subscriptions, for tests and the local stack's diagnostics. */
  list(): readonly Subscription[] {
    return [...this.subscriptions.values()];
  }

  private save(): void {
    if (this.file) writeFileSync(this.file, JSON.stringify(this.list(), null, 2));
  }
}
