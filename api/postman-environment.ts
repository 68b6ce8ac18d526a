import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as v from "valibot";
import { TOKEN_VARIABLES } from "./postman-collection";

/** A Postman environment, as Postman exports and imports it. */
export interface PostmanEnvironment {
  readonly name: string;
  readonly values: readonly PostmanEnvironmentValue[];
  readonly _postman_variable_scope: "environment";
}

export interface PostmanEnvironmentValue {
  readonly key: string;
  readonly value: string;
  /** Postman masks `secret` values on screen. */
  readonly type: "default" | "secret";
  readonly enabled: true;
}

/** Where the API and its user pool are. */
export interface ContractEndpoints {
  /** The API, without a trailing slash. */
  readonly baseUrl: string;
  /** Where Cognito's `InitiateAuth` is sent. */
  readonly cognitoEndpoint: string;
  /** The user pool's app client. */
  readonly clientId: string;
  readonly region: string;
}

/** Who the collection signs in: a customer and an admin. Empty strings are for the user to fill in. */
export interface ContractUsers {
  readonly email: string;
  readonly password: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
}

const PROJECT_DIR = join(__dirname, "..");

/** Where the environment named `name` is written, beside the collection; git ignores it (it holds a live port, or passwords). */
export function postmanEnvironmentFile(name: string, projectDir: string = PROJECT_DIR): string {
  return join(projectDir, "api", `${name}.postman_environment.json`);
}

/** The variables the collection reads, in the order Postman shows them; tokens start empty. */
export function postmanEnvironment(
  name: string,
  endpoints: ContractEndpoints,
  users: ContractUsers,
): PostmanEnvironment {
  const value = (key: string, text: string, type: PostmanEnvironmentValue["type"] = "default") =>
    ({ key, value: text, type, enabled: true }) as const;
  return {
    name,
    values: [
      value("baseUrl", endpoints.baseUrl.replace(/\/+$/, "")),
      value("cognitoEndpoint", endpoints.cognitoEndpoint),
      value("clientId", endpoints.clientId),
      value("region", endpoints.region),
      value("email", users.email),
      value("password", users.password, "secret"),
      value("adminEmail", users.adminEmail),
      value("adminPassword", users.adminPassword, "secret"),
      value(TOKEN_VARIABLES.user, "", "secret"),
      value(TOKEN_VARIABLES.admin, "", "secret"),
    ],
    _postman_variable_scope: "environment",
  };
}

/** Writes an environment as Postman exports it. */
export function writePostmanEnvironment(environment: PostmanEnvironment, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(environment, null, 2)}\n`);
}

/** The outputs of `pulumi stack output --json` that the collection needs. */
const StackOutputsSchema = v.object({
  apiUrl: v.pipe(v.string("the output apiUrl is missing"), v.url("the output apiUrl must be a URL")),
  userPoolId: v.pipe(
    v.string("the output userPoolId is missing"),
    v.regex(/^[a-z]{2}(-[a-z]+)+-\d+_\w+$/, "the output userPoolId must look like eu-west-1_AbCdEf123"),
  ),
  userPoolClientId: v.pipe(
    v.string("the output userPoolClientId is missing"),
    v.nonEmpty("the output userPoolClientId is empty"),
  ),
});

/**
 * The environment of a deployed stack, from its `pulumi stack output --json`: the region is the
 * user pool id's prefix, and credentials are left for the user to fill in.
 */
export function stackPostmanEnvironment(stack: string, outputs: unknown): PostmanEnvironment {
  if (typeof outputs !== "object" || outputs === null || Array.isArray(outputs)) {
    throw new Error(`Stack ${stack}: the stack's outputs must be a JSON object`);
  }
  // Absent outputs are read as undefined, so that the message names the output.
  const given = outputs as Record<string, unknown>;
  const parsed = v.safeParse(StackOutputsSchema, {
    apiUrl: given["apiUrl"],
    userPoolId: given["userPoolId"],
    userPoolClientId: given["userPoolClientId"],
  });
  if (!parsed.success) throw new Error(`Stack ${stack}: ${parsed.issues[0].message}`);
  const { apiUrl, userPoolId, userPoolClientId } = parsed.output;
  const region = userPoolId.slice(0, userPoolId.indexOf("_"));
  return postmanEnvironment(
    `OMS ${stack}`,
    {
      baseUrl: apiUrl,
      cognitoEndpoint: `https://cognito-idp.${region}.amazonaws.com/`,
      clientId: userPoolClientId,
      region,
    },
    { email: "", password: "", adminEmail: "", adminPassword: "" },
  );
}
