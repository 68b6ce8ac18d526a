import type { JsonSchema, MediaType, OpenApiDocument, Operation, Parameter, Reference } from "./openapi-document";
import { pathParameterNames, resourceOf, schemaNameOf } from "./openapi-document";
import { REFUSALS, type Refusal } from "./responses";
import { type Route, routes } from "./routes";

/** Postman Collection Format v2.1, as far as this collection uses it. */
export interface PostmanCollection {
  readonly info: { readonly name: string; readonly description: string; readonly schema: string };
  readonly event: readonly PostmanEvent[];
  readonly variable: readonly PostmanVariable[];
  readonly item: readonly PostmanFolder[];
}

export interface PostmanEvent {
  readonly listen: "prerequest" | "test";
  readonly script: { readonly type: "text/javascript"; readonly exec: readonly string[] };
}

export interface PostmanVariable {
  readonly key: string;
  readonly value: string;
  readonly description?: string;
}

export interface PostmanFolder {
  readonly name: string;
  readonly description: string;
  readonly item: readonly PostmanItem[];
}

export interface PostmanItem {
  readonly name: string;
  readonly event: readonly PostmanEvent[];
  readonly request: PostmanRequest;
}

export interface PostmanRequest {
  readonly method: Route["method"];
  readonly description: string;
  readonly auth: PostmanAuth;
  readonly header: readonly { readonly key: string; readonly value: string; readonly description?: string }[];
  readonly url: {
    readonly raw: string;
    readonly host: readonly string[];
    readonly path: readonly string[];
    readonly query?: readonly { key: string; value: string; description: string; disabled: true }[];
    readonly variable?: readonly { key: string; value: string; description: string }[];
  };
  readonly body?: {
    readonly mode: "raw";
    readonly raw: string;
    readonly options: { readonly raw: { readonly language: "json" } };
  };
}

export type PostmanAuth =
  | { readonly type: "noauth" }
  | {
      readonly type: "bearer";
      readonly bearer: readonly [{ readonly key: "token"; readonly value: string; readonly type: "string" }];
    };

/** Who a request is sent as: the environment's user, its admin, or nobody (no token). */
export type Identity = "user" | "admin" | "anonymous";

/** The environment variable holding each identity's ID token. */
export const TOKEN_VARIABLES = { user: "idToken", admin: "adminIdToken" } as const;

/** An answer a step expects. */
export interface Expectation {
  readonly status: number;
  /** Which refusal, when the status has several bodies. */
  readonly refusal?: Refusal;
  /** The body must equal the contract's example exactly. */
  readonly exact?: true;
}

/** One request of the end-to-end flow. */
export interface FlowStep {
  readonly name: string;
  /** The route it calls: its `functionName`, the operation's id. */
  readonly operationId: string;
  /** @default "admin" for admin-only routes, else "user" */
  readonly as?: Identity;
  /** Values of the path's `{…}` parameters, usually `{{variables}}`. */
  readonly path?: Readonly<Record<string, string>>;
  /** The body, from the operation's example. @default the example as it is */
  readonly body?: (example: Record<string, unknown>) => unknown;
  /** Any one of these answers passes. */
  readonly expect: readonly [Expectation, ...Expectation[]];
  /** Body values the answer must have; strings may name `{{variables}}`. */
  readonly equals?: Readonly<Record<string, string | number>>;
  /** A `{{variable}}` whose value must be among the `OrderId`s of the answer's `items`. */
  readonly listsOrder?: string;
  /** Collection variables to set from the answer's body: variable name → body key. */
  readonly saves?: Readonly<Record<string, string>>;
}

/** An id no order has: it asks for a 404. */
const UNKNOWN_ORDER_ID = "00000000-0000-4000-8000-000000000000";

/**
 * The collection's requests, in the order they run: a customer's and an admin's way through the
 * API, then refusals. Every step passes on a second run against the same stack.
 */
