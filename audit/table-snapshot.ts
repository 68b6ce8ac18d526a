import { ScanCommand, type DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { orderFromItem } from "../domain/order";
import type { Reservation } from "../domain/reservation";
import type { AuditedItem, StockSnapshot } from "./stock-audit";

/** Physical names of the tables the audit reads, as a stack's `tableNames` output keys them. */
export interface AuditedTables {
  readonly inventory: string;
  readonly orders: string;
  readonly reservations: string;
}

/** Every item of a table, page by page; strongly consistent, as an audit should read. */
async function scanAll(client: DynamoDBDocumentClient, tableName: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const { Items = [], LastEvaluatedKey } = await client.send(
      new ScanCommand({
        TableName: tableName,
        ConsistentRead: true,
        ...(startKey ? { ExclusiveStartKey: startKey } : {}),
      }),
    );
    items.push(...Items);
    startKey = LastEvaluatedKey;
  } while (startKey);
  return items;
}

/**
 * Reads the three tables the stock moves between. They are scanned one after another, not as one
 * snapshot: on a stack taking orders, an order placed between two scans can show as a
 * discrepancy that a second audit no longer finds.
 */
export async function readStockSnapshot(client: DynamoDBDocumentClient, tables: AuditedTables): Promise<StockSnapshot> {
  const [items, reservations, orders] = [
    await scanAll(client, tables.inventory),
    await scanAll(client, tables.reservations),
    await scanAll(client, tables.orders),
  ];
  return {
    items: items.map((item): AuditedItem => ({
      itemId: item["itemId"] as string,
      quantity: item["quantity"] as number,
      ...(typeof item["committed"] === "number" ? { committed: item["committed"] } : {}),
    })),
    reservations: reservations.map((item): Reservation => ({
      orderId: item["orderId"] as string,
      itemId: item["itemId"] as string,
      quantity: item["quantity"] as number,
      deadline: item["deadline"] as string,
    })),
    orders: orders.map((item) => {
      const { OrderId, items: lines, status } = orderFromItem(item);
      return { OrderId, items: lines, status };
    }),
  };
}
