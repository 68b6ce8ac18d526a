import { NEXT_TOKEN_HEADER } from "../handlers/export-orders";
import type { Route } from "./routes";

/** Request headers a browser client may send: the token, the JSON body's type, and the key that makes a retried POST safe. */
export const CORS_ALLOW_HEADERS = ["authorization", "content-type", "idempotency-key"] as const;

/**
 * Response headers a browser client may read besides the CORS-safelisted ones: where a 201 put
 * what it created, how long to wait before retrying a 429 or 503, and where a CSV export goes on.
 */
export const CORS_EXPOSE_HEADERS = ["location", "retry-after", NEXT_TOKEN_HEADER] as const;

/** How long browsers may cache a preflight answer, in seconds. */
export const CORS_MAX_AGE_SECONDS = 3600;

/** The methods preflights allow: the ones the routes use, in route order, then OPTIONS. */
export function corsAllowMethods(routes: readonly Pick<Route, "method">[]): string[] {
  return [...new Set(routes.map((route) => route.method)), "OPTIONS"];
}
