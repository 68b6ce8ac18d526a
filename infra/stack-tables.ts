import type { DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import type { LocalConfig } from "../local/gateway";
import type { TableDefinition } from "../storage/tables";
import { pulumiStackOutputs } from "./stack-outputs";

/**
 * The options of a command-line tool that works on a stack's tables (`npm run audit`, `npm run
 * migrate`), as `parseArgs` takes them: `--stack`, a deployed stack, or `--url`, the local stack.
 */
export const STACK_OPTIONS = {
  stack: { type: "string" },
  url: { type: "string" },
} as const;

/** Which stack a tool works on: `--stack` if given, else the local stack at `--url`. */
export interface StackTarget {
  readonly stack?: string;
  readonly url?: string;
}

/** The tables a tool asked for, by the keys it asked with, and the DynamoDB client settings that reach them. */
export interface StackTables<K extends string> {
  readonly tables: Readonly<Record<K, string>>;
  readonly client: DynamoDBClientConfig;
}

/** Where a stack's table names came from, for the error that says one is missing. */
interface NamedTables {
  readonly names: Readonly<Record<string, string>>;
  readonly source: string;
  readonly client: DynamoDBClientConfig;
}

/** The local stack when `--url` is not given: where `npm start` listens. */
function defaultLocalUrl(): string {
  return `http://127.0.0.1:${process.env["OMS_PORT"] ?? "3000"}`;
}

/** A deployed stack's tables, from `pulumi stack output --json --stack <stack>`; AWS credentials from the environment. */
function deployedTables(stack: string): NamedTables {
  const outputs = pulumiStackOutputs(stack) as { tableNames?: Record<string, string> };
  return { names: outputs.tableNames ?? {}, source: `Stack ${stack}'s outputs`, client: {} };
}

/** The local stack's tables and DynamoDB Local, from its gateway's `GET /_local/config`. */
async function localTables(baseUrl: string): Promise<NamedTables> {
  let response: Response;
  try {
    response = await fetch(`${baseUrl}/_local/config`);
  } catch (error) {
    throw new Error(`Nothing answers at ${baseUrl}: start the local stack with npm start, or pass --stack`, {
      cause: error,
    });
  }
  if (!response.ok) throw new Error(`${baseUrl}/_local/config answered ${response.status}: is that OMS's local stack?`);
  const config = (await response.json()) as LocalConfig;
  if (!config.dynamodbEndpoint) throw new Error(`${baseUrl}/_local/config names no DynamoDB endpoint`);
  return {
    names: config.tableNames ?? {},
    source: `${baseUrl}/_local/config`,
    client: {
      endpoint: config.dynamodbEndpoint,
      region: config.region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    },
  };
}

/**
 * The physical names of the tables `wanted` names (by the keys the tool uses for them), in the stack
 * `target` says: a deployed stack's `tableNames` output, or the local stack's. Fails naming the
 * first table the stack lacks; a `--stack` that cannot name a stack fails with `usage` appended.
 */
export async function stackTables<K extends string>(
  target: StackTarget,
  wanted: Readonly<Record<K, TableDefinition>>,
  usage: string,
): Promise<StackTables<K>> {
  if (target.stack !== undefined && !/^[\w.-]+$/.test(target.stack)) {
    throw new Error(`--stack must name a stack (letters, digits, . _ -)\n\n${usage}`);
  }
  const found =
    target.stack === undefined ? await localTables(target.url ?? defaultLocalUrl()) : deployedTables(target.stack);
  const tables = {} as Record<K, string>;
  for (const key of Object.keys(wanted) as K[]) {
    const logical = wanted[key].name;
    const name = found.names[logical];
    if (!name) throw new Error(`${found.source} names no ${logical} table`);
    tables[key] = name;
  }
  return { tables, client: found.client };
}
