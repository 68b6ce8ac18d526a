import { execFileSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import * as v from "valibot";
import { TOKEN_VARIABLES } from "../api/postman";
import type { LocalStack } from "./local-stack";
import { DEFAULT_LOCAL_PASSWORD, localToken } from "./local-token";

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

/** The users `npm start` creates for Postman, with the password `npm run token` gives new users. */
export const LOCAL_POSTMAN_USERS: ContractUsers = {
  email: "alice@example.com",
  password: DEFAULT_LOCAL_PASSWORD,
  adminEmail: "admin@example.com",
  adminPassword: DEFAULT_LOCAL_PASSWORD,
};

const PROJECT_DIR = join(__dirname, "..");

/** Where the environment named `name` is written; git ignores it (it holds a live port, or passwords). */
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

/** The environment of a running local stack. */
export function localPostmanEnvironment(
  stack: Pick<LocalStack, "url" | "cognitoEndpoint" | "clientId" | "region">,
  users: ContractUsers = LOCAL_POSTMAN_USERS,
): PostmanEnvironment {
  return postmanEnvironment(
    "OMS local",
    { baseUrl: stack.url, cognitoEndpoint: stack.cognitoEndpoint, clientId: stack.clientId, region: stack.region },
    users,
  );
}

/** Writes an environment as Postman exports it. */
export function writePostmanEnvironment(environment: PostmanEnvironment, file: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(environment, null, 2)}\n`);
}

/**
 * For `npm start`: makes sure the local Postman users exist (the admin in the admin group), and
 * writes `api/local.postman_environment.json` with their credentials, so that the collection runs
 * as imported. A user that cannot be signed in (e.g. kept in `OMS_DATA_DIR` with another password)
 * is only reported: the file is still written, for its password to be corrected in Postman.
 * Returns the file's path.
 */
export async function writeLocalPostmanEnvironment(
  stack: Pick<LocalStack, "url" | "cognitoEndpoint" | "userPoolId" | "clientId" | "region">,
  options: { readonly file?: string; readonly warn?: (line: string) => void } = {},
): Promise<string> {
  const users = LOCAL_POSTMAN_USERS;
  const warn = options.warn ?? ((line: string) => console.warn(line));
  const accounts = [
    { email: users.email, password: users.password, admin: false },
    { email: users.adminEmail, password: users.adminPassword, admin: true },
  ];
  for (const account of accounts) {
    try {
      await localToken({
        cognitoEndpoint: stack.cognitoEndpoint,
        userPoolId: stack.userPoolId,
        clientId: stack.clientId,
        region: stack.region,
        ...account,
      });
    } catch (error) {
      warn(`Postman user ${account.email}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const file = options.file ?? postmanEnvironmentFile("local");
  writePostmanEnvironment(localPostmanEnvironment(stack, users), file);
  return file;
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

/** Runs `pulumi stack output --json --stack <stack>` and parses what it prints. */
export function pulumiStackOutputs(stack: string): unknown {
  let text: string;
  try {
    text = execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "the Pulumi CLI is not installed" : "it failed";
    throw new Error(`pulumi stack output --json --stack ${stack}: ${reason}; or pass its JSON with --from <file>`, {
      cause: error,
    });
  }
  return JSON.parse(text);
}
