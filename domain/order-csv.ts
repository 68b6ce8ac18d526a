import { type Money, decimalAmount } from "./money";
import type { Order, OrderLine } from "./order";

/**
 * The columns of an orders export, in order: its header row. Each row is one line of an order, and
 * carries its order's fields too, so that a spreadsheet can filter or pivot on any row alone.
 */
export const ORDER_CSV_COLUMNS = [
  "orderId",
  "createdAt",
  "status",
  "ownerId",
  "customerName",
  "product",
  "quantity",
  "unitPrice",
  "lineTotal",
  "orderTotal",
  "currency",
  "carrier",
  "trackingNumber",
  "updatedAt",
] as const;
export type OrderCsvColumn = (typeof ORDER_CSV_COLUMNS)[number];

/** The media type of an export (RFC 4180 registers `text/csv`; the charset says how names are encoded). */
export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";

/**
 * RFC 4180 ends records with CRLF, whatever the platform, and allows it after the last one: every
 * record ends with it here, so that a client joining pages (less their header rows) gets whole rows.
 */
const CRLF = "\r\n";

/**
 * A spreadsheet (Excel, LibreOffice, Google Sheets) opening a CSV runs a cell that starts with one
 * of these as a formula, and customer names and products are whatever a customer typed: OWASP's
 * "CSV injection". OWASP's remedy is a leading `'`, which makes the spreadsheet read the cell as text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** RFC 4180: a field holding a comma, a double quote, CR or LF must be enclosed in double quotes. */
const NEEDS_QUOTES = /[",\r\n]/;

/**
 * One field as written: defused, then quoted when RFC 4180 asks for it, inner quotes doubled.
 * Numbers stay numbers: quantities are at least 1 and amounts are never negative (`MoneySchema`),
 * so no numeric cell starts with `-`, and timestamps start with a digit.
 */
function field(value: string): string {
  const defused = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(defused) ? `"${defused.replaceAll('"', '""')}"` : defused;
}

function record(values: readonly string[]): string {
  return values.map(field).join(",") + CRLF;
}

/** An amount as an exact decimal string in major units; an empty cell when there is none. */
function amount(money: Money | undefined): string {
  return money === undefined ? "" : decimalAmount(money);
}

/**
 * One line's row. `currency` is the currency of the row's amounts: the line's price, which is also
 * the order total's (an order has a total only when every line is priced, all in one currency).
 */
function row(order: Order, line: OrderLine): Record<OrderCsvColumn, string> {
  return {
    orderId: order.OrderId,
    createdAt: order.createdAt,
    status: order.status,
    ownerId: order.ownerId,
    customerName: order.customerName,
    product: line.product,
    quantity: String(line.quantity),
    unitPrice: amount(line.unitPrice),
    lineTotal: amount(line.lineTotal),
    orderTotal: amount(order.total),
    currency: line.unitPrice?.currency ?? "",
    carrier: order.carrier ?? "",
    trackingNumber: order.trackingNumber ?? "",
    updatedAt: order.updatedAt ?? "",
  };
}

/**
 * The orders as CSV (RFC 4180): a header row of `ORDER_CSV_COLUMNS`, then one row per order line,
 * in the orders' order and each order's lines in the order the customer gave them. Money is written
 * as exact decimals (19.99, ¥1999 as 1999), never through a float; an unpriced line has empty
 * price cells.
 */
export function ordersCsv(orders: readonly Order[]): string {
  const rows = orders.flatMap((order) => order.items.map((line) => row(order, line)));
  return [ORDER_CSV_COLUMNS, ...rows.map((cells) => ORDER_CSV_COLUMNS.map((column) => cells[column]))]
    .map(record)
    .join("");
}
