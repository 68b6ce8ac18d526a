import * as pulumi from "@pulumi/pulumi";
import { type BuildOptions, build } from "esbuild";
import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The project root: where `node_modules` is, from which the serialized handlers' `require`s resolve. */
const PROJECT_ROOT = join(__dirname, "..");

/** The one file of a function's archive. */
export const HANDLER_FILE = "__index.js";

/** What Lambda calls: `handler` exported by `HANDLER_FILE`, the names `CallbackFunction` uses. */
export const LAMBDA_HANDLER = "__index.handler";

/**
 * How a function's code is bundled: one minified CommonJS file for Node 24. The AWS SDK v3 stays
 * out, because the nodejs24.x runtime ships it; names are kept so that stack traces and logged
 * errors stay readable.
 */
export const BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  keepNames: true,
  treeShaking: true,
  platform: "node",
  target: "node24",
  format: "cjs",
  external: ["@aws-sdk/*"],
  legalComments: "none",
  logLevel: "silent",
  write: false,
  metafile: true,
} as const satisfies BuildOptions;

/** A function's code, ready to upload, and the npm packages inside it. */
export interface HandlerBundle {
  /** `HANDLER_FILE`'s text. */
  readonly code: string;
  /** Every npm package bundled into `code`, as `name@version`, sorted. */
  readonly packages: readonly string[];
}

/**
 * Serializes a handler factory exactly as `aws.lambda.CallbackFunction` does: the factory runs
 * once per cold start and its result is exported as `handler`. A captured secret fails the
 * deployment instead of landing in the code in plain text.
 */
export async function serializeHandler(factory: () => unknown): Promise<string> {
  const { text } = await pulumi.runtime.serializeFunction(factory, {
    serialize: () => true,
    exportName: "handler",
    isFactoryFunction: true,
    allowSecrets: false,
  });
  return text;
}

/**
 * `name@version` of the package a bundled file belongs to (esbuild names inputs relative to the
 * project, with `/`), read from the innermost `node_modules`; nothing for the project's own files.
 */
function packageOf(input: string): string | undefined {
  const parts = input.split("/");
  const at = parts.lastIndexOf("node_modules");
  if (at < 0) return undefined;
  const scoped = parts[at + 1]?.startsWith("@") ?? false;
  const nameParts = parts.slice(at + 1, at + (scoped ? 3 : 2));
  const manifest = join(PROJECT_ROOT, ...parts.slice(0, at + 1), ...nameParts, "package.json");
  const { version } = JSON.parse(readFileSync(manifest, "utf8")) as { version: string };
  return `${nameParts.join("/")}@${version}`;
}

/**
 * The serialized closure with every package it `require`s bundled in, tree-shaken and minified:
 * `CallbackFunction` would upload those packages whole, with their type declarations, both module
 * formats and their own dependencies, tens of times the code that runs.
 */
export async function bundleHandler(factory: () => unknown): Promise<HandlerBundle> {
  const serialized = await serializeHandler(factory);
  const result = await build({
    ...BUNDLE_OPTIONS,
    absWorkingDir: PROJECT_ROOT,
    stdin: { contents: serialized, resolveDir: PROJECT_ROOT, sourcefile: HANDLER_FILE, loader: "js" },
  });
  const [output] = result.outputFiles;
  if (!output) throw new Error("esbuild produced no output for a handler");
  const packages = new Set<string>();
  for (const input of Object.keys(result.metafile.inputs)) {
    const name = packageOf(input);
    if (name !== undefined) packages.add(name);
  }
  return { code: output.text, packages: [...packages].sort() };
}

/** A function's deployment archive: its bundle as `HANDLER_FILE`, and nothing else. */
export async function handlerArchive(factory: () => unknown): Promise<pulumi.asset.AssetArchive> {
  const { code } = await bundleHandler(factory);
  return new pulumi.asset.AssetArchive({ [HANDLER_FILE]: new pulumi.asset.StringAsset(code) });
}
