import * as v from "valibot";
import {
  ConflictError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  MissingFieldsError,
  NotFoundError,
  OrderNotCancellableError,
  OutOfStockError,
  RequestInProgressError,
  TransientError,
  UnauthorizedError,
  ValidationError,
} from "./errors";

/**
 * The body of every refusal: what went wrong, and the field at fault when one is. Error bodies are
 * strict: each carries exactly the keys `toHttpError` gives it, which is what tells the bodies of
 * one status apart in the API contract.
 */
export const ErrorBodySchema = v.strictObject({
  message: v.string(),
  field: v.optional(v.pipe(v.string(), v.description("The request field at fault, `body` for the body as a whole"))),
});

/** The original API's answer to absent fields. */
export const MissingFieldsBodySchema = v.strictObject({
  message: v.literal("Missing required fields"),
  missingFields: v.array(v.string()),
  requiredFields: v.array(v.string()),
});

/** The answer to an order for more than is in stock: the first short line, and every one when the order has several lines. */
export const OutOfStockBodySchema = v.strictObject({
  message: v.literal("Item out of stock"),
  product: v.pipe(v.string(), v.description("The first line short of stock")),
  available: v.pipe(v.number(), v.integer(), v.description("Its units free when the order was checked")),
  lines: v.optional(
    v.pipe(
      v.array(
        v.strictObject({
          product: v.string(),
          requested: v.pipe(v.number(), v.integer()),
          available: v.pipe(v.number(), v.integer(), v.description("Units free when the order was checked")),
        }),
      ),
      v.description("Every line short of stock, when the order has several lines (items)"),
    ),
  ),
});

/** The answer to a status change the order-status machine refuses (a DELETE of a shipped order too: it would cancel it). */
export const InvalidTransitionBodySchema = v.strictObject({
  message: v.string(),
  status: v.pipe(v.string(), v.description("The order's status")),
  requested: v.pipe(v.string(), v.description("The status asked for")),
});

/**
 * Seconds a client should wait before trying again after a 503 (`Retry-After`). By then the SDK has
 * already retried the call with back-off and the workflow its tasks (1 + 2 + 4 s): a throttle or a
 * stalled table that outlasted both clears in seconds, or not soon at all.
 */
export const RETRY_AFTER_SECONDS = 2;

/** The answer to a dependency that said "not now": nothing was done, the same request may succeed later. */
export const SERVICE_UNAVAILABLE_MESSAGE = "Service temporarily unavailable; retry after the Retry-After delay";

/**
 * What a client sees for a failed request: a status code, a JSON body, never a stack trace, and
 * the headers the status needs.
 */
export interface HttpError {
  readonly statusCode: number;
  readonly body: { readonly message: string } & Readonly<Record<string, unknown>>;
  readonly headers?: Readonly<Record<string, string>>;
}

/**
 * The one place where errors become HTTP responses. Returns `undefined` for errors OMS did not
 * raise on purpose: those are bugs, and the caller lets them escape.
 */
export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof MissingFieldsError) {
    return {
      statusCode: 400,
      body: {
        message: error.message,
        missingFields: [...error.missingFields],
        requiredFields: [...error.requiredFields],
      },
    };
  }
  if (error instanceof ValidationError) {
    return { statusCode: 400, body: { message: error.message, field: error.field } };
  }
  if (error instanceof UnauthorizedError) {
    return { statusCode: 401, body: { message: error.message } };
  }
  if (error instanceof ForbiddenError) {
    return { statusCode: 403, body: { message: error.message } };
  }
  if (error instanceof NotFoundError) {
    return { statusCode: 404, body: { message: error.message } };
  }
  if (error instanceof OutOfStockError) {
    const [first] = error.shortLines;
    return {
      statusCode: 409,
      body: {
        message: error.message,
        product: first?.product ?? "",
        available: first?.available ?? 0,
        ...(error.severalLines ? { lines: error.shortLines.map((line) => ({ ...line })) } : {}),
      },
    };
  }
  if (error instanceof InvalidTransitionError || error instanceof OrderNotCancellableError) {
    return { statusCode: 409, body: { message: error.message, status: error.from, requested: error.to } };
  }
  if (error instanceof ConflictError || error instanceof RequestInProgressError) {
    return { statusCode: 409, body: { message: error.message } };
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return { statusCode: 422, body: { message: error.message } };
  }
  if (error instanceof TransientError) {
    // The error's own message names the dependency: it is for the log, not for the client.
    return {
      statusCode: 503,
      body: { message: SERVICE_UNAVAILABLE_MESSAGE },
      headers: { "retry-after": String(RETRY_AFTER_SECONDS) },
    };
  }
  return undefined;
}
