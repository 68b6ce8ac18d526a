import * as v from "valibot";
import { parseOrThrow } from "./validation";

/** Page size when the caller names none. */
export const DEFAULT_PAGE_SIZE = 20;
/** The largest page a caller may ask for. */
export const MAX_PAGE_SIZE = 100;

/** The query string of a list: page size and where the previous page stopped. */
export const ListQuerySchema = v.object({
  limit: v.optional(
    v.pipe(
      v.string(),
      v.description(`Page size: 1 to ${MAX_PAGE_SIZE}, ${DEFAULT_PAGE_SIZE} when absent`),
      v.regex(/^\d+$/, `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`),
      v.transform(Number),
      v.minValue(1, `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`),
      v.maxValue(MAX_PAGE_SIZE, `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`),
    ),
  ),
  nextToken: v.optional(
    v.pipe(
      v.string(),
      v.description("The previous page's `nextToken`: where to go on"),
      v.nonEmpty("nextToken must not be empty"),
      v.maxLength(2048, "nextToken is invalid"),
    ),
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
  return { limit: parsed.limit ?? DEFAULT_PAGE_SIZE, ...(parsed.nextToken ? { nextToken: parsed.nextToken } : {}) };
}

/** A page of `item`s, as the list routes answer. */
export function pageSchema<S extends v.GenericSchema>(item: S) {
  return v.object({
    items: v.array(item),
    nextToken: v.optional(v.pipe(v.string(), v.description("Pass back as `nextToken` for the next page"))),
  });
}
