import { convertV2 } from "openapi-to-postmanv2";
import type { JsonSchema, OpenApiDocument, Operation } from "./openapi-document";
import { schemaNameOf } from "./openapi-document";
import { REFUSALS, type Refusal } from "./responses";
import { type Route, routeKey, routes } from "./routes";

/** Postman Collection Format v2.1, as far as OMS reads or writes it; the converter fills in the rest. */
export interface PostmanCollection {
  readonly info: { readonly name: string; readonly description: string; readonly schema: string };
  readonly auth?: PostmanAuth;
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
  readonly description?: string | { readonly content: string };
  readonly item: readonly PostmanItem[];
}

export interface PostmanItem {
  readonly name: string;
  readonly event: readonly PostmanEvent[];
  readonly request: PostmanRequest;
  /** The contract's example answers, as Postman shows them beside the request. */
  readonly response?: readonly unknown[];
}

export interface PostmanHeader {
  readonly key: string;
  readonly value: string;
  readonly disabled?: boolean;
  readonly description?: unknown;
}

export interface PostmanRequest {
  readonly method: Route["method"];
  readonly description?: unknown;
  readonly auth: PostmanAuth;
  readonly header: readonly PostmanHeader[];
  readonly url: {
    readonly host: readonly string[];
    readonly path: readonly string[];
    readonly query?: readonly { readonly key: string; readonly value: string; readonly disabled?: boolean }[];
    readonly variable?: readonly { readonly key: string; readonly value: string; readonly description?: unknown }[];
  };
  readonly body?: { readonly mode: "raw"; readonly raw: string; readonly options?: unknown };
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

/** The folder holding the flow; the converter's folders (one per tag) follow it. */
export const FLOW_FOLDER = "flow";

/** The second item of the flow's order of two lines. */
const SECOND_PRODUCT = "Headlight";

/** An id no order has: it asks for a 404. */
const UNKNOWN_ORDER_ID = "00000000-0000-4000-8000-000000000000";

/**
 * The flow: a customer's and an admin's way through the API, requests that chain through
 * variables (the signed-in user's id, the order placed), then refusals checked against the
 * contract's exact examples. It is a story, not a list of routes: a new route needs no step,
 * because the converter's folders already send one request per operation. Every step passes on a
 * second run against the same stack.
 */
export const POSTMAN_FLOW: readonly FlowStep[] = [
  {
    name: "Create my profile",
    operationId: "create-user",
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
    expect: [{ status: 200 }],
    equals: { userId: "{{userId}}" },
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
    expect: [{ status: 200 }],
    equals: { OrderId: "{{secondOrderId}}", status: "CANCELLED" },
  },
  {
    name: "Stock a second item (admin)",
    operationId: "set-stock",
    path: { itemId: SECOND_PRODUCT },
    expect: [{ status: 200 }],
    equals: { itemId: SECOND_PRODUCT },
  },
  {
    name: "Place an order of two lines",
    operationId: "place-order",
    body: (example) => ({
      customerName: example["customerName"],
      items: [
        { product: "{{product}}", quantity: 1 },
        { product: SECOND_PRODUCT, quantity: 2 },
      ],
    }),
    expect: [{ status: 201 }],
    equals: { status: "PLACED" },
    saves: { linesOrderId: "OrderId" },
  },
  {
    name: "Read its lines, total and timeline",
    operationId: "get-order",
    path: { id: "{{linesOrderId}}" },
    expect: [{ status: 200 }],
    equals: { OrderId: "{{linesOrderId}}" },
  },
  {
    name: "Export the orders as CSV (admin)",
    operationId: "export-orders",
    expect: [{ status: 200 }],
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
 * Postman's own auth helpers cannot do this: Cognito's user-password sign-in is no OAuth flow, and
 * OpenAPI's bearer scheme says nothing about where the token comes from.
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

const JSON_MEDIA_TYPE = "application/json";

/**
 * The schema with every `$ref` replaced by what it names: a test script carries its schema whole,
 * for Postman's `jsonSchema` assertion (Ajv) to check a body against.
 */
function inlined<T>(value: T, components: Components): T {
  if (Array.isArray(value)) return value.map((entry: unknown) => inlined(entry, components)) as T;
  if (typeof value !== "object" || value === null) return value;
  const { $ref, ...rest } = value as Record<string, unknown>;
  if (typeof $ref === "string") {
    const target = components[$ref.replace("#/components/schemas/", "")];
    if (!target) throw new Error(`Unknown schema ${$ref}`);
    return inlined(target as T, components);
  }
  return Object.fromEntries(Object.entries(rest).map(([key, entry]) => [key, inlined(entry, components)])) as T;
}

/** A schema's name in `components.schemas`, or its alternatives' names. */
function schemaLabel(schema: JsonSchema): string {
  const names = (schema.oneOf ?? [schema]).map((entry) =>
    typeof entry === "object" && entry.$ref ? entry.$ref.replace("#/components/schemas/", "") : "body",
  );
  return names.join(" or ");
}

function member(expression: string, key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `${expression}.${key}` : `${expression}[${JSON.stringify(key)}]`;
}

function jsonMedia(operation: Operation, status: number) {
  const response = operation.responses[String(status)];
  if (!response) throw new Error(`${operation.operationId} never answers ${status}`);
  if ("$ref" in response) throw new Error(`${operation.operationId} ${status}: ${response.$ref} is not resolved`);
  return response.content?.[JSON_MEDIA_TYPE];
}

/** The schema (named) and example an expected answer has in the contract; none for an empty answer. */
function expectedBody(operation: Operation, expectation: Expectation) {
  const media = jsonMedia(operation, expectation.status);
  if (!media) return undefined;
  if (expectation.refusal === undefined) {
    if (media.examples) throw new Error(`${operation.operationId} ${expectation.status}: name the refusal expected`);
    return {
      name: schemaLabel(media.schema),
      schema: media.schema,
      example: media.example,
    };
  }
  const example = media.examples?.[expectation.refusal];
  if (!example) throw new Error(`${operation.operationId} ${expectation.status} has no ${expectation.refusal} refusal`);
  const name = schemaNameOf(REFUSALS[expectation.refusal].schema);
  return { name, schema: { $ref: `#/components/schemas/${name}` } as JsonSchema, example: example.value };
}

/** A literal, or the value of the `{{variables}}` it names when the script runs. */
function valueExpression(value: string | number): string {
  return typeof value === "string" && value.includes("{{")
    ? `pm.variables.replaceIn(${JSON.stringify(value)})`
    : JSON.stringify(value);
}

/** The media type of an answer whose body is not JSON (`text/csv`), if it is one. */
function otherMediaType(operation: Operation, status: number): string | undefined {
  const response = operation.responses[String(status)];
  if (!response || "$ref" in response) return undefined;
  return Object.keys(response.content ?? {}).find((type) => type !== JSON_MEDIA_TYPE);
}

/** A test that the answer's body is of the schema, of its other media type, or has none. */
function bodyTest(
  guard: string,
  status: number,
  body: { name: string; schema: JsonSchema } | undefined,
  components: Components,
  mediaType?: string,
) {
  if (!body && mediaType) {
    return [
      `${guard}pm.test("The ${status} body is ${mediaType}", function () {`,
      `  pm.expect(pm.response.headers.get("Content-Type")).to.include(${JSON.stringify(mediaType)});`,
      "});",
    ];
  }
  if (!body) {
    return [
      `${guard}pm.test("The ${status} has no body", function () {`,
      '  pm.expect(pm.response.text()).to.equal("");',
      "});",
    ];
  }
  return [
    `${guard}pm.test("The ${status} body is ${body.name}: its keys and their types", function () {`,
    `  pm.response.to.have.jsonSchema(${JSON.stringify(inlined(body.schema, components))});`,
    "});",
  ];
}

function flowTestScript(step: FlowStep, operation: Operation, components: Components): string[] {
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
    lines.push(...bodyTest(guard, expectation.status, body, components, otherMediaType(operation, expectation.status)));
    if (body && expectation.exact) {
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
      ...Object.entries(step.equals).map(
        ([key, value]) => `  pm.expect(${member("body", key)}).to.equal(${valueExpression(value)});`,
      ),
      "});",
    );
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
    lines.push(
      `if (pm.response.code === ${success}) {`,
      "  const body = pm.response.json();",
      ...Object.entries(step.saves).map(
        ([variable, key]) => `  pm.collectionVariables.set(${JSON.stringify(variable)}, ${member("body", key)});`,
      ),
      "}",
    );
  }
  return lines;
}

/**
 * The test every operation's own request gets, from the contract alone: the answer is one the
 * operation documents (a 5xx, a bug's or an unavailable dependency's, is no answer a healthy stack
 * gives), with that status's body. Sent with the contract's examples, most of these are refusals
 * (an example order id names no order): they check the refusals against the contract on a live
 * stack.
 */
function contractTestScript(operation: Operation, components: Components): string[] {
  const statuses = Object.keys(operation.responses)
    .map(Number)
    .filter((status) => status < 500);
  const lines = [
    `pm.test("Status code is one the contract gives: ${statuses.join(", ")}", function () {`,
    `  pm.expect(pm.response.code).to.be.oneOf(${JSON.stringify(statuses)});`,
    "});",
  ];
  for (const status of statuses) {
    const media = jsonMedia(operation, status);
    const name = media ? schemaLabel(media.schema) : "";
    lines.push(
      ...bodyTest(
        `if (pm.response.code === ${status}) `,
        status,
        media ? { name, schema: media.schema } : undefined,
        components,
        otherMediaType(operation, status),
      ),
    );
  }
  return lines;
}

function script(listen: PostmanEvent["listen"], lines: readonly string[]): PostmanEvent {
  return { listen, script: { type: "text/javascript", exec: lines } };
}

function authOf(identity: Identity): PostmanAuth {
  if (identity === "anonymous") return { type: "noauth" };
  return { type: "bearer", bearer: [{ key: "token", value: `{{${TOKEN_VARIABLES[identity]}}}`, type: "string" }] };
}

/** The example body the converter put in a request, if it has one. */
function exampleBody(request: PostmanRequest): Record<string, unknown> | undefined {
  return request.body?.raw ? (JSON.parse(request.body.raw) as Record<string, unknown>) : undefined;
}

function rawBody(request: PostmanRequest, value: unknown): PostmanRequest["body"] {
  return { ...(request.body ?? { mode: "raw" }), raw: JSON.stringify(value, null, 2) };
}

/** The route a converted request calls: Postman's `:name` path segments are OpenAPI's `{name}`. */
function routeOf(request: PostmanRequest): Route {
  const path = `/${request.url.path.map((segment) => segment.replace(/^:(.+)$/, "{$1}")).join("/")}`;
  const route = routes.find((candidate) => routeKey(candidate) === `${request.method} ${path}`);
  if (!route) throw new Error(`The converter made a request for ${request.method} ${path}, which no route serves`);
  return route;
}

/** The request body's properties that hold an e-mail address, by the contract's `format`. */
function emailProperties(operation: Operation, components: Components): string[] {
  const schema = operation.requestBody?.content[JSON_MEDIA_TYPE]?.schema;
  const properties = schema ? (inlined(schema, components).properties ?? {}) : {};
  return Object.entries(properties)
    .filter(([, property]) => typeof property === "object" && property.format === "email")
    .map(([key]) => key);
}

/**
 * What the converter leaves to the collection's owner, for one operation's request:
 * - who sends it: the admin for admin-only routes (the collection script signs each in);
 * - OMS e-mails the addresses it is given, so the only one the collection sends is the signed-in user's;
 * - a fresh `Idempotency-Key` per send, so that a second send is a new order, not a replay.
 */
function completed(
  request: PostmanRequest,
  route: Route,
  operation: Operation,
  components: Components,
): PostmanRequest {
  const emails = emailProperties(operation, components);
  const example = exampleBody(request);
  return {
    ...request,
    auth: authOf(route.adminOnly ? "admin" : "user"),
    header: request.header.map((header) =>
      header.key.toLowerCase() === "idempotency-key" ? { ...header, value: "{{$guid}}" } : header,
    ),
    ...(example && emails.length > 0
      ? { body: rawBody(request, { ...example, ...Object.fromEntries(emails.map((key) => [key, "{{email}}"])) }) }
      : {}),
  };
}

/** One flow step's request: its operation's request, with the step's identity, path values and body. */
function flowItem(step: FlowStep, reference: PostmanItem, route: Route, operation: Operation, components: Components) {
  const { request } = reference;
  const variables = request.url.variable ?? [];
  for (const variable of variables) {
    if (step.path?.[variable.key] === undefined) {
      throw new Error(`${step.name}: give the path parameter ${variable.key} a value`);
    }
  }
  const example = exampleBody(request);
  return {
    name: step.name,
    event: [script("test", flowTestScript(step, operation, components))],
    request: {
      ...request,
      auth: authOf(step.as ?? (route.adminOnly ? "admin" : "user")),
      // The flow sends each optional header: a key makes its orders safe to retry.
      header: request.header.map(({ disabled: _off, ...header }) => header),
      url: {
        ...request.url,
        variable: variables.map((variable) => ({ ...variable, value: step.path?.[variable.key] ?? "" })),
      },
      ...(example && step.body ? { body: rawBody(request, step.body(example)) } : {}),
    },
  } satisfies PostmanItem;
}

/** Runs Postman's converter on the document: one folder per tag, each request from the contract's examples. */
function converted(document: OpenApiDocument): Promise<{ item: PostmanFolder[]; variable: PostmanVariable[] }> {
  return new Promise((resolve, reject) => {
    convertV2(
      { type: "json", data: document },
      { folderStrategy: "Tags", parametersResolution: "Example", enableOptionalParameters: false },
      (error, result) => {
        const data = result?.output?.[0]?.data;
        if (error || !result?.result || !data) {
          reject(new Error(`openapi-to-postmanv2: ${error?.message ?? result?.reason ?? "no collection"}`));
          return;
        }
        resolve(data as { item: PostmanFolder[]; variable: PostmanVariable[] });
      },
    );
  });
}

/**
 * What the converter writes at random, made reproducible: ids (collection, items, example answers)
 * go, and query parameters, which are optional and off, are left empty instead of faked.
 */
function reproducible<T>(value: T): T {
  if (Array.isArray(value)) return value.map((entry: unknown) => reproducible(entry)) as T;
  if (typeof value !== "object" || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, entry]) => !(["id", "_postman_id"].includes(key) && typeof entry === "string"))
      .map(([key, entry]) => [
        key,
        key === "query" && Array.isArray(entry)
          ? entry.map((parameter: Record<string, unknown>) => ({ ...parameter, value: "" }))
          : reproducible(entry),
      ]),
  ) as T;
}

