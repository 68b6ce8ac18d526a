import { existsSync } from "node:fs";
import packagedChromium from "@sparticuz/chromium";
import { expect } from "chai";
import { type Browser, type LaunchOptions, type Page, chromium } from "playwright-core";
import { asyncApiDocument } from "../../api/asyncapi-document";
import { openApiDocument } from "../../api/openapi-document";
import { routes } from "../../api/routes";
import { SEED_INVENTORY } from "../../local/seed-inventory";
import { type LocalStack, startLocalStack } from "../../local/local-stack";
import { localToken } from "../../local/sign-in";

/** The system's Chromium (Debian's path), used when the machine has one. */
const SYSTEM_CHROMIUM = "/usr/bin/chromium";

/**
 * Headless, and silent on the network: the machine may have none, and the page must need none.
 * `--no-sandbox`: Chromium's sandbox refuses to start as root, which CI and containers run as.
 */
const QUIET_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/**
 * Flags of `@sparticuz/chromium` that would relax what the spec checks: the page's own security
 * policy, as a browser enforces it. Its other flags are what its build needs to start
 * (single process, software GL), so they stay.
 */
const RELAXING_ARGS = new Set(["--disable-web-security", "--allow-running-insecure-content"]);

/**
 * The browser the spec drives: the system's Chromium when there is one, else the Chromium that
 * ships inside the `@sparticuz/chromium` npm package (unpacked to the temp directory on first
 * use), so that `npm ci && npm test` needs no browser install. Playwright never downloads one.
 */
async function browserLaunchOptions(): Promise<LaunchOptions> {
  if (existsSync(SYSTEM_CHROMIUM)) return { executablePath: SYSTEM_CHROMIUM, args: QUIET_ARGS };
  const packagedArgs = packagedChromium.args.filter((arg) => !RELAXING_ARGS.has(arg));
  return {
    executablePath: await packagedChromium.executablePath(),
    args: [...new Set([...packagedArgs, ...QUIET_ARGS.filter((arg) => arg !== "--headless")])],
  };
}

/** Set OMS_DOCS_SCREENSHOT to a file to look at the page after the spec's "Execute". */
const SCREENSHOT = process.env["OMS_DOCS_SCREENSHOT"];

describe("The API reference page on the local stack", function () {
  this.timeout(120_000);

  let stack: LocalStack;
  let token: string;
  let browser: Browser;
  let page: Page;
  const requested: string[] = [];
  /** Uncaught exceptions, and console errors: where Chromium reports what the page's policy refused. */
  const pageErrors: string[] = [];

  /** Where the page sent requests; data: URLs (Swagger UI's icons) never leave the page. */
  function originsRequested(): string[] {
    return [...new Set(requested.filter((url) => !url.startsWith("data:")).map((url) => new URL(url).origin))];
  }

  before(async () => {
    stack = await startLocalStack({ port: 0, dataDir: null, log: { info: () => undefined, error: () => undefined } });
    ({ idToken: token } = await localToken({
      ...stack,
      email: "docs-reader@example.com",
    }));
    // A fresh, temporary profile each time: `launch` makes one and deletes it on close.
    browser = await chromium.launch(await browserLaunchOptions());
    page = await browser.newPage();
    page.on("request", (request) => requested.push(request.url()));
    page.on("pageerror", (error) => pageErrors.push(error.message));
    page.on("console", (message) => {
      if (message.type() === "error") pageErrors.push(message.text());
    });
    await page.goto(`${stack.url}/docs`);
    await page.locator(".opblock").first().waitFor();
  });

  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("loads with its title and a link to the document, without errors, from the stack alone", async () => {
    expect(await page.title()).to.equal("OMS API reference");
    expect(await page.locator(".info .main a.link").getAttribute("href")).to.equal("/openapi.json");
    expect(pageErrors).to.deep.equal([]);
    expect(originsRequested()).to.deep.equal([stack.url]);
  });

  it("serves the generated OpenAPI document at /openapi.json, without a token", async () => {
    const response = await fetch(`${stack.url}/openapi.json`);

    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("application/json");
    expect(await response.json()).to.deep.equal(JSON.parse(JSON.stringify(openApiDocument())));
  });

  it("links the order events' AsyncAPI document, which the stack serves at /asyncapi.json without a token", async () => {
    const href = await page.locator("nav a", { hasText: "AsyncAPI" }).getAttribute("href");
    const response = await fetch(`${stack.url}${href ?? ""}`);

    expect(href).to.equal("/asyncapi.json");
    expect(response.status).to.equal(200);
    expect(response.headers.get("content-type")).to.equal("application/json");
    expect(await response.json()).to.deep.equal(JSON.parse(JSON.stringify(asyncApiDocument())));
  });

  it("lists every route of the route table, by method and path", async () => {
    const listed = await page
      .locator(".opblock-summary")
      .evaluateAll((summaries) =>
        summaries.map(
          (summary) =>
            `${summary.querySelector(".opblock-summary-method")?.textContent ?? ""} ` +
            `${summary.querySelector("[data-path]")?.getAttribute("data-path") ?? ""}`,
        ),
      );

    expect([...listed].sort()).to.deep.equal(routes.map((route) => `${route.method} ${route.path}`).sort());
  });

  it("calls GET /inventory on the stack with the token pasted into Authorize, and shows the seeded stock", async () => {
    await page.locator(".scheme-container button.authorize").click();
    await page.locator(".modal-ux input").fill(token);
    await page.locator(".modal-ux .auth-btn-wrapper button.authorize").click();
    await page.locator(".modal-ux button.btn-done").click();
    const operation = page.locator(".opblock-get", { has: page.locator('[data-path="/inventory"]') });
    await operation.locator(".opblock-summary").click();
    await operation.locator("button.try-out__btn").click();
    await operation.locator("button.execute").click();
    const response = operation.locator(".live-responses-table .response");
    await response.waitFor();

    if (SCREENSHOT) await page.screenshot({ path: SCREENSHOT, fullPage: true });
    const status = await response.locator(".response-col_status").innerText();
    const body = JSON.parse(await response.locator(".response-col_description pre").first().innerText()) as {
      items: { itemId: string; quantity: number; unitPrice?: unknown }[];
    };
    expect(status.trim()).to.equal("200");
    expect(body.items.map(({ itemId, quantity, unitPrice }) => ({ itemId, quantity, unitPrice }))).to.have.deep.members(
      [...SEED_INVENTORY],
    );
    expect(await operation.locator(".request-url pre").innerText()).to.equal(`${stack.url}/inventory`);
    expect(pageErrors).to.deep.equal([]);
    expect(originsRequested()).to.deep.equal([stack.url]);
  });
});
