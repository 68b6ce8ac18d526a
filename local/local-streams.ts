import { DescribeTableCommand, type DynamoDBClient } from "@aws-sdk/client-dynamodb";
import {
  DescribeStreamCommand,
  type DynamoDBStreamsClient,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record,
  type Shard,
  TrimmedDataAccessException,
} from "@aws-sdk/client-dynamodb-streams";
import type { DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { existsSync, readFileSync, writeFileSync } from "node:fs";

/** A function Lambda invokes with a stream's records. */
export type StreamInvoke = (event: DynamoDBStreamEvent) => Promise<DynamoDBBatchResponse | void>;

/** Options for `LocalStreams`. */
export interface LocalStreamsOptions {
  readonly dynamodb: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  /** The physical names of the tables whose streams are read. */
  readonly tableNames: readonly string[];
  readonly invoke: StreamInvoke;
  /** Records per invocation: the event source mapping's `BatchSize`. @default 100, Lambda's default */
  readonly batchSize?: number;
  /** Pause between polls of a shard with nothing new. @default 100 */
  readonly idleMs?: number;
  /** Pause before a failed batch is tried again. @default 200 */
  readonly retryMs?: number;
  /** The region the records name, as Lambda's event does. */
  readonly region: string;
  /** Where each shard's position is kept, so that a restart goes on where it stopped; none when absent. */
  readonly positionsFile?: string;
  /** Told of each failed invocation (the function's `Errors`). */
  readonly onError?: (error: unknown) => void;
}

/** The last sequence number handled, per stream ARN and shard id. */
type Positions = Record<string, Record<string, string>>;

/** What Lambda hands the function: the stream record with `eventSourceARN`, its time in epoch seconds. */
function lambdaRecord(record: _Record, streamArn: string, region: string): DynamoDBRecord {
  const change = record.dynamodb ?? {};
  return {
    eventID: record.eventID,
    eventName: record.eventName,
    eventVersion: record.eventVersion,
    eventSource: "aws:dynamodb",
    awsRegion: region,
    dynamodb: {
      ...(change.ApproximateCreationDateTime === undefined
        ? {}
        : { ApproximateCreationDateTime: Math.floor(change.ApproximateCreationDateTime.getTime() / 1000) }),
      Keys: change.Keys,
      ...(change.NewImage === undefined ? {} : { NewImage: change.NewImage }),
      ...(change.OldImage === undefined ? {} : { OldImage: change.OldImage }),
      SequenceNumber: change.SequenceNumber,
      SizeBytes: change.SizeBytes,
      StreamViewType: change.StreamViewType,
    } as DynamoDBRecord["dynamodb"],
    eventSourceARN: streamArn,
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Lambda's DynamoDB Streams event source mapping, offline, over DynamoDB Local's Streams API: it
 * reads each table's shards in order (a child shard after its parent is done), invokes the
 * function with batches of records as Lambda does, and with `ReportBatchItemFailures` goes on
 * from the first failed record; a failed invocation is tried again from the same record, until it
 * succeeds (records are never skipped: at least once, in order per item). Like disabling the
 * event source mapping, `pause` stops invoking while the stream keeps the changes; `resume`
 * delivers them. With a positions file, a restart starts after the last record handled.
 */
export class LocalStreams {
  private readonly positions: Positions;
  private readonly finishedShards = new Set<string>();
  /** Per shard being read, when its latest poll that found nothing new started. */
  private readonly quietSince = new Map<string, number>();
  private running = false;
  private paused = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly options: LocalStreamsOptions) {
    const file = options.positionsFile;
    this.positions = file && existsSync(file) ? (JSON.parse(readFileSync(file, "utf8")) as Positions) : {};
  }

  /** Starts reading every table's stream. */
  async start(): Promise<void> {
    if (this.running) return;
    this.running = true;
    const arns = await Promise.all(this.options.tableNames.map((name) => this.streamArnOf(name)));
    this.loops = arns.map((arn) => this.readStream(arn));
  }

  /** Stops after the batch in hand; resolves once every reader is done. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  /** Stops invoking the function (the changes wait in the stream), as disabling the mapping does. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
  }

  /**
   * Resolves once every record written before the call has been handed to the function and
   * acknowledged: every shard has since started a poll that found nothing new.
   */
  async caughtUp(timeoutMs = 30_000): Promise<void> {
    const asked = Date.now();
    const deadline = asked + timeoutMs;
    while (this.quietSince.size === 0 || [...this.quietSince.values()].some((since) => since <= asked)) {
      if (Date.now() > deadline) throw new Error(`The streams are not caught up after ${timeoutMs} ms`);
      await sleep(this.options.idleMs ?? 100);
    }
  }

  private async streamArnOf(tableName: string): Promise<string> {
    const { Table } = await this.options.dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    if (!Table?.LatestStreamArn)
      throw new Error(`Table ${tableName} has no stream: create it with its definition's StreamSpecification`);
    return Table.LatestStreamArn;
  }

  private async readStream(streamArn: string): Promise<void> {
    const reading = new Map<string, Promise<void>>();
    while (this.running) {
      try {
        const { StreamDescription } = await this.options.streams.send(
          new DescribeStreamCommand({ StreamArn: streamArn }),
        );
        const shards = StreamDescription?.Shards ?? [];
        for (const shard of shards) {
          const id = shard.ShardId ?? "";
          if (reading.has(id) || this.finishedShards.has(`${streamArn}|${id}`)) continue;
          if (!this.parentDone(streamArn, shard, shards)) continue;
          reading.set(
            id,
            this.readShard(streamArn, id).finally(() => reading.delete(id)),
          );
        }
      } catch (error) {
        this.options.onError?.(error);
      }
      await sleep(1000);
    }
    await Promise.all(reading.values());
  }

  /** Lambda reads a child shard only once its parent is read to the end (or is gone). */
  private parentDone(streamArn: string, shard: Shard, shards: readonly Shard[]): boolean {
    const parent = shard.ParentShardId;
    if (!parent || !shards.some((candidate) => candidate.ShardId === parent)) return true;
    return this.finishedShards.has(`${streamArn}|${parent}`);
  }

  private async iteratorAfter(streamArn: string, shardId: string): Promise<string | undefined> {
    const position = this.positions[streamArn]?.[shardId];
    const { ShardIterator } = await this.options.streams.send(
      new GetShardIteratorCommand({
        StreamArn: streamArn,
        ShardId: shardId,
        ...(position
          ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER", SequenceNumber: position }
          : { ShardIteratorType: "TRIM_HORIZON" }),
      }),
    );
    return ShardIterator;
  }

  private async readShard(streamArn: string, shardId: string): Promise<void> {
    const key = `${streamArn}|${shardId}`;
    let iterator = await this.iteratorAfter(streamArn, shardId);
    while (this.running && iterator !== undefined) {
      if (this.paused) {
        await sleep(this.options.idleMs ?? 100);
        continue;
      }
      let records: _Record[];
      let next: string | undefined;
      const polled = Date.now();
      try {
        const page = await this.options.streams.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: this.options.batchSize ?? 100 }),
        );
        records = page.Records ?? [];
        next = page.NextShardIterator;
      } catch (error) {
        if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
          iterator = await this.iteratorAfter(streamArn, shardId);
          continue;
        }
        throw error;
      }
      if (records.length === 0) {
        this.quietSince.set(key, polled);
        iterator = next;
        if (next !== undefined) await sleep(this.options.idleMs ?? 100);
        continue;
      }
      this.quietSince.set(key, 0);
      const handled = await this.deliver(streamArn, records);
      if (handled === undefined) {
        // Every record was acknowledged: go on from the page's end.
        this.remember(streamArn, shardId, records[records.length - 1]?.dynamodb?.SequenceNumber);
        iterator = next;
      } else {
        // Go on from the first failed record, as Lambda's checkpoint does.
        this.remember(streamArn, shardId, handled);
        iterator = await this.iteratorAfter(streamArn, shardId);
        await sleep(this.options.retryMs ?? 200);
      }
    }
    this.quietSince.delete(key);
    // A shard without a next iterator is closed and read to its end: its children may start.
    if (iterator === undefined) this.finishedShards.add(key);
  }

  /**
   * Invokes the function with the records. Answers `undefined` when all were acknowledged, else
   * the sequence number of the last record before the first failure ("" for none).
   */
  private async deliver(streamArn: string, records: readonly _Record[]): Promise<string | undefined> {
    const event = { Records: records.map((record) => lambdaRecord(record, streamArn, this.options.region)) };
    let response: DynamoDBBatchResponse | void;
    try {
      response = await this.options.invoke(event);
    } catch (error) {
      this.options.onError?.(error);
      return this.before(records, 0);
    }
    const failures = (response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier);
    if (failures.length === 0) return undefined;
    // Lambda checkpoints at the lowest sequence number reported; an unknown identifier fails the whole batch.
    const indexes = failures.map((id) => records.findIndex((record) => record.dynamodb?.SequenceNumber === id));
    const first = indexes.some((index) => index < 0) ? 0 : Math.min(...indexes);
    return this.before(records, first);
  }

  /** The position just before `records[index]`: the previous record's sequence number, or the stored one. */
  private before(records: readonly _Record[], index: number): string {
    return index === 0 ? "" : (records[index - 1]?.dynamodb?.SequenceNumber ?? "");
  }

  private remember(streamArn: string, shardId: string, sequenceNumber: string | undefined): void {
    if (!sequenceNumber) return;
    this.positions[streamArn] = { ...this.positions[streamArn], [shardId]: sequenceNumber };
    if (this.options.positionsFile) writeFileSync(this.options.positionsFile, JSON.stringify(this.positions, null, 2));
  }
}
