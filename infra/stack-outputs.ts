import { execFileSync } from "node:child_process";

/**
 * A deployed stack's outputs, as `pulumi stack output --json --stack <stack>` prints them: what the
 * command-line tools read a stack's URL and table names from. `orElse` tells the person what to do
 * when the CLI is missing or fails.
 */
export function pulumiStackOutputs(stack: string, orElse = ""): unknown {
  let text: string;
  try {
    text = execFileSync("pulumi", ["stack", "output", "--json", "--stack", stack], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
    });
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === "ENOENT" ? "the Pulumi CLI is not installed" : "it failed";
    throw new Error(`pulumi stack output --json --stack ${stack}: ${reason}${orElse}`, { cause: error });
  }
  return JSON.parse(text);
}
