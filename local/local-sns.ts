import {
  BatchEntryIdsNotDistinctException,
  BatchRequestTooLongException,
  EmptyBatchRequestException,
  FilterPolicyLimitExceededException,
  InvalidBatchEntryIdException,
  InvalidParameterException,
  InvalidParameterValueException,
  NotFoundException,
  PublishBatchCommand,
  PublishCommand,
  type PublishBatchRequestEntry,
  type SNSClient,
  type PublishBatchResultEntry,
  type BatchResultErrorEntry,
  TooManyEntriesInBatchRequestException,
} from "@aws-sdk/client-sns";
import { randomUUID } from "node:crypto";
import type { LocalQueue } from "./local-sqs";

/**
 * The local order topic's ARN, in AWS's shape: the seeds' order-notifications topic, which stays
 * the fan-out point of OMS's events.
 */
export const LOCAL_EVENTS_TOPIC_ARN = "arn:aws:sns:us-east-1:000000000000:oms-local-order-events";

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
  batchEntries: 10,
  batchEntryIdCharacters: 80,
} as const;

/** An SNS `Publish` request. */
export interface PublishParameters {
  readonly TopicArn?: string;
  readonly Subject?: string;
  readonly Message: string;
  readonly MessageAttributes?: Readonly<Record<string, { readonly DataType: string; readonly StringValue?: string }>>;
}

/** A filter policy of exact string matches on message attributes, the only kind OMS uses. */
export type FilterPolicy = Readonly<Record<string, readonly string[]>>;

/** An SNS `PublishBatch` request, as the event publisher's adapter sends it. */
export interface PublishBatchParameters {
  readonly TopicArn?: string;
  readonly PublishBatchRequestEntries: readonly PublishBatchRequestEntry[];
}

/** An `sqs` subscription: the queue, the policy on message attributes, and whether delivery is raw. */
export interface QueueSubscription {
  readonly arn: string;
  readonly queue: LocalQueue;
  readonly filterPolicy?: FilterPolicy;
  /** `RawMessageDelivery`: the queue gets the message itself, its attributes as the queue message's. */
  readonly rawMessageDelivery: boolean;
}

/** One message the topic took, as `GET /_local/events` shows it. */
export interface TopicMessage {
  readonly messageId: string;
  /** When the topic took it, ISO 8601. */
  readonly publishedAt: string;
  readonly attributes: Readonly<Record<string, string>>;
  /** The message, parsed when it is JSON (every OMS event is). */
  readonly message: unknown;
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
  checkTopic(parameters.TopicArn);
  checkMessage(parameters);
}

function checkTopic(topicArn: string | undefined): void {
  if (topicArn === undefined) {
    throw invalidParameter("TopicArn or TargetArn Reason: no value for required parameter");
  }
  if (topicArn !== LOCAL_EVENTS_TOPIC_ARN) {
    throw new NotFoundException({ message: "Topic does not exist", ...metadata(404) });
  }
}

