import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ConversionConfig, type JsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import type * as v from "valibot";
import { ADMIN_GROUP } from "../domain/caller";
import {
  ErrorBodySchema,
  InvalidTransitionBodySchema,
  MissingFieldsBodySchema,
  OutOfStockBodySchema,
} from "../domain/http-errors";
import { InventoryItemSchema, ItemIdSchema, SetStockSchema } from "../domain/inventory";
import { OrderSchema, PlaceOrderBodySchema, StatusUpdateResultSchema } from "../domain/order";
import { LegacyStatusUpdateSchema, StatusUpdateSchema } from "../domain/order-status";
import { CreateUserSchema, UpdateUserSchema, UserProfileSchema } from "../domain/user";
import { COMMON_RESPONSES, REFUSALS, type Refusal, type ResponseSpec } from "./responses";
import { type Route, routes } from "./routes";

export type { JsonSchema } from "@valibot/to-json-schema";

/** The parts of OpenAPI 3.1 this document uses. */
export interface OpenApiDocument {
  readonly openapi: "3.1.0";
  readonly info: {
    readonly title: string;
    readonly version: string;
    readonly description: string;
    readonly license: { readonly name: string; readonly identifier: string };
  };
  readonly servers: readonly Server[];
  readonly security: readonly SecurityRequirement[];
  readonly tags: readonly { readonly name: string; readonly description: string }[];
  readonly paths: Readonly<Record<string, Partial<Record<Lowercase<Route["method"]>, Operation>>>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly responses: Readonly<Record<string, OperationResponse>>;
    readonly parameters: Readonly<Record<string, Parameter>>;
    readonly securitySchemes: Readonly<Record<string, SecurityScheme>>;
  };
}

export interface Server {
  readonly url: string;
  readonly description: string;
  readonly variables?: Readonly<Record<string, { readonly default: string; readonly description: string }>>;
}

export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

export interface SecurityScheme {
  readonly type: "http";
  readonly scheme: "bearer";
  readonly bearerFormat: "JWT";
  readonly description: string;
}

export interface Operation {
  readonly operationId: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly parameters?: readonly (Parameter | Reference)[];
  readonly requestBody?: { readonly required: true; readonly content: Readonly<Record<string, MediaType>> };
  readonly responses: Readonly<Record<string, OperationResponse | Reference>>;
}

export interface Parameter {
  readonly name: string;
  readonly in: "path" | "query" | "header";
  readonly description: string;
  readonly required: boolean;
  readonly schema: JsonSchema;
  readonly example?: unknown;
}

export interface Reference {
  readonly $ref: string;
}

export interface MediaType {
  readonly schema: JsonSchema;
  readonly example?: unknown;
  readonly examples?: Readonly<Record<string, { readonly summary: string; readonly value: unknown }>>;
}

export interface OperationResponse {
  readonly description: string;
  readonly headers?: Readonly<Record<string, ResponseHeader>>;
  readonly content?: Readonly<Record<string, MediaType>>;
}

export interface ResponseHeader {
  readonly description: string;
  readonly required: boolean;
  readonly schema: JsonSchema;
  readonly example?: unknown;
}

const JSON_MEDIA_TYPE = "application/json";

/** The security scheme every route requires. */
export const SECURITY_SCHEME = "cognitoIdToken";

const IDEMPOTENCY_KEY_PARAMETER = "IdempotencyKey";

/** What each resource (a path's first segment, its operations' tag) holds. */
const TAGS: Readonly<Record<string, string>> = {
  orders: "Orders: placed through the order workflow, changed by admins, read by their owners",
  users: "The caller's own profile; its e-mail receives the caller's order mail",
  inventory: "Items and their free stock",
};

/**
 * Path parameters, by the name their `{…}` segment gives them: the domain schema that checks the
 * value, and an example (Postman's requests and Swagger UI's "Try it out" start from it).
 */
const PATH_PARAMETERS: Readonly<
  Record<string, { readonly description: string; readonly schema: v.GenericSchema; readonly example: string }>
> = {
  id: {
    description: "The order's `OrderId`",
    schema: OrderSchema.entries.OrderId,
    example: "994dd3bc-a43a-4342-b07b-3f5829e3c046",
  },
  itemId: {
    description: "The item's `itemId` (the product's name), URL-encoded",
    schema: ItemIdSchema,
    example: "Headlight",
  },
};

/**
 * Names of the domain's schemas in `components.schemas`. A schema a route uses that is not named
 * here is named after its operation, e.g. `ListOrdersResponse`.
 */
