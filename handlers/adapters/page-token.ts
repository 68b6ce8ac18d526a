import { ValidationError } from "../../domain/errors";

const INVALID = "nextToken is invalid";

/** DynamoDB's `LastEvaluatedKey` as the opaque `nextToken` clients pass back. */
export function encodePageToken(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key), "utf8").toString("base64url");
}

/**
 * Reads a `nextToken` back into an `ExclusiveStartKey`, refusing one that was not made for this
 * listing: exactly `keyNames` as strings, with `fixed` values where given (a token from another
 * owner's listing must not become a way to read their orders).
 */
export function decodePageToken(
  token: string,
  keyNames: readonly string[],
  fixed: Readonly<Record<string, string>> = {},
): Record<string, string> {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(token, "base64url").toString("utf8"));
  } catch (error) {
    throw new ValidationError("nextToken", INVALID, { cause: error });
  }
  if (typeof key !== "object" || key === null || Array.isArray(key)) {
    throw new ValidationError("nextToken", INVALID);
  }
  const fields = key as Record<string, unknown>;
  const names = Object.keys(fields).sort();
  const wanted = [...keyNames].sort();
  const valid =
    names.length === wanted.length &&
    names.every((name, i) => name === wanted[i] && typeof fields[name] === "string") &&
    Object.entries(fixed).every(([name, value]) => fields[name] === value);
  if (!valid) {
    throw new ValidationError("nextToken", INVALID);
  }
  return fields as Record<string, string>;
}