export const POSTMAN_FLOW: readonly FlowStep[] = [
  {
    name: "Create my profile",
    operationId: "create-user",
    // OMS e-mails the profile's address, so it is the signed-in user's own.
    body: (example) => ({ ...example, email: "{{email}}" }),
    expect: [{ status: 201 }, { status: 409, refusal: "conflict", exact: true }],
  },
  {
    name: "Read my profile",
    operationId: "get-user",
    expect: [{ status: 200 }],
    saves: { userId: "userId" },
  },
  {
    name: "Change my profile",
    operationId: "update-user",
    body: (example) => ({ ...example, email: "{{email}}" }),
    expect: [{ status: 200 }],
    equals: { userId: "{{userId}}" },
  },
  {
    name: "List the inventory",
    operationId: "list-inventory",
    expect: [{ status: 200 }],
  },
  {
    name: "Stock the ordered item (admin)",
    operationId: "set-stock",
    path: { itemId: "{{product}}" },
    expect: [{ status: 200 }],
    equals: { itemId: "{{product}}" },
  },
  {
    name: "Place an order",
    operationId: "place-order",
    expect: [{ status: 201 }],
    equals: { product: "{{product}}", status: "PLACED" },
    saves: { orderId: "OrderId" },
  },
  {
    name: "Read the order",
    operationId: "get-order",
    path: { id: "{{orderId}}" },
    expect: [{ status: 200 }],
    equals: { OrderId: "{{orderId}}", ownerId: "{{userId}}" },
  },
  {
    name: "List my orders",
    operationId: "list-orders",
    expect: [{ status: 200 }],
    listsOrder: "{{orderId}}",
  },
  {
    name: "Ship the order (admin)",
    operationId: "update-order-status",
    path: { id: "{{orderId}}" },
    expect: [{ status: 200 }],
    equals: { OrderId: "{{orderId}}", status: "SHIPPED" },
  },
  {
    name: "Deliver it through the original API (admin)",
    operationId: "update-order-status-legacy",
    body: (example) => ({ ...example, orderId: "{{orderId}}", userId: "{{userId}}", status: "delivered" }),
    expect: [{ status: 200 }],
    equals: { OrderId: "{{orderId}}", status: "DELIVERED" },
  },
  {
    name: "Place another order",
    operationId: "place-order",
    expect: [{ status: 201 }],
    saves: { secondOrderId: "OrderId" },
  },
  {
    name: "Delete it",
    operationId: "delete-order",
    path: { id: "{{secondOrderId}}" },
    expect: [{ status: 204 }],
  },
  {
    name: "Refused: an order without product and quantity",
    operationId: "place-order",
    body: (example) => ({ customerName: example["customerName"] }),
    expect: [{ status: 400, refusal: "missingFields", exact: true }],
  },
  {
    name: "Refused: an order that does not exist",
    operationId: "get-order",
    path: { id: "{{unknownOrderId}}" },
    expect: [{ status: 404, refusal: "notFound", exact: true }],
  },
  {
    name: "Refused: a customer changing a status",
    operationId: "update-order-status",
    as: "user",
    path: { id: "{{orderId}}" },
    expect: [{ status: 403, refusal: "forbidden", exact: true }],
  },
  {
    name: "Refused: no token",
    operationId: "list-orders",
    as: "anonymous",
    expect: [{ status: 401, exact: true }],
  },
];

/**
 * Signs in through Cognito's `InitiateAuth` (`USER_PASSWORD_AUTH`) when the token a request uses
 * is missing, expiring or another user's, so that a user fills in only e-mail and password. It
 * speaks the AWS JSON protocol, which cognito-local and every Cognito region answer alike.
 */
const SIGN_IN_SCRIPT = `const decodeBase64 = require("atob");
const identities = {
  ${TOKEN_VARIABLES.user}: { email: "email", password: "password" },
  ${TOKEN_VARIABLES.admin}: { email: "adminEmail", password: "adminPassword" },
};
const auth = pm.request.auth ? JSON.stringify(pm.request.auth.toJSON()) : "";
const tokenVariable = Object.keys(identities).find(function (name) {
  return auth.indexOf("{{" + name + "}}") !== -1;
});

function claimsOf(token) {
  try {
    return JSON.parse(decodeBase64(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
  } catch (error) {
    return undefined;
  }
}

function usable(token, email) {
  const claims = token ? claimsOf(token) : undefined;
  if (!claims || typeof claims.exp !== "number" || claims.exp * 1000 < Date.now() + 60000) return false;
  return typeof claims.email !== "string" || claims.email.toLowerCase() === String(email).toLowerCase();
}

if (tokenVariable) {
  const identity = identities[tokenVariable];
  const email = pm.variables.get(identity.email);
  const password = pm.variables.get(identity.password);
  const endpoint = pm.variables.get("cognitoEndpoint");
  if (!endpoint || !pm.variables.get("clientId")) {
    throw new Error("Pick an OMS environment: it names the Cognito endpoint and app client");
  }
  if (!email || !password) {
    throw new Error("Fill in " + identity.email + " and " + identity.password + " in the environment");
  }
  if (!usable(pm.variables.get(tokenVariable), email)) {
    pm.sendRequest(
      {
        url: endpoint,
        method: "POST",
        header: {
          "X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth",
          "Content-Type": "application/x-amz-json-1.1",
        },
        body: {
          mode: "raw",
          raw: JSON.stringify({
            AuthFlow: "USER_PASSWORD_AUTH",
            ClientId: pm.variables.get("clientId"),
            AuthParameters: { USERNAME: email, PASSWORD: password },
          }),
        },
      },
      function (error, response) {
        if (error) throw error;
        const answer = response.json();
        if (!answer.AuthenticationResult) {
          throw new Error("Cognito did not sign in " + email + ": " + (answer.message || answer.__type || response.code));
        }
        pm.environment.set(tokenVariable, answer.AuthenticationResult.IdToken);
      },
    );
  }
}`;

