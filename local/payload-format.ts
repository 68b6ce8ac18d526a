import type { ApiEvent } from "../handlers/http";
import type { JwtAuthorization } from "./jwt-authorizer";

/** A request as the gateway received it, before any interpretation. */
export interface GatewayRequest {
  readonly method: string;
  /** The request target as sent: path and query string, still percent-encoded. */
  readonly target: string;
  /** Header names and values, alternating, as node gives them (`rawHeaders`). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
  /** e.g. `HTTP/1.1`. */
  readonly protocol: string;
}

/** What the gateway decided about a request: its route, its caller, its id and time. */
export interface EventContext {
  readonly routeKey: string;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly authorization: JwtAuthorization;
  readonly requestId: string;
  readonly time: Date;
  readonly apiId: string;
  readonly accountId: string;
}

/** A response ready to write: header values are strings, or lists for `set-cookie`. */
export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string | readonly string[]>>;
  readonly body: Buffer;
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `requestContext.time` as API Gateway writes it: `12/Mar/2020:19:03:58 +0000`. */
export function requestTime(time: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return (
    `${two(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:` +
    `${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())} +0000`
  );
}

/** Splits a request target into API Gateway's `rawPath` and `rawQueryString`. */
export function splitTarget(target: string): { rawPath: string; rawQueryString: string } {
  const question = target.indexOf("?");
  return question === -1
    ? { rawPath: target, rawQueryString: "" }
    : { rawPath: target.slice(0, question), rawQueryString: target.slice(question + 1) };
}

/** Headers with lower-cased names, repeated ones joined with commas, as in payload format 2.0. */
export function joinHeaders(rawHeaders: readonly string[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = (rawHeaders[i] as string).toLowerCase();
    const value = rawHeaders[i + 1] as string;
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  return headers;
}

/** Whether API Gateway passes a body of this type as text; anything else arrives base64-encoded. */
export function isTextContentType(contentType: string | undefined): boolean {
  const type = contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
  return (
    type.startsWith("text/") ||
    ["application/json", "application/xml", "application/javascript"].includes(type) ||
    type.endsWith("+json") ||
    type.endsWith("+xml")
  );
}

/** Every cookie of every `Cookie` header, in order, as payload format 2.0's `cookies`. */
function cookiesOf(rawHeaders: readonly string[]): string[] {
  const cookies: string[] = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    if ((rawHeaders[i] as string).toLowerCase() !== "cookie") continue;
    cookies.push(...(rawHeaders[i + 1] as string).split(/;\s*/).filter((part) => part !== ""));
  }
  return cookies;
}

function queryParameters(rawQueryString: string): Record<string, string> | undefined {
  if (rawQueryString === "") return undefined;
  const parameters: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(rawQueryString)) {
    parameters[name] = parameters[name] === undefined ? value : `${parameters[name]},${value}`;
  }
  return parameters;
}

/**
 * The payload format 2.0 event API Gateway would send for `request`. The `cookie` header moves
 * to `cookies`; API Gateway's `x-forwarded-*` headers are added.
 */
export function toEvent(request: GatewayRequest, context: EventContext): ApiEvent {
  const { rawPath, rawQueryString } = splitTarget(request.target);
  const headers = joinHeaders(request.rawHeaders);
  delete headers["cookie"];
  const cookies = cookiesOf(request.rawHeaders);
  const host = headers["host"] ?? "localhost";
  const domainName = host.replace(/:\d+$/, "");
  headers["x-forwarded-for"] = headers["x-forwarded-for"]
    ? `${headers["x-forwarded-for"]}, ${request.sourceIp}`
    : request.sourceIp;
  headers["x-forwarded-port"] = /:(\d+)$/.exec(host)?.[1] ?? "80";
  headers["x-forwarded-proto"] = "http";
  const queryStringParameters = queryParameters(rawQueryString);
  const hasPathParameters = Object.keys(context.pathParameters).length > 0;
  const hasBody = request.body.length > 0;
  const isBase64Encoded = hasBody && !isTextContentType(headers["content-type"]);
  return {
    version: "2.0",
    routeKey: context.routeKey,
    rawPath,
    rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(queryStringParameters ? { queryStringParameters } : {}),
    ...(hasPathParameters ? { pathParameters: { ...context.pathParameters } } : {}),
    requestContext: {
      accountId: context.accountId,
      apiId: context.apiId,
      authorizer: {
        jwt: {
          claims: { ...context.authorization.claims },
          scopes: context.authorization.scopes ? [...context.authorization.scopes] : null,
        },
      },
      domainName,
      domainPrefix: domainName.split(".")[0] ?? domainName,
      http: {
        method: request.method,
        path: rawPath,
        protocol: request.protocol,
        sourceIp: request.sourceIp,
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: context.requestId,
      routeKey: context.routeKey,
      stage: "$default",
      time: requestTime(context.time),
      timeEpoch: context.time.getTime(),
    },
    ...(hasBody ? { body: request.body.toString(isBase64Encoded ? "base64" : "utf8") } : {}),
    isBase64Encoded,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * The HTTP response API Gateway makes of a function's result (payload format 2.0): a result with
 * `statusCode` is taken as the response; anything else is the body of a 200 JSON response.
 * `undefined` when the result is malformed, which API Gateway answers with a 500.
 */
export function fromResult(result: unknown): GatewayResponse | undefined {
  if (!isRecord(result) || !("statusCode" in result)) {
    const body = typeof result === "string" ? result : (JSON.stringify(result) ?? "");
    return { statusCode: 200, headers: { "content-type": "application/json" }, body: Buffer.from(body, "utf8") };
  }
  const { statusCode, headers = {}, cookies = [], body, isBase64Encoded } = result;
  if (typeof statusCode !== "number" || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return undefined;
  }
  if (!isRecord(headers) || !Array.isArray(cookies) || (body !== undefined && typeof body !== "string")) {
    return undefined;
  }
  const responseHeaders: Record<string, string | readonly string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    responseHeaders[name.toLowerCase()] = String(value);
  }
  if (cookies.length > 0) {
    responseHeaders["set-cookie"] = cookies.map(String);
  }
  return {
    statusCode,
    headers: responseHeaders,
    body: Buffer.from(body ?? "", isBase64Encoded === true ? "base64" : "utf8"),
  };
}
