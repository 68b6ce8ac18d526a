import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListUserPoolClientsCommand,
  ListUserPoolsCommand,
  type PasswordPolicyType,
} from "@aws-sdk/client-cognito-identity-provider";
import { ADMIN_GROUP } from "../domain/caller";
import { PASSWORD_POLICY } from "../domain/password-policy";

/** The user pool's password policy in Cognito's API spelling; `localToken` enforces it, as cognito-local does not. */
const COGNITO_PASSWORD_POLICY = {
  MinimumLength: PASSWORD_POLICY.minimumLength,
  RequireUppercase: PASSWORD_POLICY.requireUppercase,
  RequireLowercase: PASSWORD_POLICY.requireLowercase,
  RequireNumbers: PASSWORD_POLICY.requireNumbers,
  RequireSymbols: PASSWORD_POLICY.requireSymbols,
} as const satisfies PasswordPolicyType;

/** Names of what the local stack creates in cognito-local; found again by name when data persists. */
export const LOCAL_POOL_NAME = "oms-local-users";
export const LOCAL_CLIENT_NAME = "oms-local-web";

/** The ids the gateway and `npm run token` need. */
export interface LocalUserPool {
  readonly userPoolId: string;
  readonly clientId: string;
}

/** A Cognito client on cognito-local (which ignores credentials, but the SDK wants some). */
export function cognitoClient(endpoint: string, region = "us-east-1"): CognitoIdentityProviderClient {
  return new CognitoIdentityProviderClient({
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
}

async function findOrCreatePool(client: CognitoIdentityProviderClient): Promise<string> {
  const { UserPools = [] } = await client.send(new ListUserPoolsCommand({ MaxResults: 60 }));
  const existing = UserPools.find((pool) => pool.Name === LOCAL_POOL_NAME)?.Id;
  if (existing) return existing;
  const { UserPool } = await client.send(
    new CreateUserPoolCommand({
      PoolName: LOCAL_POOL_NAME,
      UsernameAttributes: ["email"],
      AutoVerifiedAttributes: ["email"],
      Policies: { PasswordPolicy: COGNITO_PASSWORD_POLICY },
    }),
  );
  if (!UserPool?.Id) throw new Error("cognito-local created a user pool without an id");
  return UserPool.Id;
}

async function findOrCreateClient(client: CognitoIdentityProviderClient, userPoolId: string): Promise<string> {
  const { UserPoolClients = [] } = await client.send(
    new ListUserPoolClientsCommand({ UserPoolId: userPoolId, MaxResults: 60 }),
  );
  const existing = UserPoolClients.find((appClient) => appClient.ClientName === LOCAL_CLIENT_NAME)?.ClientId;
  if (existing) return existing;
  const { UserPoolClient } = await client.send(
    new CreateUserPoolClientCommand({
      UserPoolId: userPoolId,
      ClientName: LOCAL_CLIENT_NAME,
      GenerateSecret: false,
      ExplicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    }),
  );
  if (!UserPoolClient?.ClientId) throw new Error("cognito-local created an app client without an id");
  return UserPoolClient.ClientId;
}

async function ensureGroup(client: CognitoIdentityProviderClient, userPoolId: string, name: string): Promise<void> {
  try {
    await client.send(new CreateGroupCommand({ UserPoolId: userPoolId, GroupName: name }));
  } catch (error) {
    if (!(error instanceof Error && error.name === "GroupExistsException")) throw error;
  }
}

/**
 * The local counterpart of the cloud's identity: a pool whose usernames are e-mail addresses,
 * with the cloud's password policy, an app client without a secret that may sign in with
 * USER_PASSWORD_AUTH, and the admin group. Reused when it already exists (persisted data).
 */
export async function ensureUserPool(client: CognitoIdentityProviderClient): Promise<LocalUserPool> {
  const userPoolId = await findOrCreatePool(client);
  const clientId = await findOrCreateClient(client, userPoolId);
  await ensureGroup(client, userPoolId, ADMIN_GROUP);
  return { userPoolId, clientId };
}
