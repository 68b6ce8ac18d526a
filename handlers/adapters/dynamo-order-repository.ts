import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
} from "@aws-sdk/lib-dynamodb";
import type { Order } from "../../domain/order";
import type { OrderRepository } from "../../domain/ports";
import { ReservationExpiredError } from "../../domain/reservation";
import { ORDER_KIND, inventoryTable, ordersTable, reservationsTable } from "../../storage/tables";
import { classifyDynamoDbError, isConditionFailure, withDynamoDbErrors } from "./dynamodb-errors";
import { decodePageToken, encodePageToken } from "./page-token";

/** Physical names of the tables an order touches. */
interface OrderTables {
  readonly orders: string;
  /** Needed by the writes that move stock in the same transaction. */
  readonly inventory: string;
  /** Needed by `createReserved`, which consumes the order's reservation. */
  readonly reservations: string;
}

/** The API's view of a stored item: the order's own fields, nothing the table needs for indexing. */
function toOrder(item: Record<string, unknown>): Order {
  return {
    OrderId: item["OrderId"] as string,
    ownerId: item["ownerId"] as string,
    customerName: item["customerName"] as string,
    product: item["product"] as string,
    quantity: item["quantity"] as number,
    status: item["status"] as Order["status"],
    createdAt: item["createdAt"] as string,
    ...(typeof item["updatedAt"] === "string" ? { updatedAt: item["updatedAt"] } : {}),
    ...(typeof item["carrier"] === "string" ? { carrier: item["carrier"] } : {}),
    ...(typeof item["trackingNumber"] === "string" ? { trackingNumber: item["trackingNumber"] } : {}),
  };
}

/** Orders in DynamoDB, in the tables `storage/tables.ts` describes. */
export function dynamoOrderRepository(client: DynamoDBDocumentClient, tables: OrderTables): OrderRepository {
  const { byOwner, newest } = ordersTable.indexes;
  const itemKey = inventoryTable.partitionKey.name;

  /**
   * The write that gives a cancelled order's units back, as one part of a transaction: off the
   * item's `committed` total, back to free stock. Orders are never removed (DELETE cancels), so
   * units only ever leave `committed` this way or with the order as sold.
   */
  function restock(order: Order, now: string) {
    return {
      Update: {
        TableName: tables.inventory,
        Key: { [itemKey]: order.product },
        UpdateExpression: "SET quantity = quantity + :quantity, updatedAt = :now ADD committed :given",
        ConditionExpression: "attribute_exists(quantity)",
        ExpressionAttributeValues: { ":given": -order.quantity, ":quantity": order.quantity, ":now": now },
      },
    };
  }

  async function get(orderId: string): Promise<Order | undefined> {
    const { Item } = await withDynamoDbErrors(() =>
      client.send(new GetCommand({ TableName: tables.orders, Key: { OrderId: orderId }, ConsistentRead: true })),
    );
    return Item ? toOrder(Item) : undefined;
  }

  return {
    get,

    async createReserved(order) {
      try {
        await client.send(
          new TransactWriteCommand({
            TransactItems: [
              {
                Put: {
                  TableName: tables.orders,
                  Item: { ...order, kind: ORDER_KIND },
                  ConditionExpression: "attribute_not_exists(OrderId)",
                },
              },
              {
                Delete: {
                  TableName: tables.reservations,
                  Key: {
                    [reservationsTable.partitionKey.name]: order.OrderId,
                    [reservationsTable.sortKey.name]: order.product,
                  },
                  ConditionExpression: "attribute_exists(#orderId) AND quantity = :quantity",
                  ExpressionAttributeNames: { "#orderId": reservationsTable.partitionKey.name },
                  ExpressionAttributeValues: { ":quantity": order.quantity },
                },
              },
            ],
          }),
        );
      } catch (error) {
        if (!isConditionFailure(error)) throw classifyDynamoDbError(error);
        // Written by an earlier attempt that consumed the reservation: done.
        if ((await get(order.OrderId))?.createdAt === order.createdAt) return;
        throw new ReservationExpiredError(order.OrderId, { cause: error });
      }
    },

    async list(ownerId, page) {
      const [attribute, value] = ownerId === undefined ? ["kind", ORDER_KIND] : ["ownerId", ownerId];
      const { Items = [], LastEvaluatedKey } = await withDynamoDbErrors(() =>
        client.send(
          new QueryCommand({
            TableName: tables.orders,
            IndexName: ownerId === undefined ? newest.name : byOwner.name,
            KeyConditionExpression: "#partition = :partition",
            ExpressionAttributeNames: { "#partition": attribute },
            ExpressionAttributeValues: { ":partition": value },
            ScanIndexForward: false,
            Limit: page.limit,
            ...(page.nextToken
              ? {
                  ExclusiveStartKey: decodePageToken(page.nextToken, ["OrderId", "createdAt", attribute], {
                    [attribute]: value,
                  }),
                }
              : {}),
          }),
        ),
      );
      return {
        items: Items.map(toOrder),
        ...(LastEvaluatedKey ? { nextToken: encodePageToken(LastEvaluatedKey) } : {}),
      };
    },

    async changeStatus({ order, to, returnStock, shipment }, now) {
      const at = now.toISOString();
      const update = {
        TableName: tables.orders,
        Key: { OrderId: order.OrderId },
        UpdateExpression: `SET #status = :to, updatedAt = :now${shipment ? ", carrier = :carrier, trackingNumber = :tracking" : ""}`,
        ConditionExpression: "#status = :from",
        ExpressionAttributeNames: { "#status": "status" },
        ExpressionAttributeValues: {
          ":to": to,
          ":from": order.status,
          ":now": at,
          ...(shipment ? { ":carrier": shipment.carrier, ":tracking": shipment.trackingNumber } : {}),
        },
      };
      try {
        if (returnStock) {
          await client.send(new TransactWriteCommand({ TransactItems: [{ Update: update }, restock(order, at)] }));
        } else {
          await client.send(new UpdateCommand(update));
        }
      } catch (error) {
        if (isConditionFailure(error)) return undefined;
        throw classifyDynamoDbError(error);
      }
      return { ...order, status: to, updatedAt: at, ...shipment };
    },
  };
}
