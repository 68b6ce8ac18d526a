import {
  FilterPolicyLimitExceededException,
  InvalidParameterException,
  InvalidParameterValueException,
  NotFoundException,
} from "@aws-sdk/client-sns";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { ConflictError } from "../domain/errors";
import { RECIPIENT_ATTRIBUTE, recipientFilterPolicy } from "../domain/notifications";
import type { Notifier, SubscriptionRegistry } from "../domain/ports";
import type { Mailbox } from "./mailbox";

/** The local order-notifications topic's ARN, in AWS's shape. */
export const LOCAL_NOTIFICATIONS_TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:oms-local-order-notifications";

/**
 * The SNS limits OMS's calls can meet, at their defaults: subscription filter policies per topic
 * ("Filter policy constraints in Amazon SNS"), a published message with its attributes, and an
 * e-mail subject ("Publish", Amazon SNS API Reference).
 */
export const SNS_LIMITS = {
  filterPoliciesPerTopic: 200,
  messageBytes: 262_144,
  subjectCharacters: 100,
  attributeNameCharacters: 256,
} as const;

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

/** What the SDK puts on every service error; a local refusal carries SNS's HTTP status. */
function metadata(httpStatusCode: number) {
  return { $metadata: { httpStatusCode } };
}

function invalidParameter(message: string): InvalidParameterException {
  return new InvalidParameterException({ message: `Invalid parameter: ${message}`, ...metadata(400) });
}

function invalidAttribute(message: string): InvalidParameterValueException {
  return new InvalidParameterValueException({ message, ...metadata(400) });
}

/**
 * SNS's rules for a message attribute ("Amazon SNS message attributes"): a name of letters,
 * digits, `_`, `-` and inner single dots, not reserved for AWS; a String, Number or Binary type;
 * a non-empty value in the field its type reads.
 */
function checkAttribute(name: string, attribute: { readonly DataType: string; readonly StringValue?: string }): void {
  if (name.length > SNS_LIMITS.attributeNameCharacters) {
    throw invalidAttribute(
      `Length of message attribute name must be less than ${SNS_LIMITS.attributeNameCharacters} bytes.`,
    );
  }
  if (!/^[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*$/.test(name) || /^(?:aws|amazon)\./i.test(name)) {
    throw invalidAttribute(`The message attribute name '${name}' is invalid.`);
  }
  const prefix = attribute.DataType.split(".")[0];
  if (prefix !== "String" && prefix !== "Number" && prefix !== "Binary") {
    throw invalidAttribute(
      `The message attribute '${name}' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.`,
    );
  }
  // OMS never sends binary values, so a Binary attribute here has no BinaryValue.
  if (prefix === "Binary") {
    throw invalidAttribute(
      `The message attribute '${name}' with type '${attribute.DataType}' must use field 'Binary'.`,
    );
  }
  if (!attribute.StringValue) {
    throw invalidAttribute(
      `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${attribute.DataType}'.`,
    );
  }
}

/** The bytes SNS counts against its message size limit: the body, and each attribute's name, type and value. */
function publishedBytes(parameters: PublishParameters): number {
  const attributes = Object.entries(parameters.MessageAttributes ?? {}).map(
    ([name, attribute]) => name + attribute.DataType + (attribute.StringValue ?? ""),
  );
  return [parameters.Message, ...attributes].reduce((total, part) => total + Buffer.byteLength(part, "utf8"), 0);
}

/** Refuses, as SNS's `Publish` does, a request that SNS would refuse; the errors are the SDK's. */
function checkPublish(parameters: PublishParameters): void {
  if (parameters.TopicArn === undefined) {
    throw invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
  }
  if (parameters.TopicArn !== LOCAL_NOTIFICATIONS_TOPIC_ARN) {
    throw new NotFoundException({ message: "Topic does not exist", ...metadata(404) });
  }
  if (parameters.Message === "") throw invalidParameter("Empty message");
  const subject = parameters.Subject;
  if (
    subject !== undefined &&
    (subject.length > SNS_LIMITS.subjectCharacters || /[\u0000-\u001f\u007f]/.test(subject))
  ) {
    throw invalidParameter("Subject");
  }
  for (const [name, attribute] of Object.entries(parameters.MessageAttributes ?? {})) {
    checkAttribute(name, attribute);
  }
  if (publishedBytes(parameters) > SNS_LIMITS.messageBytes) throw invalidParameter("Message too long");
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
 * publish, delivering into the local mailbox. It stands at the adapter's port, and refuses what
 * SNS refuses with the errors the SDK would surface through the adapter. Subscriptions are
 * confirmed at once (AWS waits for the recipient to click a link; nobody can click locally).
 * With a file, subscriptions survive restarts alongside the persisted tables.
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
    // Every OMS subscription carries a filter policy, so each one counts against the topic's quota.
    if (this.subscriptions.size >= SNS_LIMITS.filterPoliciesPerTopic) {
      throw new FilterPolicyLimitExceededException({ message: "Filter policy limit exceeded", ...metadata(403) });
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

  /** Publishes as the SNS adapter does, which cuts the subject to what SNS accepts. */
  async notify(notification: { userId: string; subject: string; message: string }): Promise<void> {
    await this.publish({
      TopicArn: LOCAL_NOTIFICATIONS_TOPIC_ARN,
      Subject: notification.subject.slice(0, SNS_LIMITS.subjectCharacters),
      Message: notification.message,
      MessageAttributes: { [RECIPIENT_ATTRIBUTE]: { DataType: "String", StringValue: notification.userId } },
    });
  }

  /** Delivers a message to every subscription whose filter lets it through, once SNS would accept it. */
  async publish(parameters: PublishParameters): Promise<{ MessageId: string }> {
    checkPublish(parameters);
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
