import { expect } from "chai";
import { routes } from "../../api/routes";
import { type CorsPolicy, allowedOrigin, corsPolicy, preflightHeaders, responseHeaders } from "../../local/cors";

describe("corsPolicy", () => {
  it("allows the routes' methods and OPTIONS, the token, content-type and idempotency-key headers, for an hour, and exposes Location, Retry-After and the export's X-Next-Token, as OrdersApi configures it", () => {
    expect(corsPolicy(["*"], routes)).to.deep.equal({
      allowOrigins: ["*"],
      allowMethods: ["POST", "GET", "DELETE", "PATCH", "PUT", "OPTIONS"],
      allowHeaders: ["authorization", "content-type", "idempotency-key"],
      exposeHeaders: ["location", "retry-after", "x-next-token"],
      maxAgeSeconds: 3600,
    });
  });

  it("is off when no origin is allowed", () => {
    expect(corsPolicy([], routes)).to.equal(undefined);
  });
});

describe("allowedOrigin", () => {
  const listed = corsPolicy(["https://orders.example.com"], routes);

  it("answers * for any origin when * is allowed", () => {
    expect(allowedOrigin(corsPolicy(["*"], routes), "https://anywhere.test")).to.equal("*");
  });

  it("echoes a listed origin", () => {
    expect(allowedOrigin(listed, "https://orders.example.com")).to.equal("https://orders.example.com");
  });

  it("allows nothing to an origin that is not listed", () => {
    expect(allowedOrigin(listed, "https://evil.test")).to.equal(undefined);
  });

  it("allows nothing to a request without Origin", () => {
    expect(allowedOrigin(listed, undefined)).to.equal(undefined);
  });
});

describe("preflightHeaders", () => {
  const policy = corsPolicy(["https://orders.example.com"], routes) as CorsPolicy;

  it("answers a preflight from an allowed origin with the whole policy", () => {
    const headers = preflightHeaders(policy, {
      origin: "https://orders.example.com",
      accessControlRequestMethod: "POST",
    });

    expect(headers).to.deep.equal({
      "access-control-allow-origin": "https://orders.example.com",
      "access-control-allow-methods": "POST,GET,DELETE,PATCH,PUT,OPTIONS",
      "access-control-allow-headers": "authorization,content-type,idempotency-key",
      "access-control-max-age": "3600",
    });
  });

  it("answers a preflight from another origin with no CORS headers", () => {
    expect(preflightHeaders(policy, { origin: "https://evil.test", accessControlRequestMethod: "POST" })).to.deep.equal(
      {},
    );
  });

  it("answers an OPTIONS without Access-Control-Request-Method with no CORS headers", () => {
    expect(preflightHeaders(policy, { origin: "https://orders.example.com" })).to.deep.equal({});
  });
});

describe("responseHeaders", () => {
  const policy = corsPolicy(["https://orders.example.com"], routes) as CorsPolicy;

  it("gives an actual response from an allowed origin that origin and the exposed headers", () => {
    expect(responseHeaders(policy, "https://orders.example.com")).to.deep.equal({
      "access-control-allow-origin": "https://orders.example.com",
      "access-control-expose-headers": "location,retry-after,x-next-token",
    });
  });

  it("gives a response to another origin no CORS headers", () => {
    expect(responseHeaders(policy, "https://evil.test")).to.deep.equal({});
  });

  it("sends no expose header when the policy exposes nothing", () => {
    expect(responseHeaders({ ...policy, exposeHeaders: [] }, "https://orders.example.com")).to.deep.equal({
      "access-control-allow-origin": "https://orders.example.com",
    });
  });
});
