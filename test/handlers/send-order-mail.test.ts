import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import { DynamoDBPersistenceLayer } from "@aws-lambda-powertools/idempotency/dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import type { SQSEvent, SQSRecord } from "aws-lambda";
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { MailRejectedError, TransientError } from "../../domain/errors";
import { EVENT_VERSION, EventType, type OmsEvent } from "../../domain/events";
import { orderMail } from "../../domain/mail";
import type { Order } from "../../domain/order";
import {
  BusinessMetric,
  type Mailer,
  type OrderRepository,
  type OutgoingMail,
  type UserRepository,
} from "../../domain/ports";
import { SYSTEM_ACTOR, type TimelineEntry, TimelineEvent } from "../../domain/timeline";
import type { UserProfile } from "../../domain/user";
import { dynamoOrderRepository } from "../../handlers/adapters/dynamo-order-repository";
import { dynamoUserRepository } from "../../handlers/adapters/dynamo-user-repository";
import { makeSendOrderMail } from "../../handlers/send-order-mail";
import { lambdaContext } from "../../local/lambda-context";
import { LocalMetrics } from "../../local/local-metrics";
import { idempotencyTable, orderTimelineTable, usersTable } from "../../storage/tables";
import { documentClient, dynamoDbLocal, freshTable } from "../support/dynamodb";

const orderOf = (ownerId: string, n: number): Order => ({
  OrderId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  ownerId,
  customerName: ownerId,
  product: "Headlight",
  quantity: 1,
  items: [{ product: "Headlight", quantity: 1 }],
  status: "PLACED",
  createdAt: "2026-11-27T10:00:00.000Z",
});

const placed = (order: Order, id = randomUUID()): OmsEvent => ({
  id,
  type: EventType.OrderPlaced,
  version: EVENT_VERSION,
  occurredAt: "2026-11-27T10:00:01.000Z",
  data: { order },
});

const profileOf = (userId: string, orderMailOn = true): UserProfile => ({
  userId,
  name: userId,
  email: `${userId}@example.com`,
  orderMail: orderMailOn,
  createdAt: "2026-11-27T09:00:00.000Z",
  updatedAt: "2026-11-27T09:00:00.000Z",
});

/** One SQS message as Lambda delivers it; SNS raw message delivery puts the event itself in the body. */
function message(body: string, receiveCount = 1): SQSRecord {
  return {
    messageId: randomUUID(),
    receiptHandle: randomUUID(),
    body,
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: "1796032801000",
      SenderId: "AIDAEXAMPLE",
      ApproximateFirstReceiveTimestamp: "1796032801000",
    },
    messageAttributes: {},
    md5OfBody: "",
    eventSource: "aws:sqs",
    eventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:oms-dev-customer-mail",
    awsRegion: "eu-west-1",
  };
}
const delivery = (event: OmsEvent, receiveCount = 1) => message(JSON.stringify(event), receiveCount);
const batch = (...Records: SQSRecord[]): SQSEvent => ({ Records });
const failures = (...records: SQSRecord[]) => records.map((r) => ({ itemIdentifier: r.messageId }));

/** Records every mail; `failWith` decides, per attempt (1-based), whether SES says no. */
function recordingMailer(failWith: (attempt: number, mail: OutgoingMail) => Error | undefined = () => undefined) {
  const sent: OutgoingMail[] = [];
  let attempts = 0;
  const mailer: Mailer = {
    async send(mail) {
      attempts += 1;
      const error = failWith(attempts, mail);
      if (error) throw error;
      sent.push(mail);
    },
  };
  return { mailer, sent };
}

/** One write of a timeline entry, as the mailer asked for it. */
interface TimelineWrite {
  readonly orderId: string;
  readonly key: string;
  readonly entry: TimelineEntry;
}

/**
 * The orders' timelines, kept as the port promises: an entry already recorded under a key is not
 * written again. Every write asked for is kept too; `failWith` decides, per write (1-based),
 * whether DynamoDB says "not now".
 */
