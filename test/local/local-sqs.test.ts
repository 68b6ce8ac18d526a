import type { SQSEvent } from "aws-lambda";
import { expect } from "chai";
import { createHash } from "node:crypto";
import { MAIL_QUEUE } from "../../events/functions";
import { LocalQueue, QueuePoller, localQueueArn } from "../../local/local-sqs";

const VISIBILITY_MS = 1_000;

describe("LocalQueue", () => {
  let now: number;
  let deadLetters: LocalQueue;
  let queue: LocalQueue;

  beforeEach(() => {
    now = Date.parse("2026-11-27T10:00:00.000Z");
    deadLetters = new LocalQueue({ name: "mail-dlq", visibilityTimeoutMs: VISIBILITY_MS, now: () => now });
    queue = new LocalQueue({
      name: "mail",
      visibilityTimeoutMs: VISIBILITY_MS,
      redrivePolicy: { deadLetterQueue: deadLetters, maxReceiveCount: MAIL_QUEUE.maxReceiveCount },
      now: () => now,
    });
  });

  it("hands a message to Lambda as an SQS record: body, attributes, receive count, digest, source ARN", () => {
    const { MessageId } = queue.send({
      body: "hello",
      attributes: { type: { DataType: "String", StringValue: "OrderPlaced" } },
    });

    const [record] = queue.receive(10);

    expect(record).to.deep.include({
      messageId: MessageId,
      body: "hello",
      md5OfBody: createHash("md5").update("hello").digest("hex"),
      eventSource: "aws:sqs",
      eventSourceARN: localQueueArn("mail"),
      messageAttributes: {
        type: { stringValue: "OrderPlaced", stringListValues: [], binaryListValues: [], dataType: "String" },
      },
    });
    expect(record?.attributes).to.deep.include({
      ApproximateReceiveCount: "1",
      SentTimestamp: String(now),
      ApproximateFirstReceiveTimestamp: String(now),
    });
  });

  it("hides a received message for the visibility timeout, then delivers it again with its receive count up", () => {
    queue.send({ body: "m" });
    queue.receive(10);

    now += VISIBILITY_MS - 1;
    const hidden = queue.receive(10);
    now += 1;
    const again = queue.receive(10);

    expect(hidden).to.deep.equal([]);
    expect(again.map((record) => record.attributes.ApproximateReceiveCount)).to.deep.equal(["2"]);
  });

  it("forgets a message deleted with its current receipt handle, and ignores a stale handle", () => {
    queue.send({ body: "m" });
    const [first] = queue.receive(10);
    now += VISIBILITY_MS;
    const [second] = queue.receive(10);

    queue.delete(first?.receiptHandle ?? "");
    const kept = queue.depth();
    queue.delete(second?.receiptHandle ?? "");

    expect(kept).to.deep.equal({ visible: 0, inFlight: 1 });
    expect(queue.depth()).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it("receives at most the batch size asked for", () => {
    for (let i = 0; i < 15; i++) queue.send({ body: String(i) });

    expect(queue.receive(10)).to.have.length(10);
    expect(queue.receive(10)).to.have.length(5);
  });

  it(`moves a message received ${MAIL_QUEUE.maxReceiveCount} times to the dead-letter queue instead of delivering it again`, () => {
    queue.send({ body: "poison" });
    const counts: string[] = [];
    for (let i = 0; i < MAIL_QUEUE.maxReceiveCount; i++) {
      counts.push(...queue.receive(10).map((record) => record.attributes.ApproximateReceiveCount));
      now += VISIBILITY_MS;
    }

    const afterLast = queue.receive(10);

    expect(counts).to.deep.equal(Array.from({ length: MAIL_QUEUE.maxReceiveCount }, (_, i) => String(i + 1)));
    expect(afterLast).to.deep.equal([]);
    expect(deadLetters.peek()).to.deep.equal([{ body: "poison", receiveCount: MAIL_QUEUE.maxReceiveCount }]);
    expect(deadLetters.receive(1)[0]?.attributes.DeadLetterQueueSourceArn).to.equal(queue.arn);
  });

  it("redrives the dead-letter queue's messages to the queue they came from, counts reset", () => {
    queue.send({ body: "poison" });
    for (let i = 0; i <= MAIL_QUEUE.maxReceiveCount; i++) {
      queue.receive(10);
      now += VISIBILITY_MS;
    }

    const moved = deadLetters.redrive([queue]);

    expect(moved).to.equal(1);
    expect(deadLetters.peek()).to.deep.equal([]);
    expect(queue.peek()).to.deep.equal([{ body: "poison", receiveCount: 0 }]);
  });
});

describe("QueuePoller", () => {
  let queue: LocalQueue;
  let poller: QueuePoller | undefined;

  beforeEach(() => {
    queue = new LocalQueue({ name: "mail", visibilityTimeoutMs: 50 });
  });

  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });

  function polling(invoke: (event: SQSEvent) => Promise<{ batchItemFailures: { itemIdentifier: string }[] } | void>) {
    poller = new QueuePoller({ queue, invoke, batchSize: 10, idleMs: 5 });
    poller.start();
    return poller;
  }

  it("invokes the function with batches of at most its batch size and deletes what it acknowledged", async () => {
    for (let i = 0; i < 25; i++) queue.send({ body: String(i) });
    const batches: number[] = [];

    await polling(async (event) => void batches.push(event.Records.length)).drained(5_000);

    expect(batches.every((size) => size <= 10)).to.equal(true);
    expect(batches.reduce((sum, size) => sum + size, 0)).to.equal(25);
    expect(queue.depth()).to.deep.equal({ visible: 0, inFlight: 0 });
  });

  it("delivers a reported batch item failure again after the visibility timeout, and only it", async () => {
    queue.send({ body: "fails once" });
    queue.send({ body: "fine" });
    const seen: string[] = [];
    let failed = false;

    await polling(async (event) => {
      seen.push(...event.Records.map((record) => record.body));
      const failing = event.Records.find((record) => record.body === "fails once" && !failed);
      failed ||= failing !== undefined;
      return { batchItemFailures: failing ? [{ itemIdentifier: failing.messageId }] : [] };
    }).drained(5_000);

    expect(seen.sort()).to.deep.equal(["fails once", "fails once", "fine"]);
  });

  it("delivers the whole batch again when the invocation fails, and tells of the error", async () => {
    queue.send({ body: "m" });
    const errors: unknown[] = [];
    let calls = 0;
    poller = new QueuePoller({
      queue,
      batchSize: 10,
      idleMs: 5,
      onError: (error) => errors.push(error),
      invoke: async () => {
        calls += 1;
        if (calls === 1) throw new Error("cold start failed");
      },
    });
    poller.start();

    await poller.drained(5_000);

    expect(calls).to.equal(2);
    expect(errors.map((error) => (error as Error).message)).to.deep.equal(["cold start failed"]);
  });
});