const SCHEMA_NAMES = new Map<v.GenericSchema, string>([
  [PlaceOrderBodySchema, "NewOrder"],
  [StatusUpdateSchema, "StatusUpdate"],
  [LegacyStatusUpdateSchema, "LegacyStatusUpdate"],
  [CreateUserSchema, "NewUser"],
  [UpdateUserSchema, "UserChanges"],
  [SetStockSchema, "StockLevel"],
  [OrderSchema, "Order"],
  [StatusUpdateResultSchema, "StatusUpdateResult"],
  [UserProfileSchema, "UserProfile"],
  [InventoryItemSchema, "InventoryItem"],
  [ErrorBodySchema, "Error"],
  [MissingFieldsBodySchema, "MissingFieldsError"],
  [OutOfStockBodySchema, "OutOfStockError"],
  [InvalidTransitionBodySchema, "InvalidTransitionError"],
]);

/** The project's version, which the document carries. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

function pascalCase(kebab: string): string {
  return kebab
    .split("-")
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join("");
}

function schemaRef(name: string): Reference {
  return { $ref: `#/components/schemas/${name}` };
}

/** The resource a route belongs to: its path's first segment. */
function resourceOf(route: Pick<Route, "path">): string {
  return route.path.split("/")[1] ?? "";
}

/** The names of a path's `{…}` segments, in order. */
function pathParameterNames(path: string): string[] {
  return [...path.matchAll(/\{([^}]+)\}/g)].map((match) => match[1] as string);
}

/**
 * Converts named valibot schemas to `components.schemas`, through `@valibot/to-json-schema` only.
 * Requests are described as clients send them (`typeMode: "input"`, before any transformation);
 * trimming and case changes are ignored because they leave the input a string, and checks (a
 * currency the runtime knows) because the pattern beside them says what a client needs. What JSON Schema
 * cannot say from a pipe (e.g. that a status may come in any case) the domain schema states as
 * `v.metadata`, which the converter copies.
 */
function convert(definitions: Record<string, v.GenericSchema>, typeMode: "input" | "output") {
  const config: ConversionConfig = {
    target: "draft-2020-12",
    typeMode,
    ignoreActions: ["trim", "to_lower_case", "to_upper_case", "check"],
    overrideRef: ({ referenceId }) => schemaRef(referenceId).$ref,
  };
  const converted = toJsonSchemaDefs(definitions, config);
  return Object.fromEntries(Object.entries(converted).map(([name, schema]) => [name, tidy(schema)]));
}

/** Drops what adds nothing: an empty `required` list. */
function tidy(schema: JsonSchema): JsonSchema {
  const { required, properties, ...rest } = schema;
  return {
    ...rest,
    ...(properties
      ? {
          properties: Object.fromEntries(
            Object.entries(properties).map(([key, value]) => [key, typeof value === "boolean" ? value : tidy(value)]),
          ),
        }
      : {}),
    ...(required && required.length > 0 ? { required } : {}),
  };
}

/** Every schema the routes use, each with its component's name; requests and responses apart. */
function collectSchemas() {
  const names = new Map(SCHEMA_NAMES);
  const requests: Record<string, v.GenericSchema> = {};
  const responses: Record<string, v.GenericSchema> = {};
  const add = (group: Record<string, v.GenericSchema>, schema: v.GenericSchema, fallback: string) => {
    const name = names.get(schema) ?? fallback;
    names.set(schema, name);
    group[name] = schema;
  };
  for (const route of routes) {
    if (route.body) add(requests, route.body.schema, `${pascalCase(route.functionName)}Request`);
    if (route.success.schema) add(responses, route.success.schema, `${pascalCase(route.functionName)}Response`);
    for (const refusal of route.refusals) {
      add(responses, REFUSALS[refusal].schema, `${pascalCase(refusal)}Error`);
    }
  }
  for (const common of COMMON_RESPONSES) {
    if (common.schema) add(responses, common.schema, `Status${common.status}Error`);
  }
  const clash = Object.keys(requests).find((name) => name in responses);
  if (clash) throw new Error(`The schema name ${clash} is used by a request and a response`);
  return { names, requests, responses };
}

/** The name a schema the routes use has in `components.schemas`. */
export function schemaNameOf(schema: v.GenericSchema): string {
  const name = collectSchemas().names.get(schema);
  if (!name) throw new Error("No route uses this schema");
  return name;
}

