import { fstatSync, readFileSync } from "node:fs";
import { relative } from "node:path";
import { parseArgs } from "node:util";
import { pulumiStackOutputs } from "../infra/stack-outputs";
import { postmanEnvironmentFile, stackPostmanEnvironment, writePostmanEnvironment } from "./postman-environment";

const USAGE = `Usage: npm run postman:env -- --stack <stack> [--from <file> | -] [--out <file>]

Writes a Postman environment for a deployed stack, from its \`pulumi stack output --json\`:
api/<stack>.postman_environment.json (git-ignored). Import it with api/oms.postman_collection.json,
then fill in email and password (adminEmail and adminPassword for the admin's requests).

  --stack   the Pulumi stack, e.g. dev or prod
  --from    a file holding the outputs' JSON, or - for stdin; piped stdin is read too.
            Without either, runs: pulumi stack output --json --stack <stack>
  --out     where to write the environment instead`;

/** Whether stdin is a pipe, a socket or a file (not a terminal, not /dev/null): then it carries the outputs. */
function stdinCarriesData(): boolean {
  try {
    const stat = fstatSync(0);
    return stat.isFIFO() || stat.isSocket() || stat.isFile();
  } catch {
    return false;
  }
}

function parseJson(text: string, source: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${source} is not JSON: ${error instanceof Error ? error.message : String(error)}`, {
      cause: error,
    });
  }
}

function stackOutputs(stack: string, from: string | undefined): unknown {
  if (from === "-" || (from === undefined && stdinCarriesData())) return parseJson(readFileSync(0, "utf8"), "stdin");
  if (from !== undefined) return parseJson(readFileSync(from, "utf8"), from);
  return pulumiStackOutputs(stack, "; or pass its JSON with --from <file>");
}

/** `npm run postman:env`: a deployed stack's Postman environment, beside the collection. */
function main(): void {
  const { values } = parseArgs({
    options: {
      stack: { type: "string" },
      from: { type: "string" },
      out: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.error(USAGE);
    return;
  }
  if (!values.stack || !/^[\w.-]+$/.test(values.stack)) {
    throw new Error(`--stack must name a stack (letters, digits, . _ -)\n\n${USAGE}`);
  }
  const environment = stackPostmanEnvironment(values.stack, stackOutputs(values.stack, values.from));
  const file = values.out ?? postmanEnvironmentFile(values.stack);
  writePostmanEnvironment(environment, file);
  process.stdout.write(
    `Wrote ${relative(process.cwd(), file) || file}: import it in Postman, then fill in email and password\n`,
  );
}

try {
  main();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
