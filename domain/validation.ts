import * as v from "valibot";
import { MissingFieldsError, ValidationError } from "./errors";

/**
 * Parses `input` with `schema`, turning the first issue into a `ValidationError` that names the
 * field (its dot path, or `body` when the input as a whole is wrong).
 */
export function parseOrThrow<S extends v.GenericSchema>(schema: S, input: unknown, field = "body"): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) {
    return result.output;
  }
  const issue = result.issues[0];
  throw new ValidationError(v.getDotPath(issue) ?? field, issue.message);
}

/**
 * A JSON object body with every `required` field present. Absent (or null) fields are reported
 * together, in the original API's shape, before any field is checked.
 */
export function requireFields(body: unknown, required: readonly string[]): Record<string, unknown> {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError("body", "body must be a JSON object");
  }
  const fields = body as Record<string, unknown>;
  const missing = required.filter((field) => fields[field] === undefined || fields[field] === null);
  if (missing.length > 0) {
    throw new MissingFieldsError(missing, required);
  }
  return fields;
}

/** A trimmed, non-empty string of at most `max` characters, with messages that name `field`. */
export function boundedText(field: string, max: number) {
  return v.pipe(
    v.string(`${field} must be a string`),
    v.trim(),
    v.nonEmpty(`${field} must not be empty`),
    v.maxLength(max, `${field} must be at most ${max} characters`),
  );
}
