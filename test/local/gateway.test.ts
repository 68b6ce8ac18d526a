import { expect } from "chai";
import { CORS_EXPOSE_HEADERS } from "../../api/cors";
import { type Route, routeKey, routes } from "../../api/routes";
import type { Context } from "aws-lambda";
import type { ApiEvent, ApiHandler } from "../../handlers/http";
import { corsPolicy } from "../../local/cors";
import {
  type Gateway,
  type GatewayRoute,
  LAMBDA_PAYLOAD_BYTES,
  MAX_REQUEST_BYTES,
  MAX_REQUEST_LINE_AND_HEADER_BYTES,
  startGateway,
} from "../../local/gateway";
import type { JwtAuthorizer } from "../../local/jwt-authorizer";
import { LocalAlerting } from "../../local/local-alerting";
import { EVENT_TYPE_ATTRIBUTE, EventType } from "../../domain/events";
import { LOCAL_EVENTS_TOPIC_ARN, LocalSns } from "../../local/local-sns";
import { LocalMetrics } from "../../local/local-metrics";
import { Mailbox } from "../../local/mailbox";
import { readStackConfigFile } from "../../local/stack-config-file";
import { type TokenBucketOptions, routeBucket } from "../../local/token-bucket";

const ORIGIN = "https://orders.example.com";
const ALERTS = "alerts@example.com";
const GOOD_TOKEN = "good.token.value";

/** The dev stack's `oms:throttle` on a clock that never moves, so that no bucket refills during a spec. */
const DEV_THROTTLE = readStackConfigFile("dev").config.throttle;
const STILL_CLOCK = () => 0;

/** Accepts exactly one token, so that these specs test the gateway, not JWT verification. */
const authorizer: JwtAuthorizer = (header) =>
  Promise.resolve(
    header === `Bearer ${GOOD_TOKEN}`
      ? { claims: { sub: "u-1", "cognito:groups": "[admin]" }, scopes: null }
      : undefined,
  );

interface Harness {
  gateway: Gateway;
  events: ApiEvent[];
  contexts: (Context | undefined)[];
  logs: { info: string[]; error: string[] };
  mailbox: Mailbox;
  metrics: LocalMetrics;
  topic: LocalSns;
}

async function startHarness(
  handlers: Record<string, ApiHandler>,
  options: { throttle?: TokenBucketOptions; timeoutSeconds?: number } = {},
): Promise<Harness> {
  const events: ApiEvent[] = [];
  const contexts: (Context | undefined)[] = [];
  const logs = { info: [] as string[], error: [] as string[] };
  const mailbox = new Mailbox();
  const metrics = new LocalMetrics();
  const topic = new LocalSns();
  const gatewayRoutes: GatewayRoute[] = routes.map((route) => ({
    method: route.method,
    path: route.path,
    functionName: route.functionName,
    invoke: (event, context) => {
      events.push(event);
      contexts.push(context);
      const handler = handlers[route.functionName];
      return handler ? handler(event, context) : Promise.resolve({ statusCode: 200 });
    },
  }));
  const gateway = await startGateway(0, {
    routes: gatewayRoutes,
    authorizer,
    cors: corsPolicy([ORIGIN], routes),
    throttle: options.throttle ?? routeBucket(DEV_THROTTLE, STILL_CLOCK),
    functionTimeoutSeconds: options.timeoutSeconds ?? 10,
    functionMemoryMb: 256,
    functionPrefix: "oms-local",
    alerting: new LocalAlerting({ alertEmail: ALERTS, mailbox }),
    mailbox,
    topic,
    metrics,
    localConfig: {
      userPoolId: "local_pool",
      clientId: "client-1",
      cognitoEndpoint: "http://127.0.0.1:1",
      region: "eu-west-1",
    },
    log: { info: (line) => logs.info.push(line), error: (line) => logs.error.push(line) },
  });
  return { gateway, events, contexts, logs, mailbox, metrics, topic };
}

const authorized = { authorization: `Bearer ${GOOD_TOKEN}` };

