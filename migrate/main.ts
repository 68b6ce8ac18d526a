import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { parseArgs } from "node:util";
import { STACK_OPTIONS, stackTables } from "../infra/stack-tables";
import { orderLinesTable, ordersTable, orderTimelineTable } from "../storage/tables";
import { type BackfillSummary, backfillOrders, renderBackfill } from "./backfill-orders";

const USAGE = `Usage: npm run migrate [-- --stack <stack> | --url <local stack>] [--dry-run]

Brings the orders an OMS wrote before orders had lines up to date, after \`pulumi up\` deployed this
one: each order without its lines or its admin index keys gets them, its lines' rows for the
product search and its "placed" timeline entry, in one transaction per order. Orders already up to
date are left alone, so running it again changes nothing. Prints how many orders it scanned,
migrated and found current; exits 1 when some could not be migrated.

  --stack     a deployed stack, e.g. dev or prod: its tables from \`pulumi stack output --json\`,
              AWS credentials and region from the environment, as the AWS CLI takes them
  --url       the local stack (\`npm start\`) to migrate; its tables come from GET /_local/config
              @default http://127.0.0.1:$OMS_PORT, else http://127.0.0.1:3000
  --dry-run   only count the orders that need migrating; write nothing`;

/** `npm run migrate`: the order backfill, on the local stack or on a deployed one with `--stack`. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      ...STACK_OPTIONS,
      "dry-run": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  const dryRun = values["dry-run"];
  const target = await stackTables(
    values,
    { orders: ordersTable, orderLines: orderLinesTable, orderTimeline: orderTimelineTable },
    USAGE,
  );
  const client = DynamoDBDocumentClient.from(new DynamoDBClient(target.client));
  let progress: BackfillSummary | undefined;
  try {
    const summary = await backfillOrders(client, target.tables, {
      dryRun,
      onPage: (sofar) => {
        progress = sofar;
        console.error(`… ${sofar.scanned} orders scanned, ${sofar.migrated} ${dryRun ? "to migrate" : "migrated"}`);
      },
    });
    process.stdout.write(renderBackfill(summary, dryRun));
    if (summary.unmigrated.length > 0) process.exitCode = 1;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const done = progress ? ` after ${progress.scanned} orders scanned (${progress.migrated} migrated)` : "";
    throw new Error(`Stopped${done}: ${reason}\nRunning it again carries on: orders already migrated are skipped.`, {
      cause: error,
    });
  } finally {
    client.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
});
