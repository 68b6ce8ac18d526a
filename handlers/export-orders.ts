import { CSV_CONTENT_TYPE, ordersCsv } from "../domain/order-csv";
import { parseOrderSearch } from "../domain/order-search";
import type { OrderRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { type ApiHandler, type ApiHandlerFactory, callerOf, httpHandler, requireAdmin, text } from "./http";

/** The header that carries the next page's token: the body is CSV, so it cannot hold `nextToken` as `GET /orders` does. */
export const NEXT_TOKEN_HEADER = "x-next-token";

/** What a browser saves the export as. */
export const EXPORT_FILENAME = "orders.csv";

/** What `GET /orders/export` needs from the outside world. */
export interface ExportOrdersDeps {
  readonly orders: OrderRepository;
}

/**
 * `GET /orders/export`: for admins, the orders the query string selects (the same query as
 * `GET /orders`), as CSV, one row per order line. It is paginated exactly like `GET /orders`
 * (`limit` and `nextToken` in, the next page's token in `x-next-token` out, none on the last page)
 * because a function's answer travels as its invocation's response payload, which Lambda caps at
 * 6 MB for synchronous invocations (Lambda quotas; the `Invoke` API reference). A page of
 * `MAX_PAGE_SIZE` orders of `ORDER_LIMITS.maxLines` lines is about 1.3 MB with plain names of full
 * length, and under the cap even when every name is as long and as costly to JSON-escape as allowed
 * (`test/domain/order-csv.test.ts`); one answer for a whole selection would pass it at some tens
 * of thousands of rows.
 */
export function makeExportOrders(deps: ExportOrdersDeps): ApiHandler {
  return httpHandler(async (event) => {
    requireAdmin(callerOf(event));
    const { selection, page } = parseOrderSearch(event.queryStringParameters);
    const found = await deps.orders.search(selection, page);
    return text(200, ordersCsv(found.items), CSV_CONTENT_TYPE, {
      "content-disposition": `attachment; filename="${EXPORT_FILENAME}"`,
      ...(found.nextToken === undefined ? {} : { [NEXT_TOKEN_HEADER]: found.nextToken }),
    });
  });
}

export const exportOrders: ApiHandlerFactory = () => makeExportOrders({ orders: awsAdapters().orderRepository() });