type Components = OpenApiDocument["components"]["schemas"];

function resolve(schema: JsonSchema, components: Components): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace("#/components/schemas/", "");
  const target = components[name];
  if (!target) throw new Error(`Unknown schema ${schema.$ref}`);
  return resolve(target, components);
}

function member(expression: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${expression}.${key}` : `${expression}[${JSON.stringify(key)}]`;
}

function indent(lines: readonly string[], by = "  "): string[] {
  return lines.map((line) => (line === "" ? line : `${by}${line}`));
}

/** Chai assertions that `expression` has the schema's type, required keys and property types. */
function shapeAssertions(schema: JsonSchema, expression: string, components: Components, depth = 0): string[] {
  const resolved = resolve(schema, components);
  const expect = `pm.expect(${expression})`;
  if (resolved.const !== undefined) return [`${expect}.to.equal(${JSON.stringify(resolved.const)});`];
  if (resolved.enum) return [`${expect}.to.be.oneOf(${JSON.stringify(resolved.enum)});`];
  switch (resolved.type) {
    case "string":
      return [`${expect}.to.be.a("string");`];
    case "number":
      return [`${expect}.to.be.a("number");`];
    case "integer":
      return [`${expect}.to.be.a("number").and.satisfy(Number.isInteger);`];
    case "boolean":
      return [`${expect}.to.be.a("boolean");`];
    case "array": {
      const item = depth === 0 ? "item" : `item${depth + 1}`;
      const items = typeof resolved.items === "object" && !Array.isArray(resolved.items) ? resolved.items : undefined;
      const inner = items ? shapeAssertions(items, item, components, depth + 1) : [];
      return [
        `${expect}.to.be.an("array");`,
        ...(inner.length > 0 ? [`${expression}.forEach(function (${item}) {`, ...indent(inner), "});"] : []),
      ];
    }
    case "object": {
      const properties = Object.entries(resolved.properties ?? {});
      const required = new Set(resolved.required ?? []);
      const lines = [`${expect}.to.be.an("object");`];
      if (required.size > 0) {
        lines.push(`${expect}.to.include.all.keys(${[...required].map((key) => JSON.stringify(key)).join(", ")});`);
      }
      if (resolved.additionalProperties === false) {
        const known = JSON.stringify(properties.map(([key]) => key));
        lines.push(`pm.expect(${known}).to.include.members(Object.keys(${expression}));`);
      }
      for (const [key, property] of properties) {
        if (typeof property === "boolean") continue;
        const assertions = shapeAssertions(property, member(expression, key), components, depth);
        if (required.has(key)) lines.push(...assertions);
        else lines.push(`if (${member(expression, key)} !== undefined) {`, ...indent(assertions), "}");
      }
      return lines;
    }
    default:
      throw new Error(`No shape assertions for the schema ${JSON.stringify(resolved)}`);
  }
}

function jsonMedia(operation: Operation, status: number): MediaType | undefined {
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`${operation.operationId} never answers ${status}`);
  return response.content?.["application/json"];
}

/** The schema and example an expected answer has in the contract. */
function expectedBody(operation: Operation, expectation: Expectation) {
  const media = jsonMedia(operation, expectation.status);
  if (!media) return undefined;
  if (expectation.refusal === undefined) {
    if (media.examples) throw new Error(`${operation.operationId} ${expectation.status}: name the refusal expected`);
    return {
      name: media.schema.$ref?.replace("#/components/schemas/", "") ?? "body",
      schema: media.schema,
      example: media.example,
    };
  }
  const example = media.examples?.[expectation.refusal];
  if (!example) throw new Error(`${operation.operationId} ${expectation.status} has no ${expectation.refusal} refusal`);
  const name = schemaNameOf(REFUSALS[expectation.refusal].schema);
  return { name, schema: { $ref: `#/components/schemas/${name}` }, example: example.value };
}

/** A literal, or the value of the `{{variables}}` it names when the script runs. */
function valueExpression(value: string | number): string {
  return typeof value === "string" && value.includes("{{")
    ? `pm.variables.replaceIn(${JSON.stringify(value)})`
    : JSON.stringify(value);
}

function testScript(step: FlowStep, operation: Operation, components: Components): string[] {
  const statuses = step.expect.map((expectation) => expectation.status);
  const lines = [
    `pm.test("Status code is ${statuses.join(" or ")}", function () {`,
    statuses.length === 1
      ? `  pm.response.to.have.status(${statuses[0]});`
      : `  pm.expect(pm.response.code).to.be.oneOf(${JSON.stringify(statuses)});`,
    "});",
  ];
  for (const expectation of step.expect) {
    const body = expectedBody(operation, expectation);
    const guard = statuses.length > 1 ? `if (pm.response.code === ${expectation.status}) ` : "";
    if (!body) {
      lines.push(
        `${guard}pm.test("The ${expectation.status} has no body", function () {`,
        '  pm.expect(pm.response.text()).to.equal("");',
        "});",
      );
      continue;
    }
    lines.push(
      `${guard}pm.test("The ${expectation.status} body is ${body.name}: its keys and their types", function () {`,
      "  const body = pm.response.json();",
      ...indent(shapeAssertions(body.schema, "body", components)),
      "});",
    );
    if (expectation.exact) {
      lines.push(
        `${guard}pm.test("The ${expectation.status} body is exactly the contract's example", function () {`,
        `  pm.expect(pm.response.json()).to.eql(${JSON.stringify(body.example)});`,
        "});",
      );
    }
  }
  const success = step.expect[0].status;
  if (step.equals) {
    lines.push(
      `pm.test("The ${success} body has the values asked for", function () {`,
      "  const body = pm.response.json();",
    );
    for (const [key, value] of Object.entries(step.equals)) {
      lines.push(`  pm.expect(${member("body", key)}).to.equal(${valueExpression(value)});`);
    }
    lines.push("});");
  }
  if (step.listsOrder) {
    lines.push(
      `pm.test("The ${success} body lists ${step.listsOrder}", function () {`,
      "  const ids = pm.response.json().items.map(function (order) {",
      "    return order.OrderId;",
      "  });",
      `  pm.expect(ids).to.include(${valueExpression(step.listsOrder)});`,
      "});",
    );
  }
  if (step.saves) {
    lines.push(`if (pm.response.code === ${success}) {`, "  const body = pm.response.json();");
    for (const [variable, key] of Object.entries(step.saves)) {
      lines.push(`  pm.collectionVariables.set(${JSON.stringify(variable)}, ${member("body", key)});`);
    }
    lines.push("}");
  }
  return lines;
}

function script(listen: PostmanEvent["listen"], lines: readonly string[]): PostmanEvent {
  return { listen, script: { type: "text/javascript", exec: lines } };
}

function isReference(parameter: Parameter | Reference): parameter is Reference {
  return "$ref" in parameter;
}

function authOf(identity: Identity): PostmanAuth {
  if (identity === "anonymous") return { type: "noauth" };
  return { type: "bearer", bearer: [{ key: "token", value: `{{${TOKEN_VARIABLES[identity]}}}`, type: "string" }] };
}

function requestOf(step: FlowStep, route: Route, operation: Operation, document: OpenApiDocument): PostmanRequest {
  const parameters = (operation.parameters ?? []).map((parameter) => {
    if (!isReference(parameter)) return parameter;
    const found = document.components.parameters[parameter.$ref.replace("#/components/parameters/", "")];
    if (!found) throw new Error(`Unknown parameter ${parameter.$ref}`);
    return found;
  });
  const segments = route.path
    .split("/")
    .slice(1)
    .map((segment) => segment.replace(/^\{(.+)\}$/, ":$1"));
  const pathVariables = parameters.filter((parameter) => parameter.in === "path");
  const query = parameters.filter((parameter) => parameter.in === "query");
  const headers = parameters.filter((parameter) => parameter.in === "header");
  for (const name of pathParameterNames(route.path)) {
    if (step.path?.[name] === undefined) throw new Error(`${step.name}: give the path parameter ${name} a value`);
  }
  const media = operation.requestBody?.content["application/json"];
  const example = media?.example as Record<string, unknown> | undefined;
  const body = example === undefined ? undefined : step.body ? step.body(example) : example;
  return {
    method: route.method,
    description: [operation.summary, operation.description].filter(Boolean).join("\n\n"),
    auth: authOf(step.as ?? (route.adminOnly ? "admin" : "user")),
    header: [
      ...(body === undefined ? [] : [{ key: "Content-Type", value: "application/json" }]),
      // Postman makes a new key per request: each send is a new order, not a retry.
      ...headers.map((header) => ({ key: header.name, value: "{{$guid}}", description: header.description })),
    ],
    url: {
      raw: `{{baseUrl}}/${segments.join("/")}`,
      host: ["{{baseUrl}}"],
      path: segments,
      ...(query.length > 0
        ? {
            query: query.map((parameter) => ({
              key: parameter.name,
              value: "",
              description: parameter.description,
              disabled: true as const,
            })),
          }
        : {}),
      ...(pathVariables.length > 0
        ? {
            variable: pathVariables.map((parameter) => ({
              key: parameter.name,
              value: step.path?.[parameter.name] ?? "",
              description: parameter.description,
            })),
          }
        : {}),
    },
    ...(body === undefined
      ? {}
      : { body: { mode: "raw", raw: JSON.stringify(body, null, 2), options: { raw: { language: "json" } } } }),
  };
}

function operationsById(document: OpenApiDocument): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) operations.set(operation.operationId, operation);
  }
  return operations;
}

