import { marshall } from "@aws-sdk/util-dynamodb";
import { Logger } from "@aws-lambda-powertools/logger";
import type { DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { expect } from "chai";
import { TransientError } from "../../domain/errors";
import { EVENT_VERSION, type OmsEvent } from "../../domain/events";
import type { Order } from "../../domain/order";
import type { EventPublisher } from "../../domain/ports";
import { makePublishEvents, streamTableName } from "../../handlers/publish-events";
import { lambdaContext } from "../../local/lambda-context";

const tables = { orders: "oms-dev-orders-1a2b3c", inventory: "oms-dev-inventory-4d5e6f" };
const streamArn = (table: string) =>
  `arn:aws:dynamodb:eu-west-1:123456789012:table/${table}/stream/2026-11-27T10:00:00.000`;

const order: Order = {
  OrderId: "00000000-0000-4000-8000-000000000001",
  ownerId: "alice",
  customerName: "Alice",
  product: "Headlight",
  quantity: 2,
  items: [{ product: "Headlight", quantity: 2 }],
  status: "PLACED",
  createdAt: "2026-11-27T10:00:00.000Z",
};
const shipped: Order = { ...order, status: "SHIPPED", updatedAt: "2026-11-27T10:05:00.000Z" };
/** 2026-11-27T10:05:00Z, as DynamoDB Streams gives it: epoch seconds. */
const AT_SECONDS = Date.parse("2026-11-27T10:05:00.000Z") / 1000;

let sequence = 0;
/** A stream record as Lambda delivers it, the images marshalled as DynamoDB stores them. */
function record(
  table: string,
  eventName: "INSERT" | "MODIFY" | "REMOVE",
  images: { before?: object; after?: object },
): DynamoDBRecord {
  sequence += 1;
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventVersion: "1.1",
    eventSource: "aws:dynamodb",
    awsRegion: "eu-west-1",
    eventSourceARN: streamArn(table),
    dynamodb: {
      ApproximateCreationDateTime: AT_SECONDS,
      Keys: {},
      SequenceNumber: String(sequence).padStart(21, "0"),
      SizeBytes: 100,
      StreamViewType: "NEW_AND_OLD_IMAGES",
      ...(images.before ? { OldImage: marshall(images.before) as never } : {}),
      ...(images.after ? { NewImage: marshall(images.after) as never } : {}),
    },
  };
}

const stored = (o: Order) => ({ ...o, kind: "ORDER" });
const placedRecord = () => record(tables.orders, "INSERT", { after: stored(order) });
const shippedRecord = () => record(tables.orders, "MODIFY", { before: stored(order), after: stored(shipped) });
const stockRecord = () =>
  record(tables.inventory, "MODIFY", {
    before: { itemId: "Headlight", quantity: 4 },
    after: { itemId: "Headlight", quantity: 2, reservations: new Set([order.OrderId]) },
  });

/** Records every event it is asked to publish; fails the calls `failing` names (1-based). */
function recordingPublisher(failing: (call: number) => boolean = () => false) {
  const published: OmsEvent[] = [];
  let calls = 0;
  const publisher: EventPublisher = {
    async publish(events) {
      calls += 1;
      if (failing(calls)) throw new TransientError("SNS did not take 1 of 1 events");
      published.push(...events);
    },
  };
  return { publisher, published };
}

const context = () =>
  lambdaContext({
    functionName: "publish-events",
    memoryMb: 256,
    timeoutSeconds: 30,
    region: "eu-west-1",
    accountId: "123456789012",
  });

function handlerWith(events: EventPublisher) {
  return makePublishEvents({ events, tables, logger: new Logger({ logLevel: "SILENT" }) });
}

const streamEvent = (...Records: DynamoDBRecord[]): DynamoDBStreamEvent => ({ Records });
const failures = (...records: DynamoDBRecord[]) =>
  records.map((r) => ({ itemIdentifier: r.dynamodb?.SequenceNumber ?? "" }));

