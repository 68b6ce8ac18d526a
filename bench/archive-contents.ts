import { readFileSync } from "node:fs";
import { join } from "node:path";
import { bundleHandler } from "../infra/handler-code";
import type { DeployedFunction } from "./archives";

/**
 * Packages that must never reach a function: the project's development packages (test runners,
 * emulators, build tools), the deployment-time Pulumi SDKs, type declarations, and AWS SDK v2.
 */
export function isForbiddenInArchive(name: string): boolean {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
    devDependencies?: Record<string, string>;
  };
  return (
    Object.keys(manifest.devDependencies ?? {}).includes(name) ||
    name.startsWith("@pulumi/") ||
    name.startsWith("@types/") ||
    name === "aws-sdk"
  );
}

/** The package names under `node_modules/` in an archive's paths. */
function packagesOnDisk(paths: Iterable<string>): Set<string> {
  const names = new Set<string>();
  for (const path of paths) {
    const parts = path.split("/");
    const at = parts.lastIndexOf("node_modules");
    if (at < 0 || parts.length < at + 3) continue;
    names.add(parts.slice(at + 1, at + (parts[at + 1]?.startsWith("@") ? 3 : 2)).join("/"));
  }
  return names;
}

/**
 * Every npm package inside a deployed function's archive, by name: those laid out under
 * `node_modules/`, and those bundled into its `__index.js` (known when that file is exactly the
 * bundle `handlerArchive` makes of the function's factory).
 */
export async function packagesInArchive(fn: DeployedFunction): Promise<string[]> {
  const names = packagesOnDisk(fn.files.keys());
  const index = fn.files.get("__index.js");
  const bundle = await bundleHandler(fn.factory);
  if (index !== undefined && Buffer.from(index).toString("utf8") === bundle.code) {
    for (const pkg of bundle.packages) names.add(pkg.slice(0, pkg.lastIndexOf("@")));
  }
  return [...names].sort();
}
