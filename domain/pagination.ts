import * as v from "valibot";
import { parseOrThrow } from "./validation";

/** Page sizes a list accepts. */
export const PAGE_LIMITS = { default: 20, max: 100 } as const;

const ListQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.regex(/^\d+$/, `limit must be an integer from 1 to ${PAGE_LIMITS.max}`),
      v.transform(Number),
      v.minValue(1, `limit must be an integer from 1 to ${PAGE_LIMITS.max}`),
      v.maxValue(PAGE_LIMITS.max, `limit must be an integer from 1 to ${PAGE_LIMITS.max}`),
    ),
  ),
  nextToken: v.optional(
    v.pipe(v.string(), v.nonEmpty("nextToken must not be empty"), v.maxLength(2048, "nextToken is invalid")),
  ),
});

/** One page to read: how many items, and where the previous page stopped. */
export interface PageRequest {
  readonly limit: number;
  readonly nextToken?: string;
}

/** One page read: the items, and the token for the next page when there is one. */
export interface Page<T> {
  readonly items: readonly T[];
  readonly nextToken?: string;
}

/** Reads `limit` and `nextToken` from a query string. */
export function parsePageRequest(query: Readonly<Record<string, string | undefined>> | undefined): PageRequest {
  const parsed = parseOrThrow(ListQuerySchema, { limit: query?.["limit"], nextToken: query?.["nextToken"] });
  return { limit: parsed.limit ?? PAGE_LIMITS.default, ...(parsed.nextToken ? { nextToken: parsed.nextToken } : {}) };
}
