import { expect } from "chai";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { DOCS_ASSETS, apiDocs } from "../../local/api-docs";

const DOCUMENT = {
  openapi: "3.1.0",
  info: { title: "OMS", version: "1.0.0" },
  servers: [{ url: "http://127.0.0.1:3000" }],
  paths: {},
};
const EVENTS_DOCUMENT = { asyncapi: "3.0.0", info: { title: "OMS order events", version: "1.0.0" }, channels: {} };
const SWAGGER_UI_DIR = dirname(require.resolve("swagger-ui-dist/package.json"));

describe("apiDocs", () => {
  const docs = apiDocs(DOCUMENT, EVENTS_DOCUMENT);

  it("serves the OpenAPI document as it is, as JSON", async () => {
    const response = await docs("GET", "/openapi.json");

    expect(response?.statusCode).to.equal(200);
    expect(response?.headers["content-type"]).to.equal("application/json");
    expect(JSON.parse(response?.body.toString("utf8") ?? "")).to.deep.equal(DOCUMENT);
  });

  it("serves the AsyncAPI document of the events as it is, as JSON", async () => {
    const response = await docs("GET", "/asyncapi.json");

    expect(response?.statusCode).to.equal(200);
    expect(response?.headers["content-type"]).to.equal("application/json");
    expect(JSON.parse(response?.body.toString("utf8") ?? "")).to.deep.equal(EVENTS_DOCUMENT);
  });

  it("serves the reference page with Swagger UI from its own origin, under a policy that allows no other", async () => {
    const response = await docs("GET", "/docs");

    const html = response?.body.toString("utf8") ?? "";
    expect(response?.statusCode).to.equal(200);
    expect(response?.headers["content-type"]).to.equal("text/html; charset=utf-8");
    expect(response?.headers["content-security-policy"]).to.equal(
      "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
        "connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(html).to.contain("<title>OMS API reference</title>");
    expect([...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((match) => match[1])).to.deep.equal([
      "/docs/assets/swagger-ui.css",
      "/docs/assets/favicon-32x32.png",
      "/docs/assets/favicon-16x16.png",
      "/asyncapi.json",
      "/docs/assets/swagger-ui-bundle.js",
      "/docs/reference.js",
    ]);
  });

  it("serves the same page at /docs/", async () => {
    expect((await docs("GET", "/docs/"))?.body).to.deep.equal((await docs("GET", "/docs"))?.body);
  });

  it("aims Swagger UI at the page's own origin, links the document, and skips the validator", async () => {
    const response = await docs("GET", "/docs/reference.js");

    const script = response?.body.toString("utf8") ?? "";
    expect(response?.headers["content-type"]).to.equal("text/javascript; charset=utf-8");
    expect(script).to.contain('fetch("/openapi.json")');
    expect(script).to.contain("openApi.servers = [{ url: window.location.origin,");
    expect(script).to.contain("validatorUrl: null");
    expect(script).to.contain('window.ui.specActions.updateUrl("/openapi.json")');
  });

  const assets: [string, string][] = [
    ["swagger-ui-bundle.js", "text/javascript; charset=utf-8"],
    ["swagger-ui.css", "text/css; charset=utf-8"],
    ["favicon-32x32.png", "image/png"],
    ["favicon-16x16.png", "image/png"],
  ];
  it("lists exactly the package's files the page uses", () => {
    expect(DOCS_ASSETS).to.deep.equal(Object.fromEntries(assets));
  });
  for (const [name, contentType] of assets) {
    it(`serves swagger-ui-dist's ${name} as ${contentType.split(";")[0]}, unsniffable`, async () => {
      const response = await docs("GET", `/docs/assets/${name}`);

      expect(response?.statusCode).to.equal(200);
      expect(response?.headers["content-type"]).to.equal(contentType);
      expect(response?.headers["x-content-type-options"]).to.equal("nosniff");
      expect(response?.body.equals(readFileSync(join(SWAGGER_UI_DIR, name)))).to.equal(true);
    });
  }

  const refused: [string, string][] = [
    ["a file of the package the page does not use", "/docs/assets/index.html"],
    ["the package's manifest", "/docs/assets/package.json"],
    ["a climb out of the package", "/docs/assets/../../package.json"],
    ["a percent-encoded climb", "/docs/assets/%2e%2e/%2e%2e/package.json"],
    ["an encoded slash", "/docs/assets/..%2f..%2fpackage.json"],
    ["a backslash climb", "/docs/assets/..\\..\\package.json"],
    ["an absolute path", "/docs/assets//etc/passwd"],
    ["an inherited property name", "/docs/assets/constructor"],
    ["a known file with a trailing slash", "/docs/assets/swagger-ui.css/"],
    ["the assets folder itself", "/docs/assets/"],
    ["another path under /docs", "/docs/index.html"],
  ];
  for (const [what, path] of refused) {
    it(`answers 404 Not Found for ${what}`, async () => {
      const response = await docs("GET", path);

      expect(response?.statusCode).to.equal(404);
      expect(response?.headers["content-type"]).to.equal("application/json");
      expect(response?.body.toString("utf8")).to.equal('{"message":"Not Found"}');
    });
  }

  it("answers 404 Not Found to methods other than GET and HEAD", async () => {
    const statuses = await Promise.all(
      ["POST", "PUT", "DELETE", "OPTIONS"].flatMap((method) =>
        ["/openapi.json", "/asyncapi.json"].map(async (path) => (await docs(method, path))?.statusCode),
      ),
    );

    expect(statuses).to.have.length.above(0);
    expect(statuses.filter((status) => status !== 404)).to.deep.equal([]);
    expect((await docs("HEAD", "/docs"))?.statusCode).to.equal(200);
  });

  it("leaves every other path to the gateway", async () => {
    const answers = await Promise.all(
      [
        "/orders",
        "/inventory",
        "/_local/mail",
        "/docsx",
        "/openapi.json/",
        "/asyncapi.json/",
        "/",
        "/swagger-ui.css",
      ].map((path) => docs("GET", path)),
    );

    expect(answers.filter((answer) => answer !== undefined)).to.deep.equal([]);
  });
});
