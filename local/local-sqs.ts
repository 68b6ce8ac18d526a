import type { Context, SQSBatchResponse, SQSEvent, SQSMessageAttributes, SQSRecord } from "aws-lambda";
import { createHash, randomUUID } from "node:crypto";

/** Local queues live in this account and region, like the local topic. */
const ACCOUNT_ID = "000000000000";
const REGION = "us-east-1";

/** A local queue's ARN, in AWS's shape. */
export function localQueueArn(name: string): string {
  return `arn:aws:sqs:${REGION}:${ACCOUNT_ID}:${name}`;
}

/** A message attribute as SQS stores it (and as SNS raw delivery hands it over). */
export interface QueueMessageAttribute {
  readonly DataType: string;
  readonly StringValue?: string;
}

/** What a sender puts on the queue. */
export interface QueueMessageInput {
  readonly body: string;
  readonly attributes?: Readonly<Record<string, QueueMessageAttribute>>;
}

interface StoredMessage {
  readonly messageId: string;
  readonly body: string;
  readonly attributes: Readonly<Record<string, QueueMessageAttribute>>;
  readonly sentAt: number;
  /** The queue it came from, once it was moved to a dead-letter queue. */
  readonly deadLetterSourceArn?: string;
  receiveCount: number;
  firstReceivedAt?: number;
  /** Until when it is invisible (in flight); 0 when visible. */
  invisibleUntil: number;
  /** The receipt handle of its current receive: deleting with an older one does nothing. */
  receiptHandle?: string;
}

/** Where a queue sends the messages it received too often ("Using dead-letter queues in Amazon SQS"). */
export interface RedrivePolicy {
  readonly deadLetterQueue: LocalQueue;
  /** Receives after which the next receive moves the message instead: `MAIL_QUEUE.maxReceiveCount`. */
  readonly maxReceiveCount: number;
}

/** Options for `LocalQueue`. */
export interface LocalQueueOptions {
  readonly name: string;
  /** How long a received message stays invisible before it is delivered again. */
  readonly visibilityTimeoutMs: number;
  readonly redrivePolicy?: RedrivePolicy;
  /** The clock; injectable so that specs decide when a message is visible again. */
  readonly now?: () => number;
}

/** What a queue holds right now, as SQS's approximate counts report it. */
export interface QueueDepth {
  /** `ApproximateNumberOfMessagesVisible`. */
  readonly visible: number;
  /** `ApproximateNumberOfMessagesNotVisible`: received, neither deleted nor visible again yet. */
  readonly inFlight: number;
}

function md5(text: string): string {
  return createHash("md5").update(text, "utf8").digest("hex");
}

/**
 * A standard SQS queue, offline and in memory: a received message is invisible for the visibility
 * timeout and comes back unless deleted with its current receipt handle; each receive counts, and
 * with a redrive policy a message already received `maxReceiveCount` times moves to the
 * dead-letter queue instead of being delivered again. Like a standard queue it delivers at least
 * once, in no promised order.
 */
export class LocalQueue {
  readonly name: string;
  readonly arn: string;
  private readonly messages = new Map<string, StoredMessage>();
  private readonly now: () => number;

  constructor(private readonly options: LocalQueueOptions) {
    this.name = options.name;
    this.arn = localQueueArn(options.name);
    this.now = options.now ?? (() => Date.now());
  }

  /** `SendMessage`: the message is visible at once. */
  send(message: QueueMessageInput): { MessageId: string } {
    const messageId = randomUUID();
    this.messages.set(messageId, {
      messageId,
      body: message.body,
      attributes: message.attributes ?? {},
      sentAt: this.now(),
      receiveCount: 0,
      invisibleUntil: 0,
    });
    return { MessageId: messageId };
  }

  /**
   * `ReceiveMessage` for Lambda's poller: up to `max` visible messages, each made invisible for the
   * visibility timeout and counted as received, as the records of an `SQSEvent`.
   */
  receive(max: number): SQSRecord[] {
    const now = this.now();
    const received: SQSRecord[] = [];
    for (const message of [...this.messages.values()]) {
      if (received.length >= max) break;
      if (message.invisibleUntil > now) continue;
      const redrive = this.options.redrivePolicy;
      if (redrive && message.receiveCount >= redrive.maxReceiveCount) {
        this.messages.delete(message.messageId);
        redrive.deadLetterQueue.accept(message, this.arn);
        continue;
      }
      message.receiveCount += 1;
      message.firstReceivedAt ??= now;
      message.invisibleUntil = now + this.options.visibilityTimeoutMs;
      message.receiptHandle = randomUUID();
      received.push(this.recordOf(message));
    }
    return received;
  }

  /** `DeleteMessage`: only the latest receive's handle deletes; an expired one is ignored, as SQS may. */
  delete(receiptHandle: string): void {
    for (const message of this.messages.values()) {
      if (message.receiptHandle === receiptHandle) {
        this.messages.delete(message.messageId);
        return;
      }
    }
  }

