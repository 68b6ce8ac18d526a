import { expect } from "chai";
import { request } from "node:http";
import { routes } from "../../api/routes";
import { apiDocs } from "../../local/api-docs";
import { corsPolicy } from "../../local/cors";
import { type Gateway, type GatewayOptions, startGateway } from "../../local/gateway";
import { LocalAlerting } from "../../local/local-alerting";
import { LocalMetrics } from "../../local/local-metrics";
import { Mailbox } from "../../local/mailbox";
import { routeBucket } from "../../local/token-bucket";

const DOCUMENT = { openapi: "3.1.0", info: { title: "OMS", version: "1.0.0" }, paths: {} };
const EVENTS_DOCUMENT = { asyncapi: "3.0.0", info: { title: "OMS order events", version: "1.0.0" }, channels: {} };

/** A gateway whose throttle lets `capacity` requests through each route, and whose authorizer refuses everyone. */
function startDocsGateway(docs: GatewayOptions["docs"], capacity = 1): Promise<Gateway> {
  const mailbox = new Mailbox();
  return startGateway(0, {
    routes: routes.map((route) => ({
      method: route.method,
      path: route.path,
      functionName: route.functionName,
      invoke: () => Promise.resolve({ statusCode: 200 }),
    })),
    authorizer: () => Promise.resolve(undefined),
    cors: corsPolicy(["*"], routes),
    throttle: routeBucket({ burstLimit: capacity, rateLimit: 1 }, () => 0),
    functionTimeoutSeconds: 10,
    functionMemoryMb: 256,
    functionPrefix: "oms-local",
    alerting: new LocalAlerting({ alertEmail: "alerts@example.com", mailbox }),
    mailbox,
    metrics: new LocalMetrics(),
    localConfig: { userPoolId: "p", clientId: "c", cognitoEndpoint: "http://127.0.0.1:1", region: "eu-west-1" },
    log: { info: () => undefined, error: () => undefined },
    ...(docs ? { docs } : {}),
  });
}

/** A GET with the path sent as written: `fetch` would resolve `..` before sending it. */
function rawGet(url: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const outgoing = request(`${url}${path}`, { path }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
      incoming.on("end", () =>
        resolve({ status: incoming.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    outgoing.on("error", reject);
    outgoing.end();
  });
}

describe("Gateway with the API docs", () => {
  let gateway: Gateway;

  afterEach(async () => {
    await gateway.close();
  });

  it("serves /openapi.json, /asyncapi.json and /docs without a token and without spending the throttle", async () => {
    gateway = await startDocsGateway(apiDocs(DOCUMENT, EVENTS_DOCUMENT));

    const statuses: number[] = [];
    const paths = [
      "/openapi.json",
      "/asyncapi.json",
      "/docs",
      "/docs/assets/swagger-ui.css",
      "/docs",
      "/orders",
      "/orders",
    ];
    for (const path of paths) {
      statuses.push((await fetch(`${gateway.url}${path}`)).status);
    }

    expect(statuses).to.deep.equal([200, 200, 200, 200, 200, 401, 429]);
  });

  it("answers a climb out of the assets with 404, as sent on the wire", async () => {
    gateway = await startDocsGateway(apiDocs(DOCUMENT, EVENTS_DOCUMENT));

    const answers = await Promise.all(
      ["/docs/assets/../../package.json", "/docs/assets/../../../../../../etc/passwd"].map((path) =>
        rawGet(gateway.url, path),
      ),
    );

    expect(answers).to.deep.equal([
      { status: 404, body: '{"message":"Not Found"}' },
      { status: 404, body: '{"message":"Not Found"}' },
    ]);
  });

  it("serves none of them without the docs, like the cloud's API", async () => {
    gateway = await startDocsGateway(undefined, 2);

    const statuses = await Promise.all(
      ["/openapi.json", "/asyncapi.json", "/docs"].map(async (path) => (await fetch(`${gateway.url}${path}`)).status),
    );

    expect(statuses).to.deep.equal([404, 404, 404]);
  });
});
