import * as v from "valibot";
import { ValidationError } from "./errors";

/**
 * Parses `input` with `schema`, turning the first issue into a `ValidationError` that names the
 * field (its dot path, or `body` when the input as a whole is wrong).
 */
export function parseOrThrow<S extends v.GenericSchema>(schema: S, input: unknown): v.InferOutput<S> {
  const result = v.safeParse(schema, input, { abortEarly: true });
  if (result.success) {
    return result.output;
  }
  const issue = result.issues[0];
  throw new ValidationError(v.getDotPath(issue) ?? "body", issue.message);
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