/** The operation with each shared response (`#/components/responses/…`) replaced by what it names. */
function resolved(operation: Operation, shared: OpenApiDocument["components"]["responses"]): Operation {
  const responses = Object.entries(operation.responses).map(([status, response]) => {
    if (!("$ref" in response)) return [status, response];
    const target = shared[response.$ref.replace("#/components/responses/", "")];
    if (!target) throw new Error(`Unknown response ${response.$ref}`);
    return [status, target];
  });
  return { ...operation, responses: Object.fromEntries(responses) as Operation["responses"] };
}

function operationsById(document: OpenApiDocument): Map<string, Operation> {
  const operations = new Map<string, Operation>();
  for (const pathItem of Object.values(document.paths)) {
    for (const operation of Object.values(pathItem)) {
      operations.set(operation.operationId, resolved(operation, document.components.responses));
    }
  }
  return operations;
}

/**
 * The Postman collection (v2.1) for the API. Postman's converter (`openapi-to-postmanv2`) writes one
 * request per operation from the OpenAPI document, in one folder per tag, with the contract's
 * example answers; OMS adds what no OpenAPI document holds: a collection script that signs the
 * environment's users in through Cognito, who sends each request, a test on each request that its
 * answer is the contract's, and the flow (first folder) whose requests chain through variables.
 */
