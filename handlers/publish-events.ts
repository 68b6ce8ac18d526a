import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { BatchProcessor, EventType as BatchEventType, processPartialResponse } from "@aws-lambda-powertools/batch";
import { Logger } from "@aws-lambda-powertools/logger";
import type { Context, DynamoDBBatchResponse, DynamoDBRecord, DynamoDBStreamEvent } from "aws-lambda";
import { type ChangedTable, type TableChange, eventFromChange } from "../domain/events";
import type { EventPublisher } from "../domain/ports";
import { inventoryTable, ordersTable } from "../storage/tables";
import { awsAdapters, requiredEnv } from "./adapters/from-environment";
import { type InjectedAdapters, decorated } from "./http";

/** The change-stream reader's function. */
export type StreamHandler = (event: DynamoDBStreamEvent, context: Context) => Promise<DynamoDBBatchResponse>;

/** What the change-stream reader needs from the outside world. */
export interface PublishEventsDeps {
  readonly events: EventPublisher;
  /** Each streamed table's physical name: a record's source ARN names the table it is from. */
  readonly tables: Readonly<Record<ChangedTable, string>>;
  readonly logger?: Logger;
}

/** The table name in a stream's ARN: `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`. */
export function streamTableName(eventSourceArn: string): string | undefined {
  return /:table\/([^/]+)\/stream\//.exec(eventSourceArn)?.[1];
}

/** A stored image as plain values (the Lambda event's attribute-value type is the SDK's, in other clothes). */
function imageOf(image: Record<string, unknown> | undefined): Record<string, unknown> | undefined {
  return image === undefined ? undefined : unmarshall(image as Record<string, AttributeValue>);
}

/** A stream record as the committed change it reports. Anything it lacks is a wiring bug, reported as such. */
function changeOf(record: DynamoDBRecord, tables: PublishEventsDeps["tables"]): TableChange {
  const name = streamTableName(record.eventSourceARN ?? "");
  const table = (Object.keys(tables) as ChangedTable[]).find((key) => tables[key] === name);
  const stream = record.dynamodb;
  if (!table) throw new Error(`Stream record ${record.eventID} is from ${record.eventSourceARN}, not a streamed table`);
  if (!record.eventID || !record.eventName || stream?.ApproximateCreationDateTime === undefined) {
    throw new Error(`Stream record ${record.eventID} lacks its id, kind or time`);
  }
  const before = imageOf(stream.OldImage);
  const after = imageOf(stream.NewImage);
  return {
    table,
    id: record.eventID,
    kind: record.eventName,
    // DynamoDB Streams gives the change's time in epoch seconds.
    at: new Date(stream.ApproximateCreationDateTime * 1000).toISOString(),
    ...(before ? { before } : {}),
    ...(after ? { after } : {}),
  };
}

/**
 * Reads the orders' and the inventory's change streams and publishes the event each committed
 * change makes (`eventFromChange`); a change that makes none is acknowledged. Records are taken
 * in stream order, one after another (Powertools Batch, sequentially): when one fails, it and every
 * record after it are reported as batch item failures, so that Lambda retries from it and no
 * event overtakes an earlier one. Publishing one again is harmless: subscribers deduplicate on its
 * id, the stream record's, which stays the same on every retry.
 */
export function makePublishEvents(deps: PublishEventsDeps): StreamHandler {
  const logger = deps.logger ?? new Logger();

  const handler: StreamHandler = async (event, context) => {
    // One processor per invocation: the local stack may run invocations side by side.
    const processor = new BatchProcessor(BatchEventType.DynamoDBStreams);
    let failed: string | undefined;
    const publishRecord = async (record: DynamoDBRecord): Promise<void> => {
      if (failed !== undefined) {
        throw new Error(`Record ${failed} before it failed: this change is published after that one`);
      }
      try {
        const published = eventFromChange(changeOf(record, deps.tables));
        if (!published) return;
        await deps.events.publish([published]);
        logger.info("Event published", { eventId: published.id, type: published.type });
      } catch (error) {
        failed = record.eventID ?? "?";
        logger.error("Change not published; it is retried with every change after it", {
          eventID: record.eventID,
          eventSourceARN: record.eventSourceARN,
          error: error instanceof Error ? error : String(error),
        });
        throw error;
      }
    };
    return processPartialResponse(event, publishRecord, processor, {
      context,
      processInParallel: false,
      // A batch whose every record failed is reported like any other, record by record: Lambda
      // retries it the same way, and its `Errors` metric keeps meaning a bug.
      throwOnFullBatchFailure: false,
    });
  };
  return decorated(handler, logger.injectLambdaContext({ resetKeys: true }));
}

/** Builds the change-stream reader once per cold start: the factory `pulumi up` serializes (see `infra/handler-code.ts`). */
export const publishEvents = (adapters: InjectedAdapters = {}): StreamHandler =>
  makePublishEvents({
    events: adapters.events ?? awsAdapters().eventPublisher(),
    tables: { orders: requiredEnv(ordersTable.envVar), inventory: requiredEnv(inventoryTable.envVar) },
  });