describe("publishEvents, the change-stream reader", () => {
  it("publishes the event of each committed change, in stream order, from both tables", async () => {
    const { publisher, published } = recordingPublisher();
    const records = [placedRecord(), shippedRecord(), stockRecord()];

    const response = await handlerWith(publisher)(streamEvent(...records), context());

    expect(response).to.deep.equal({ batchItemFailures: [] });
    // Each write's own stamp where the item has one, else the stream record's time.
    const streamTime = new Date(AT_SECONDS * 1000).toISOString();
    expect(published).to.deep.equal([
      {
        id: records[0]?.eventID,
        type: "OrderPlaced",
        version: EVENT_VERSION,
        occurredAt: order.createdAt,
        data: { order },
      },
      {
        id: records[1]?.eventID,
        type: "OrderStatusChanged",
        version: EVENT_VERSION,
        occurredAt: shipped.updatedAt,
        data: { order: shipped, from: "PLACED", to: "SHIPPED" },
      },
      {
        id: records[2]?.eventID,
        type: "StockChanged",
        version: EVENT_VERSION,
        occurredAt: streamTime,
        data: { itemId: "Headlight", from: 4, to: 2 },
      },
    ]);
  });

  it("acknowledges a change that makes no event, publishing nothing for it", async () => {
    const { publisher, published } = recordingPublisher();
    const unchanged = record(tables.inventory, "REMOVE", { before: { itemId: "Headlight", quantity: 4 } });

    const response = await handlerWith(publisher)(streamEvent(unchanged, placedRecord()), context());

    expect(response).to.deep.equal({ batchItemFailures: [] });
    expect(published.map((event) => event.type)).to.deep.equal(["OrderPlaced"]);
  });

  it("reports a record whose publish failed and every record after it, so that Lambda retries from it in order", async () => {
    const { publisher, published } = recordingPublisher((call) => call === 2);
    const records = [placedRecord(), shippedRecord(), stockRecord(), placedRecord()];

    const response = await handlerWith(publisher)(streamEvent(...records), context());

    expect(response).to.deep.equal({ batchItemFailures: failures(...records.slice(1)) });
    expect(published.map((event) => event.id)).to.deep.equal([records[0]?.eventID]);
  });

  it("reports every record, rather than throwing, when the first one fails", async () => {
    const { publisher, published } = recordingPublisher((call) => call === 1);
    const records = [placedRecord(), shippedRecord()];

    const response = await handlerWith(publisher)(streamEvent(...records), context());

    expect(response).to.deep.equal({ batchItemFailures: failures(...records) });
    expect(published).to.deep.equal([]);
  });

  it("publishes a change delivered again as the same event, with the same id", async () => {
    const { publisher, published } = recordingPublisher((call) => call === 1);
    const placed = placedRecord();
    const handler = handlerWith(publisher);

    const first = await handler(streamEvent(placed), context());
    const retried = await handler(streamEvent(placed), context());

    expect(first).to.deep.equal({ batchItemFailures: failures(placed) });
    expect(retried).to.deep.equal({ batchItemFailures: [] });
    expect(published.map((event) => event.id)).to.deep.equal([placed.eventID]);
  });

  it("fails a record from a table it does not read: a wiring bug, never an invented event", async () => {
    const { publisher, published } = recordingPublisher();
    const stray = record("oms-dev-users-7a8b9c", "INSERT", { after: { userId: "alice" } });

    const response = await handlerWith(publisher)(streamEvent(stray), context());

    expect(response).to.deep.equal({ batchItemFailures: failures(stray) });
    expect(published).to.deep.equal([]);
  });

  it("reads the table's name out of a stream ARN", () => {
    expect(streamTableName(streamArn(tables.orders))).to.equal(tables.orders);
    expect(streamTableName("arn:aws:sqs:eu-west-1:123456789012:queue")).to.equal(undefined);
  });
});
