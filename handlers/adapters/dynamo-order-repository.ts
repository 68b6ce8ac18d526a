import {
  BatchGetCommand,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type TransactWriteCommandInput,
} from "@aws-sdk/lib-dynamodb";
import { type Order, orderFromItem } from "../../domain/order";
import type { OrderFilter } from "../../domain/order-search";
import type { OrderRepository, UserRepository } from "../../domain/ports";
import { ReservationExpiredError } from "../../domain/reservation";
import { type TimelineEntry, TimelineEvent, TimelineEntrySchema, inOrder } from "../../domain/timeline";
import {
  ORDER_INDEX_SHARDS,
  inventoryTable,
  listShardKey,
  orderIndexKeys,
  orderLinesTable,
  ordersTable,
  reservationsTable,
  statusShardKey,
} from "../../storage/tables";
import * as v from "valibot";
import { classifyDynamoDbError, isConditionFailure, withDynamoDbErrors } from "./dynamodb-errors";
import { type QuerySource, mergedQuery } from "./merged-query";

type TransactWriteItem = NonNullable<TransactWriteCommandInput["TransactItems"]>[number];

/** Physical names of the tables an order touches; a function is told only those its grants name. */
export interface OrderTables {
  readonly orders: string;
  /** Needed by the writes that move stock in the same transaction. */
  readonly inventory: string;
  /** Needed by `createReserved`, which consumes the order's reservations. */
  readonly reservations: string;
  /** Needed by `createReserved` (it writes them) and a search by product. */
  readonly orderLines: string;
  /** Needed by every write (each records its entries) and by `timeline`. */
  readonly orderTimeline: string;
}

/** Shards `0 … ORDER_INDEX_SHARDS - 1`. */
const SHARDS = Array.from({ length: ORDER_INDEX_SHARDS }, (_, shard) => shard);

/** When a BatchGetItem leaves keys unprocessed (throttling), how often it asks again before giving up as transient. */
const BATCH_GET_ATTEMPTS = 5;

/**
 * Orders in DynamoDB, in the tables `storage/tables.ts` describes. Every write of an order writes
 * its timeline entries in the same transaction; `users` resolves a search by e-mail to user ids.
 */
