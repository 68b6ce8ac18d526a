import * as pulumi from "@pulumi/pulumi";
import { type Zippable, zipSync } from "fflate";
import { lstatSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../api/routes";
import { eventFunctions } from "../events/functions";
import { type HandlerFactory } from "../infra";
import { workflowTasks } from "../workflow/tasks";
import { deployStack } from "../test/support/pulumi-mocks";

const FUNCTION = "aws:lambda/function:Function";

/** The engine's zip writer (Go's `archive/zip`) deflates at its default level and stamps every entry 1990-01-01. */
const ZIP_OPTIONS = { level: 6, mtime: new Date(Date.UTC(1990, 0, 1)) } as const;

/** Every function the program deploys: one per route, one per workflow task, and the event functions. */
export const deployedFunctions: readonly { readonly functionName: string; readonly factory: HandlerFactory }[] = [
  ...routes.map((route) => ({ functionName: route.functionName, factory: route.handler })),
  ...workflowTasks.map((task) => ({ functionName: task.functionName, factory: task.handler })),
  ...eventFunctions.map((fn) => ({ functionName: fn.functionName, factory: fn.handler })),
];

/** One function as the Pulumi program declares it, with the archive the engine would upload. */
export interface DeployedFunction {
  readonly functionName: string;
  readonly factory: HandlerFactory;
  /** Every file of the archive, by its path inside it, in the engine's order. */
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** The archive zipped as the engine zips it. */
  readonly zip: Uint8Array;
  /** Its memory, in MB. */
  readonly memoryMb: number;
  /** The environment variables the program gives it. */
  readonly environment: Readonly<Record<string, string>>;
}

/** A directory archive's files as the engine reads them: a lexical walk, skipping `.pulumi` and symlinked folders. */
function addDirectory(dir: string, prefix: string, files: Map<string, Uint8Array>): void {
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    const isDirectory = statSync(path).isDirectory();
    if (isDirectory && (name === ".pulumi" || lstatSync(path).isSymbolicLink())) continue;
    if (isDirectory) addDirectory(path, `${prefix}${name}/`, files);
    else files.set(`${prefix}${name}`, readFileSync(path));
  }
}

/** Flattens an archive into its files the way the Pulumi engine does before zipping it. */
async function addArchive(
  archive: pulumi.asset.Archive,
  prefix: string,
  files: Map<string, Uint8Array>,
): Promise<void> {
  if (archive instanceof pulumi.asset.FileArchive) {
    addDirectory(await archive.path, prefix, files);
    return;
  }
  if (!(archive instanceof pulumi.asset.AssetArchive)) {
    throw new Error(`The benchmark reads asset and directory archives only, not ${archive.constructor.name}`);
  }
  const assets = await archive.assets;
  for (const key of Object.keys(assets).sort()) {
    const member = assets[key];
    const path = `${prefix}${key}`;
    if (member instanceof pulumi.asset.StringAsset) {
      files.set(path, Buffer.from(await member.text));
    } else if (member instanceof pulumi.asset.FileAsset) {
      files.set(path, readFileSync(await member.path));
    } else if (member instanceof pulumi.asset.Archive) {
      await addArchive(member, `${path}/`, files);
    } else {
      throw new Error(`The benchmark cannot read archive member ${path}`);
    }
  }
}

/** Zips files in order, as the engine does. */
export function zipFiles(files: ReadonlyMap<string, Uint8Array>): Uint8Array {
  const entries: Zippable = {};
  for (const [path, content] of files) entries[path] = [content, ZIP_OPTIONS];
  return zipSync(entries);
}

/**
 * Runs the Pulumi program for `stack` on mocks and reads back every function's `code` archive,
 * memory and environment exactly as the program registered them.
 */
export async function deployedArchives(stack: string): Promise<DeployedFunction[]> {
  const deployment = await deployStack(stack);
  const deployed: DeployedFunction[] = [];
  for (const { functionName, factory } of deployedFunctions) {
    const { inputs } = deployment.named(FUNCTION, `oms-${functionName}`);
    const files = new Map<string, Uint8Array>();
    await addArchive(inputs["code"] as pulumi.asset.Archive, "", files);
    const environment = (inputs["environment"] as { variables?: Record<string, string> } | undefined)?.variables;
    deployed.push({
      functionName,
      factory,
      files,
      zip: zipFiles(files),
      memoryMb: Number(inputs["memorySize"]),
      environment: environment ?? {},
    });
  }
  return deployed;
}
