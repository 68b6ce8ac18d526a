import {
  AdminAddUserToGroupCommand,
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  AdminUpdateUserAttributesCommand,
  type CognitoIdentityProviderClient,
  InitiateAuthCommand,
  SignUpCommand,
} from "@aws-sdk/client-cognito-identity-provider";
import { ADMIN_GROUP } from "../domain/caller";
import { PASSWORD_POLICY } from "../domain/password-policy";
import { cognitoClient } from "./user-pool";

/**
 * The password `npm run token` gives new users unless told otherwise. It only ever exists in
 * cognito-local on loopback, and satisfies the cloud's policy.
 */
export const DEFAULT_LOCAL_PASSWORD = "Local-Only-Passw0rd!";

/** Where the local user pool is, and who wants a token. */
export interface LocalTokenOptions {
  readonly cognitoEndpoint: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly email: string;
  /** Adds the user to the admin group (never removes anyone from it). */
  readonly admin?: boolean;
  /** @default DEFAULT_LOCAL_PASSWORD */
  readonly password?: string;
  readonly region?: string;
  /** Told what is happening, one line at a time. */
  readonly progress?: (line: string) => void;
}

/** A signed-in user's tokens. */
export interface LocalTokens {
  /** What the API expects in `Authorization`. */
  readonly idToken: string;
  readonly accessToken: string;
  /** The user's `sub`, which becomes an order's `ownerId`. */
  readonly sub: string;
}

/** What is wrong with `password` under the cloud's policy; empty when it is fine. */
export function passwordProblems(password: string): string[] {
  const problems: string[] = [];
  if (password.length < PASSWORD_POLICY.minimumLength) {
    problems.push(`at least ${PASSWORD_POLICY.minimumLength} characters`);
  }
  if (PASSWORD_POLICY.requireUppercase && !/[A-Z]/.test(password)) problems.push("an uppercase letter");
  if (PASSWORD_POLICY.requireLowercase && !/[a-z]/.test(password)) problems.push("a lowercase letter");
  if (PASSWORD_POLICY.requireNumbers && !/[0-9]/.test(password)) problems.push("a number");
  if (PASSWORD_POLICY.requireSymbols && !/[^A-Za-z0-9]/.test(password)) problems.push("a symbol");
  return problems;
}

function hasName(error: unknown, ...names: string[]): boolean {
  return error instanceof Error && names.includes(error.name);
}

async function userExists(client: CognitoIdentityProviderClient, userPoolId: string, email: string): Promise<boolean> {
  try {
    await client.send(new AdminGetUserCommand({ UserPoolId: userPoolId, Username: email }));
    return true;
  } catch (error) {
    if (hasName(error, "UserNotFoundException")) return false;
    throw error;
  }
}

async function createUser(client: CognitoIdentityProviderClient, options: LocalTokenOptions, password: string) {
  const problems = passwordProblems(password);
  if (problems.length > 0) {
    throw new Error(`The password does not satisfy the user pool's policy: it needs ${problems.join(", ")}`);
  }
  await client.send(
    new SignUpCommand({
      ClientId: options.clientId,
      Username: options.email,
      Password: password,
      UserAttributes: [{ Name: "email", Value: options.email }],
    }),
  );
  // The cloud's users confirm their address with a mailed code; a local one is taken as confirmed.
  await client.send(new AdminConfirmSignUpCommand({ UserPoolId: options.userPoolId, Username: options.email }));
  await client.send(
    new AdminUpdateUserAttributesCommand({
      UserPoolId: options.userPoolId,
      Username: options.email,
      UserAttributes: [
        { Name: "email", Value: options.email },
        { Name: "email_verified", Value: "true" },
      ],
    }),
  );
}

function claimOf(token: string, claim: string): unknown {
  const payload = token.split(".")[1] ?? "";
  return (JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as Record<string, unknown>)[claim];
}

/**
 * Signs `email` in to the local user pool, creating the user first if needed (SignUp, then
 * AdminConfirmSignUp: what cognito-local 5.3 supports), and adding it to the admin group when
 * asked. Tokens come from InitiateAuth USER_PASSWORD_AUTH, as a client of the cloud pool gets them.
 */
export async function localToken(options: LocalTokenOptions): Promise<LocalTokens> {
  const client = cognitoClient(options.cognitoEndpoint, options.region);
  const progress = options.progress ?? (() => undefined);
  const password = options.password ?? DEFAULT_LOCAL_PASSWORD;
  try {
    if (await userExists(client, options.userPoolId, options.email)) {
      progress(`${options.email} exists`);
    } else {
      await createUser(client, options, password);
      progress(`Created ${options.email}`);
    }
    if (options.admin) {
      await client.send(
        new AdminAddUserToGroupCommand({
          UserPoolId: options.userPoolId,
          Username: options.email,
          GroupName: ADMIN_GROUP,
        }),
      );
      progress(`${options.email} is in the ${ADMIN_GROUP} group`);
    }
    let result;
    try {
      result = await client.send(
        new InitiateAuthCommand({
          AuthFlow: "USER_PASSWORD_AUTH",
          ClientId: options.clientId,
          AuthParameters: { USERNAME: options.email, PASSWORD: password },
        }),
      );
    } catch (error) {
      if (hasName(error, "NotAuthorizedException", "InvalidPasswordException")) {
        throw new Error(`${options.email} exists with another password: pass it with --password`, { cause: error });
      }
      throw error;
    }
    const { IdToken, AccessToken } = result.AuthenticationResult ?? {};
    if (!IdToken || !AccessToken) {
      throw new Error(`Sign-in of ${options.email} asked for ${result.ChallengeName ?? "something"} instead of tokens`);
    }
    return { idToken: IdToken, accessToken: AccessToken, sub: String(claimOf(IdToken, "sub")) };
  } finally {
    client.destroy();
  }
}
