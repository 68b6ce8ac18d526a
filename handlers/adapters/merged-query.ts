import { QueryCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { ValidationError } from "../../domain/errors";
import type { PlacedBetween } from "../../domain/order-search";
import type { Page, PageRequest } from "../../domain/pagination";
import type { IndexDefinition, TableDefinition } from "../../storage/tables";
import { withDynamoDbErrors } from "./dynamodb-errors";
import { INVALID_PAGE_TOKEN, checkedKey, encodePageToken, tokenObject } from "./page-token";

/** One partition of one index to read newest first: a shard of a sharded index, or one owner's orders. */
export interface QuerySource {
  readonly tableName: string;
  readonly table: TableDefinition;
  readonly index: IndexDefinition & { readonly sortKey: { readonly name: string } };
  readonly partition: string;
}

type Item = Record<string, unknown>;

/** Where each source stopped: the key of the last item handed out from it, `null` once it has no more, absent if untouched. */
type Cursors = Record<string, Item | null>;

/** The key attributes DynamoDB needs to go on from an item of `source`: the table's keys and the index's. */
function keyNames(source: QuerySource): string[] {
  const { table, index } = source;
  return [
    ...new Set(
      [table.partitionKey.name, table.sortKey?.name, index.partitionKey.name, index.sortKey.name].filter(
        (name): name is string => name !== undefined,
      ),
    ),
  ];
}

function keyOf(item: Item, source: QuerySource): Item {
  return Object.fromEntries(keyNames(source).map((name) => [name, item[name]]));
}

/**
 * Reads a `nextToken` back, refusing one not made for these sources: a cursor per source at most,
 * each exactly that source's key names as strings, in that source's partition (a token from another
 * listing must not become a way to read other partitions).
 */
function decode(token: string, sources: readonly QuerySource[]): Cursors {
  const cursors = tokenObject(token);
  for (const [position, cursor] of Object.entries(cursors)) {
    const source = sources[Number(position)];
    if (source === undefined || !/^\d+$/.test(position)) throw new ValidationError("nextToken", INVALID_PAGE_TOKEN);
    if (cursor !== null) checkedKey(cursor, keyNames(source), { [source.index.partitionKey.name]: source.partition });
  }
  return cursors as Cursors;
}

/** The sort-key condition a date range makes, on the index's `createdAt`-like sort key. */
function rangeCondition(range: PlacedBetween) {
  if (range.from !== undefined && range.to !== undefined) {
    return { condition: " AND #sort BETWEEN :from AND :to", values: { ":from": range.from, ":to": range.to } };
  }
  if (range.from !== undefined) return { condition: " AND #sort >= :from", values: { ":from": range.from } };
  if (range.to !== undefined) return { condition: " AND #sort <= :to", values: { ":to": range.to } };
  return { condition: "", values: {} };
}

/**
 * One page, newest first, across several partitions of indexes that sort by the same key: each
 * source is one Query of at most `limit` items from where it stopped, and the page is the newest
 * `limit` of them all. So a page reads at most sources × limit items, however many the table holds.
 * The token keeps each source's own cursor: the key of the last item the page took from it.
 */
export async function mergedQuery(
  client: DynamoDBDocumentClient,
  sources: readonly QuerySource[],
  range: PlacedBetween,
  page: PageRequest,
): Promise<Page<Item>> {
  const cursors: Cursors = page.nextToken ? decode(page.nextToken, sources) : {};
  const { condition, values } = rangeCondition(range);
  const read = await Promise.all(
    sources.map(async (source, position) => {
      const cursor = cursors[position];
      if (cursor === null) return { items: [] as Item[], more: false };
      const { Items = [], LastEvaluatedKey } = await withDynamoDbErrors(() =>
        client.send(
          new QueryCommand({
            TableName: source.tableName,
            IndexName: source.index.name,
            KeyConditionExpression: `#partition = :partition${condition}`,
            ExpressionAttributeNames: {
              "#partition": source.index.partitionKey.name,
              ...(condition ? { "#sort": source.index.sortKey.name } : {}),
            },
            ExpressionAttributeValues: { ":partition": source.partition, ...values },
            ScanIndexForward: false,
            Limit: page.limit,
            ...(cursor ? { ExclusiveStartKey: cursor } : {}),
          }),
        ),
      );
      return { items: Items, more: LastEvaluatedKey !== undefined };
    }),
  );
  const candidates = read.flatMap(({ items }, position) =>
    items.map((item, rank) => ({
      item,
      position,
      rank,
      sort: String(item[(sources[position] as QuerySource).index.sortKey.name]),
    })),
  );
  // Newest first; equal instants in a stable order (by source, then by each source's own order).
  candidates.sort((a, b) => b.sort.localeCompare(a.sort) || a.position - b.position || a.rank - b.rank);
  const taken = candidates.slice(0, page.limit);
  const next: Cursors = { ...cursors };
  for (const [position, { items, more }] of read.entries()) {
    if (cursors[position] === null) continue;
    const fromThis = taken.filter((candidate) => candidate.position === position);
    const last = fromThis.at(-1);
    const source = sources[position] as QuerySource;
    if (last) next[String(position)] = keyOf(last.item, source);
    if (!more && fromThis.length === items.length) next[String(position)] = null;
  }
  const done = sources.every((_, position) => next[String(position)] === null);
  return { items: taken.map(({ item }) => item), ...(done ? {} : { nextToken: encodePageToken(next) }) };
}
