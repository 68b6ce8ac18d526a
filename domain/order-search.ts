import * as v from "valibot";
import { ValidationError } from "./errors";
import { ORDER_LIMITS } from "./order";
import { ORDER_STATUSES, type OrderStatus } from "./order-status";
import { type PageRequest, ListQuerySchema, parsePageRequest } from "./pagination";
import { parseOrThrow } from "./validation";

/** The filters that each pick an index; a search uses at most one of them, with or without a date range. */
export const INDEX_FILTERS = ["status", "customer", "product"] as const;

/** A day (`2026-12-01`) or an instant (`2026-12-01T09:30:00Z`). */
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** A date-range bound: a day, or an ISO 8601 instant with its offset. */
function bound(field: "from" | "to") {
  return v.pipe(
    v.string(),
    v.check(
      (text) =>
        (DAY.test(text) || v.is(v.pipe(v.string(), v.isoTimestamp()), text)) &&
        !Number.isNaN(Date.parse(text)) &&
        // A day that does not exist (2026-02-30) would roll over into the next month.
        new Date(`${text.slice(0, 10)}T00:00:00Z`).toISOString().startsWith(text.slice(0, 10)),
      `${field} must be a day (2026-12-01) or an ISO 8601 instant (2026-12-01T09:30:00Z)`,
    ),
    v.description(
      field === "from"
        ? "Orders placed at or after this day (from its start, UTC) or instant"
        : "Orders placed at or before this day (to its end, UTC) or instant",
    ),
  );
}

/** The query string of `GET /orders` and `GET /orders/export`: a page, and an admin's filters. */
export const OrderSearchQuerySchema = v.object({
  ...ListQuerySchema.entries,
  status: v.optional(
    v.pipe(
      v.string(),
      // What clients may send, for the API contract: JSON Schema cannot upper-case before comparing.
      v.metadata({
        enum: [...ORDER_STATUSES, ...ORDER_STATUSES.map((name) => name.toLowerCase())],
        description: "Admins: only orders in this status (matched without regard to case)",
      }),
      v.toUpperCase(),
      v.picklist(ORDER_STATUSES, `status must be one of ${ORDER_STATUSES.join(", ")}`),
    ),
  ),
  customer: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.nonEmpty("customer must not be empty"),
      v.maxLength(254, "customer must be at most 254 characters"),
      v.description("Admins: only this customer's orders: their user id, or their profile's e-mail address"),
    ),
  ),
  product: v.optional(
    v.pipe(
      v.string(),
      v.trim(),
      v.nonEmpty("product must not be empty"),
      v.maxLength(ORDER_LIMITS.productLength, `product must be at most ${ORDER_LIMITS.productLength} characters`),
      v.description("Admins: only orders with a line of this product"),
    ),
  ),
  from: v.optional(bound("from")),
  to: v.optional(bound("to")),
});

/** Which orders a search wants, by the one index that answers it. */
export type OrderFilter =
  | { readonly by: "all" }
  | { readonly by: "status"; readonly status: OrderStatus }
  | { readonly by: "owner"; readonly ownerId: string }
  | { readonly by: "email"; readonly email: string }
  | { readonly by: "product"; readonly product: string };

/** Orders placed between two instants, both included, as `createdAt` stores them (ISO 8601, UTC, milliseconds). */
export interface PlacedBetween {
  readonly from?: string;
  readonly to?: string;
}

/** What a search asks for: one filter, and a date range. */
export type OrderSelection = OrderFilter & PlacedBetween;

/** A search as read from a query string. */
export interface OrderSearch {
  readonly selection: OrderSelection;
  readonly page: PageRequest;
  /** Whether an admin's filter (status, customer, product) was given: customers may only give dates. */
  readonly filtered: boolean;
}

/** A bound as `createdAt` compares: a day's first (or last) millisecond, an instant in UTC. */
function instant(text: string, endOfDay: boolean): string {
  if (DAY.test(text)) return `${text}T${endOfDay ? "23:59:59.999" : "00:00:00.000"}Z`;
  return new Date(text).toISOString();
}

/** The filter the one given index filter names. */
function filterOf(query: v.InferOutput<typeof OrderSearchQuerySchema>): OrderFilter {
  if (query.status !== undefined) return { by: "status", status: query.status };
  if (query.product !== undefined) return { by: "product", product: query.product };
  if (query.customer !== undefined) {
    return query.customer.includes("@")
      ? { by: "email", email: query.customer.toLowerCase() }
      : { by: "owner", ownerId: query.customer };
  }
  return { by: "all" };
}

/**
 * Reads a search from `GET /orders`'s query string: at most one of `status`, `customer` (a user id,
 * or an e-mail address when it has an `@`) and `product`, each answered by its own index, and a
 * date range on the index's sort key. Each refusal names its field.
 */
export function parseOrderSearch(query: Readonly<Record<string, string | undefined>> | undefined): OrderSearch {
  const read = (field: string) => query?.[field];
  const parsed = parseOrThrow(OrderSearchQuerySchema, {
    status: read("status"),
    customer: read("customer"),
    product: read("product"),
    from: read("from"),
    to: read("to"),
  });
  const given = INDEX_FILTERS.filter((field) => parsed[field] !== undefined);
  if (given.length > 1) {
    throw new ValidationError(
      given[1] as string,
      `filter by one of ${INDEX_FILTERS.join(", ")} at a time (with from and to as you like)`,
    );
  }
  const from = parsed.from === undefined ? undefined : instant(parsed.from, false);
  const to = parsed.to === undefined ? undefined : instant(parsed.to, true);
  if (from !== undefined && to !== undefined && from > to) {
    throw new ValidationError("to", "to must not be before from");
  }
  return {
    selection: { ...filterOf(parsed), ...(from ? { from } : {}), ...(to ? { to } : {}) },
    page: parsePageRequest(query),
    filtered: given.length > 0,
  };
}
