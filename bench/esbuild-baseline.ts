import { build } from "esbuild";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

/** The project root, from which handler modules and their packages resolve. */
const PROJECT_ROOT = join(__dirname, "..");

/** Where the handler factories live. */
const HANDLERS_DIR = join(PROJECT_ROOT, "handlers");

/**
 * The module under `handlers/` that exports a factory, found by the factory's name (a
 * `const placeOrder = …` is named `placeOrder`).
 */
function exportOf(factory: { readonly name: string }): { file: string; name: string } {
  const declaration = new RegExp(`^export (const|function) ${factory.name}\\b`, "m");
  const files = readdirSync(HANDLERS_DIR, { recursive: true, encoding: "utf8" }).filter((file) => file.endsWith(".ts"));
  const found = files.find((file) => declaration.test(readFileSync(join(HANDLERS_DIR, file), "utf8")));
  if (found === undefined || factory.name === "") {
    throw new Error(`No module under handlers/ exports a factory named "${factory.name}"`);
  }
  return { file: join(HANDLERS_DIR, found), name: factory.name };
}

/**
 * A hand-tuned bundle of the same handler straight from its TypeScript source, as the issue
 * defines the yardstick: an entry exporting `handler = factory()`, bundled, minified and
 * tree-shaken for Node 24, the AWS SDK left to the runtime.
 */
export async function esbuildBundle(
  factory: { readonly name: string },
  /** A route's function: its factory runs inside the wrapper every route gets (`api/routes.ts`). */
  route = false,
): Promise<Uint8Array> {
  const { file, name } = exportOf(factory);
  const wrapper = join(HANDLERS_DIR, "adapters", "powertools-metrics.ts");
  const entry = route
    ? `import { ${name} as factory } from ${JSON.stringify(file)};\nimport { countingDependencyUnavailable } from ${JSON.stringify(wrapper)};\nexport const handler = countingDependencyUnavailable(factory)();\n`
    : `import { ${name} as factory } from ${JSON.stringify(file)};\nexport const handler = factory();\n`;
  const result = await build({
    stdin: {
      contents: entry,
      resolveDir: PROJECT_ROOT,
      sourcefile: "index.ts",
      loader: "ts",
    },
    absWorkingDir: PROJECT_ROOT,
    bundle: true,
    minify: true,
    treeShaking: true,
    platform: "node",
    target: "node24",
    format: "cjs",
    external: ["@aws-sdk/*"],
    write: false,
    logLevel: "silent",
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild produced no output for ${name}`);
  return output.contents;
}
