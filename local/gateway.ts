import { randomBytes } from "node:crypto";
import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { type Route, routeKey } from "../api/routes";
import type { ApiHandler } from "../handlers/http";
import type { ApiDocs } from "./api-docs";
import { type CorsPolicy, preflightHeaders, responseHeaders } from "./cors";
import type { JwtAuthorizer } from "./jwt-authorizer";
import { lambdaContext } from "./lambda-context";
import { runInvocation } from "./invocation";
import type { LocalAlerting } from "./local-alerting";
import type { LocalMetrics } from "./local-metrics";
import type { LocalSns } from "./local-sns";
import type { Mailbox } from "./mailbox";
import { type GatewayResponse, fromResult, splitTarget, toEvent } from "./payload-format";
import { matchRoute } from "./route-matching";
import { RouteThrottle, type TokenBucketOptions } from "./token-bucket";

/** API Gateway refuses request bodies above 10 MB before any route runs. */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/**
 * API Gateway's limit on the request line and headers together ("HTTP API quotas"); node counts
 * the same bytes against `maxHeaderSize` and answers 431 beyond it.
 */
export const MAX_REQUEST_LINE_AND_HEADER_BYTES = 10_240;

/**
 * Lambda's synchronous invocation payload limits ("Lambda quotas": 6 MB each way), in the bytes
 * Lambda counts: an event must be smaller than the first, a result at most the second.
 */
export const LAMBDA_PAYLOAD_BYTES = { request: 6_291_456, response: 6_291_556 } as const;

/** Where the local stack writes its lines: one per request, and errors. */
export interface LocalLog {
  info(line: string): void;
  error(line: string): void;
}

/** Request lines to stdout, errors to stderr. */
export const consoleLog: LocalLog = {
  info: (line) => console.log(line),
  error: (line) => console.error(line),
};

/** A route with its function, built once like a Lambda cold start. */
export interface GatewayRoute extends Pick<Route, "method" | "path" | "functionName" | "timeoutSeconds"> {
  readonly invoke: ApiHandler;
}

/** What `GET /_local/config` tells `npm run token` and `npm run audit`. */
export interface LocalConfig {
  readonly userPoolId: string;
  readonly clientId: string;
  readonly cognitoEndpoint: string;
  readonly region: string;
  /** DynamoDB Local, for `npm run audit`. */
  readonly dynamodbEndpoint?: string;
  /** Each table's local name, by its logical name (`storage/tables.ts`), as a stack's `tableNames` output has them. */
  readonly tableNames?: Readonly<Record<string, string>>;
}

/** Everything the gateway needs; each piece is built (and tested) on its own. */
export interface GatewayOptions {
  readonly routes: readonly GatewayRoute[];
  readonly authorizer: JwtAuthorizer;
  /** `undefined` turns CORS off: preflights then fall through to routing, like an API without CORS. */
  readonly cors: CorsPolicy | undefined;
  /** Each route's throttle (the stage's default route settings): every route key gets its own bucket of this size. */
  readonly throttle: TokenBucketOptions;
  /** Lambda's timeout: a function still running after it fails like a timed-out Lambda. */
  readonly functionTimeoutSeconds: number;
  /** Lambda's memory setting, as the context reports it. */
  readonly functionMemoryMb: number;
  /** Prefix of the functions' physical names, e.g. `oms-local` for `oms-local-create-order`. */
  readonly functionPrefix: string;
  readonly alerting: LocalAlerting;
  readonly mailbox: Mailbox;
  /** The order-events topic, whose messages `GET /_local/events` shows. @default none: an empty list */
  readonly topic?: Pick<LocalSns, "messages">;
  readonly metrics: LocalMetrics;
  readonly localConfig: LocalConfig;
  /** `/openapi.json`, `/asyncapi.json` and `/docs`, which only the local stack serves. @default none */
  readonly docs?: ApiDocs;
  readonly log?: LocalLog;
  /** The clock for `requestContext.time`. */
  readonly now?: () => Date;
}

