import * as v from "valibot";
import {
  ConflictError,
  ForbiddenError,
  IdempotencyKeyReusedError,
  InvalidTransitionError,
  MissingFieldsError,
  NotFoundError,
  OutOfStockError,
  RequestInProgressError,
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

/** The answer to an order for more than is in stock. */
export const OutOfStockBodySchema = v.strictObject({
  message: v.literal("Item out of stock"),
  product: v.string(),
  available: v.pipe(v.number(), v.integer(), v.description("Units free when the order was checked")),
});

/** The answer to a status change the order-status machine refuses. */
export const InvalidTransitionBodySchema = v.strictObject({
  message: v.string(),
  status: v.pipe(v.string(), v.description("The order's status")),
  requested: v.pipe(v.string(), v.description("The status asked for")),
});

/** What a client sees for a failed request: a status code and a JSON body, never a stack trace. */
interface HttpError {
  readonly statusCode: number;
  readonly body: { readonly message: string } & Readonly<Record<string, unknown>>;
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
    return { statusCode: 409, body: { message: error.message, product: error.product, available: error.available } };
  }
  if (error instanceof InvalidTransitionError) {
    return { statusCode: 409, body: { message: error.message, status: error.from, requested: error.to } };
  }
  if (error instanceof ConflictError || error instanceof RequestInProgressError) {
    return { statusCode: 409, body: { message: error.message } };
  }
  if (error instanceof IdempotencyKeyReusedError) {
    return { statusCode: 422, body: { message: error.message } };
  }
  return undefined;
}