export async function postmanCollection(
  document: OpenApiDocument,
  flow: readonly FlowStep[] = POSTMAN_FLOW,
): Promise<PostmanCollection> {
  const components = document.components.schemas;
  const operations = operationsById(document);
  const conversion = reproducible(await converted(document));
  const folders = conversion.item.map((folder) => ({
    ...folder,
    item: folder.item.map((item) => {
      const route = routeOf(item.request);
      const operation = operations.get(route.functionName) as Operation;
      return {
        ...item,
        event: [script("test", contractTestScript(operation, components))],
        request: completed(item.request, route, operation, components),
      };
    }),
  }));
  const byOperation = new Map(
    folders.flatMap((folder) => folder.item).map((item) => [routeOf(item.request).functionName, item]),
  );
  const steps = flow.map((step) => {
    const reference = byOperation.get(step.operationId);
    const route = routes.find((candidate) => candidate.functionName === step.operationId);
    const operation = operations.get(step.operationId);
    if (!reference || !route || !operation) throw new Error(`${step.name}: no operation ${step.operationId}`);
    return flowItem(step, reference, route, operation, components);
  });
  const placeOrderExample = operations.get("place-order")?.requestBody?.content[JSON_MEDIA_TYPE]?.example as
    { product?: string } | undefined;
  return {
    info: {
      name: document.info.title,
      description: [
        document.info.description,
        "Pick an OMS environment (`api/local.postman_environment.json` from `npm start`, or `npm run postman:env -- --stack dev`) and fill in `email` and `password` (and `adminEmail`, `adminPassword` for the admin's requests): the collection signs both in through Cognito and keeps their ID tokens in the environment.",
        `Run the whole collection on a stack you may change: first the \`${FLOW_FOLDER}\` folder, whose requests depend on each other in order; then one request per operation, from the contract's examples, each checked against the contract.`,
      ].join("\n\n"),
      schema: "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
    },
    event: [script("prerequest", SIGN_IN_SCRIPT.split("\n"))],
    variable: [
      ...conversion.variable,
      { key: "product", value: placeOrderExample?.product ?? "", description: "The item the flow stocks and orders" },
      { key: "orderId", value: "", description: "The order the flow placed" },
      { key: "secondOrderId", value: "", description: "The order the flow deletes" },
      { key: "userId", value: "", description: "The signed-in user's id (their token's sub)" },
      { key: "unknownOrderId", value: UNKNOWN_ORDER_ID, description: "An id no order has" },
    ],
    item: [
      {
        name: FLOW_FOLDER,
        description: "A customer's and an admin's way through the API, then refusals: run in order.",
        item: steps,
      },
      ...folders,
    ],
  };
}
