import type { StockBooks } from "../domain/inventory";
import type { Order } from "../domain/order";
import { holdsStock } from "../domain/order-status";
import { RESERVATION_SWEEP_INTERVAL_SECONDS, type Reservation, isPastDeadline } from "../domain/reservation";

/** An inventory item as the audit reads it: its free units and the `committed` total that balances against the other tables. */
export interface AuditedItem extends StockBooks {
  readonly itemId: string;
}

/** What the audit reads: every item, order and reservation (the tables, scanned). */
export interface StockSnapshot {
  readonly items: readonly AuditedItem[];
  readonly orders: readonly Pick<Order, "OrderId" | "items" | "status">[];
  readonly reservations: readonly Reservation[];
}

/** One line of a check's table. */
export type AuditRow = Readonly<Record<string, string | number>>;

/** What one check found: a table to print, and how many of its rows are discrepancies. */
export interface CheckResult {
  readonly title: string;
  readonly rows: readonly AuditRow[];
  readonly discrepancies: number;
}

/** When the audit looks, and how late a sweep may be before a reservation past its deadline is a leak. */
export interface AuditClock {
  readonly now: Date;
  /** @default RESERVATION_SWEEP_INTERVAL_SECONDS: the sweeper takes a reservation within one period of its deadline. */
  readonly graceSeconds?: number;
}

const OK = "ok";

function sumBy<T>(rows: readonly T[], key: (row: T) => string, value: (row: T) => number): Map<string, number> {
  const sums = new Map<string, number>();
  for (const row of rows) sums.set(key(row), (sums.get(key(row)) ?? 0) + value(row));
  return sums;
}

/**
 * Per item: `committed`, the units taken out of free stock and not given back, equals the units
 * reserved plus those of orders that hold stock (placed, shipped or delivered; a cancelled order
 * gave its units back). Every move of stock changes `committed` and what holds the units in one
 * transaction (see `StockBooks`); orders are never deleted through the API (a DELETE cancels), so
 * any difference is units lost (taken from free stock, held by nothing) or invented
 * (held with nothing taken). Free stock itself is not balanced: an admin sets it outright.
 */
export function checkStockBalance(snapshot: StockSnapshot): CheckResult {
  const sold = sumBy(
    snapshot.orders.filter((order) => holdsStock(order.status)).flatMap((order) => order.items),
    (line) => line.product,
    (line) => line.quantity,
  );
  const reserved = sumBy(
    snapshot.reservations,
    (reservation) => reservation.itemId,
    (reservation) => reservation.quantity,
  );
  const rows = [...snapshot.items]
    .sort((a, b) => a.itemId.localeCompare(b.itemId))
    .map((item): AuditRow => {
      const held = (reserved.get(item.itemId) ?? 0) + (sold.get(item.itemId) ?? 0);
      const difference = item.committed === undefined ? undefined : held - item.committed;
      const problem =
        difference === undefined
          ? "no committed total: the item predates it"
          : difference === 0
            ? OK
            : `${difference > 0 ? "+" : ""}${difference} units unaccounted for`;
      return {
        itemId: item.itemId,
        free: item.quantity,
        committed: item.committed ?? "?",
        reserved: reserved.get(item.itemId) ?? 0,
        sold: sold.get(item.itemId) ?? 0,
        problem,
      };
    });
  return {
    title: "Stock balance: committed = reserved + sold",
    rows,
    discrepancies: rows.filter((row) => row["problem"] !== OK).length,
  };
}

/**
 * Every reservation belongs to a live run of the workflow: its deadline (plus one sweep's grace)
 * has not passed, its order is not written (writing an order consumes its reservation), and its
 * item exists.
 */
export function checkReservations(snapshot: StockSnapshot, clock: AuditClock): CheckResult {
  const graceMs = (clock.graceSeconds ?? RESERVATION_SWEEP_INTERVAL_SECONDS) * 1000;
  const sweptBy = new Date(clock.now.getTime() - graceMs);
  const written = new Set(snapshot.orders.map((order) => order.OrderId));
  const items = new Set(snapshot.items.map((item) => item.itemId));
  const rows = snapshot.reservations.map((reservation): AuditRow => {
    const problem = written.has(reservation.orderId)
      ? "its order is written: the order did not consume it"
      : !items.has(reservation.itemId)
        ? "its item does not exist"
        : isPastDeadline(reservation, sweptBy)
          ? "past its deadline and not swept"
          : OK;
    return { ...reservation, problem };
  });
  return {
    title: "Reservations: each for a live run (deadline not passed) whose order is not written",
    rows,
    discrepancies: rows.filter((row) => row["problem"] !== OK).length,
  };
}

/** No order's line names an item the inventory does not have. */
export function checkOrderItems(snapshot: StockSnapshot): CheckResult {
  const items = new Set(snapshot.items.map((item) => item.itemId));
  const rows = snapshot.orders.flatMap((order) =>
    order.items
      .filter((line) => !items.has(line.product))
      .map((line): AuditRow => ({
        OrderId: order.OrderId,
        status: order.status,
        product: line.product,
        quantity: line.quantity,
        problem: "its item does not exist",
      })),
  );
  return { title: "Orders whose item does not exist", rows, discrepancies: rows.length };
}

/** Every check of the stock audit, in the order they are printed. */
export function auditStock(snapshot: StockSnapshot, clock: AuditClock): readonly CheckResult[] {
  return [checkStockBalance(snapshot), checkReservations(snapshot, clock), checkOrderItems(snapshot)];
}

/** A check's rows as a text table, columns padded to their widest cell. */
function renderTable(rows: readonly AuditRow[]): string {
  const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))];
  const cells = [columns, ...rows.map((row) => columns.map((column) => String(row[column] ?? "")))];
  const widths = columns.map((_, i) => Math.max(...cells.map((line) => (line[i] ?? "").length)));
  const line = (values: readonly string[]) =>
    values
      .map((value, i) => value.padEnd(widths[i] ?? 0))
      .join("  ")
      .trimEnd();
  return [line(columns), line(widths.map((width) => "-".repeat(width))), ...cells.slice(1).map(line)].join("\n");
}

/** What `npm run audit` prints: each check's verdict and table, then the total. */
export function renderAudit(results: readonly CheckResult[]): string {
  const sections = results.map((result) => {
    const verdict = result.discrepancies === 0 ? "ok" : `${result.discrepancies} discrepancies`;
    return [`${result.title}: ${verdict}`, ...(result.rows.length > 0 ? [renderTable(result.rows)] : [])].join("\n");
  });
  const total = discrepancies(results);
  const summary =
    total === 0 ? "The stock audit found nothing wrong." : `The stock audit found ${total} discrepancies.`;
  return `${[...sections, summary].join("\n\n")}\n`;
}

/** Every discrepancy the checks found. */
export function discrepancies(results: readonly CheckResult[]): number {
  return results.reduce((sum, result) => sum + result.discrepancies, 0);
}
