import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import { IdempotencyKeyReusedError, RequestInProgressError, ValidationError } from "../domain/errors";
import { type ApiHandler, json } from "./http";
import { toHttpError } from "../domain/http-errors";

/** The header a client sets to make retries of `POST /orders` safe. */
const IDEMPOTENCY_HEADER = "idempotency-key";

/** How long a key is remembered: long enough for any client's retries. */
const REMEMBER_SECONDS = 24 * 60 * 60;

const VALID_KEY = /^[\x21-\x7e]{1,128}$/;

/**
 * Makes a handler idempotent per caller and `Idempotency-Key` with Powertools Idempotency: a retry
 * with the same key and body gets the first answer without running again; the same key with
 * another body gets 422. Keys are scoped to the token's `sub`, so two users' keys never collide.
 * Requests without the header run as they are.
 */
export function withIdempotencyKey(
  handler: ApiHandler,
  persistenceStore: BasePersistenceLayer,
  name: string,
): ApiHandler {
  const idempotent = makeIdempotent(handler, {
    persistenceStore,
    keyPrefix: name,
    config: new IdempotencyConfig({
      eventKeyJmesPath: `[requestContext.authorizer.jwt.claims.sub, headers."${IDEMPOTENCY_HEADER}"]`,
      payloadValidationJmesPath: "body",
      expiresAfterSeconds: REMEMBER_SECONDS,
    }),
  });

  return async (event, context) => {
    const key = event.headers?.[IDEMPOTENCY_HEADER];
    if (key === undefined) {
      return handler(event, context);
    }
    try {
      if (!VALID_KEY.test(key)) {
        throw new ValidationError("Idempotency-Key", "Idempotency-Key must be 1 to 128 visible ASCII characters");
      }
      return await idempotent(event, context);
    } catch (error) {
      const http = toHttpError(translate(error));
      if (http) return json(http.statusCode, http.body);
      throw error;
    }
  };
}

/** Powertools' errors, in the domain's terms. */
function translate(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === "IdempotencyValidationError") return new IdempotencyKeyReusedError({ cause: error });
  if (error.name === "IdempotencyAlreadyInProgressError") return new RequestInProgressError({ cause: error });
  return error;
}
