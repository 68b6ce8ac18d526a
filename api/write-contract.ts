import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { contractFiles, eventContractFile } from "./contract-files";

function readIfExists(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * `npm run openapi`: writes the OpenAPI document and the Postman collection from the route table,
 * and the AsyncAPI document from the event schemas.
 */
async function main(): Promise<void> {
  const projectDir = join(__dirname, "..");
  for (const file of [...(await contractFiles(projectDir)), await eventContractFile(projectDir)]) {
    const target = join(projectDir, file.path);
    const changed = readIfExists(target) !== file.text;
    if (changed) writeFileSync(target, file.text);
    process.stdout.write(`${changed ? "Wrote" : "Unchanged"} ${file.path}\n`);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exitCode = 1;
});
