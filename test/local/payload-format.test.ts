import { expect } from "chai";
import {
  type EventContext,
  type GatewayRequest,
  fromResult,
  isTextContentType,
  joinHeaders,
  requestTime,
  toEvent,
} from "../../local/payload-format";

const TIME = new Date("2026-03-12T19:03:58.123Z");

function request(overrides: Partial<GatewayRequest> = {}): GatewayRequest {
  return {
    method: "GET",
    target: "/orders/7",
    rawHeaders: ["Host", "127.0.0.1:3000", "User-Agent", "curl/8.5.0", "Authorization", "Bearer t"],
    body: Buffer.alloc(0),
    sourceIp: "127.0.0.1",
    protocol: "HTTP/1.1",
    ...overrides,
  };
}

const context: EventContext = {
  routeKey: "GET /orders/{id}",
  pathParameters: { id: "7" },
  authorization: { claims: { sub: "u-1", "cognito:groups": "[admin]" }, scopes: null },
  requestId: "JKJaXmPLvHcESHA=",
  time: TIME,
  apiId: "local",
  accountId: "000000000000",
};

describe("toEvent", () => {
  it("builds a payload format 2.0 event like API Gateway's", () => {
    const event = toEvent(request(), context);

    expect(event).to.deep.equal({
      version: "2.0",
      routeKey: "GET /orders/{id}",
      rawPath: "/orders/7",
      rawQueryString: "",
      headers: {
        host: "127.0.0.1:3000",
        "user-agent": "curl/8.5.0",
        authorization: "Bearer t",
        "x-forwarded-for": "127.0.0.1",
        "x-forwarded-port": "3000",
        "x-forwarded-proto": "http",
      },
      pathParameters: { id: "7" },
      requestContext: {
        accountId: "000000000000",
        apiId: "local",
        authorizer: { jwt: { claims: { sub: "u-1", "cognito:groups": "[admin]" }, scopes: null } },
        domainName: "127.0.0.1",
        domainPrefix: "127",
        http: {
          method: "GET",
          path: "/orders/7",
          protocol: "HTTP/1.1",
          sourceIp: "127.0.0.1",
          userAgent: "curl/8.5.0",
        },
        requestId: "JKJaXmPLvHcESHA=",
        routeKey: "GET /orders/{id}",
        stage: "$default",
        time: "12/Mar/2026:19:03:58 +0000",
        timeEpoch: TIME.getTime(),
      },
      isBase64Encoded: false,
    });
  });

  it("joins repeated query keys with commas and keeps the raw query string", () => {
    const event = toEvent(request({ target: "/orders?limit=5&tag=a&tag=b%20c" }), context);

    expect(event.rawQueryString).to.equal("limit=5&tag=a&tag=b%20c");
    expect(event.queryStringParameters).to.deep.equal({ limit: "5", tag: "a,b c" });
  });

  it("moves cookies out of the headers into cookies", () => {
    const event = toEvent(request({ rawHeaders: ["Cookie", "a=1; b=2", "Cookie", "c=3"] }), context);

    expect(event.cookies).to.deep.equal(["a=1", "b=2", "c=3"]);
    expect(event.headers).to.not.have.property("cookie");
  });

  it("passes a JSON body as text", () => {
    const body = Buffer.from('{"quantity":1}');

    const event = toEvent(request({ method: "POST", body, rawHeaders: ["Content-Type", "application/json"] }), context);

    expect(event.body).to.equal('{"quantity":1}');
    expect(event.isBase64Encoded).to.equal(false);
  });

  it("passes a binary body base64-encoded", () => {
    const body = Buffer.from([0, 1, 2, 255]);

    const event = toEvent(request({ body, rawHeaders: ["Content-Type", "application/octet-stream"] }), context);

    expect(event.body).to.equal("AAEC/w==");
    expect(event.isBase64Encoded).to.equal(true);
  });

  it("leaves out the body, the query and the path parameters when there are none", () => {
    const event = toEvent(request({ target: "/orders" }), { ...context, routeKey: "GET /orders", pathParameters: {} });

    expect(event).to.not.have.any.keys("body", "queryStringParameters", "pathParameters", "cookies");
  });
});

describe("joinHeaders", () => {
  it("lower-cases names and joins repeated headers with commas", () => {
    expect(joinHeaders(["X-Tag", "a", "x-tag", "b", "Accept", "*/*"])).to.deep.equal({ "x-tag": "a,b", accept: "*/*" });
  });
});

describe("isTextContentType", () => {
  const cases: [string | undefined, boolean][] = [
    ["application/json", true],
    ["application/json; charset=utf-8", true],
    ["application/problem+json", true],
    ["text/plain", true],
    ["application/xml", true],
    ["application/octet-stream", false],
    ["application/x-www-form-urlencoded", false],
    ["image/png", false],
    [undefined, false],
  ];
  for (const [type, text] of cases) {
    it(`treats ${type ?? "no content type"} as ${text ? "text" : "binary"}`, () => {
      expect(isTextContentType(type)).to.equal(text);
    });
  }
});

describe("requestTime", () => {
  it("writes API Gateway's time format, with a two-digit day", () => {
    expect(requestTime(new Date("2026-01-05T03:04:05Z"))).to.equal("05/Jan/2026:03:04:05 +0000");
  });
});

describe("fromResult", () => {
  it("takes a result with statusCode as the response", () => {
    const response = fromResult({ statusCode: 201, headers: { Location: "/orders/1" }, body: '{"a":1}' });

    expect(response?.statusCode).to.equal(201);
    expect(response?.headers).to.deep.equal({ location: "/orders/1" });
    expect(response?.body.toString()).to.equal('{"a":1}');
  });

  it("decodes a base64 body", () => {
    const response = fromResult({ statusCode: 200, body: "aGVsbG8=", isBase64Encoded: true });

    expect(response?.body.toString()).to.equal("hello");
  });

  it("turns cookies into set-cookie headers", () => {
    expect(fromResult({ statusCode: 204, cookies: ["a=1", "b=2"] })?.headers).to.deep.equal({
      "set-cookie": ["a=1", "b=2"],
    });
  });

  it("sends a result without statusCode as a 200 JSON body", () => {
    const response = fromResult({ items: [] });

    expect(response?.statusCode).to.equal(200);
    expect(response?.headers).to.deep.equal({ "content-type": "application/json" });
    expect(response?.body.toString()).to.equal('{"items":[]}');
  });

  const malformed: [string, unknown][] = [
    ["a statusCode that is not a number", { statusCode: "200" }],
    ["a statusCode out of range", { statusCode: 42 }],
    ["a body that is not a string", { statusCode: 200, body: { a: 1 } }],
  ];
  for (const [what, result] of malformed) {
    it(`refuses ${what}`, () => {
      expect(fromResult(result)).to.equal(undefined);
    });
  }
});
