import { DynamoDBClient, type DynamoDBClientConfig } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { parseArgs } from "node:util";
import { pulumiStackOutputs } from "../infra/stack-outputs";
import type { LocalConfig } from "../local/gateway";
import { inventoryTable, ordersTable, reservationsTable } from "../storage/tables";
import { auditStock, discrepancies, renderAudit } from "./stock-audit";
import { type AuditedTables, readStockSnapshot } from "./table-snapshot";

const USAGE = `Usage: npm run audit [-- --stack <stack> | --url <local stack>]

Checks that no stock was lost or invented: per item, the units it counts as taken out of free
stock (committed) equal those reserved plus those of its orders not cancelled; every reservation
belongs to a live run whose order is not written; no order names an item that does not exist.
Prints a table per check and exits 1 on any discrepancy.

  --stack   a deployed stack, e.g. dev or prod: its tables from \`pulumi stack output --json\`,
            AWS credentials and region from the environment, as the AWS CLI takes them
  --url     the local stack (\`npm start\`) to audit; its tables come from GET /_local/config
            @default http://127.0.0.1:$OMS_PORT, else http://127.0.0.1:3000`;

/** The audited tables out of a `tableNames` map keyed by logical name (a stack output, or the local stack's). */
function auditedTables(tableNames: Readonly<Record<string, string>> | undefined, source: string): AuditedTables {
  const pick = (logical: string): string => {
    const name = tableNames?.[logical];
    if (!name) throw new Error(`${source} names no ${logical} table`);
    return name;
  };
  return {
    inventory: pick(inventoryTable.name),
    orders: pick(ordersTable.name),
    reservations: pick(reservationsTable.name),
  };
}

/** A deployed stack's tables, from `pulumi stack output --json --stack <stack>`. */
function stackTables(stack: string): { tables: AuditedTables; client: DynamoDBClientConfig } {
  const outputs = pulumiStackOutputs(stack) as { tableNames?: Record<string, string> };
  return { tables: auditedTables(outputs.tableNames, `Stack ${stack}'s outputs`), client: {} };
}

/** The local stack's tables and DynamoDB Local, from its gateway's `GET /_local/config`. */
async function localTables(baseUrl: string): Promise<{ tables: AuditedTables; client: DynamoDBClientConfig }> {
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
    tables: auditedTables(config.tableNames, `${baseUrl}/_local/config`),
    client: {
      endpoint: config.dynamodbEndpoint,
      region: config.region,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    },
  };
}

/** `npm run audit`: the stock audit of the local stack, or of a deployed one with `--stack`. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      url: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  if (values.stack !== undefined && !/^[\w.-]+$/.test(values.stack)) {
    throw new Error(`--stack must name a stack (letters, digits, . _ -)\n\n${USAGE}`);
  }
  const target =
    values.stack === undefined
      ? await localTables(values.url ?? `http://127.0.0.1:${process.env["OMS_PORT"] ?? "3000"}`)
      : stackTables(values.stack);
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(target.client));
  try {
    const results = auditStock(await readStockSnapshot(client, target.tables), { now: new Date() });
    process.stdout.write(renderAudit(results));
    if (discrepancies(results) > 0) process.exitCode = 1;
  } finally {
    client.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
