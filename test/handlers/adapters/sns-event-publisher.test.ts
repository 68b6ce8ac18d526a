import { PublishBatchCommand, type PublishBatchResponse, type SNSClient } from "@aws-sdk/client-sns";
import { expect } from "chai";
import { TransientError } from "../../../domain/errors";
import { EVENT_TYPE_ATTRIBUTE, EVENT_VERSION, EventType, type OmsEvent } from "../../../domain/events";
import { PUBLISH_BATCH_SIZE, snsEventPublisher } from "../../../handlers/adapters/sns-event-publisher";

const TOPIC = "arn:aws:sns:eu-west-1:123456789012:oms-dev-order-notifications";

const stockEvent = (n: number): OmsEvent => ({
  id: `change-${n}`,
  type: EventType.StockChanged,
  version: EVENT_VERSION,
  occurredAt: "2026-11-27T10:00:00.000Z",
  data: { itemId: "Headlight", from: n, to: n + 1 },
});

/** An SNS client that records each `PublishBatch` input and answers with `answer` (all taken by default). */
function fakeSns(answer: (input: PublishBatchCommand["input"]) => PublishBatchResponse = () => ({})) {
  const calls: PublishBatchCommand["input"][] = [];
  const client = {
    async send(command: unknown) {
      if (!(command instanceof PublishBatchCommand)) throw new Error("only PublishBatch is expected");
      calls.push(command.input);
      return answer(command.input);
    },
  } as unknown as SNSClient;
  return { client, calls };
}

describe("snsEventPublisher", () => {
  it(`publishes to the topic in batches of at most ${PUBLISH_BATCH_SIZE}, each event's JSON with its type as the attribute`, async () => {
    const { client, calls } = fakeSns();
    const events = Array.from({ length: PUBLISH_BATCH_SIZE * 2 + 3 }, (_, n) => stockEvent(n));

    await snsEventPublisher(client, TOPIC).publish(events);

    expect(calls.map((call) => call.PublishBatchRequestEntries?.length)).to.deep.equal([
      PUBLISH_BATCH_SIZE,
      PUBLISH_BATCH_SIZE,
      3,
    ]);
    expect(calls.every((call) => call.TopicArn === TOPIC)).to.equal(true);
    const entries = calls.flatMap((call) => call.PublishBatchRequestEntries ?? []);
    expect(entries.map((entry) => JSON.parse(entry.Message ?? "null") as unknown)).to.deep.equal(events);
    expect(entries.map((entry) => entry.MessageAttributes)).to.deep.equal(
      events.map((event) => ({ [EVENT_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: event.type } })),
    );
    for (const call of calls) {
      const ids = (call.PublishBatchRequestEntries ?? []).map((entry) => entry.Id);
      expect(new Set(ids).size, "entry ids unique within a call").to.equal(ids.length);
      for (const id of ids) expect(id).to.match(/^[A-Za-z0-9_-]{1,80}$/);
    }
  });

  it("fails with a TransientError naming the event when SNS does not take an entry", async () => {
    const { client } = fakeSns((input) => ({
      Successful: [],
      Failed: [{ Id: input.PublishBatchRequestEntries?.[1]?.Id, Code: "InternalError", SenderFault: false }],
    }));

    const publishing = snsEventPublisher(client, TOPIC).publish([stockEvent(0), stockEvent(1)]);

    const error = await publishing.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(TransientError);
    expect((error as Error).message).to.equal("SNS did not take 1 of 2 events: change-1: InternalError");
  });

  it("makes no call for no events", async () => {
    const { client, calls } = fakeSns();

    await snsEventPublisher(client, TOPIC).publish([]);

    expect(calls).to.deep.equal([]);
  });
});
