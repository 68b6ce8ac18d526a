import type { ApiEvent, ApiResult } from "../../handlers/http";

/** What a spec says about a request; the rest of the payload 2.0 event is filled in as API Gateway would. */
export interface RequestSpec {
  readonly routeKey: string;
  readonly path?: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: string;
  /** Claims as the JWT authorizer renders them: strings only, arrays as `[a b]`. */
  readonly claims?: Record<string, string>;
}

/** A caller's claims, rendered like API Gateway's JWT authorizer does. */
export function claimsFor(sub: string, groups: readonly string[] = []): Record<string, string> {
  return {
    sub,
    email: `${sub}@example.com`,
    token_use: "id",
    ...(groups.length > 0 ? { "cognito:groups": `[${groups.join(" ")}]` } : {}),
  };
}

/** An API Gateway HTTP API (payload format 2.0) event behind a JWT authorizer. */
export function apiEvent(spec: RequestSpec): ApiEvent {
  const [method = "GET", routePath = "/"] = spec.routeKey.split(" ");
  const path = spec.path ?? routePath;
  const rawQueryString = new URLSearchParams(spec.query ?? {}).toString();
  const now = Date.now();
  return {
    version: "2.0",
    routeKey: spec.routeKey,
    rawPath: path,
    rawQueryString,
    headers: { "content-type": "application/json", host: "api.example.com" },
    ...(spec.query ? { queryStringParameters: spec.query } : {}),
    ...(spec.pathParameters ? { pathParameters: spec.pathParameters } : {}),
    ...(spec.body !== undefined ? { body: spec.body } : {}),
    isBase64Encoded: false,
    requestContext: {
      accountId: "123456789012",
      apiId: "api",
      authorizer: { principalId: "", integrationLatency: 0, jwt: { claims: spec.claims ?? {}, scopes: [] } },
      domainName: "api.example.com",
      domainPrefix: "api",
      http: { method, path, protocol: "HTTP/1.1", sourceIp: "127.0.0.1", userAgent: "spec" },
      requestId: `req-${now}`,
      routeKey: spec.routeKey,
      stage: "$default",
      time: new Date(now).toUTCString(),
      timeEpoch: now,
    },
  };
}

/** A handler's JSON answer, parsed. */
export function bodyOf<T = Record<string, unknown>>(result: ApiResult): T {
  return JSON.parse(result.body ?? "null") as T;
}

/** A request to `/orders/{id}` by `claims`, with a JSON body when one is given. */
export function orderEvent(routeKey: string, claims: Record<string, string>, id: string, body?: unknown): ApiEvent {
  return apiEvent({
    routeKey,
    path: `/orders/${id}`,
    pathParameters: { id },
    claims,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}
