import {
  FilterPolicyLimitExceededException,
  InvalidParameterException,
  InvalidParameterValueException,
  NotFoundException,
} from "@aws-sdk/client-sns";
import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConflictError } from "../../domain/errors";
import { LOCAL_NOTIFICATIONS_TOPIC_ARN, LocalSns, type PublishParameters, SNS_LIMITS } from "../../local/local-sns";
import { Mailbox } from "../../local/mailbox";

const NOW = new Date("2026-11-27T10:00:00.000Z");

function forUser(userId: string) {
  return { userId: { DataType: "String", StringValue: userId } };
}

/** A publish to the topic, as the workflow's NotifyCustomer state sends it. */
function toTopic(parameters: Omit<PublishParameters, "TopicArn">): PublishParameters {
  return { TopicArn: LOCAL_NOTIFICATIONS_TOPIC_ARN, ...parameters };
}

/** What a promise rejected with, or `undefined` when it resolved. */
function refusalOf(work: Promise<unknown>): Promise<unknown> {
  return work.then(
    () => undefined,
    (error: unknown) => error,
  );
}

describe("LocalSns", () => {
  let mailbox: Mailbox;
  let sns: LocalSns;

  beforeEach(() => {
    mailbox = new Mailbox(() => NOW);
    sns = new LocalSns(mailbox);
  });

  it("delivers a published message only to the subscriptions whose filter policy lets it through", async () => {
    await sns.subscribe("alice@example.com", "alice");
    await sns.subscribe("bob@example.com", "bob");

    await sns.publish(toTopic({ Subject: "For Alice", Message: "Hello Alice", MessageAttributes: forUser("alice") }));

    expect(mailbox.list()).to.deep.equal([
      { to: "alice@example.com", subject: "For Alice", body: "Hello Alice", sentAt: NOW.toISOString() },
    ]);
  });

  it("delivers a message without the recipient attribute to nobody", async () => {
    await sns.subscribe("alice@example.com", "alice");

    await sns.publish(toTopic({ Subject: "For everyone", Message: "Hello" }));

    expect(mailbox.list()).to.deep.equal([]);
  });

  it("sends a notification to its user's address, as the status update publishes it", async () => {
    await sns.subscribe("alice@example.com", "alice");

    await sns.notify({ userId: "alice", subject: "Your order 1 is SHIPPED", message: "It ships." });

    expect(mailbox.list("alice@example.com").map((mail) => [mail.subject, mail.body])).to.deep.equal([
      ["Your order 1 is SHIPPED", "It ships."],
    ]);
  });

  it("answers a subscription of the same address for the same user with the same ARN, once in the topic's ARN", async () => {
    const first = await sns.subscribe("alice@example.com", "alice");

    const second = await sns.subscribe("alice@example.com", "alice");

    expect(second).to.equal(first);
    expect(first.startsWith(`${LOCAL_NOTIFICATIONS_TOPIC_ARN}:`)).to.equal(true);
    expect(sns.list()).to.have.length(1);
  });

  it("refuses to subscribe an address that already receives another user's mail", async () => {
    await sns.subscribe("shared@example.com", "alice");

    const refusal = await refusalOf(sns.subscribe("shared@example.com", "bob"));

    expect(refusal).to.be.instanceOf(ConflictError);
    expect((refusal as ConflictError).message).to.equal(
      "This e-mail address already receives another user's order mail",
    );
  });

  it("stops delivering to a subscription once it is unsubscribed", async () => {
    const old = await sns.subscribe("alice@example.com", "alice");
    await sns.subscribe("alice@new.example.com", "alice");

    await sns.unsubscribe(old);
    await sns.notify({ userId: "alice", subject: "s", message: "m" });

    expect(mailbox.list().map((mail) => mail.to)).to.deep.equal(["alice@new.example.com"]);
  });

  it("sends a notification with its subject cut to what SNS accepts, as the SNS adapter does", async () => {
    await sns.subscribe("alice@example.com", "alice");
    const subject = "s".repeat(SNS_LIMITS.subjectCharacters + 1);

    await sns.notify({ userId: "alice", subject, message: "m" });

    expect(mailbox.list().map((mail) => mail.subject)).to.deep.equal([subject.slice(0, SNS_LIMITS.subjectCharacters)]);
  });

  describe("refusing what SNS refuses", () => {
    /** Subscribes as many users as the topic's filter-policy quota holds; every OMS subscription has a filter policy. */
    async function fillTopic(): Promise<string[]> {
      const arns: string[] = [];
      for (let i = 0; i < SNS_LIMITS.filterPoliciesPerTopic; i++) {
        arns.push(await sns.subscribe(`user-${i}@example.com`, `user-${i}`));
      }
      return arns;
    }

    it("refuses a subscription beyond the topic's filter-policy quota with FilterPolicyLimitExceededException", async () => {
      await fillTopic();

      const refusal = await refusalOf(sns.subscribe("late@example.com", "late"));

      expect(refusal).to.be.instanceOf(FilterPolicyLimitExceededException);
      expect(refusal).to.deep.include({
        name: "FilterPolicyLimitExceededException",
        message: "Filter policy limit exceeded",
        $fault: "client",
        $metadata: { httpStatusCode: 403 },
      });
      expect(sns.list()).to.have.length(SNS_LIMITS.filterPoliciesPerTopic);
    });

    it("still answers an existing subscription on a full topic, and takes a new one once another is gone", async () => {
      const [first] = await fillTopic();

      const again = await sns.subscribe("user-0@example.com", "user-0");
      await sns.unsubscribe(again);
      const late = await refusalOf(sns.subscribe("late@example.com", "late"));

      expect(again).to.equal(first);
      expect(late).to.equal(undefined);
    });

    it("refuses a publish to a topic that does not exist with NotFoundException", async () => {
      const refusal = await refusalOf(
        sns.publish({
          TopicArn: `${LOCAL_NOTIFICATIONS_TOPIC_ARN}-gone`,
          Message: "m",
          MessageAttributes: forUser("a"),
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
          Message: "m".repeat(SNS_LIMITS.messageBytes - "userIdStringalice".length + 1),
          MessageAttributes: forUser("alice"),
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
      await sns.subscribe("alice@example.com", "alice");

      await sns.publish(
        toTopic({
          Message: "m".repeat(SNS_LIMITS.messageBytes - "userIdStringalice".length),
          MessageAttributes: forUser("alice"),
        }),
      );

      expect(mailbox.list()).to.have.length(1);
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
      await sns.subscribe("alice@example.com", "alice");

      await refusalOf(sns.publish(toTopic({ Message: "", MessageAttributes: forUser("alice") })));

      expect(mailbox.list()).to.deep.equal([]);
    });
  });

  describe("with a file", () => {
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "oms-sns-"));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it("keeps its subscriptions across restarts", async () => {
      const file = join(dir, "sns.json");
      const arn = await new LocalSns(mailbox, file).subscribe("alice@example.com", "alice");

      const restarted = new LocalSns(mailbox, file);
      await restarted.notify({ userId: "alice", subject: "s", message: "m" });

      expect(restarted.list()).to.deep.equal([
        { arn, email: "alice@example.com", filterPolicy: { userId: ["alice"] } },
      ]);
      expect(mailbox.list().map((mail) => mail.to)).to.deep.equal(["alice@example.com"]);
      expect(JSON.parse(readFileSync(file, "utf8"))).to.deep.equal(restarted.list());
    });
  });
});