function jsonContent(media: MediaType): Readonly<Record<string, MediaType>> {
  return { [JSON_MEDIA_TYPE]: media };
}

function refTo(names: ReadonlyMap<v.GenericSchema, string>, schema: v.GenericSchema): JsonSchema {
  const name = names.get(schema);
  if (!name) throw new Error("A schema without a component name");
  return schemaRef(name);
}

/** A header's schema, from its example: `Retry-After` is a number of seconds. */
function headerSchema(example: number | string): JsonSchema {
  return typeof example === "number" ? { type: "integer", minimum: 0 } : { type: "string" };
}

function singleResponse(names: ReadonlyMap<v.GenericSchema, string>, spec: ResponseSpec): OperationResponse {
  const headers = spec.headers
    ? {
        headers: Object.fromEntries(
          Object.entries(spec.headers).map(([name, header]) => [
            name,
            {
              description: header.description,
              required: true,
              schema: headerSchema(header.example),
              example: header.example,
            },
          ]),
        ),
      }
    : {};
  if (spec.mediaType) {
    return {
      description: spec.description,
      ...headers,
      content: { [spec.mediaType]: { schema: { type: "string" }, example: spec.example } },
    };
  }
  if (!spec.schema) return { description: spec.description, ...headers };
  return {
    description: spec.description,
    ...headers,
    content: jsonContent({ schema: refTo(names, spec.schema), example: spec.example }),
  };
}

function responseRef(name: string): Reference {
  return { $ref: `#/components/responses/${name}` };
}

/** The common responses every operation shares by reference, by their component name. */
function sharedResponses(names: ReadonlyMap<v.GenericSchema, string>): Record<string, OperationResponse> {
  return Object.fromEntries(
    COMMON_RESPONSES.flatMap((common) => (common.component ? [[common.component, singleResponse(names, common)]] : [])),
  );
}

/** Refusals that share a status become one response: each body's schema, each refusal a named example. */
function refusalResponse(names: ReadonlyMap<v.GenericSchema, string>, refusals: readonly Refusal[]): OperationResponse {
  const schemas = [...new Set(refusals.map((refusal) => REFUSALS[refusal].schema))].map((schema) =>
    refTo(names, schema),
  );
  const description =
    refusals.length === 1
      ? REFUSALS[refusals[0] as Refusal].description
      : refusals.map((refusal) => `- \`${refusal}\`: ${REFUSALS[refusal].description}`).join("\n");
  return {
    description,
    content: jsonContent({
      schema: schemas.length === 1 ? (schemas[0] as JsonSchema) : { oneOf: schemas },
      examples: Object.fromEntries(
        refusals.map((refusal) => [
          refusal,
          { summary: REFUSALS[refusal].description, value: REFUSALS[refusal].example },
        ]),
      ),
    }),
  };
}

function responsesOf(
  route: Route,
  names: ReadonlyMap<v.GenericSchema, string>,
): Record<string, OperationResponse | Reference> {
  const byStatus = new Map<number, Refusal[]>();
  for (const refusal of route.refusals) {
    const status = REFUSALS[refusal].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), refusal]);
  }
  const responses = new Map<number, OperationResponse | Reference>([
    [route.success.status, singleResponse(names, route.success)],
  ]);
  for (const [status, refusals] of byStatus) responses.set(status, refusalResponse(names, refusals));
  for (const common of COMMON_RESPONSES) {
    if (responses.has(common.status)) {
      throw new Error(`${route.functionName} gives ${common.status} on purpose, which any route gives`);
    }
    responses.set(common.status, common.component ? responseRef(common.component) : singleResponse(names, common));
  }
  return Object.fromEntries([...responses].sort(([a], [b]) => a - b).map(([status, body]) => [String(status), body]));
}

function queryParameters(route: Route): Parameter[] {
  if (!route.query) return [];
  const { query } = route;
  const converted = convert({ Query: query }, "input")["Query"] as JsonSchema;
  const required = new Set(converted.required ?? []);
  return Object.keys(query.entries).map((name) => {
    const { description, ...schema } = converted.properties?.[name] as JsonSchema;
    if (!description) throw new Error(`${route.functionName}: the query parameter ${name} has no description`);
    return { name, in: "query", description, required: required.has(name), schema };
  });
}