function recordingTimelines(failWith: (attempt: number) => Error | undefined = () => undefined) {
  const writes: TimelineWrite[] = [];
  const recorded = new Map<string, TimelineWrite>();
  const orders: Pick<OrderRepository, "record"> = {
    async record(orderId, key, entry) {
      const error = failWith(writes.length + 1);
      writes.push({ orderId, key, entry });
      if (error) throw error;
      if (!recorded.has(`${orderId} ${key}`)) recorded.set(`${orderId} ${key}`, { orderId, key, entry });
    },
  };
  return { orders, writes, recorded: () => [...recorded.values()] };
}

/** When SES answered, in every spec: the time each timeline entry is dated. */
const NOW = new Date("2026-11-27T10:00:02.000Z");

const context = () =>
  lambdaContext({
    functionName: "send-order-mail",
    memoryMb: 256,
    timeoutSeconds: 30,
    region: "eu-west-1",
    accountId: "123456789012",
  });

describe("sendOrderMail, the order mailer, on DynamoDB Local", function () {
  this.timeout(30_000);
  let users: UserRepository;
  let idempotency: DynamoDBPersistenceLayer;
  /** Another client of the same idempotency table, as another version of the mailer would have. */
  let anotherIdempotencyClient: () => DynamoDBPersistenceLayer;
  let metrics: LocalMetrics;

  beforeEach(async () => {
    const { endpoint } = await dynamoDbLocal();
    users = dynamoUserRepository(await documentClient(), await freshTable(usersTable));
    const tableName = await freshTable(idempotencyTable);
    anotherIdempotencyClient = () =>
      new DynamoDBPersistenceLayer({
        tableName,
        clientConfig: {
          endpoint,
          region: "us-east-1",
          credentials: { accessKeyId: "local", secretAccessKey: "local" },
        },
      });
    idempotency = anotherIdempotencyClient();
    metrics = new LocalMetrics();
    await users.create(profileOf("alice"));
    await users.create(profileOf("bob"));
  });

  const mailerWith = (mailer: Mailer, orders = recordingTimelines().orders) =>
    makeSendOrderMail({
      users,
      mailer,
      orders,
      metrics,
      idempotency,
      logger: new Logger({ logLevel: "SILENT" }),
      now: () => NOW,
    });

  it("e-mails each order's owner about their own order, and nobody else", async () => {
    const { mailer, sent } = recordingMailer();
    const events = [placed(orderOf("alice", 1)), placed(orderOf("bob", 2))];

    const response = await mailerWith(mailer)(batch(...events.map((e) => delivery(e))), context());

    expect(response).to.deep.equal({ batchItemFailures: [] });
    expect(sent).to.have.deep.members([
      orderMail(events[0] as never, profileOf("alice")),
      orderMail(events[1] as never, profileOf("bob")),
    ]);
  });

  it("mails an event once when SQS delivers it twice, in two batches or in one", async () => {
    const { mailer, sent } = recordingMailer();
    const handler = mailerWith(mailer);
    const again = placed(orderOf("alice", 1));
    const twiceInOne = placed(orderOf("bob", 2));
    const twin = [delivery(twiceInOne), delivery(twiceInOne)];

    const first = await handler(batch(delivery(again)), context());
    const second = await handler(batch(delivery(again, 2)), context());
    const together = await handler(batch(...twin), context());
    // A twin that found the other in progress failed; SQS delivers it again.
    const redelivered = await handler(
      batch(...twin.filter((r) => together.batchItemFailures.some((f) => f.itemIdentifier === r.messageId))),
      context(),
    );

    expect([first, second, redelivered]).to.deep.equal([
      { batchItemFailures: [] },
      { batchItemFailures: [] },
      { batchItemFailures: [] },
    ]);
    expect(together.batchItemFailures.length).to.be.at.most(1);
    expect(sent.map((mail) => mail.to)).to.deep.equal(["alice@example.com", "bob@example.com"]);
  });

  it("fails the message when SES says not now, and mails it once when it is delivered again", async () => {
    const { mailer, sent } = recordingMailer((attempt) =>
      attempt === 1 ? new TransientError("SES: TooManyRequestsException") : undefined,
    );
    const timelines = recordingTimelines();
    const handler = mailerWith(mailer, timelines.orders);
    const event = placed(orderOf("alice", 1));
    const first = delivery(event);

    const failed = await handler(batch(first), context());
    const retried = await handler(batch(delivery(event, 2)), context());

    expect(failed).to.deep.equal({ batchItemFailures: failures(first) });
    expect(retried).to.deep.equal({ batchItemFailures: [] });
    expect(sent.map((mail) => mail.to)).to.deep.equal(["alice@example.com"]);
    expect(timelines.writes.map((write) => write.entry.event)).to.deep.equal([TimelineEvent.MailSent]);
    expect(metrics.snapshot()).to.deep.equal({});
  });

  it("acknowledges a mail SES refuses for good, counts it once as NotificationFailures, and never tries it again", async () => {
    let attempts = 0;
    const { mailer, sent } = recordingMailer(() => {
      attempts += 1;
      return new MailRejectedError("SES refused the mail: MessageRejected: Email address is not verified.");
    });
    const handler = mailerWith(mailer);
    const event = placed(orderOf("alice", 1));

    const response = await handler(batch(delivery(event)), context());
    const redelivered = await handler(batch(delivery(event, 2)), context());

    expect([response, redelivered]).to.deep.equal([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
    expect(sent).to.deep.equal([]);
    expect(attempts).to.equal(1);
    expect(metrics.snapshot()).to.deep.equal({ [BusinessMetric.NotificationFailures]: 1 });
  });

  describe("the order's timeline", () => {
    const mailSent = (order: Order, eventId: string): TimelineWrite => ({
      orderId: order.OrderId,
      key: `mail#${eventId}`,
      entry: {
        at: NOW.toISOString(),
        by: SYSTEM_ACTOR,
        event: TimelineEvent.MailSent,
        subject: `Your order ${order.OrderId} is placed`,
      },
    });

    it("records each mail sent on its order's timeline: mailSent, by the system, with the mail's subject", async () => {
      const { mailer } = recordingMailer();
      const timelines = recordingTimelines();
      const [alices, bobs] = [orderOf("alice", 1), orderOf("bob", 2)];
      const [alicesPlaced, bobsPlaced] = [placed(alices), placed(bobs)];

      await mailerWith(mailer, timelines.orders)(batch(delivery(alicesPlaced), delivery(bobsPlaced)), context());

      expect(timelines.recorded()).to.have.deep.members([
        mailSent(alices, alicesPlaced.id),
        mailSent(bobs, bobsPlaced.id),
      ]);
    });

    it("records a mail once when SQS delivers its event again: the same entry under the same key", async () => {
      const { mailer, sent } = recordingMailer();
      const timelines = recordingTimelines();
      const handler = mailerWith(mailer, timelines.orders);
      const order = orderOf("alice", 1);
      const event = placed(order);

      await handler(batch(delivery(event)), context());
      await handler(batch(delivery(event, 2)), context());

      expect(sent).to.have.length(1);
      expect(timelines.recorded()).to.deep.equal([mailSent(order, event.id)]);
      for (const write of timelines.writes) expect(write).to.deep.equal(mailSent(order, event.id));
    });

    it("keeps one entry in the order's timeline table, however often SQS delivers the event", async () => {
      const { mailer } = recordingMailer();
      // The mailer is told the timeline table alone, as its grants name it alone.
      const orders = dynamoOrderRepository(await documentClient(), {
        orders: "",
        inventory: "",
        reservations: "",
        orderLines: "",
        orderTimeline: await freshTable(orderTimelineTable),
      });
      const handler = mailerWith(mailer, orders);
      const order = orderOf("alice", 1);
      const event = placed(order);

      await handler(batch(delivery(event)), context());
      await handler(batch(delivery(event, 2)), context());

      expect(await orders.timeline(order.OrderId)).to.deep.equal([mailSent(order, event.id).entry]);
    });

    it("fails the message when the timeline says not now, and records the mail on redelivery without mailing it again", async () => {
      const { mailer, sent } = recordingMailer();
      const timelines = recordingTimelines((attempt) =>
        attempt === 1 ? new TransientError("DynamoDB: ProvisionedThroughputExceededException") : undefined,
      );
      const handler = mailerWith(mailer, timelines.orders);
      const order = orderOf("alice", 1);
      const event = placed(order);
      const first = delivery(event);

      const failed = await handler(batch(first), context());
      const retried = await handler(batch(delivery(event, 2)), context());

      expect([failed, retried]).to.deep.equal([{ batchItemFailures: failures(first) }, { batchItemFailures: [] }]);
      expect(sent.map((mail) => mail.to)).to.deep.equal(["alice@example.com"]);
      expect(timelines.recorded()).to.deep.equal([mailSent(order, event.id)]);
    });

    it("records a mail SES refuses for good as mailFailed, with SES's reason, once", async () => {
      const reason = "SES refused the mail: MessageRejected: Email address is not verified.";
      const { mailer } = recordingMailer(() => new MailRejectedError(reason));
      const timelines = recordingTimelines();
      const handler = mailerWith(mailer, timelines.orders);
      const order = orderOf("alice", 1);
      const event = placed(order);

      await handler(batch(delivery(event)), context());
      await handler(batch(delivery(event, 2)), context());

      expect(timelines.recorded()).to.deep.equal([
        {
          orderId: order.OrderId,
          key: `mail#${event.id}`,
          entry: {
            at: NOW.toISOString(),
            by: SYSTEM_ACTOR,
            event: TimelineEvent.MailFailed,
            subject: `Your order ${order.OrderId} is placed`,
            reason,
          },
        },
      ]);
    });

    it("records nothing, and mails nobody, for an event mailed about before mails went on timelines", async () => {
      const { mailer, sent } = recordingMailer();
      const timelines = recordingTimelines();
      const event = placed(orderOf("alice", 1));
      // What the mailer remembered of an event before: the bare outcome.
      const config = new IdempotencyConfig({ eventKeyJmesPath: "id" });
      config.registerLambdaContext(context());
      const earlierMailer = makeIdempotent(async (_event: OmsEvent) => "sent", {
        persistenceStore: anotherIdempotencyClient(),
        keyPrefix: "send-order-mail",
        config,
      });
      await earlierMailer(event);

      const response = await mailerWith(mailer, timelines.orders)(batch(delivery(event, 2)), context());

      expect(response).to.deep.equal({ batchItemFailures: [] });
      expect(sent).to.deep.equal([]);
      expect(timelines.writes).to.deep.equal([]);
    });
  });

  it("mails nobody whose order mail is off, or who has no profile, records nothing on their orders' timelines, and acknowledges the event", async () => {
    const { mailer, sent } = recordingMailer();
    const timelines = recordingTimelines();
    await users.create(profileOf("carol", false));
    const events = [placed(orderOf("carol", 1)), placed(orderOf("dave", 2))];

    const response = await mailerWith(mailer, timelines.orders)(batch(...events.map((e) => delivery(e))), context());

    expect(response).to.deep.equal({ batchItemFailures: [] });
    expect(sent).to.deep.equal([]);
    expect(timelines.writes).to.deep.equal([]);
  });

  it("honours order mail turned off after the order was placed", async () => {
    const { mailer, sent } = recordingMailer();
    const before = await users.get("alice");
    await users.update(
      { ...profileOf("alice", false), updatedAt: "2026-11-27T09:30:00.000Z" },
      before?.updatedAt ?? "",
    );

    await mailerWith(mailer)(batch(delivery(placed(orderOf("alice", 1)))), context());

    expect(sent).to.deep.equal([]);
  });

  it("fails a message that is not an event (poison), and still mails the others of its batch", async () => {
    const { mailer, sent } = recordingMailer();
    const notJson = message("{not json");
    const notAnEvent = message(JSON.stringify({ id: "x", type: "OrderPlaced", version: 1 }));
    const good = delivery(placed(orderOf("alice", 1)));

    const response = await mailerWith(mailer)(batch(notJson, notAnEvent, good), context());

    expect(response).to.deep.equal({ batchItemFailures: failures(notJson, notAnEvent) });
    expect(sent.map((mail) => mail.to)).to.deep.equal(["alice@example.com"]);
  });

  it("acknowledges, without mail, an event customers are not mailed about", async () => {
    const { mailer, sent } = recordingMailer();
    const stock: OmsEvent = {
      id: randomUUID(),
      type: EventType.StockChanged,
      version: EVENT_VERSION,
      occurredAt: "2026-11-27T10:00:01.000Z",
      data: { itemId: "Headlight", from: 4, to: 3 },
    };

    const response = await mailerWith(mailer)(batch(delivery(stock)), context());

    expect(response).to.deep.equal({ batchItemFailures: [] });
    expect(sent).to.deep.equal([]);
  });
});