describe("Gateway", () => {
  let harness: Harness;

  afterEach(async () => {
    await harness.gateway.close();
  });

  it("answers a CORS preflight itself: 204, the policy's headers, no token, no function", async () => {
    harness = await startHarness({});

    const response = await fetch(`${harness.gateway.url}/orders`, {
      method: "OPTIONS",
      headers: { origin: ORIGIN, "access-control-request-method": "POST" },
    });

    expect(response.status).to.equal(204);
    expect(response.headers.get("access-control-allow-origin")).to.equal(ORIGIN);
    expect(response.headers.get("access-control-allow-methods")).to.equal("POST,GET,DELETE,PATCH,PUT,OPTIONS");
    expect(response.headers.get("access-control-allow-headers")).to.equal("authorization,content-type,idempotency-key");
    expect(response.headers.get("access-control-max-age")).to.equal("3600");
    expect(response.headers.get("access-control-expose-headers")).to.equal(null);
    expect(harness.events).to.deep.equal([]);
  });

  it("exposes Location and Retry-After to a browser on an actual response, as the CORS policy lists them", async () => {
    harness = await startHarness({
      "place-order": () => Promise.resolve({ statusCode: 201, headers: { location: "/orders/7" }, body: "{}" }),
    });

    const response = await fetch(`${harness.gateway.url}/orders`, {
      method: "POST",
      headers: { ...authorized, origin: ORIGIN, "content-type": "application/json" },
      body: "{}",
    });

    expect(response.status).to.equal(201);
    expect(response.headers.get("location")).to.equal("/orders/7");
    expect(response.headers.get("access-control-allow-origin")).to.equal(ORIGIN);
    expect(response.headers.get("access-control-expose-headers")).to.equal(CORS_EXPOSE_HEADERS.join(","));
  });

  it("answers an unknown route with 404 Not Found, token or not", async () => {
    harness = await startHarness({});

    const response = await fetch(`${harness.gateway.url}/customers`, { headers: authorized });

    expect(response.status).to.equal(404);
    expect(await response.text()).to.equal('{"message":"Not Found"}');
  });

  it("answers 401 Unauthorized without calling the function when the authorizer refuses", async () => {
    harness = await startHarness({});

    const response = await fetch(`${harness.gateway.url}/orders`);

    expect(response.status).to.equal(401);
    expect(response.headers.get("content-type")).to.equal("application/json");
    expect(await response.text()).to.equal('{"message":"Unauthorized"}');
    expect(harness.events).to.deep.equal([]);
  });

  it("calls the route's function with the event and sends its response with the request id", async () => {
    harness = await startHarness({
      "get-order": () =>
        Promise.resolve({
          statusCode: 200,
          headers: { "content-type": "application/json", "access-control-allow-origin": "https://evil.test" },
          body: '{"OrderId":"7"}',
        }),
    });

    const response = await fetch(`${harness.gateway.url}/orders/7?x=1`, { headers: { ...authorized, origin: ORIGIN } });

    const [event] = harness.events;
    expect(response.status).to.equal(200);
    expect(await response.text()).to.equal('{"OrderId":"7"}');
    expect(response.headers.get("access-control-allow-origin")).to.equal(ORIGIN);
    expect(response.headers.get("apigw-requestid")).to.equal(event?.requestContext.requestId);
    expect(event?.routeKey).to.equal("GET /orders/{id}");
    expect(event?.pathParameters).to.deep.equal({ id: "7" });
    expect(event?.queryStringParameters).to.deep.equal({ x: "1" });
    expect(event?.requestContext.authorizer.jwt.claims).to.deep.equal({ sub: "u-1", "cognito:groups": "[admin]" });
    expect(harness.logs.info).to.have.length(1);
    expect(harness.logs.info[0]).to.match(/^GET \/orders\/7 200 \d+ms$/);
  });

  it("passes a Lambda context named after the function, counting down from its timeout", async () => {
    harness = await startHarness({});

    await fetch(`${harness.gateway.url}/orders`, { method: "POST", headers: authorized, body: "{}" });

    const [context] = harness.contexts;
    expect(context).to.include({
      functionName: "oms-local-place-order",
      memoryLimitInMB: "256",
      invokedFunctionArn: "arn:aws:lambda:eu-west-1:000000000000:function:oms-local-place-order",
      logGroupName: "/aws/lambda/oms-local-place-order",
    });
    expect(context?.getRemainingTimeInMillis()).to.be.within(1, 10_000);
  });

  it("sends no allow-origin header to an origin the policy does not list", async () => {
    harness = await startHarness({});

    const response = await fetch(`${harness.gateway.url}/orders`, {
      headers: { ...authorized, origin: "https://evil.test" },
    });

    expect(response.status).to.equal(200);
    expect(response.headers.get("access-control-allow-origin")).to.equal(null);
    expect(response.headers.get("access-control-expose-headers")).to.equal(null);
  });

  it("sends a result without statusCode as a 200 JSON body", async () => {
    harness = await startHarness({ "list-orders": () => Promise.resolve({ items: [] } as never) });

    const response = await fetch(`${harness.gateway.url}/orders`, { headers: authorized });

    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("application/json");
    expect(await response.text()).to.equal('{"items":[]}');
  });

  it("answers a failing function with a bare 500, logs one JSON line without the token, and raises the alarm", async () => {
    harness = await startHarness({ "place-order": () => Promise.reject(new TypeError("boom")) });

    const response = await fetch(`${harness.gateway.url}/orders`, {
      method: "POST",
      headers: { ...authorized, "content-type": "application/json" },
      body: "{}",
    });

    expect(response.status).to.equal(500);
    expect(await response.text()).to.equal('{"message":"Internal Server Error"}');
    expect(harness.logs.error).to.have.length(1);
    expect(JSON.parse(harness.logs.error[0] ?? "")).to.deep.include({
      level: "ERROR",
      message: "Function failed",
      functionName: "place-order",
      routeKey: "POST /orders",
      error: { name: "TypeError", message: "boom" },
    });
    expect(harness.logs.error[0]).to.not.include(GOOD_TOKEN);
    expect(harness.mailbox.list(ALERTS).map((mail) => mail.subject)).to.deep.equal([
      'ALARM: "oms-local-place-order-errors"',
    ]);
  });

  it("fails a function that outlives its timeout like a timed-out Lambda", async () => {
    harness = await startHarness({ "list-orders": () => new Promise(() => undefined) }, { timeoutSeconds: 0.05 });

    const response = await fetch(`${harness.gateway.url}/orders`, { headers: authorized });

    expect(response.status).to.equal(500);
    expect(JSON.parse(harness.logs.error[0] ?? "").error).to.deep.equal({
      name: "Error",
      message: "Task timed out after 0.05 seconds",
    });
  });

  it("answers a malformed function response with 500, without raising the alarm", async () => {
    harness = await startHarness({ "get-order": () => Promise.resolve({ statusCode: 42 }) });

    const response = await fetch(`${harness.gateway.url}/orders/7`, { headers: authorized });

    expect(response.status).to.equal(500);
    expect(await response.text()).to.equal('{"message":"Internal Server Error"}');
    expect(JSON.parse(harness.logs.error[0] ?? "")).to.include({ message: "Malformed function response" });
    expect(harness.mailbox.list()).to.deep.equal([]);
  });

  it("refuses a body over 10 MB with 413 before the function runs", async () => {
    harness = await startHarness({});

    const response = await fetch(`${harness.gateway.url}/orders`, {
      method: "POST",
      headers: { ...authorized, "content-type": "application/json" },
      body: "x".repeat(MAX_REQUEST_BYTES + 1),
    });

    expect(response.status).to.equal(413);
    expect(await response.text()).to.equal('{"message":"Request Entity Too Large"}');
    expect(harness.events).to.deep.equal([]);
  });

  it("refuses a request line and headers over API Gateway's limit with 431, before the function runs", async () => {
    harness = await startHarness({});

    const response = await fetch(`${harness.gateway.url}/orders`, {
      headers: { ...authorized, "x-padding": "x".repeat(MAX_REQUEST_LINE_AND_HEADER_BYTES) },
    });

    expect(response.status).to.equal(431);
    expect(harness.events).to.deep.equal([]);
  });

  it("refuses a body that makes the event too large for Lambda with 413, before the function runs", async () => {
    harness = await startHarness({});

    const response = await fetch(`${harness.gateway.url}/orders`, {
      method: "POST",
      headers: { ...authorized, "content-type": "application/json" },
      body: "x".repeat(LAMBDA_PAYLOAD_BYTES.request),
    });

    expect(response.status).to.equal(413);
    expect(await response.text()).to.equal('{"message":"Request Entity Too Large"}');
    expect(harness.events).to.deep.equal([]);
  });

  it("answers a function result too large for Lambda with a bare 500 and raises the alarm", async () => {
    harness = await startHarness({
      "list-orders": () => Promise.resolve({ statusCode: 200, body: "x".repeat(LAMBDA_PAYLOAD_BYTES.response) }),
    });

    const response = await fetch(`${harness.gateway.url}/orders`, { headers: authorized });

    expect(response.status).to.equal(500);
    expect(await response.text()).to.equal('{"message":"Internal Server Error"}');
    expect(JSON.parse(harness.logs.error[0] ?? "").error).to.deep.equal({
      name: "Function.ResponseSizeTooLarge",
      message: `Response payload size exceeded maximum allowed payload size (${LAMBDA_PAYLOAD_BYTES.response} bytes).`,
    });
    expect(harness.mailbox.list(ALERTS).map((mail) => mail.subject)).to.deep.equal([
      'ALARM: "oms-local-list-orders-errors"',
    ]);
  });

  describe("throttling, with the dev stack's oms:throttle", () => {
    // The first route in the table, and the next one with another route key.
    const busy = routes[0] as Route;
    const other = routes.find((route) => routeKey(route) !== routeKey(busy)) as Route;
    const send = (route: Route) =>
      fetch(`${harness.gateway.url}${route.path.replace(/\{[^}]+\}/g, "7")}`, { method: route.method });

    it("answers 429 beyond one route's burst, before the authorizer, while another route still answers", async () => {
      harness = await startHarness({});
      const burst: number[] = [];
      for (let i = 0; i < DEV_THROTTLE.burstLimit; i++) burst.push((await send(busy)).status);

      const beyond = await send(busy);
      const elsewhere = await send(other);

      expect(burst).to.deep.equal(Array.from({ length: DEV_THROTTLE.burstLimit }, () => 401));
      expect(beyond.status).to.equal(429);
      expect(await beyond.text()).to.equal('{"message":"Too Many Requests"}');
      expect(elsewhere.status).to.equal(401);
    });

    it("leaves requests that match no route, and CORS preflights, unthrottled", async () => {
      harness = await startHarness({}, { throttle: routeBucket({ burstLimit: 1, rateLimit: 1 }, STILL_CLOCK) });

      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) {
        statuses.push((await fetch(`${harness.gateway.url}/customers`)).status);
        const preflight = await fetch(`${harness.gateway.url}/orders`, {
          method: "OPTIONS",
          headers: { origin: ORIGIN, "access-control-request-method": "POST" },
        });
        statuses.push(preflight.status);
      }

      expect(statuses).to.deep.equal([404, 204, 404, 204, 404, 204]);
    });
  });

  it("serves the local config, the mailbox and the business metrics under /_local/, unthrottled and without a token", async () => {
    harness = await startHarness({}, { throttle: routeBucket({ burstLimit: 1, rateLimit: 1 }, STILL_CLOCK) });
    harness.mailbox.send({ to: ALERTS, subject: "s", body: "b" });
    harness.mailbox.send({ to: "bob@example.com", subject: "t", body: "c" });
    harness.metrics.count("OrdersPlaced");

    const config = await fetch(`${harness.gateway.url}/_local/config`);
    const mail = await fetch(`${harness.gateway.url}/_local/mail?to=${encodeURIComponent(ALERTS)}`);
    const all = await fetch(`${harness.gateway.url}/_local/mail`);
    const metrics = await fetch(`${harness.gateway.url}/_local/metrics`);

    expect(await config.json()).to.deep.equal({
      userPoolId: "local_pool",
      clientId: "client-1",
      cognitoEndpoint: "http://127.0.0.1:1",
      region: "eu-west-1",
    });
    expect(((await mail.json()) as { subject: string }[]).map((m) => m.subject)).to.deep.equal(["s"]);
    expect(((await all.json()) as { subject: string }[]).map((m) => m.subject)).to.deep.equal(["s", "t"]);
    expect(await metrics.json()).to.deep.equal({ OrdersPlaced: 1 });
  });

  it("serves the events the topic took under /_local/events, oldest first, one type with ?type=", async () => {
    harness = await startHarness({});
    const placed = { id: "1", type: EventType.OrderPlaced };
    const stock = { id: "2", type: EventType.StockChanged };
    for (const event of [placed, stock]) {
      await harness.topic.publish({
        TopicArn: LOCAL_EVENTS_TOPIC_ARN,
        Message: JSON.stringify(event),
        MessageAttributes: { [EVENT_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: event.type } },
      });
    }

    const all = await fetch(`${harness.gateway.url}/_local/events`);
    const onlyStock = await fetch(`${harness.gateway.url}/_local/events?type=${EventType.StockChanged}`);

    expect(await all.json()).to.deep.equal([placed, stock]);
    expect(await onlyStock.json()).to.deep.equal([stock]);
  });
});
