import { readFileSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, lintFromString } from "@redocly/openapi-core";
import { expect } from "chai";
import type { JsonSchema } from "@valibot/to-json-schema";
import { contractFiles } from "../../api/contract-files";
import {
  type OpenApiDocument,
  type Operation,
  type OperationResponse,
  type Parameter,
  SECURITY_SCHEME,
  openApiDocument,
} from "../../api/openapi-document";
import { COMMON_RESPONSES, REFUSALS } from "../../api/responses";
import { RETRY_AFTER_SECONDS, SERVICE_UNAVAILABLE_MESSAGE } from "../../domain/http-errors";
import { type Route, routes } from "../../api/routes";
import { INVENTORY_LIMITS, parseItemId } from "../../domain/inventory";
import { ORDER_LIMITS, isOrderId } from "../../domain/order";
import { ORDER_STATUSES, parseLegacyStatusUpdate, parseStatusUpdate } from "../../domain/order-status";
import { OrderSearchQuerySchema } from "../../domain/order-search";

const PROJECT_DIR = join(__dirname, "..", "..");

function operationOf(document: OpenApiDocument, functionName: string): Operation {
  const route = routes.find((candidate) => candidate.functionName === functionName) as Route;
  const operation = document.paths[route.path]?.[route.method.toLowerCase() as Lowercase<Route["method"]>];
  if (!operation) throw new Error(`No operation for ${functionName}`);
  return operation;
}

/** A response the operation states itself, not by reference. */
function inlineResponse(operation: Operation, status: number): OperationResponse | undefined {
  const response = operation.responses[String(status)];
  if (response && "$ref" in response) throw new Error(`${operation.operationId} ${status} is a reference`);
  return response;
}

function parametersOf(operation: Operation): Parameter[] {
  return (operation.parameters ?? []).filter((parameter): parameter is Parameter => !("$ref" in parameter));
}

