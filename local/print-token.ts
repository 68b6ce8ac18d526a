import { parseArgs } from "node:util";
import type { LocalConfig } from "./gateway";
import { DEFAULT_LOCAL_PASSWORD, localToken } from "./sign-in";

const USAGE = `Usage: npm run token -- --email <address> [--admin] [--password <password>]

Signs a user in to the local stack's user pool (creating the user if needed) and prints an ID token
on the last line of stdout, for: curl -H "Authorization: Bearer $(npm run -s token -- --email you@example.com)"

  --email      the user's e-mail address (their username)
  --admin      also put the user in the admin group
  --password   the user's password (default for new users: ${DEFAULT_LOCAL_PASSWORD}, local only)

The stack must be running (npm start); OMS_PORT says where (default 3000).`;

async function readLocalConfig(baseUrl: string): Promise<LocalConfig> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/_local/config`);
  } catch {
    throw new Error(`No local stack answers on ${baseUrl}: start it with \`npm start\` (or set OMS_PORT)`);
  }
  if (!response.ok) {
    throw new Error(`${baseUrl}/_local/config answered ${response.status}: is that the OMS local stack?`);
  }
  return (await response.json()) as LocalConfig;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      email: { type: "string" },
      admin: { type: "boolean", default: false },
      password: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  if (!values.email) {
    throw new Error(`--email is required\n\n${USAGE}`);
  }
  const baseUrl = `http://127.0.0.1:${process.env["OMS_PORT"] ?? "3000"}`;
  const config = await readLocalConfig(baseUrl);
  const tokens = await localToken({
    cognitoEndpoint: config.cognitoEndpoint,
    userPoolId: config.userPoolId,
    clientId: config.clientId,
    region: config.region,
    email: values.email,
    admin: values.admin,
    ...(values.password === undefined ? {} : { password: values.password }),
    progress: (line) => console.error(line),
  });
  console.error(`ID token for ${values.email} (sub ${tokens.sub}):`);
  console.log(tokens.idToken);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
});
