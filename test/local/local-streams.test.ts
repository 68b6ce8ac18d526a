import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBStreamsClient } from "@aws-sdk/client-dynamodb-streams";
import { PutCommand, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { LocalStreams } from "../../local/local-streams";
import { inventoryTable } from "../../storage/tables";
import { documentClient, dynamoDbLocal, freshTable } from "../support/dynamodb";

describe("LocalStreams", function () {
  this.timeout(30_000);
  let dynamodb: DynamoDBClient;
  let streamsClient: DynamoDBStreamsClient;
  let table: string;
  let running: LocalStreams[] = [];
  let dir: string;

  before(async () => {
    const { endpoint } = await dynamoDbLocal();
    const config = { endpoint, region: "us-east-1", credentials: { accessKeyId: "local", secretAccessKey: "local" } };
    dynamodb = new DynamoDBClient(config);
    streamsClient = new DynamoDBStreamsClient(config);
  });

  beforeEach(async () => {
    table = await freshTable(inventoryTable);
    dir = mkdtempSync(join(tmpdir(), "oms-streams-"));
  });

  afterEach(async () => {
    await Promise.all(running.map((streams) => streams.stop()));
    running = [];
    rmSync(dir, { recursive: true, force: true });
  });

  after(() => {
    dynamodb.destroy();
    streamsClient.destroy();
  });

  async function write(itemId: string, quantity: number): Promise<void> {
    await (await documentClient()).send(new PutCommand({ TableName: table, Item: { itemId, quantity } }));
  }

  /** A reader of the table's stream that hands each batch to `invoke`. */
  async function reading(
    invoke: (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>,
    positionsFile?: string,
  ): Promise<LocalStreams> {
    const streams = new LocalStreams({
      dynamodb,
      streams: streamsClient,
      tableNames: [table],
      invoke,
      idleMs: 20,
      retryMs: 20,
      region: "eu-west-1",
      ...(positionsFile ? { positionsFile } : {}),
    });
    running.push(streams);
    await streams.start();
    return streams;
  }

  const itemOf = (record: DynamoDBRecord) => record.dynamodb?.Keys?.["itemId"]?.S;

  it("hands the function each change as Lambda's event does: the stream's ARN, both images, the time in epoch seconds", async () => {
    const records: DynamoDBRecord[] = [];
    const streams = await reading(async (event) => void records.push(...event.Records));
    const before = Math.floor(Date.now() / 1000) - 60;

    await write("wheel", 1);
    await (
      await documentClient()
    ).send(
      new UpdateCommand({
        TableName: table,
        Key: { itemId: "wheel" },
        UpdateExpression: "SET quantity = :q",
        ExpressionAttributeValues: { ":q": 2 },
      }),
    );
    await streams.caughtUp();

    expect(records.map((record) => record.eventName)).to.deep.equal(["INSERT", "MODIFY"]);
    const modify = records[1];
    expect(modify?.eventSourceARN).to.match(new RegExp(`:table/${table}/stream/`));
    expect(modify).to.deep.include({ eventSource: "aws:dynamodb", awsRegion: "eu-west-1" });
    expect(modify?.dynamodb?.OldImage).to.deep.equal({ itemId: { S: "wheel" }, quantity: { N: "1" } });
    expect(modify?.dynamodb?.NewImage).to.deep.equal({ itemId: { S: "wheel" }, quantity: { N: "2" } });
    expect(modify?.dynamodb?.ApproximateCreationDateTime).to.be.a("number").and.to.be.above(before);
  });

  it("goes on from the first failed record when the function reports it, as ReportBatchItemFailures does", async () => {
    const delivered: string[] = [];
    let failedOnce = false;
    const streams = await reading(async (event) => {
      delivered.push(...event.Records.map((record) => itemOf(record) ?? "?"));
      const second = event.Records.find((record) => itemOf(record) === "b");
      if (second && !failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: second.dynamodb?.SequenceNumber ?? "" }] };
      }
      return { batchItemFailures: [] };
    });

    for (const item of ["a", "b", "c"]) await write(item, 1);
    await streams.caughtUp();

    // "a" is acknowledged once; "b" and what follows it come again.
    expect(delivered.filter((item) => item === "a")).to.have.length(1);
    expect(delivered.filter((item) => item === "b")).to.have.length(2);
    expect(delivered.slice(-2)).to.deep.equal(["b", "c"]);
  });

  it("tries a failed invocation again from the same record, and tells of the error", async () => {
    const delivered: string[] = [];
    let calls = 0;
    const errors: unknown[] = [];
    const streams = new LocalStreams({
      dynamodb,
      streams: streamsClient,
      tableNames: [table],
      idleMs: 20,
      retryMs: 20,
      region: "us-east-1",
      onError: (error) => errors.push(error),
      invoke: async (event) => {
        calls += 1;
        if (calls === 1) throw new Error("publisher down");
        delivered.push(...event.Records.map((record) => itemOf(record) ?? "?"));
      },
    });
    running.push(streams);
    await streams.start();

    await write("a", 1);
    await streams.caughtUp();

    expect(delivered).to.deep.equal(["a"]);
    expect(errors.map((error) => (error as Error).message)).to.deep.equal(["publisher down"]);
  });

  it("holds changes while paused and delivers them on resume", async () => {
    const delivered: string[] = [];
    const streams = await reading(async (event) => void delivered.push(...event.Records.map((r) => itemOf(r) ?? "?")));
    streams.pause();

    await write("held", 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
    const whilePaused = [...delivered];
    streams.resume();
    await streams.caughtUp();

    expect(whilePaused).to.deep.equal([]);
    expect(delivered).to.deep.equal(["held"]);
  });

  it("starts after the last record handled when restarted with its positions file", async () => {
    const file = join(dir, "positions.json");
    const first: string[] = [];
    const firstReader = await reading(
      async (event) => void first.push(...event.Records.map((r) => itemOf(r) ?? "?")),
      file,
    );
    await write("before", 1);
    await firstReader.caughtUp();
    await firstReader.stop();

    await write("after", 1);
    const second: string[] = [];
    const secondReader = await reading(
      async (event) => void second.push(...event.Records.map((r) => itemOf(r) ?? "?")),
      file,
    );
    await secondReader.caughtUp();

    expect([first, second]).to.deep.equal([["before"], ["after"]]);
  });
});
