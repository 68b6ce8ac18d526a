import type { ShortLine } from "./inventory";
/**
 * Errors OMS raises on purpose. Anything that is not an `OmsError` is a bug: handlers let it
 * escape so that Lambda counts it in `Errors` and the alarm fires.
 *
 * Every class declares its own constructor and its `name` as a getter, and `OmsError` sets
 * `message`, `cause` and `stack` itself, on purpose. These classes travel inside Pulumi's closure
 * serializer, which rewrites `super(...)` into `Error.call(this, ...)` (that sets nothing on
 * `this`), drops the arguments of implicit constructors, and only keeps a class's prototype chain
 * when that prototype has members of its own.
 * `test/domain/errors.test.ts` serializes them and checks they still behave.
 */
export class OmsError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    Object.defineProperty(this, "message", { value: message, writable: true, configurable: true, enumerable: false });
    if (options && "cause" in options) {
      Object.defineProperty(this, "cause", {
        value: options.cause,
        writable: true,
        configurable: true,
        enumerable: false,
      });
    }
    Error.captureStackTrace(this, new.target);
  }

  override get name(): string {
    return "OmsError";
  }
}

/** One field of a request is wrong; `field` names it (`body` for the body as a whole). */
export class ValidationError extends OmsError {
  constructor(
    readonly field: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }

  override get name(): string {
    return "ValidationError";
  }
}

/** Required fields are absent; kept in the shape the original API answered with. */
export class MissingFieldsError extends OmsError {
  constructor(
    readonly missingFields: readonly string[],
    readonly requiredFields: readonly string[],
    options?: ErrorOptions,
  ) {
    super("Missing required fields", options);
  }

  override get name(): string {
    return "MissingFieldsError";
  }
}

/** The resource does not exist, or the caller may not know that it does. */
export class NotFoundError extends OmsError {
  constructor(
    readonly resource: string,
    readonly id: string,
    options?: ErrorOptions,
  ) {
    super(`${resource} not found`, options);
  }

  override get name(): string {
    return "NotFoundError";
  }
}

/** The request carries no usable identity (API Gateway normally stops these first). */
export class UnauthorizedError extends OmsError {
  constructor(options?: ErrorOptions) {
    super("Unauthorized", options);
  }

  override get name(): string {
    return "UnauthorizedError";
  }
}

/** The caller is known but lacks the role the operation needs. */
export class ForbiddenError extends OmsError {
  constructor(
    readonly requiredGroup: string,
    options?: ErrorOptions,
  ) {
    super("Forbidden", options);
  }

  override get name(): string {
    return "ForbiddenError";
  }
}

/** The resource already exists (e.g. a second profile for the same user). */
export class ConflictError extends OmsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }

  override get name(): string {
    return "ConflictError";
  }
}

/**
 * Fewer units are in stock than one or more lines ask for; nothing was reserved. `product` and
 * `available` name the first short line, as the original API's one-line orders had them; an order
 * of several lines also lists every short line (`lines`).
 */
export class OutOfStockError extends OmsError {
  constructor(
    readonly shortLines: readonly ShortLine[],
    /** Whether the order has several lines: only then does the answer list them. */
    readonly severalLines: boolean,
    options?: ErrorOptions,
  ) {
    super("Item out of stock", options);
  }

  override get name(): string {
    return "OutOfStockError";
  }
}

/** The order names a product the inventory does not carry: on line `line` (from 0) of an order of several. */
export class UnknownProductError extends ValidationError {
  constructor(
    readonly product: string,
    readonly line?: number,
    options?: ErrorOptions,
  ) {
    super(
      line === undefined ? "product" : `items.${line}.product`,
      `product "${product}" is not in the inventory`,
      options,
    );
  }

  override get name(): string {
    return "UnknownProductError";
  }
}

/** The order-status machine does not allow this change. */
export class InvalidTransitionError extends OmsError {
  constructor(
    readonly from: string,
    readonly to: string,
    options?: ErrorOptions,
  ) {
    super(`Cannot change an order from ${from} to ${to}`, options);
  }

  override get name(): string {
    return "InvalidTransitionError";
  }
}

/**
 * A customer's `DELETE` cannot cancel the order: it has shipped (or been delivered), its units have
 * left. Refused as the status change to `CANCELLED` it would have been, with a message saying why.
 */
export class OrderNotCancellableError extends OmsError {
  constructor(
    readonly from: string,
    options?: ErrorOptions,
  ) {
    super(`The order is ${from}: its units have left, so it can no longer be cancelled or deleted`, options);
  }

  /** The status a DELETE moves an order to. A getter: Pulumi's serializer drops class fields' initializers. */
  get to(): string {
    return "CANCELLED";
  }

  override get name(): string {
    return "OrderNotCancellableError";
  }
}

/** An `Idempotency-Key` came back with a different request body. */
export class IdempotencyKeyReusedError extends OmsError {
  constructor(options?: ErrorOptions) {
    super("Idempotency-Key was already used with a different request body", options);
  }

  override get name(): string {
    return "IdempotencyKeyReusedError";
  }
}

/** The first request with this `Idempotency-Key` is still running; retry shortly. */
export class RequestInProgressError extends OmsError {
  constructor(options?: ErrorOptions) {
    super("A request with this Idempotency-Key is still in progress", options);
  }

  override get name(): string {
    return "RequestInProgressError";
  }
}

/**
 * A dependency could not answer now (throttling, a transaction conflict, its own fault, the
 * network); trying again later may work. The order workflow retries tasks that fail with
 * this name; the API answers it with 503 and `Retry-After`.
 */
export class TransientError extends OmsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }

  override get name(): string {
    return "TransientError";
  }
}

/** The mail service will never deliver this mail (a refused or suppressed address): sending it again is pointless. */
export class MailRejectedError extends OmsError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
  }

  override get name(): string {
    return "MailRejectedError";
  }
}