export function dynamoOrderRepository(
  client: DynamoDBDocumentClient,
  tables: OrderTables,
  users?: Pick<UserRepository, "idsByEmail">,
): OrderRepository {
  const { byOwner, newestInShard, byStatus } = ordersTable.indexes;
  const itemKey = inventoryTable.partitionKey.name;

  function timelinePut(orderId: string, entryId: string, entry: TimelineEntry): TransactWriteItem {
    return {
      Put: {
        TableName: tables.orderTimeline,
        Item: { orderId, entryId, ...entry },
        ConditionExpression: "attribute_not_exists(entryId)",
      },
    };
  }

  /**
   * The writes that give a cancelled order's units back, one per line, as parts of a transaction:
   * off the item's `committed` total, back to free stock. Orders are never removed (DELETE cancels),
   * so units only ever leave `committed` this way or with the order as sold.
   */
  function restock(order: Order, now: string): TransactWriteItem[] {
    return order.items.map((line) => ({
      Update: {
        TableName: tables.inventory,
        Key: { [itemKey]: line.product },
        UpdateExpression: "SET quantity = quantity + :quantity, updatedAt = :now ADD committed :given",
        ConditionExpression: "attribute_exists(quantity)",
        ExpressionAttributeValues: { ":given": -line.quantity, ":quantity": line.quantity, ":now": now },
      },
    }));
  }

  async function get(orderId: string): Promise<Order | undefined> {
    const { Item } = await withDynamoDbErrors(() =>
      client.send(new GetCommand({ TableName: tables.orders, Key: { OrderId: orderId }, ConsistentRead: true })),
    );
    return Item ? orderFromItem(Item) : undefined;
  }

  /** Orders by id, in the order of `ids`, in one BatchGetItem (a page holds at most 100, its limit). */
  async function getMany(ids: readonly string[]): Promise<Order[]> {
    if (ids.length === 0) return [];
    const found = new Map<string, Order>();
    let keys: Record<string, unknown>[] = [...new Set(ids)].map((OrderId) => ({ OrderId }));
    for (let attempt = 0; keys.length > 0; attempt++) {
      if (attempt >= BATCH_GET_ATTEMPTS) throw classifyDynamoDbError(new Error("BatchGetItem left keys unprocessed"));
      const pending = keys;
      const { Responses = {}, UnprocessedKeys = {} } = await withDynamoDbErrors(() =>
        client.send(new BatchGetCommand({ RequestItems: { [tables.orders]: { Keys: pending } } })),
      );
      for (const item of Responses[tables.orders] ?? []) found.set(item["OrderId"] as string, orderFromItem(item));
      keys = UnprocessedKeys[tables.orders]?.Keys ?? [];
    }
    return ids.flatMap((id) => found.get(id) ?? []);
  }

  /** The partitions that answer a filter, newest first each. */
  async function sourcesOf(filter: OrderFilter): Promise<QuerySource[]> {
    const orders = (index: QuerySource["index"], partition: string): QuerySource => ({
      tableName: tables.orders,
      table: ordersTable,
      index,
      partition,
    });
    switch (filter.by) {
      case "all":
        return SHARDS.map((shard) => orders(newestInShard, listShardKey(shard)));
      case "status":
        return SHARDS.map((shard) => orders(byStatus, statusShardKey(filter.status, shard)));
      case "owner":
        return [orders(byOwner, filter.ownerId)];
      case "email": {
        if (!users) throw new Error("A search by e-mail needs the users table");
        return (await users.idsByEmail(filter.email)).map((ownerId) => orders(byOwner, ownerId));
      }
      case "product":
        return [
          {
            tableName: tables.orderLines,
            table: orderLinesTable,
            index: orderLinesTable.indexes.byProduct,
            partition: filter.product,
          },
        ];
    }
  }

  return {
    get,

    async timeline(orderId) {
      const entries: TimelineEntry[] = [];
      let startKey: Record<string, unknown> | undefined;
      do {
        const { Items = [], LastEvaluatedKey } = await withDynamoDbErrors(() =>
          client.send(
            new QueryCommand({
              TableName: tables.orderTimeline,
              KeyConditionExpression: "orderId = :orderId",
              ExpressionAttributeValues: { ":orderId": orderId },
              ConsistentRead: true,
              ...(startKey ? { ExclusiveStartKey: startKey } : {}),
            }),
          ),
        );
        for (const item of Items) entries.push(v.parse(TimelineEntrySchema, item));
        startKey = LastEvaluatedKey;
      } while (startKey);
      return inOrder(entries);
    },

    async createReserved(order) {
      // The order, its lines for the product index, its `placed` entry, and the end of every
      // reservation: 2 + 2 × lines parts, 52 at most of DynamoDB's 100.
      const placed: TimelineEntry = { at: order.createdAt, by: order.ownerId, event: TimelineEvent.Placed };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tables.orders,
                  Item: { ...order, ...orderIndexKeys(order) },
                  ConditionExpression: "attribute_not_exists(OrderId)",
                },
              },
              timelinePut(order.OrderId, TimelineEvent.Placed, placed),
              ...order.items.flatMap((line): TransactWriteItem[] => [
                {
                  Delete: {
                    TableName: tables.reservations,
                    Key: {
                      [reservationsTable.partitionKey.name]: order.OrderId,
                      [reservationsTable.sortKey.name]: line.product,
                    },
                    ConditionExpression: "attribute_exists(#orderId) AND quantity = :quantity",
                    ExpressionAttributeNames: { "#orderId": reservationsTable.partitionKey.name },
                    ExpressionAttributeValues: { ":quantity": line.quantity },
                  },
                },
                {
                  Put: {
                    TableName: tables.orderLines,
                    Item: {
                      orderId: order.OrderId,
                      product: line.product,
                      quantity: line.quantity,
                      createdAt: order.createdAt,
                    },
                  },
                },
              ]),
            ],
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw classifyDynamoDbError(error);
        // Written by an earlier attempt that consumed the reservations: done.
        if ((await get(order.OrderId))?.createdAt === order.createdAt) return;
        throw new ReservationExpiredError(order.OrderId, { cause: error });
      }
    },

    async list(ownerId, page) {
      return this.search(ownerId === undefined ? { by: "all" } : { by: "owner", ownerId }, page);
    },

    async search(selection, page) {
      const sources = await sourcesOf(selection);
      if (sources.length === 0) return { items: [] };
      const found = await mergedQuery(client, sources, selection, page);
      const items =
        selection.by === "product"
          ? await getMany(found.items.map((line) => line["orderId"] as string))
          : found.items.map(orderFromItem);
      return { items, ...(found.nextToken ? { nextToken: found.nextToken } : {}) };
    },

    async changeStatus({ order, to, returnStock, shipment, by, note }, now) {
      const at = now.toISOString();
      const changed: TimelineEntry = {
        at,
        by,
        event: TimelineEvent.StatusChanged,
        from: order.status,
        to,
        ...(note ? { note } : {}),
        ...shipment,
      };
      const entries = [timelinePut(order.OrderId, `${at}#${TimelineEvent.StatusChanged}`, changed)];
      if (returnStock) {
        const returned: TimelineEntry = {
          at,
          by,
          event: TimelineEvent.StockReturned,
          lines: order.items.map(({ product, quantity }) => ({ product, quantity })),
        };
        entries.push(timelinePut(order.OrderId, `${at}#${TimelineEvent.StockReturned}`, returned));
      }
      const update: TransactWriteItem = {
        Update: {
          TableName: tables.orders,
          Key: { OrderId: order.OrderId },
          UpdateExpression: `SET #status = :to, statusShard = :statusShard, updatedAt = :now${shipment ? ", carrier = :carrier, trackingNumber = :tracking" : ""}`,
          ConditionExpression: "#status = :from",
          ExpressionAttributeNames: { "#status": "status" },
          ExpressionAttributeValues: {
            ":to": to,
            ":from": order.status,
            ":statusShard": orderIndexKeys({ OrderId: order.OrderId, status: to }).statusShard,
            ":now": at,
            ...(shipment ? { ":carrier": shipment.carrier, ":tracking": shipment.trackingNumber } : {}),
          },
        },
      };
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [update, ...entries, ...(returnStock ? restock(order, at) : [])],
          }),
        );
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw classifyDynamoDbError(error);
      }
      return { ...order, status: to, updatedAt: at, ...shipment };
    },

    async record(orderId, key, entry) {
      try {
        await client.send(
          new PutCommand({
            TableName: tables.orderTimeline,
            Item: { orderId, entryId: key, ...entry },
            ConditionExpression: "attribute_not_exists(entryId)",
          }),
        );
      } catch (error) {
        // Recorded already under this key (a redelivered event): once is what was wanted.
        if (isConditionFailure(error)) return;
        throw classifyDynamoDbError(error);
      }
    },
  };
}
