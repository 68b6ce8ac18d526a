import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { GatewayResponse } from "./payload-format";

/** Where the OpenAPI document is served. */
export const OPENAPI_PATH = "/openapi.json";
/** Where the AsyncAPI document of the order events is served. */
export const ASYNCAPI_PATH = "/asyncapi.json";
/** Where the interactive reference is served. */
export const DOCS_PATH = "/docs";
/** Where Swagger UI's own files are served from, out of `node_modules`. */
export const DOCS_ASSETS_PATH = `${DOCS_PATH}/assets/`;
/** The page's own script: a file, because the page's Content-Security-Policy forbids inline scripts. */
const PAGE_SCRIPT_PATH = `${DOCS_PATH}/reference.js`;

/** The files of `swagger-ui-dist` the page uses, and nothing else of the package. */
export const DOCS_ASSETS: Readonly<Record<string, string>> = {
  "swagger-ui-bundle.js": "text/javascript; charset=utf-8",
  "swagger-ui.css": "text/css; charset=utf-8",
  "favicon-32x32.png": "image/png",
  "favicon-16x16.png": "image/png",
};

/**
 * Keeps the page to its own origin: Swagger UI then cannot load anything from a CDN, nor send
 * "Try it out" anywhere but the stack serving it. Swagger UI sets inline styles, and shows icons as
 * data: images.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join("; ");

const PAGE = `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>OMS API reference</title>
    <link rel="stylesheet" href="${DOCS_ASSETS_PATH}swagger-ui.css" />
    <link rel="icon" type="image/png" href="${DOCS_ASSETS_PATH}favicon-32x32.png" sizes="32x32" />
    <link rel="icon" type="image/png" href="${DOCS_ASSETS_PATH}favicon-16x16.png" sizes="16x16" />
  </head>
  <body>
    <div class="swagger-ui">
      <nav class="wrapper" aria-label="Other contracts">
        <p>
          Order events: <a href="${ASYNCAPI_PATH}">the AsyncAPI 3 document</a> describes each event OMS publishes
          to its order topic, and how another system subscribes.
        </p>
      </nav>
    </div>
    <div id="swagger-ui"></div>
    <script src="${DOCS_ASSETS_PATH}swagger-ui-bundle.js"></script>
    <script src="${PAGE_SCRIPT_PATH}"></script>
  </body>
</html>
`;

/**
 * The document's servers name the default port; "Try it out" must reach the stack that served the
 * page, whatever its port. The validator is off: it would send the document to swagger.io. Tokens
 * stay out of localStorage.
 */
const PAGE_SCRIPT = `"use strict";
fetch(${JSON.stringify(OPENAPI_PATH)})
  .then((response) => response.json())
  .then((openApi) => {
    openApi.servers = [{ url: window.location.origin, description: "The local stack serving this page" }];
    window.ui = SwaggerUIBundle({
      spec: openApi,
      dom_id: "#swagger-ui",
      presets: [SwaggerUIBundle.presets.apis],
      layout: "BaseLayout",
      deepLinking: true,
      displayRequestDuration: true,
      persistAuthorization: false,
      validatorUrl: null,
    });
    // Given the document itself, Swagger UI would not link to it.
    window.ui.specActions.updateUrl(${JSON.stringify(OPENAPI_PATH)});
  });
`;

/** The folder of the installed `swagger-ui-dist`. */
const SWAGGER_UI_DIR = dirname(require.resolve("swagger-ui-dist/package.json"));

function answer(
  statusCode: number,
  contentType: string,
  body: string | Buffer,
  headers: Record<string, string> = {},
): GatewayResponse {
  return {
    statusCode,
    headers: { "content-type": contentType, "x-content-type-options": "nosniff", ...headers },
    body: typeof body === "string" ? Buffer.from(body, "utf8") : body,
  };
}

const NOT_FOUND = () => answer(404, "application/json", JSON.stringify({ message: "Not Found" }));

/** Answers a request for the docs, or `undefined` when the path is not theirs. */
export type ApiDocs = (method: string, rawPath: string) => Promise<GatewayResponse | undefined>;

function ownsPath(rawPath: string): boolean {
  return (
    rawPath === OPENAPI_PATH ||
    rawPath === ASYNCAPI_PATH ||
    rawPath === DOCS_PATH ||
    rawPath.startsWith(`${DOCS_PATH}/`)
  );
}

/**
 * The developer's reference to the API, local only: `GET /openapi.json` is `document` as it is,
 * `GET /asyncapi.json` is `events` (the AsyncAPI document of the order events) as it is, and
 * `GET /docs` is Swagger UI showing the API, with "Try it out" aimed at the page's own origin and a
 * link to the events' document. Swagger UI's files come from `node_modules`, by name from a fixed
 * list, so no request path ever reaches the file system.
 */
export function apiDocs(document: object, events: object): ApiDocs {
  const json = JSON.stringify(document);
  const eventsJson = JSON.stringify(events);
  return async (method, rawPath) => {
    if (!ownsPath(rawPath)) return undefined;
    if (method !== "GET" && method !== "HEAD") return NOT_FOUND();
    if (rawPath === OPENAPI_PATH) return answer(200, "application/json", json);
    if (rawPath === ASYNCAPI_PATH) return answer(200, "application/json", eventsJson);
    if (rawPath === DOCS_PATH || rawPath === `${DOCS_PATH}/`) {
      return answer(200, "text/html; charset=utf-8", PAGE, { "content-security-policy": CONTENT_SECURITY_POLICY });
    }
    if (rawPath === PAGE_SCRIPT_PATH) return answer(200, "text/javascript; charset=utf-8", PAGE_SCRIPT);
    const name = rawPath.startsWith(DOCS_ASSETS_PATH) ? rawPath.slice(DOCS_ASSETS_PATH.length) : "";
    const contentType = Object.hasOwn(DOCS_ASSETS, name) ? DOCS_ASSETS[name] : undefined;
    if (!contentType) return NOT_FOUND();
    return answer(200, contentType, await readFile(join(SWAGGER_UI_DIR, name)));
  };
}
