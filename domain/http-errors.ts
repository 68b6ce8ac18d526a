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

/** What a client sees for a failed request: a status code and a JSON body, never a stack trace. */
export interface HttpError {
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
