import type * as v from "valibot";
import {
  ErrorBodySchema,
  InvalidTransitionBodySchema,
  MissingFieldsBodySchema,
  OutOfStockBodySchema,
  RETRY_AFTER_SECONDS,
  SERVICE_UNAVAILABLE_MESSAGE,
} from "../domain/http-errors";

/** A response header: what it means, and an example value. */
export interface HeaderSpec {
  readonly description: string;
  readonly example: number | string;
}

/** One answer a route can give: its status, what it means, its body's schema and an example. */
export interface ResponseSpec {
  readonly status: number;
  readonly description: string;
  readonly schema?: v.GenericSchema;
  /** The body's media type when it is not JSON (`text/csv`): then it has an example and no schema. */
  readonly mediaType?: string;
  readonly example?: unknown;
  /** Headers the answer always carries, by name. */
  readonly headers?: Readonly<Record<string, HeaderSpec>>;
  /** The name of the answer in the contract's reusable responses, when every route shares it. */
  readonly component?: string;
}

/**
 * Refusals a route gives on purpose, by name; `Route.refusals` lists a route's. Several share a
 * status (400, 409): the contract shows each as an example of that status.
 */
export const REFUSALS = {
  invalidField: {
    status: 400,
    description: "A field is wrong; `field` names it",
    schema: ErrorBodySchema,
    example: { message: "quantity must be a positive integer", field: "quantity" },
  },
  missingFields: {
    status: 400,
    description: "Required fields are absent (the original API's shape)",
    schema: MissingFieldsBodySchema,
    example: {
      message: "Missing required fields",
      missingFields: ["product", "quantity"],
      requiredFields: ["customerName", "product", "quantity"],
    },
  },
  forbidden: {
    status: 403,
    description: "Only members of the admin group may do this",
    schema: ErrorBodySchema,
    example: { message: "Forbidden" },
  },
  notFound: {
    status: 404,
    description: "It does not exist, or it is not the caller's",
    schema: ErrorBodySchema,
    example: { message: "Order not found" },
  },
  outOfStock: {
    status: 409,
    description: "Fewer units are free than the order asks for; nothing was reserved",
    schema: OutOfStockBodySchema,
    example: { message: "Item out of stock", product: "coolant", available: 2 },
  },
  invalidTransition: {
    status: 409,
    description: "The order-status machine does not allow this change",
    schema: InvalidTransitionBodySchema,
    example: { message: "Cannot change an order from SHIPPED to PLACED", status: "SHIPPED", requested: "PLACED" },
  },
  conflict: {
    status: 409,
    description: "It exists already, or changed meanwhile",
    schema: ErrorBodySchema,
    example: { message: "A profile already exists for this user" },
  },
  idempotencyKeyReused: {
    status: 422,
    description: "The Idempotency-Key was used before with another body",
    schema: ErrorBodySchema,
    example: { message: "Idempotency-Key was already used with a different request body" },
  },
} as const satisfies Record<string, ResponseSpec>;
export type Refusal = keyof typeof REFUSALS;

/** Answers every route can give: from API Gateway itself, from a dependency that said "not now", or from a bug. */
export const COMMON_RESPONSES: readonly ResponseSpec[] = [
  {
    status: 401,
    description: "No valid token (API Gateway's own answer)",
    schema: ErrorBodySchema,
    example: { message: "Unauthorized" },
  },
  {
    status: 429,
    description: "Over the stage's throttling limits (API Gateway's own answer)",
    schema: ErrorBodySchema,
    example: { message: "Too Many Requests" },
  },
  {
    status: 500,
    description: "A bug; details are in the function's log, never in the answer",
    schema: ErrorBodySchema,
    example: { message: "Internal Server Error" },
  },
  {
    status: 503,
    component: "ServiceUnavailable",
    description:
      "A dependency (DynamoDB, Step Functions) is throttled or unavailable and nothing was done: send the same request again after `Retry-After` seconds (with the same `Idempotency-Key` where the route takes one)",
    schema: ErrorBodySchema,
    example: { message: SERVICE_UNAVAILABLE_MESSAGE },
    headers: {
      "Retry-After": { description: "Seconds to wait before sending the request again", example: RETRY_AFTER_SECONDS },
    },
  },
];