/**
 * The Postman collection (v2.1) for the API, written from its OpenAPI document: one folder per
 * resource, the flow's requests in order, each testing its status and its body's shape, and a
 * collection script that signs the environment's users in.
 */
export function postmanCollection(
  document: OpenApiDocument,
  flow: readonly FlowStep[] = POSTMAN_FLOW,
): PostmanCollection {
  const operations = operationsById(document);
  const uncovered = routes.filter((route) => !flow.some((step) => step.operationId === route.functionName));
  if (uncovered.length > 0) {
    throw new Error(`The Postman flow never calls ${uncovered.map((route) => route.functionName).join(", ")}`);
  }
  const folders = new Map<string, PostmanItem[]>();
  for (const step of flow) {
    const route = routes.find((candidate) => candidate.functionName === step.operationId);
    const operation = operations.get(step.operationId);
    if (!route || !operation) throw new Error(`${step.name}: no operation ${step.operationId}`);
    const items = folders.get(resourceOf(route)) ?? [];
    folders.set(resourceOf(route), items);
    items.push({
      name: step.name,
      event: [script("test", testScript(step, operation, document.components.schemas))],
      request: requestOf(step, route, operation, document),
    });
  }
  const placeOrderExample = operations.get("place-order")?.requestBody?.content["application/json"]?.example as
    { product?: string } | undefined;
  return {
    info: {
      name: document.info.title,
      description: [
        document.info.description,
        "Pick an OMS environment (`api/local.postman_environment.json` from `npm start`, or `npm run postman:env -- --stack dev`) and fill in `email` and `password` (and `adminEmail`, `adminPassword` for the admin's requests): the collection signs both in through Cognito and keeps their ID tokens in the environment. Run the whole collection: its requests depend on each other, in order.",
      ].join("\n\n"),
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    event: [script("prerequest", SIGN_IN_SCRIPT.split("\n"))],
    variable: [
      {
        key: "product",
        value: placeOrderExample?.product ?? "",
        description: "The item the flow stocks and orders",
      },
      { key: "orderId", value: "", description: "The order the flow placed" },
      { key: "secondOrderId", value: "", description: "The order the flow deletes" },
      { key: "userId", value: "", description: "The signed-in user's id (their token's sub)" },
      { key: "unknownOrderId", value: UNKNOWN_ORDER_ID, description: "An id no order has" },
    ],
    item: [...folders].map(([resource, items]) => ({
      name: resource,
      description: document.tags.find((tag) => tag.name === resource)?.description ?? "",
      item: items,
    })),
  };
}