describe("openApiDocument", () => {
  const document = openApiDocument();

  it("is OpenAPI 3.1 titled OMS, at the package's version, for the local stack and a deployed one", () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_DIR, "package.json"), "utf8")) as { version: string };

    expect(document.openapi).to.equal("3.1.0");
    expect(document.info).to.include({ title: "OMS", version: manifest.version });
    expect(document.servers.map((server) => server.url)).to.deep.equal(["http://127.0.0.1:3000", "{apiUrl}"]);
    expect(document.servers[1]?.variables?.["apiUrl"]?.description).to.contain("`apiUrl` output");
  });

  it("has one operation per route: its function name as operationId, its summary, its resource as tag", () => {
    const operations = routes.map((route) => {
      const operation = operationOf(document, route.functionName);
      return [operation.operationId, operation.summary, operation.tags];
    });

    expect(operations).to.deep.equal(
      routes.map((route) => [route.functionName, route.summary, [route.path.split("/")[1]]]),
    );
    expect(document.tags.map((tag) => tag.name)).to.deep.equal(["orders", "users", "inventory"]);
  });

  it("secures every route with the Cognito user pool's ID token as a JWT bearer", () => {
    expect(document.security).to.deep.equal([{ [SECURITY_SCHEME]: [] }]);
    expect(document.components.securitySchemes[SECURITY_SCHEME]).to.include({
      type: "http",
      scheme: "bearer",
      bearerFormat: "JWT",
    });
    expect(document.components.securitySchemes[SECURITY_SCHEME]?.description).to.contain("user pool's ID token");
    expect(routes.filter((route) => "security" in operationOf(document, route.functionName))).to.deep.equal([]);
  });

  it("says in their description which routes only admins may call", () => {
    const adminNotes = routes.map((route) => [
      route.functionName,
      operationOf(document, route.functionName).description?.includes("**Admin only**") ?? false,
    ]);

    expect(adminNotes).to.deep.equal(routes.map((route) => [route.functionName, route.adminOnly === true]));
  });

  it("takes path parameters from the path's {…} segments, with an example the domain accepts", () => {
    const [id] = parametersOf(operationOf(document, "get-order"));
    const [itemId] = parametersOf(operationOf(document, "set-stock"));

    expect(parametersOf(operationOf(document, "get-order"))).to.have.length(1);
    expect(id).to.deep.include({
      name: "id",
      in: "path",
      required: true,
      description: "The order's `OrderId`",
      schema: { type: "string", format: "uuid" },
    });
    expect(isOrderId(String(id?.example))).to.equal(true);
    expect(itemId).to.deep.include({ name: "itemId", in: "path", required: true });
    expect(parseItemId(String(itemId?.example))).to.equal(itemId?.example);
  });

  it("gives the itemId path parameter the domain's length limit", () => {
    const [itemId] = parametersOf(operationOf(document, "set-stock"));

    expect(itemId?.schema).to.deep.equal({ type: "string", minLength: 1, maxLength: INVENTORY_LIMITS.itemIdLength });
  });

  it("takes query parameters from the route's query schema, as clients send them", () => {
    const parameters = parametersOf(operationOf(document, "list-orders"));
    expect(parameters.map((parameter) => parameter.name)).to.deep.equal(Object.keys(OrderSearchQuerySchema.entries));
    expect(parameters.find((parameter) => parameter.name === "status")?.schema).to.deep.include({
      enum: [...ORDER_STATUSES, ...ORDER_STATUSES.map((status) => status.toLowerCase())],
    });
    expect(parameters.slice(0, 2)).to.deep.equal([
      {
        name: "limit",
        in: "query",
        description: "Page size: 1 to 100, 20 when absent",
        required: false,
        schema: { type: "string", pattern: "^\\d+$" },
      },
      {
        name: "nextToken",
        in: "query",
        description: "The previous page's `nextToken`: where to go on",
        required: false,
        schema: { type: "string", minLength: 1, maxLength: 2048 },
      },
    ]);
  });

  it("offers the Idempotency-Key header exactly where the route honours it", () => {
    const withHeader = routes.filter((route) =>
      (operationOf(document, route.functionName).parameters ?? []).some(
        (parameter) => "$ref" in parameter && parameter.$ref === "#/components/parameters/IdempotencyKey",
      ),
    );

    expect(withHeader).to.not.deep.equal([]);
    expect(withHeader.map((route) => route.functionName)).to.deep.equal(
      routes.filter((route) => route.idempotencyKey).map((route) => route.functionName),
    );
    expect(document.components.parameters["IdempotencyKey"]).to.include({
      name: "Idempotency-Key",
      in: "header",
      required: false,
    });
  });

  it("describes each request body with its domain schema and the route table's example", () => {
    const bodies = routes
      .filter((route) => route.body)
      .map((route) => {
        const media = operationOf(document, route.functionName).requestBody?.content["application/json"];
        const ref = String(media?.schema.$ref);
        return {
          route: route.functionName,
          example: media?.example === route.body?.example,
          schema:
            ref.startsWith("#/components/schemas/") &&
            document.components.schemas[ref.split("/").pop() ?? ""] !== undefined,
        };
      });

    expect(bodies).to.not.deep.equal([]);
    expect(bodies).to.deep.equal(bodies.map(({ route }) => ({ route, example: true, schema: true })));
    // The original API's body, exactly as it was, or an order of lines.
    const [oneLine, lines] = (document.components.schemas["NewOrder"]?.anyOf ?? []) as JsonSchema[];
    expect(oneLine).to.deep.equal({
      type: "object",
      properties: {
        customerName: { type: "string", minLength: 1, maxLength: ORDER_LIMITS.customerNameLength },
        product: { type: "string", minLength: 1, maxLength: ORDER_LIMITS.productLength },
        quantity: { type: "integer", minimum: 1, maximum: ORDER_LIMITS.maxQuantity },
      },
      required: ["customerName", "product", "quantity"],
    });
    expect(lines?.required).to.deep.equal(["customerName", "items"]);
    expect(lines?.properties?.["items"]).to.deep.include({
      type: "array",
      minItems: 1,
      maxItems: ORDER_LIMITS.maxLines,
    });
  });

  it("lists every status a client may send, in either case, and the domain accepts each", () => {
    const statuses = document.components.schemas["StatusUpdate"]?.properties?.["status"];
    const legacy = document.components.schemas["LegacyStatusUpdate"]?.properties?.["status"];
    const listed = typeof statuses === "object" ? (statuses.enum as string[]) : [];

    expect(listed).to.deep.equal([
      "PLACED",
      "SHIPPED",
      "DELIVERED",
      "CANCELLED",
      "placed",
      "shipped",
      "delivered",
      "cancelled",
    ]);
    expect(legacy).to.deep.equal(statuses);
    expect(listed.map((status) => parseStatusUpdate({ status }).status)).to.deep.equal([
      ...listed.slice(0, 4),
      ...listed.slice(0, 4),
    ]);
    expect(parseLegacyStatusUpdate({ orderId: "o", userId: "u", status: "shipped" }).status).to.equal("SHIPPED");
  });

  it("answers each route with its success, its refusals and the responses every route can give", () => {
    const statuses = routes.map((route) => Object.keys(operationOf(document, route.functionName).responses));

    expect(statuses).to.deep.equal(
      routes.map((route) =>
        [
          ...new Set([
            route.success.status,
            ...route.refusals.map((refusal) => REFUSALS[refusal].status),
            ...COMMON_RESPONSES.map((response) => response.status),
          ]),
        ]
          .sort((a, b) => a - b)
          .map(String),
      ),
    );
  });

  it("gives refusals that share a status one response: oneOf their bodies, one named example each", () => {
    const placeOrder = operationOf(document, "place-order");
    const responses = { 400: inlineResponse(placeOrder, 400), 409: inlineResponse(placeOrder, 409) };

    expect(responses["400"]?.content?.["application/json"]).to.deep.equal({
      schema: {
        oneOf: [{ $ref: "#/components/schemas/MissingFieldsError" }, { $ref: "#/components/schemas/Error" }],
      },
      examples: {
        missingFields: { summary: REFUSALS.missingFields.description, value: REFUSALS.missingFields.example },
        invalidField: { summary: REFUSALS.invalidField.description, value: REFUSALS.invalidField.example },
      },
    });
    expect(responses["409"]?.content?.["application/json"]?.schema).to.deep.equal({
      oneOf: [{ $ref: "#/components/schemas/OutOfStockError" }, { $ref: "#/components/schemas/Error" }],
    });
    expect(inlineResponse(placeOrder, 422)?.content?.["application/json"]).to.deep.equal({
      schema: { $ref: "#/components/schemas/Error" },
      examples: {
        idempotencyKeyReused: {
          summary: REFUSALS.idempotencyKeyReused.description,
          value: REFUSALS.idempotencyKeyReused.example,
        },
      },
    });
  });

  it("gives the success and the common responses their schema and example", () => {
    const responses = operationOf(document, "get-order").responses;

    const getOrder = routes.find((route) => route.functionName === "get-order");
    expect(responses["200"]).to.deep.equal({
      description: getOrder?.success.description,
      content: {
        "application/json": {
          schema: { $ref: "#/components/schemas/GetOrderResponse" },
          example: getOrder?.success.example,
        },
      },
    });
    // The export is CSV: a string, with the route's example.
    const exportOrders = routes.find((route) => route.functionName === "export-orders");
    expect(operationOf(document, "export-orders").responses["200"]).to.deep.equal({
      description: exportOrders?.success.description,
      content: { "text/csv": { schema: { type: "string" }, example: exportOrders?.success.example } },
    });
    expect(responses["401"]).to.deep.equal({
      description: "No valid token (API Gateway's own answer)",
      content: {
        "application/json": {
          schema: { $ref: "#/components/schemas/Error" },
          example: { message: "Unauthorized" },
        },
      },
    });
    // DELETE cancels: it answers the order kept, CANCELLED.
    const deleteOrder = routes.find((route) => route.functionName === "delete-order");
    expect(operationOf(document, "delete-order").responses["200"]).to.deep.equal({
      description: deleteOrder?.success.description,
      content: {
        "application/json": { schema: { $ref: "#/components/schemas/Order" }, example: deleteOrder?.success.example },
      },
    });
  });

  it("lets every operation answer 503 with Retry-After: the shared ServiceUnavailable response", () => {
    const unavailable = routes.map((route) => [
      route.functionName,
      operationOf(document, route.functionName).responses["503"],
    ]);

    expect(unavailable).to.deep.equal(
      routes.map((route) => [route.functionName, { $ref: "#/components/responses/ServiceUnavailable" }]),
    );
    expect(document.components.responses["ServiceUnavailable"]?.headers).to.deep.equal({
      "Retry-After": {
        description: "Seconds to wait before sending the request again",
        required: true,
        schema: { type: "integer", minimum: 0 },
        example: RETRY_AFTER_SECONDS,
      },
    });
    expect(document.components.responses["ServiceUnavailable"]?.content).to.deep.equal({
      "application/json": {
        schema: { $ref: "#/components/schemas/Error" },
        example: { message: SERVICE_UNAVAILABLE_MESSAGE },
      },
    });
  });

  it("keeps reusable schemas in components, error bodies closed to other keys", () => {
    const text = JSON.stringify(document);
    const referenced = new Set([...text.matchAll(/"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1] ?? ""));

    // Every reference resolves, and every schema in components is referenced: none is dead.
    expect([...referenced].filter((name) => !(name in document.components.schemas))).to.deep.equal([]);
    expect(Object.keys(document.components.schemas).filter((name) => !referenced.has(name))).to.deep.equal([]);
    expect(document.components.schemas["Error"]).to.deep.equal({
      type: "object",
      additionalProperties: false,
      properties: {
        message: { type: "string" },
        field: { type: "string", description: "The request field at fault, `body` for the body as a whole" },
      },
      required: ["message"],
    });
    expect(document.components.schemas["ListOrdersResponse"]?.properties?.["items"]).to.deep.equal({
      type: "array",
      items: { $ref: "#/components/schemas/Order" },
    });
  });
});

describe("The committed API contract", () => {
  it("is what `npm run openapi` writes: run it after changing routes, schemas or examples", async () => {
    const files = await contractFiles(PROJECT_DIR);

    for (const file of files) {
      const committed = readFileSync(join(PROJECT_DIR, file.path), "utf8");
      expect(committed === file.text, `${file.path} is stale: run npm run openapi`).to.equal(true);
    }
    expect(files.map((file) => file.path)).to.deep.equal(["api/openapi.json", "api/oms.postman_collection.json"]);
  });

  it("passes Redocly's recommended rules (redocly.yaml) with neither an error nor a warning", async () => {
    const path = join(PROJECT_DIR, "api", "openapi.json");
    const config = await loadConfig({ configPath: join(PROJECT_DIR, "redocly.yaml") });

    const problems = await lintFromString({ source: readFileSync(path, "utf8"), absoluteRef: path, config });

    expect(problems.map((problem) => `${problem.severity} ${problem.ruleId}: ${problem.message}`)).to.deep.equal([]);
  });
});
