import { CORS_ALLOW_HEADERS, CORS_EXPOSE_HEADERS, CORS_MAX_AGE_SECONDS, corsAllowMethods } from "../api/cors";
import type { Route } from "../api/routes";

/** An HTTP API's CORS configuration. */
export interface CorsPolicy {
  /** Origins allowed; `*` allows any. */
  readonly allowOrigins: readonly string[];
  readonly allowMethods: readonly string[];
  readonly allowHeaders: readonly string[];
  /** Response headers scripts may read, sent on actual (not preflight) responses. */
  readonly exposeHeaders: readonly string[];
  readonly maxAgeSeconds: number;
}

/**
 * The CORS policy for the stack's `corsAllowedOrigins`; `undefined` (CORS off) when that list is
 * empty: the same policy `OrdersApi` gives API Gateway.
 */
export function corsPolicy(
  allowOrigins: readonly string[],
  routes: readonly Pick<Route, "method">[],
): CorsPolicy | undefined {
  if (allowOrigins.length === 0) return undefined;
  return {
    allowOrigins,
    allowMethods: corsAllowMethods(routes),
    allowHeaders: CORS_ALLOW_HEADERS,
    exposeHeaders: CORS_EXPOSE_HEADERS,
    maxAgeSeconds: CORS_MAX_AGE_SECONDS,
  };
}

/** The `access-control-allow-origin` value for a request from `origin`, if that origin is allowed. */
export function allowedOrigin(policy: CorsPolicy | undefined, origin: string | undefined): string | undefined {
  if (!policy || !origin) return undefined;
  if (policy.allowOrigins.includes("*")) return "*";
  return policy.allowOrigins.some((allowed) => allowed.toLowerCase() === origin.toLowerCase()) ? origin : undefined;
}

/** The request headers a preflight is judged on. */
export interface PreflightRequest {
  readonly origin?: string;
  readonly accessControlRequestMethod?: string;
}

/**
 * Headers of API Gateway's own answer to a preflight `OPTIONS` (always 204, no authorizer): the
 * CORS headers only for a real preflight (`Origin` and `Access-Control-Request-Method`) from an
 * allowed origin, none otherwise, which the browser reads as a refusal.
 */
export function preflightHeaders(policy: CorsPolicy, request: PreflightRequest): Record<string, string> {
  const origin = allowedOrigin(policy, request.origin);
  if (!origin || !request.accessControlRequestMethod) return {};
  return {
    "access-control-allow-origin": origin,
    "access-control-allow-methods": policy.allowMethods.join(","),
    "access-control-allow-headers": policy.allowHeaders.join(","),
    "access-control-max-age": String(policy.maxAgeSeconds),
  };
}

/**
 * The CORS headers API Gateway adds to an actual (non-preflight) response for a request from
 * `origin`: the allowed origin and the exposed headers; none for an origin the policy does not list.
 */
export function responseHeaders(policy: CorsPolicy, origin: string | undefined): Record<string, string> {
  const allowed = allowedOrigin(policy, origin);
  if (!allowed) return {};
  const exposed = policy.exposeHeaders.join(",");
  return { "access-control-allow-origin": allowed, ...(exposed ? { "access-control-expose-headers": exposed } : {}) };
}