  /**
   * Moves every message back to the queue it came from, counts reset: the local mirror of the
   * console's "Start DLQ redrive" (`StartMessageMoveTask` without a destination). Returns how many moved.
   */
  redrive(sources: readonly LocalQueue[]): number {
    let moved = 0;
    for (const message of [...this.messages.values()]) {
      const source = sources.find((queue) => queue.arn === message.deadLetterSourceArn);
      if (!source) continue;
      this.messages.delete(message.messageId);
      source.send({ body: message.body, attributes: message.attributes });
      moved += 1;
    }
    return moved;
  }

  /** `PurgeQueue`: deletes every message it holds. */
  purge(): void {
    this.messages.clear();
  }

  depth(): QueueDepth {
    const now = this.now();
    const all = [...this.messages.values()];
    const inFlight = all.filter((message) => message.invisibleUntil > now).length;
    return { visible: all.length - inFlight, inFlight };
  }

  /** The bodies it holds, oldest first, for specs and diagnostics. */
  bodies(): string[] {
    return this.peek().map((message) => message.body);
  }

  /** What it holds, without receiving: each body and how often it was received. */
  peek(): { readonly body: string; readonly receiveCount: number }[] {
    return [...this.messages.values()].map(({ body, receiveCount }) => ({ body, receiveCount }));
  }

  /** A message moved here by a redrive policy keeps its id, body, attributes, sent time and receive count. */
  private accept(message: StoredMessage, sourceArn: string): void {
    this.messages.set(message.messageId, {
      messageId: message.messageId,
      body: message.body,
      attributes: message.attributes,
      sentAt: message.sentAt,
      deadLetterSourceArn: sourceArn,
      receiveCount: message.receiveCount,
      invisibleUntil: 0,
    });
  }

  private recordOf(message: StoredMessage): SQSRecord {
    const messageAttributes: SQSMessageAttributes = Object.fromEntries(
      Object.entries(message.attributes).map(([name, attribute]) => [
        name,
        {
          ...(attribute.StringValue === undefined ? {} : { stringValue: attribute.StringValue }),
          stringListValues: [],
          binaryListValues: [],
          dataType: attribute.DataType,
        },
      ]),
    );
    return {
      messageId: message.messageId,
      receiptHandle: message.receiptHandle ?? "",
      body: message.body,
      attributes: {
        ApproximateReceiveCount: String(message.receiveCount),
        SentTimestamp: String(message.sentAt),
        SenderId: ACCOUNT_ID,
        ApproximateFirstReceiveTimestamp: String(message.firstReceivedAt ?? message.sentAt),
        ...(message.deadLetterSourceArn ? { DeadLetterQueueSourceArn: message.deadLetterSourceArn } : {}),
      },
      messageAttributes,
      md5OfBody: md5(message.body),
      eventSource: "aws:sqs",
      eventSourceARN: this.arn,
      awsRegion: REGION,
    };
  }
}

/** A function Lambda invokes with a queue's messages. */
export type QueueHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

/** Options for `QueuePoller`. */
export interface QueuePollerOptions {
  readonly queue: LocalQueue;
  /** Invokes the function (the local stack wraps it as an invocation with a fresh context). */
  readonly invoke: (event: SQSEvent) => Promise<SQSBatchResponse | void>;
  /** Messages per invocation: the event source mapping's `BatchSize`. */
  readonly batchSize: number;
  /** Pause between polls of an empty queue. @default 50 */
  readonly idleMs?: number;
  /** Told of each failed invocation (the function's `Errors`). */
  readonly onError?: (error: unknown) => void;
}

/**
 * Lambda's SQS event source mapping, offline: receives batches, invokes the function, deletes
 * what it acknowledged. With `ReportBatchItemFailures`, the messages it names stay and come back
 * after the visibility timeout; a failed invocation leaves the whole batch to come back.
 */
export class QueuePoller {
  private running = false;
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private busy = 0;

  constructor(private readonly options: QueuePollerOptions) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Stops polling after the batch in hand; resolves once it is done. */
  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.loop;
  }

  /** Resolves once the queue has nothing visible or in flight (a spec's "wait until the mail is out"). */
  async drained(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { visible, inFlight } = this.options.queue.depth();
      if (visible === 0 && inFlight === 0 && this.busy === 0) return;
      if (Date.now() > deadline) {
        throw new Error(
          `Queue ${this.options.queue.name} still holds ${visible + inFlight} messages after ${timeoutMs} ms`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  private async run(): Promise<void> {
    while (this.running) {
      const records = this.options.queue.receive(this.options.batchSize);
      if (records.length === 0) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, this.options.idleMs ?? 50);
          this.wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        continue;
      }
      this.busy += 1;
      try {
        await this.deliver(records);
      } finally {
        this.busy -= 1;
      }
    }
  }

  private async deliver(records: SQSRecord[]): Promise<void> {
    let response: SQSBatchResponse | void;
    try {
      response = await this.options.invoke({ Records: records });
    } catch (error) {
      this.options.onError?.(error);
      return;
    }
    const failed = new Set((response?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    for (const record of records) {
      if (!failed.has(record.messageId)) this.options.queue.delete(record.receiptHandle);
    }
  }
}