function pathParameters(route: Route): Parameter[] {
  return pathParameterNames(route.path).map((name) => {
    const parameter = PATH_PARAMETERS[name];
    if (!parameter) throw new Error(`${route.functionName}: the path parameter {${name}} is not described`);
    // The parameter says what the value is; the schema's own description (a field's) would repeat or contradict it.
    const { description: _field, ...schema } = convert({ [name]: parameter.schema }, "input")[name] as JsonSchema;
    return { name, in: "path", description: parameter.description, required: true, schema, example: parameter.example };
  });
}

function descriptionOf(route: Route): string | undefined {
  const notes = [
    route.adminOnly
      ? `**Admin only**: the caller must be in the Cognito \`${ADMIN_GROUP}\` group; anyone else gets 403.`
      : undefined,
    route.idempotencyKey
      ? "Send an `Idempotency-Key` to make retries safe: the same key and body get the first answer again."
      : undefined,
  ].filter((note) => note !== undefined);
  return notes.length > 0 ? notes.join("\n\n") : undefined;
}

function operationOf(route: Route, names: ReadonlyMap<v.GenericSchema, string>): Operation {
  const tag = resourceOf(route);
  if (!(tag in TAGS)) throw new Error(`${route.functionName}: the resource ${tag} has no tag description`);
  const parameters: (Parameter | Reference)[] = [
    ...pathParameters(route),
    ...queryParameters(route),
    ...(route.idempotencyKey ? [{ $ref: `#/components/parameters/${IDEMPOTENCY_KEY_PARAMETER}` }] : []),
  ];
  const description = descriptionOf(route);
  return {
    operationId: route.functionName,
    summary: route.summary,
    ...(description ? { description } : {}),
    tags: [tag],
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(route.body
      ? {
          requestBody: {
            required: true,
            content: jsonContent({ schema: refTo(names, route.body.schema), example: route.body.example }),
          },
        }
      : {}),
    responses: responsesOf(route, names),
  };
}

function sortedByKey<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => a.localeCompare(b)));
}

/**
 * The API's OpenAPI 3.1 document, written from the route table and the domain's valibot schemas:
 * what `npm run openapi` commits as `api/openapi.json` and the local stack serves.
 */
export function openApiDocument(): OpenApiDocument {
  const { names, requests, responses } = collectSchemas();
  const paths: Record<string, Partial<Record<Lowercase<Route["method"]>, Operation>>> = {};
  for (const route of routes) {
    (paths[route.path] ??= {})[route.method.toLowerCase() as Lowercase<Route["method"]>] = operationOf(route, names);
  }
  return {
    openapi: "3.1.0",
    info: {
      title: "OMS",
      version: packageVersion(),
      description: [
        "Order management: customers place orders that a workflow checks against the inventory; admins change their status, and customers are e-mailed.",
        "Every request carries a Cognito ID token. Every error is JSON with a `message` (and `field` when one field is at fault); a bug is a bare 500 whose details stay in the function's log. A 503 with `Retry-After` says that a dependency is throttled or unavailable and nothing was done: send the same request again after that many seconds.",
      ].join("\n\n"),
      license: { name: "MIT", identifier: "MIT" },
    },
    servers: [
      { url: "http://127.0.0.1:3000", description: "The local stack (`npm start`; `OMS_PORT` changes the port)" },
      {
        url: "{apiUrl}",
        description: "A deployed stack",
        variables: {
          apiUrl: {
            default: "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com",
            description: "The stack's `apiUrl` output (`pulumi stack output apiUrl`), without a trailing slash",
          },
        },
      },
    ],
    security: [{ [SECURITY_SCHEME]: [] }],
    tags: Object.entries(TAGS).map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: sortedByKey({ ...convert(requests, "input"), ...convert(responses, "output") }),
      responses: sharedResponses(names),
      parameters: {
        [IDEMPOTENCY_KEY_PARAMETER]: {
          name: "Idempotency-Key",
          in: "header",
          description:
            "Makes a retry safe: the same key with the same body gets the first answer, with another body a 422. Keys are the caller's own.",
          required: false,
          schema: { type: "string", minLength: 1, maxLength: 128, pattern: "^[!-~]+$" },
          example: "3f1c2d9e",
        },
      },
      securitySchemes: {
        [SECURITY_SCHEME]: {
          type: "http",
          scheme: "bearer",
          bearerFormat: "JWT",
          description:
            "The Cognito user pool's ID token (not the access token), from `InitiateAuth` with `USER_PASSWORD_AUTH` or from the hosted UI; API Gateway checks its signature, issuer and audience (the app client). Locally, `npm run token -- --email you@example.com` prints one.",
        },
      },
    },
  };
}
