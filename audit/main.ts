import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { parseArgs } from "node:util";
import { STACK_OPTIONS, stackTables } from "../infra/stack-tables";
import { inventoryTable, ordersTable, reservationsTable } from "../storage/tables";
import { auditStock, discrepancies, renderAudit } from "./stock-audit";
import { readStockSnapshot } from "./table-snapshot";

const USAGE = `Usage: npm run audit [-- --stack <stack> | --url <local stack>]

Checks that no stock was lost or invented: per item, the units it counts as taken out of free
stock (committed) equal those reserved plus those of its orders not cancelled; every reservation
belongs to a live run whose order is not written; no order names an item that does not exist.
Prints a table per check and exits 1 on any discrepancy.

  --stack   a deployed stack, e.g. dev or prod: its tables from \`pulumi stack output --json\`,
            AWS credentials and region from the environment, as the AWS CLI takes them
  --url     the local stack (\`npm start\`) to audit; its tables come from GET /_local/config
            @default http://127.0.0.1:$OMS_PORT, else http://127.0.0.1:3000`;

/** `npm run audit`: the stock audit of the local stack, or of a deployed one with `--stack`. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...STACK_OPTIONS,
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const target = await stackTables(
    values,
    { inventory: inventoryTable, orders: ordersTable, reservations: reservationsTable },
    USAGE,
  );
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
