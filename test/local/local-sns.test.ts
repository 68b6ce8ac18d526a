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
  type PublishBatchRequestEntry,
  TooManyEntriesInBatchRequestException,
} from "@aws-sdk/client-sns";
import { expect } from "chai";
import { EVENT_TYPE_ATTRIBUTE } from "../../domain/events";
import {
  LOCAL_EVENTS_TOPIC_ARN,
  LocalSns,
  type PublishBatchParameters,
  type PublishParameters,
  SNS_LIMITS,
  localSnsClient,
} from "../../local/local-sns";
import { LocalQueue } from "../../local/local-sqs";

const NOW = new Date("2026-11-27T10:00:00.000Z");

function typed(type: string) {
  return { [EVENT_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: type } };
}

/** A publish to the topic. */
function toTopic(parameters: Omit<PublishParameters, "TopicArn">): PublishParameters {
  return { TopicArn: LOCAL_EVENTS_TOPIC_ARN, ...parameters };
}

function entries(count: number, message = "m"): PublishBatchRequestEntry[] {
  return Array.from({ length: count }, (_, i) => ({
    Id: String(i),
    Message: message,
    MessageAttributes: typed("OrderPlaced"),
  }));
}

/** A batch to the topic, as the event publisher's adapter sends it. */
function batchOf(batchEntries: PublishBatchRequestEntry[]): PublishBatchParameters {
  return { TopicArn: LOCAL_EVENTS_TOPIC_ARN, PublishBatchRequestEntries: batchEntries };
}

