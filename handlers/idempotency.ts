import { Logger } from "@aws-lambda-powertools/logger";
import { IdempotencyConfig, makeIdempotent } from "@aws-lambda-powertools/idempotency";
import type { BasePersistenceLayer } from "@aws-lambda-powertools/idempotency/persistence";
import { IdempotencyKeyReusedError, RequestInProgressError, TransientError, ValidationError } from "../domain/errors";
import { toHttpError } from "../domain/http-errors";
import { isDynamoDbNotNow } from "./adapters/dynamodb-errors";
import { type ApiHandler, type ApiResult, SERVICE_UNAVAILABLE, json } from "./http";

/** The header a client sets to make retries of `POST /orders` safe. */
const IDEMPOTENCY_HEADER = "idempotency-key";

/** How long a key is remembered: long enough for any client's retries. */
const REMEMBER_SECONDS = 24 * 60 * 60;

const VALID_KEY = /^[\x21-\x7e]{1,128}$/;

/** Thrown through Powertools so that it forgets the key instead of remembering the answer. */
class AnswerNotRemembered extends Error {}

/**
 * Makes a handler idempotent per caller and `Idempotency-Key` with Powertools Idempotency: a retry
 * with the same key and body gets the first answer without running again; the same key with
 * another body gets 422. Keys are scoped to the token's `sub`, so two users' keys never collide.
 * Requests without the header run as they are.
 *
 * A 503 is never remembered: it asks the client to send the same request again, so the key is
 * forgotten (Powertools deletes its record when the handler throws) and the retry runs. The key's
 * store saying "not now" is a 503 too, when nothing ran. Once the handler has answered, its answer
 * stands even if the store then fails to record it: the order is placed, and a 503 would invite a
 * second one.
 */
export function withIdempotencyKey(
  handler: ApiHandler,
  persistenceStore: BasePersistenceLayer,
  name: string,
  logger = new Logger(),
): ApiHandler {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: `[requestContext.authorizer.jwt.claims.sub, headers."${IDEMPOTENCY_HEADER}"]`,
    payloadValidationJmesPath: "body",
    expiresAfterSeconds: REMEMBER_SECONDS,
  });

  return async (event, context) => {
    const key = event.headers?.[IDEMPOTENCY_HEADER];
    if (key === undefined) {
      return handler(event, context);
    }
    // What the handler did in this invocation, whatever the store does afterwards.
    const ran: { answered?: ApiResult; threw?: { error: unknown } } = {};
    const idempotent = makeIdempotent(
      async (request: typeof event, lambdaContext: typeof context): Promise<ApiResult> => {
        try {
          ran.answered = await handler(request, lambdaContext);
        } catch (error) {
          ran.threw = { error };
          throw error;
        }
        if (ran.answered.statusCode === SERVICE_UNAVAILABLE) throw new AnswerNotRemembered();
        return ran.answered;
      },
      { persistenceStore, keyPrefix: name, config },
    );
    try {
      if (!VALID_KEY.test(key)) {
        throw new ValidationError("Idempotency-Key", "Idempotency-Key must be 1 to 128 visible ASCII characters");
      }
      return await idempotent(event, context);
    } catch (error) {
      if (ran.threw) throw ran.threw.error;
      if (ran.answered) {
        if (!(error instanceof AnswerNotRemembered)) {
          logger.warn(
            "The Idempotency-Key store did not record the answer",
            error instanceof Error ? error : String(error),
          );
        }
        return ran.answered;
      }
      const http = toHttpError(translate(error));
      if (http) return json(http.statusCode, http.body, http.headers);
      throw error;
    }
  };
}

/** Powertools' errors, in the domain's terms. */
function translate(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  if (error.name === "IdempotencyValidationError") return new IdempotencyKeyReusedError({ cause: error });
  if (error.name === "IdempotencyAlreadyInProgressError") return new RequestInProgressError({ cause: error });
  // The store (DynamoDB) could not take the key: nothing ran, so the request may simply be sent again.
  const storeError = error.name === "IdempotencyPersistenceLayerError" ? error.cause : error;
  if (isDynamoDbNotNow(storeError)) return new TransientError("Idempotency-Key store unavailable", { cause: error });
  return error;
}