/** A listening gateway. */
export interface Gateway {
  /** e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly server: Server;
  close(): Promise<void>;
}

const API_ID = "local";
const ACCOUNT_ID = "000000000000";

function jsonResponse(statusCode: number, body: unknown): GatewayResponse {
  return {
    statusCode,
    headers: { "content-type": "application/json" },
    body: Buffer.from(JSON.stringify(body), "utf8"),
  };
}

const NOT_FOUND = () => jsonResponse(404, { message: "Not Found" });
const UNAUTHORIZED = () => jsonResponse(401, { message: "Unauthorized" });
const TOO_MANY_REQUESTS = () => jsonResponse(429, { message: "Too Many Requests" });
const TOO_LARGE = () => jsonResponse(413, { message: "Request Entity Too Large" });
const INTERNAL_ERROR = () => jsonResponse(500, { message: "Internal Server Error" });

/** API Gateway's request ids look like `JKJaXmPLvHcESHA=`. */
function newRequestId(): string {
  return randomBytes(10).toString("base64");
}

/** The body, or `undefined` once it passes `limit` (the rest is read and dropped, so that the 413 arrives). */
function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
    });
    request.on("end", () => resolve(size <= limit ? Buffer.concat(chunks) : undefined));
    request.on("error", reject);
  });
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(",") : value;
}

/** The size of `payload` as Lambda receives or returns it: JSON, in UTF-8. */
function jsonBytes(payload: unknown): number {
  return Buffer.byteLength(JSON.stringify(payload) ?? "", "utf8");
}

