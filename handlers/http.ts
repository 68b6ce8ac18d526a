import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2, Context } from "aws-lambda";
import { Logger } from "@aws-lambda-powertools/logger";
import { ADMIN_GROUP, type Caller } from "../domain/caller";
import { ForbiddenError, TransientError, UnauthorizedError, ValidationError } from "../domain/errors";
import { toHttpError } from "../domain/http-errors";
import {
  BusinessMetric,
  type BusinessMetrics,
  type EventPublisher,
  type Mailer,
  type OrderWorkflow,
} from "../domain/ports";

/** The event API Gateway HTTP API sends (payload format 2.0) behind a JWT authorizer. */
export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
/** What a route's function answers. */
export type ApiResult = APIGatewayProxyStructuredResultV2;
/** A route's function; Lambda passes the invocation's context, which Powertools reads. */
export type ApiHandler = (event: ApiEvent, context: Context) => Promise<ApiResult>;

/**
 * Adapters the local stack brings where no emulator serves the AWS API (the events topic, SES,
 * starting the workflow). In the cloud nothing is passed, and each factory builds its SDK clients
 * instead.
 */
export interface InjectedAdapters {
  readonly orderWorkflow?: OrderWorkflow;
  readonly metrics?: BusinessMetrics;
  /** Where the change-stream reader publishes events. */
  readonly events?: EventPublisher;
  /** What the order mailer sends customer mail through. */
  readonly mailer?: Mailer;
}

/** Builds a route's function once per cold start: the factory `pulumi up` serializes (see `infra/handler-code.ts`). */
export type ApiHandlerFactory = (adapters?: InjectedAdapters) => ApiHandler;

/** Bodies above this are refused before parsing; an order is a few hundred bytes. */
export const MAX_BODY_BYTES = 16 * 1024;

/** A JSON response (no body when `body` is undefined). */
export function json(statusCode: number, body?: unknown, headers: Record<string, string> = {}): ApiResult {
  if (body === undefined) {
    return { statusCode, headers };
  }
  return {
    statusCode,
    headers: { "content-type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

/** A response whose body is text in `contentType` (a CSV export): `json`'s counterpart for anything but JSON. */
export function text(
  statusCode: number,
  body: string,
  contentType: string,
  headers: Record<string, string> = {},
): ApiResult {
  return { statusCode, headers: { "content-type": contentType, ...headers }, body };
}

/**
 * API Gateway renders every claim as a string, arrays as `[a b]`; tokens checked elsewhere may
 * carry real arrays. Both are read.
 */
function groupsOf(claim: unknown): string[] {
  if (Array.isArray(claim)) return claim.map(String);
  if (typeof claim !== "string") return [];
  return claim
    .replace(/^\[|\]$/g, "")
    .split(/[\s,]+/)
    .filter((group) => group.length > 0);
}

/** Refuses callers outside the `admin` group. */
export function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) {
    throw new ForbiddenError(ADMIN_GROUP);
  }
}

/** Who sent the request, from the claims the JWT authorizer verified. */
export function callerOf(event: ApiEvent): Caller {
  const claims = event.requestContext.authorizer?.jwt?.claims ?? {};
  const sub = claims["sub"];
  if (typeof sub !== "string" || sub.length === 0) {
    throw new UnauthorizedError();
  }
  return { userId: sub, isAdmin: groupsOf(claims["cognito:groups"]).includes(ADMIN_GROUP) };
}

/** The request body as JSON, refused with a 400 naming `body` when it is too big or not JSON. */
export function jsonBody(event: ApiEvent): unknown {
  if (event.body === undefined || event.body === "") {
    throw new ValidationError("body", "body must be a JSON object");
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, "base64").toString("utf8") : event.body;
  if (Buffer.byteLength(text, "utf8") > MAX_BODY_BYTES) {
    throw new ValidationError("body", `body must be at most ${MAX_BODY_BYTES} bytes`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ValidationError("body", "body must be valid JSON", { cause: error });
  }
}

/** A path parameter API Gateway matched; its absence means the route table and the code disagree. */
export function pathParameter(event: ApiEvent, name: string): string {
  const value = event.pathParameters?.[name];
  if (value === undefined || value === "") {
    throw new ValidationError(name, `${name} is required`);
  }
  return value;
}

/** A Powertools handler decorator, such as `logger.injectLambdaContext(…)` or `metrics.logMetrics(…)`. */
type HandlerDecorator = ReturnType<Logger["injectLambdaContext"]>;

/** Any Lambda handler: an event and the invocation's context in, a promise out. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each handler has its own event and result types
export type LambdaHandler = (event: any, context: Context) => Promise<unknown>;

/**
 * `handler` wrapped by a Powertools handler decorator, applied as TypeScript applies one to a
 * class method. Powertools ships its per-invocation behaviour (Lambda context on every log line,
 * `resetKeys`, one metrics flush, the cold-start metric) as Middy middleware and as class-method
 * decorators; OMS's handlers are plain functions that factories build, and Middy is not a
 * dependency, so the decorators are applied here, by hand.
 */
export function decorated<H extends LambdaHandler>(handler: H, decorator: HandlerDecorator): H {
  const descriptor = { value: handler };
  decorator({ handler }, "handler", descriptor);
  return descriptor.value;
}

/** The status of an answer that says "not now, retry after `Retry-After`" (a `TransientError`). */
export const SERVICE_UNAVAILABLE = 503;

/**
 * Runs a route with a Powertools logger whose every line carries the Lambda context, the request
 * id, the route and the caller's id (`injectLambdaContext` with `resetKeys` drops the keys after
 * each invocation, so that none leaks into the next). Errors OMS raised on purpose become their
 * HTTP response: a dependency that said "not now" (`TransientError`) is a 503 with `Retry-After`,
 * returned, not thrown, so that it stays out of `Errors` and its alarm. Anything else is logged
 * (never the event: it carries the token) and rethrown, so that Lambda counts it in `Errors`, the
 * alarm fires, and API Gateway answers its own 500 without a stack trace.
 */
export function httpHandler(
  handle: (event: ApiEvent, log: Logger) => Promise<ApiResult>,
  logger = new Logger(),
): ApiHandler {
  const route: ApiHandler = async (event) => {
    const sub = event.requestContext.authorizer?.jwt?.claims?.["sub"];
    logger.appendKeys({
      requestId: event.requestContext.requestId,
      routeKey: event.routeKey,
      ...(typeof sub === "string" ? { userId: sub } : {}),
    });
    try {
      return await handle(event, logger);
    } catch (error) {
      const http = toHttpError(error);
      if (http) {
        // The answer hides which dependency failed; the log says it, with the SDK's error as cause.
        if (error instanceof TransientError) logger.warn("Dependency unavailable", error);
        return json(http.statusCode, http.body, http.headers);
      }
      logger.error("Unhandled error", error instanceof Error ? error : String(error));
      throw error;
    }
  };
  return decorated(route, logger.injectLambdaContext({ resetKeys: true }));
}

/**
 * Counts every 503 the handler answers as `DependencyUnavailable`, once per answer. Throttles and
 * outages are kept out of the bug alarm (`Errors`): this is what alarms on them. Every route gets
 * it through `countingDependencyUnavailable` (`handlers/adapters/powertools-metrics.ts`).
 */
export function countingUnavailable(handler: ApiHandler, metrics: BusinessMetrics): ApiHandler {
  return async (event, context) => {
    const result = await handler(event, context);
    if (result.statusCode === SERVICE_UNAVAILABLE) metrics.count(BusinessMetric.DependencyUnavailable);
    return result;
  };
}
