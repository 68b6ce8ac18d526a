import { existsSync, mkdirSync, readFileSync, readdirSync, symlinkSync } from "node:fs";
import { dirname, join } from "node:path";

/** The project's installed packages. */
const NODE_MODULES = join(__dirname, "..", "node_modules");

/**
 * Lays out, under `dir`, what the nodejs24.x runtime puts on `NODE_PATH` (`/var/runtime/node_modules`):
 * the AWS SDK v3 packages, here the ones this project installs, and what they depend on, as
 * symlinks into the project's `node_modules`. Nothing else is there, so code that needs any other
 * package must carry it. Returns the folder to put on `NODE_PATH`.
 */
export function lambdaRuntimeModules(dir: string): string {
  const modules = join(dir, "node_modules");
  const found = new Set<string>();
  const pending = readdirSync(join(NODE_MODULES, "@aws-sdk")).map((name) => `@aws-sdk/${name}`);
  for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
    // A dependency missing from the top level is nested inside its dependent, and comes along with it.
    if (found.has(name) || !existsSync(join(NODE_MODULES, name, "package.json"))) continue;
    found.add(name);
    const manifest = JSON.parse(readFileSync(join(NODE_MODULES, name, "package.json"), "utf8")) as {
      dependencies?: Record<string, string>;
    };
    pending.push(...Object.keys(manifest.dependencies ?? {}));
  }
  for (const name of found) {
    mkdirSync(dirname(join(modules, name)), { recursive: true });
    symlinkSync(join(NODE_MODULES, name), join(modules, name), "dir");
  }
  return modules;
}