/** What a promise rejected with, or `undefined` when it resolved. */
function refusalOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("LocalSns", () => {
  let sns: LocalSns;
  let queues = 0;

  function queue(): LocalQueue {
    queues += 1;
    return new LocalQueue({ name: `test-${queues}`, visibilityTimeoutMs: 1000 });
  }

  /** A queue subscribed with raw delivery, filtered on the event types given (every message when none). */
  function subscribedQueue(...types: string[]): LocalQueue {
    const subscribed = queue();
    sns.subscribeQueue({
      queue: subscribed,
      rawMessageDelivery: true,
      ...(types.length > 0 ? { filterPolicy: { [EVENT_TYPE_ATTRIBUTE]: types } } : {}),
    });
    return subscribed;
  }

  beforeEach(() => {
    sns = new LocalSns(() => NOW);
  });

  describe("delivering to sqs subscriptions", () => {
    it("delivers a message only to the queues whose filter policy lists its type", async () => {
      const placed = subscribedQueue("OrderPlaced", "OrderDeleted");
      const stock = subscribedQueue("StockChanged");

      await sns.publish(toTopic({ Message: '{"id":"1"}', MessageAttributes: typed("OrderPlaced") }));

      expect(placed.bodies()).to.deep.equal(['{"id":"1"}']);
      expect(stock.bodies()).to.deep.equal([]);
    });

    it("delivers a message without the filtered attribute to no filtered queue, and to an unfiltered one", async () => {
      const filtered = subscribedQueue("OrderPlaced");
      const everything = subscribedQueue();

      await sns.publish(toTopic({ Message: "m" }));

      expect([filtered.bodies(), everything.bodies()]).to.deep.equal([[], ["m"]]);
    });

    it("hands a raw subscription the message as the body and its attributes as the queue message's", async () => {
      const placed = subscribedQueue("OrderPlaced");

      await sns.publish(toTopic({ Message: "m", MessageAttributes: typed("OrderPlaced") }));

      const [record] = placed.receive(10);
      expect(record?.body).to.equal("m");
      expect(record?.messageAttributes).to.deep.equal({
        [EVENT_TYPE_ATTRIBUTE]: {
          stringValue: "OrderPlaced",
          stringListValues: [],
          binaryListValues: [],
          dataType: "String",
        },
      });
    });

    it("wraps the message in SNS's JSON envelope for a subscription without raw delivery", async () => {
      const wrapped = queue();
      sns.subscribeQueue({ queue: wrapped, rawMessageDelivery: false });

      const { MessageId } = await sns.publish(toTopic({ Message: "m", MessageAttributes: typed("OrderPlaced") }));

      expect(JSON.parse(wrapped.bodies()[0] ?? "")).to.deep.equal({
        Type: "Notification",
        MessageId,
        TopicArn: LOCAL_EVENTS_TOPIC_ARN,
        Message: "m",
        Timestamp: NOW.toISOString(),
        MessageAttributes: { [EVENT_TYPE_ATTRIBUTE]: { Type: "String", Value: "OrderPlaced" } },
      });
    });

    it("stops delivering to a queue once it is unsubscribed", async () => {
      const gone = queue();
      const arn = sns.subscribeQueue({ queue: gone, rawMessageDelivery: true });

      sns.unsubscribe(arn);
      await sns.publish(toTopic({ Message: "m" }));

      expect(arn.startsWith(`${LOCAL_EVENTS_TOPIC_ARN}:`)).to.equal(true);
      expect(gone.bodies()).to.deep.equal([]);
    });

    it("keeps every message it took, oldest first, parsed when it is JSON, for GET /_local/events", async () => {
      await sns.publish(toTopic({ Message: '{"id":"1"}', MessageAttributes: typed("OrderPlaced") }));
      await sns.publish(toTopic({ Message: "plain" }));

      expect(
        sns.messages().map(({ message, attributes, publishedAt }) => ({ message, attributes, publishedAt })),
      ).to.deep.equal([
        { message: { id: "1" }, attributes: { [EVENT_TYPE_ATTRIBUTE]: "OrderPlaced" }, publishedAt: NOW.toISOString() },
        { message: "plain", attributes: {}, publishedAt: NOW.toISOString() },
      ]);
    });
  });

  describe("PublishBatch", () => {
    it("delivers every entry and answers each one's message id", async () => {
      const placed = subscribedQueue("OrderPlaced");

      const result = await sns.publishBatch(batchOf(entries(SNS_LIMITS.batchEntries)));

      expect(result.Failed).to.deep.equal([]);
      expect(result.Successful.map((entry) => entry.Id)).to.deep.equal(
        entries(SNS_LIMITS.batchEntries).map((e) => e.Id),
      );
      expect(placed.bodies()).to.have.length(SNS_LIMITS.batchEntries);
    });

    it("reports an entry SNS refuses as failed by the sender's fault, and delivers the others", async () => {
      const placed = subscribedQueue("OrderPlaced");
      const [good, bad] = entries(2);

      const result = await sns.publishBatch(
        batchOf([good as PublishBatchRequestEntry, { ...bad, Id: "1", Message: "" }]),
      );

      expect(result.Failed).to.deep.equal([
        { Id: "1", Code: "InvalidParameter", Message: "Invalid parameter: Empty message", SenderFault: true },
      ]);
      expect(placed.bodies()).to.have.length(1);
    });

    const refusedBatches: [string, PublishBatchParameters, new (...args: never[]) => Error][] = [
      ["without entries", batchOf([]), EmptyBatchRequestException],
      [
        `with more than ${SNS_LIMITS.batchEntries} entries`,
        batchOf(entries(SNS_LIMITS.batchEntries + 1)),
        TooManyEntriesInBatchRequestException,
      ],
      [
        "with two entries of one id",
        batchOf(entries(2).map((entry) => ({ ...entry, Id: "same" }))),
        BatchEntryIdsNotDistinctException,
      ],
      [
        "with an entry id SNS does not allow",
        batchOf(entries(1).map((entry) => ({ ...entry, Id: "a.b" }))),
        InvalidBatchEntryIdException,
      ],
      [
        "whose messages pass SNS's size limit together",
        batchOf(entries(2, "m".repeat(SNS_LIMITS.messageBytes / 2))),
        BatchRequestTooLongException,
      ],
      [
        "to a topic that does not exist",
        { ...batchOf(entries(1)), TopicArn: `${LOCAL_EVENTS_TOPIC_ARN}-gone` },
        NotFoundException,
      ],
    ];
    for (const [what, parameters, refusal] of refusedBatches) {
      it(`refuses a batch ${what} with ${refusal.name}, delivering none of it`, async () => {
        const placed = subscribedQueue("OrderPlaced");

        const error = await refusalOf(sns.publishBatch(parameters));

        expect(error).to.be.instanceOf(refusal);
        expect(placed.bodies()).to.deep.equal([]);
      });
    }

    it("serves the SDK's PublishBatchCommand behind an SNS client's face, for the cloud's adapter", async () => {
      const placed = subscribedQueue("OrderPlaced");

      const result = await localSnsClient(sns).send(
        new PublishBatchCommand({ TopicArn: LOCAL_EVENTS_TOPIC_ARN, PublishBatchRequestEntries: entries(1) }),
      );

      expect(result.Failed).to.deep.equal([]);
      expect(placed.bodies()).to.deep.equal(["m"]);
    });
  });

  describe("refusing what SNS refuses", () => {
    /** Subscribes as many filtered queues as the topic's filter-policy quota holds. */
    function fillTopic(): void {
      for (let i = 0; i < SNS_LIMITS.filterPoliciesPerTopic; i++) subscribedQueue(`type-${i}`);
    }

    it("refuses a filtered subscription beyond the topic's filter-policy quota with FilterPolicyLimitExceededException", () => {
      fillTopic();

      let refusal: unknown;
      try {
        subscribedQueue("one-too-many");
      } catch (error) {
        refusal = error;
      }

      expect(refusal).to.be.instanceOf(FilterPolicyLimitExceededException);
      expect(refusal).to.deep.include({
        name: "FilterPolicyLimitExceededException",
        message: "Filter policy limit exceeded",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
      });
      expect(sns.list()).to.have.length(SNS_LIMITS.filterPoliciesPerTopic);
    });

    it("still takes a subscription without a filter policy on a topic whose quota is used up", () => {
      fillTopic();

      subscribedQueue();

      expect(sns.list()).to.have.length(SNS_LIMITS.filterPoliciesPerTopic + 1);
    });

    it("refuses a publish to a topic that does not exist with NotFoundException", async () => {
      const refusal = await refusalOf(
        sns.publish({
          TopicArn: `${LOCAL_EVENTS_TOPIC_ARN}-gone`,
          Message: "m",
          MessageAttributes: typed("a"),
        }),
      );

      expect(refusal).to.be.instanceOf(NotFoundException);
      expect(refusal).to.deep.include({ message: "Topic does not exist", $metadata: { httpStatusCode: 404 } });
    });

    const invalidPublishes: [string, PublishParameters, string][] = [
      [
        "without a topic",
        { Message: "m" },
        "Invalid parameter: TopicArn or TargetArn Reason: no value for required parameter",
      ],
      ["with an empty message", toTopic({ Message: "" }), "Invalid parameter: Empty message"],
      [
        "with a subject longer than SNS allows",
        toTopic({ Subject: "s".repeat(SNS_LIMITS.subjectCharacters + 1), Message: "m" }),
        "Invalid parameter: Subject",
      ],
      [
        "with a line break in its subject",
        toTopic({ Subject: "Your order\nis placed", Message: "m" }),
        "Invalid parameter: Subject",
      ],
      [
        "whose message and attributes pass SNS's size limit",
        toTopic({
          Message: "m".repeat(SNS_LIMITS.messageBytes - `${EVENT_TYPE_ATTRIBUTE}Stringalice`.length + 1),
          MessageAttributes: typed("alice"),
        }),
        "Invalid parameter: Message too long",
      ],
    ];
    for (const [what, parameters, message] of invalidPublishes) {
      it(`refuses a publish ${what} with InvalidParameterException`, async () => {
        const refusal = await refusalOf(sns.publish(parameters));

        expect(refusal).to.be.instanceOf(InvalidParameterException);
        expect(refusal).to.deep.include({ message, $fault: "client", $metadata: { httpStatusCode: 400 } });
      });
    }

    it("accepts a message exactly at SNS's size limit, its attributes counted", async () => {
      const placed = subscribedQueue("alice");

      await sns.publish(
        toTopic({
          Message: "m".repeat(SNS_LIMITS.messageBytes - `${EVENT_TYPE_ATTRIBUTE}Stringalice`.length),
          MessageAttributes: typed("alice"),
        }),
      );

      expect(placed.bodies()).to.have.length(1);
    });

    const invalidAttributes: [string, Record<string, { DataType: string; StringValue?: string }>, string][] = [
      [
        "an empty value",
        { userId: { DataType: "String", StringValue: "" } },
        "The message attribute 'userId' must contain non-empty message attribute value for message attribute type 'String'.",
      ],
      [
        "no value",
        { userId: { DataType: "Number" } },
        "The message attribute 'userId' must contain non-empty message attribute value for message attribute type 'Number'.",
      ],
      [
        "a type SNS does not know",
        { userId: { DataType: "Text", StringValue: "alice" } },
        "The message attribute 'userId' has an invalid message attribute type, the set of supported type prefixes is Binary, Number, and String.",
      ],
      [
        "a binary type without a binary value",
        { userId: { DataType: "Binary", StringValue: "alice" } },
        "The message attribute 'userId' with type 'Binary' must use field 'Binary'.",
      ],
      [
        "a name reserved for AWS",
        { "aws.userId": { DataType: "String", StringValue: "alice" } },
        "The message attribute name 'aws.userId' is invalid.",
      ],
      [
        "successive periods in its name",
        { "user..id": { DataType: "String", StringValue: "alice" } },
        "The message attribute name 'user..id' is invalid.",
      ],
      [
        "a character SNS refuses in its name",
        { "user id": { DataType: "String", StringValue: "alice" } },
        "The message attribute name 'user id' is invalid.",
      ],
      [
        "a name longer than SNS allows",
        { ["n".repeat(SNS_LIMITS.attributeNameCharacters + 1)]: { DataType: "String", StringValue: "alice" } },
        `Length of message attribute name must be less than ${SNS_LIMITS.attributeNameCharacters} bytes.`,
      ],
    ];
    for (const [what, attributes, message] of invalidAttributes) {
      it(`refuses a message attribute with ${what} with InvalidParameterValueException`, async () => {
        const refusal = await refusalOf(sns.publish(toTopic({ Message: "m", MessageAttributes: attributes })));

        expect(refusal).to.be.instanceOf(InvalidParameterValueException);
        expect(refusal).to.deep.include({ message, $fault: "client", $metadata: { httpStatusCode: 400 } });
      });
    }

    it("delivers nothing of a refused publish", async () => {
      const placed = subscribedQueue("OrderPlaced");

      await refusalOf(sns.publish(toTopic({ Message: "", MessageAttributes: typed("OrderPlaced") })));

      expect(placed.bodies()).to.deep.equal([]);
      expect(sns.messages()).to.deep.equal([]);
    });
  });
});