function withTimeout<T>(work: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Task timed out after ${seconds.toFixed(2)} seconds`)), seconds * 1000);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The request listener of an API Gateway HTTP API (`$default` stage) in front of the routes:
 * CORS preflight, routing, each route's throttle, the JWT authorizer, and the Lambda proxy
 * integration with payload format 2.0, refusing what API Gateway and Lambda refuse. `/_local/*`
 * is the developer's side door, and `/docs` with `/openapi.json` and `/asyncapi.json` the
 * developer's reference: both exist only here, unthrottled and open.
 */
export function createGateway(options: GatewayOptions): Server {
  const log = options.log ?? consoleLog;
  const now = options.now ?? (() => new Date());
  const throttle = new RouteThrottle(options.throttle);

  async function invoke(route: GatewayRoute, requestId: string, run: () => Promise<unknown>) {
    let result: unknown;
    try {
      result = await withTimeout(run(), route.timeoutSeconds ?? options.functionTimeoutSeconds);
    } catch (error) {
      logFailure(route, requestId, "Function failed", error);
      options.alerting.recordError(route.functionName, error);
      return INTERNAL_ERROR();
    }
    if (jsonBytes(result) > LAMBDA_PAYLOAD_BYTES.response) {
      // Lambda fails the invocation itself (Function.ResponseSizeTooLarge), and counts it in Errors.
      const error = new Error(
        `Response payload size exceeded maximum allowed payload size (${LAMBDA_PAYLOAD_BYTES.response} bytes).`,
      );
      error.name = "Function.ResponseSizeTooLarge";
      logFailure(route, requestId, "Function failed", error);
      options.alerting.recordError(route.functionName, error);
      return INTERNAL_ERROR();
    }
    // The function succeeded as far as Lambda knows, so no alarm; API Gateway still cannot use the answer.
    const response = fromResult(result);
    if (!response) logFailure(route, requestId, "Malformed function response", undefined);
    return response ?? INTERNAL_ERROR();
  }

  function logFailure(route: GatewayRoute, requestId: string, message: string, error: unknown): void {
    log.error(
      JSON.stringify({
        level: "ERROR",
        message,
        functionName: route.functionName,
        routeKey: routeKey(route),
        requestId,
        ...(error === undefined
          ? {}
          : { error: error instanceof Error ? { name: error.name, message: error.message } : String(error) }),
      }),
    );
  }

  function local(request: IncomingMessage, rawPath: string, rawQueryString: string): GatewayResponse {
    if (request.method === "GET" && rawPath === "/_local/config") {
      return jsonResponse(200, options.localConfig);
    }
    if (request.method === "GET" && rawPath === "/_local/mail") {
      const to = new URLSearchParams(rawQueryString).get("to") ?? undefined;
      return jsonResponse(200, options.mailbox.list(to));
    }
    if (request.method === "GET" && rawPath === "/_local/events") {
      // The events themselves, oldest first and newest last; `?type=` keeps one type.
      const type = new URLSearchParams(rawQueryString).get("type") ?? undefined;
      const messages = options.topic?.messages() ?? [];
      return jsonResponse(
        200,
        messages.filter((m) => type === undefined || m.attributes["type"] === type).map((m) => m.message),
      );
    }
    if (request.method === "GET" && rawPath === "/_local/metrics") {
      return jsonResponse(200, options.metrics.snapshot());
    }
    return NOT_FOUND();
  }

  async function respond(request: IncomingMessage, requestId: string): Promise<GatewayResponse> {
    const method = request.method ?? "GET";
    const target = request.url ?? "/";
    const { rawPath, rawQueryString } = splitTarget(target);
    const body = await readBody(request, MAX_REQUEST_BYTES);
    if (rawPath.startsWith("/_local/")) return local(request, rawPath, rawQueryString);
    const docs = await options.docs?.(method, rawPath);
    if (docs) return docs;
    if (body === undefined) return TOO_LARGE();
    if (method === "OPTIONS" && options.cors) {
      const headers = preflightHeaders(options.cors, {
        origin: header(request, "origin"),
        accessControlRequestMethod: header(request, "access-control-request-method"),
      });
      return { statusCode: 204, headers, body: Buffer.alloc(0) };
    }
    const match = matchRoute(options.routes, method, rawPath);
    if (!match) return NOT_FOUND();
    if (!throttle.tryTake(routeKey(match.route))) return TOO_MANY_REQUESTS();
    const authorization = await options.authorizer(header(request, "authorization"));
    if (!authorization) return UNAUTHORIZED();
    const event = toEvent(
      {
        method,
        target,
        rawHeaders: request.rawHeaders,
        body,
        sourceIp: (request.socket.remoteAddress ?? "127.0.0.1").replace(/^::ffff:/, ""),
        protocol: `HTTP/${request.httpVersion}`,
      },
      {
        routeKey: routeKey(match.route),
        pathParameters: match.pathParameters,
        authorization,
        requestId,
        time: now(),
        apiId: API_ID,
        accountId: ACCOUNT_ID,
      },
    );
    // Lambda refuses the invocation before the function runs (RequestEntityTooLargeException).
    if (jsonBytes(event) >= LAMBDA_PAYLOAD_BYTES.request) return TOO_LARGE();
    const context = lambdaContext({
      functionName: `${options.functionPrefix}-${match.route.functionName}`,
      memoryMb: options.functionMemoryMb,
      timeoutSeconds: match.route.timeoutSeconds ?? options.functionTimeoutSeconds,
      region: options.localConfig.region,
      accountId: ACCOUNT_ID,
    });
    const invoked = { kind: "function", functionName: match.route.functionName } as const;
    return invoke(match.route, requestId, () => runInvocation(invoked, () => match.route.invoke(event, context)));
  }

  /** API Gateway ignores the integration's CORS headers and sets its own. */
  function withCors(request: IncomingMessage, response: GatewayResponse): GatewayResponse {
    if (!options.cors || request.method === "OPTIONS") return response;
    const headers = Object.fromEntries(
      Object.entries(response.headers).filter(([name]) => !name.startsWith("access-control-")),
    );
    return { ...response, headers: { ...headers, ...responseHeaders(options.cors, header(request, "origin")) } };
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const started = performance.now();
    const requestId = newRequestId();
    let answer: GatewayResponse;
    try {
      answer = withCors(request, await respond(request, requestId));
    } catch (error) {
      log.error(JSON.stringify({ level: "ERROR", message: "Gateway failed", requestId, error: String(error) }));
      answer = INTERNAL_ERROR();
    }
    const noBody = answer.statusCode === 204 || answer.statusCode === 304 || request.method === "HEAD";
    response.writeHead(answer.statusCode, {
      ...answer.headers,
      "apigw-requestid": requestId,
      ...(noBody ? {} : { "content-length": String(answer.body.length) }),
    });
    response.end(noBody ? undefined : answer.body);
    const { rawPath } = splitTarget(request.url ?? "/");
    const ms = Math.round(performance.now() - started);
    log.info(`${request.method ?? "GET"} ${rawPath} ${answer.statusCode} ${ms}ms`);
  }

  return createServer(
    { maxHeaderSize: MAX_REQUEST_LINE_AND_HEADER_BYTES },
    (request, response) => void handle(request, response),
  );
}

/** Starts the gateway on loopback only: what it fronts trusts tokens signed with a public key. */
export function startGateway(port: number, options: GatewayOptions): Promise<Gateway> {
  const server = createGateway(options);
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", reject);
      const { port: actual } = server.address() as AddressInfo;
      resolve({
        url: `http://127.0.0.1:${actual}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