function checkMessage(parameters: PublishParameters): void {
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

/**
 * SNS's filter-policy limits ("Filter policy constraints in Amazon SNS"): at most 5 attribute
 * names, at most 150 combinations of values; OMS's policies are exact string matches.
 */
function checkFilterPolicy(policy: FilterPolicy): void {
  const keys = Object.keys(policy);
  if (keys.length === 0 || keys.length > 5) {
    throw invalidParameter("FilterPolicy: Filter policy must have between 1 and 5 attribute names");
  }
  const combinations = Object.values(policy).reduce((product, values) => product * values.length, 1);
  if (combinations === 0) throw invalidParameter("FilterPolicy: Empty arrays are not allowed");
  if (combinations > 150) throw invalidParameter("FilterPolicy: Filter policy is too complex");
  for (const values of Object.values(policy)) {
    if (!values.every((value) => typeof value === "string")) {
      throw invalidParameter("FilterPolicy: Match value must be String, number, true, false, or null");
    }
  }
}

/** SNS's rule for exact string filters: every key of the policy must be an attribute whose value is listed. */
function matches(policy: FilterPolicy | undefined, attributes: PublishParameters["MessageAttributes"]): boolean {
  if (policy === undefined) return true;
  return Object.entries(policy).every(([key, allowed]) => {
    const value = attributes?.[key]?.StringValue;
    return value !== undefined && allowed.includes(value);
  });
}

/** The refusals of `PublishBatch` as a whole ("PublishBatch", Amazon SNS API Reference). */
function checkBatch(parameters: PublishBatchParameters): void {
  checkTopic(parameters.TopicArn);
  const entries = parameters.PublishBatchRequestEntries;
  if (entries.length === 0) {
    throw new EmptyBatchRequestException({
      message: "The batch request doesn't contain any entries.",
      ...metadata(400),
    });
  }
  if (entries.length > SNS_LIMITS.batchEntries) {
    throw new TooManyEntriesInBatchRequestException({
      message: `The batch request contains more entries than permissible (more than ${SNS_LIMITS.batchEntries}).`,
      ...metadata(400),
    });
  }
  const ids = entries.map((entry) => entry.Id ?? "");
  const idPattern = new RegExp(`^[A-Za-z0-9_-]{1,${SNS_LIMITS.batchEntryIdCharacters}}$`);
  if (!ids.every((id) => idPattern.test(id))) {
    throw new InvalidBatchEntryIdException({
      message:
        "A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.",
      ...metadata(400),
    });
  }
  if (new Set(ids).size !== ids.length) {
    throw new BatchEntryIdsNotDistinctException({
      message: "Two or more batch entries in the request have the same Id.",
      ...metadata(400),
    });
  }
  const total = entries.reduce(
    (sum, entry) => sum + publishedBytes({ Message: entry.Message ?? "", ...attributesOf(entry) }),
    0,
  );
  if (total > SNS_LIMITS.messageBytes) {
    throw new BatchRequestTooLongException({
      message: "The length of all the messages put together is more than the limit.",
      ...metadata(400),
    });
  }
}

function attributesOf(entry: PublishBatchRequestEntry): Pick<PublishParameters, "MessageAttributes"> {
  if (!entry.MessageAttributes) return {};
  return {
    MessageAttributes: Object.fromEntries(
      Object.entries(entry.MessageAttributes).map(([name, attribute]) => [
        name,
        {
          DataType: attribute.DataType ?? "",
          ...(attribute.StringValue === undefined ? {} : { StringValue: attribute.StringValue }),
        },
      ]),
    ),
  };
}

/** What a non-raw `sqs` subscription receives: SNS's JSON envelope around the message. */
function envelope(messageId: string, parameters: PublishParameters, at: Date): string {
  return JSON.stringify({
    Type: "Notification",
    MessageId: messageId,
    TopicArn: parameters.TopicArn,
    ...(parameters.Subject === undefined ? {} : { Subject: parameters.Subject }),
    Message: parameters.Message,
    Timestamp: at.toISOString(),
    MessageAttributes: Object.fromEntries(
      Object.entries(parameters.MessageAttributes ?? {}).map(([name, a]) => [
        name,
        { Type: a.DataType, Value: a.StringValue },
      ]),
    ),
  });
}

function parsed(message: string): unknown {
  try {
    return JSON.parse(message) as unknown;
  } catch {
    return message;
  }
}

/**
 * Enough of SNS for OMS, offline: the order topic, `sqs` subscriptions with filter policies on
 * message attributes (raw delivery or SNS's envelope), `Publish` and `PublishBatch`. It stands at
 * the adapters' port and refuses what SNS refuses, with the SDK's errors, the topic's quota of
 * filter policies included: a design that needs a policy per customer fails here as in the cloud.
 * It keeps every message it took, for `GET /_local/events`.
 */
export class LocalSns {
  private readonly subscriptions = new Map<string, QueueSubscription>();
  private readonly taken: TopicMessage[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** `Subscribe` with protocol `sqs` (confirmed at once, as SNS does for a queue in the same account). */
  subscribeQueue(subscription: Omit<QueueSubscription, "arn">): string {
    if (subscription.filterPolicy) {
      checkFilterPolicy(subscription.filterPolicy);
      const withPolicies = [...this.subscriptions.values()].filter((s) => s.filterPolicy !== undefined).length;
      if (withPolicies >= SNS_LIMITS.filterPoliciesPerTopic) {
        throw new FilterPolicyLimitExceededException({ message: "Filter policy limit exceeded", ...metadata(403) });
      }
    }
    const arn = `${LOCAL_EVENTS_TOPIC_ARN}:${randomUUID()}`;
    this.subscriptions.set(arn, { arn, ...subscription });
    return arn;
  }

  /** `Unsubscribe`. */
  unsubscribe(subscriptionArn: string): void {
    this.subscriptions.delete(subscriptionArn);
  }

  /** Delivers a message to every subscription whose filter lets it through, once SNS would accept it. */
  async publish(parameters: PublishParameters): Promise<{ MessageId: string }> {
    checkPublish(parameters);
    return { MessageId: this.deliver(parameters) };
  }

  /** `PublishBatch`: refuses a bad batch as a whole; an entry SNS would refuse is reported failed, the rest delivered. */
  async publishBatch(
    parameters: PublishBatchParameters,
  ): Promise<{ Successful: PublishBatchResultEntry[]; Failed: BatchResultErrorEntry[] }> {
    checkBatch(parameters);
    const Successful: PublishBatchResultEntry[] = [];
    const Failed: BatchResultErrorEntry[] = [];
    for (const entry of parameters.PublishBatchRequestEntries) {
      const single: PublishParameters = {
        TopicArn: parameters.TopicArn,
        Message: entry.Message ?? "",
        ...(entry.Subject === undefined ? {} : { Subject: entry.Subject }),
        ...attributesOf(entry),
      };
      try {
        checkMessage(single);
      } catch (error) {
        Failed.push({
          Id: entry.Id,
          Code: (error as Error).name.replace(/Exception$/, ""),
          Message: (error as Error).message,
          SenderFault: true,
        });
        continue;
      }
      Successful.push({ Id: entry.Id, MessageId: this.deliver(single) });
    }
    return { Successful, Failed };
  }

  /** Current subscriptions, for specs and diagnostics. */
  list(): readonly QueueSubscription[] {
    return [...this.subscriptions.values()];
  }

  /** Every message the topic took, oldest first. */
  messages(): readonly TopicMessage[] {
    return this.taken;
  }

  private deliver(parameters: PublishParameters): string {
    const messageId = randomUUID();
    const at = this.now();
    const attributes = parameters.MessageAttributes ?? {};
    this.taken.push({
      messageId,
      publishedAt: at.toISOString(),
      attributes: Object.fromEntries(Object.entries(attributes).map(([name, a]) => [name, a.StringValue ?? ""])),
      message: parsed(parameters.Message),
    });
    for (const subscription of this.subscriptions.values()) {
      if (!matches(subscription.filterPolicy, attributes)) continue;
      subscription.queue.send(
        subscription.rawMessageDelivery
          ? { body: parameters.Message, attributes }
          : { body: envelope(messageId, parameters, at) },
      );
    }
    return messageId;
  }
}

/**
 * The local topic behind an SNS client's face, for the cloud's own SNS adapter
 * (`snsEventPublisher`): `PublishBatch` and `Publish` reach the local topic, with SNS's refusals.
 * The SDK's retries are not in this path, so a refusal reaches the adapter at once.
 */
export function localSnsClient(sns: LocalSns): SNSClient {
  const client = {
    async send(command: unknown) {
      if (command instanceof PublishBatchCommand) return sns.publishBatch(command.input as PublishBatchParameters);
      if (command instanceof PublishCommand) return sns.publish(command.input as PublishParameters);
      throw new Error(`The local SNS does not serve ${(command as object).constructor.name}`);
    },
  };
  return client as unknown as SNSClient;
}
