import { ValidationError } from "../../domain/errors";

/** What a `nextToken` that was not made for the listing is refused with. */
export const INVALID_PAGE_TOKEN = "nextToken is invalid";

/** DynamoDB's `LastEvaluatedKey` as the opaque `nextToken` clients pass back. */
export function encodePageToken(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/** A `nextToken` read back into the JSON object it encodes, or a 400 naming `nextToken`. */
export function tokenObject(token: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch (error) {
    throw new ValidationError("nextToken", INVALID_PAGE_TOKEN, { cause: error });
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw new ValidationError("nextToken", INVALID_PAGE_TOKEN);
  }
  return parsed as Record<string, unknown>;
}

/**
 * `fields` as a key for `ExclusiveStartKey`, refusing one that was not made for this listing:
 * exactly `keyNames` as strings, with `fixed` values where given (a token from another owner's
 * listing must not become a way to read their orders).
 */
export function checkedKey(
  fields: unknown,
  keyNames: readonly string[],
  fixed: Readonly<Record<string, string>> = {},
): Record<string, string> {
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) {
    throw new ValidationError("nextToken", INVALID_PAGE_TOKEN);
  }
  const given = fields as Record<string, unknown>;
  const names = Object.keys(given).sort();
  const wanted = [...keyNames].sort();
  const valid =
    names.length === wanted.length &&
    names.every((name, i) => name === wanted[i] && typeof given[name] === "string") &&
    Object.entries(fixed).every(([name, value]) => given[name] === value);
  if (!valid) {
    throw new ValidationError("nextToken", INVALID_PAGE_TOKEN);
  }
  return given as Record<string, string>;
}

/** Reads a `nextToken` back into an `ExclusiveStartKey` (see `checkedKey`). */
export function decodePageToken(
  token: string,
  keyNames: readonly string[],
  fixed: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return checkedKey(tokenObject(token), keyNames, fixed);
}
