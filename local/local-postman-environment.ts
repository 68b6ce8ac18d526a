import {
  type ContractUsers,
  type PostmanEnvironment,
  postmanEnvironment,
  postmanEnvironmentFile,
  writePostmanEnvironment,
} from "../api/postman-environment";
import type { LocalStack } from "./local-stack";
import { DEFAULT_LOCAL_PASSWORD, localToken } from "./sign-in";

/** The users `npm start` creates for Postman, with the password `npm run token` gives new users. */
export const LOCAL_POSTMAN_USERS: ContractUsers = {
  email: "alice@example.com",
  password: DEFAULT_LOCAL_PASSWORD,
  adminEmail: "admin@example.com",
  adminPassword: DEFAULT_LOCAL_PASSWORD,
};

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
