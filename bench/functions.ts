import { routes } from "../api/routes";
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { type DeployedFunction, zipFiles } from "./archives";
import { startAwsStub } from "./aws-stub";
import { type ColdStart, type ColdStartCandidate, measureColdStarts } from "./cold-start";
import { esbuildBundle } from "./esbuild-baseline";
import { lambdaRuntimeModules } from "./lambda-runtime";
import { ratio } from "./stats";
import { warmUpEvent } from "./warm-up-events";

/** One function's package, as deployed or as the esbuild yardstick. */
export interface PackageMeasurement {
  /** Zipped size, in bytes. */
  readonly zippedBytes: number;
  readonly files: number;
  readonly coldStart: ColdStart;
}

/** A function's archive beside its esbuild bundle. */
export interface FunctionMeasurement {
  readonly functionName: string;
  readonly memoryMb: number;
  readonly archive: PackageMeasurement;
  readonly esbuild: PackageMeasurement;
  /** Archive bytes over esbuild bytes. */
  readonly sizeRatio: number;
  /** Archive cold start over esbuild cold start (medians). */
  readonly coldStartRatio: number;
}

/** Writes files into `dir` as Lambda extracts an archive into `/var/task`. */
function extract(files: ReadonlyMap<string, Uint8Array>, dir: string): void {
  for (const [path, content] of files) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
}

/** Both packages of one function, laid out and ready to cold-start. */
function candidatesOf(
  deployed: DeployedFunction,
  esbuild: Uint8Array,
  event: unknown,
  workDir: string,
): { archive: ColdStartCandidate; esbuild: ColdStartCandidate } {
  const archiveDir = join(workDir, "archive", deployed.functionName);
  const esbuildDir = join(workDir, "esbuild", deployed.functionName);
  extract(deployed.files, archiveDir);
  extract(new Map([["index.js", esbuild]]), esbuildDir);
  const common = {
    functionName: deployed.functionName,
    memoryMb: deployed.memoryMb,
    environment: deployed.environment,
    event,
  };
  return {
    archive: { ...common, key: `archive:${deployed.functionName}`, entry: join(archiveDir, "__index.js") },
    esbuild: { ...common, key: `esbuild:${deployed.functionName}`, entry: join(esbuildDir, "index.js") },
  };
}

/**
 * Every function's deployment archive, as the Pulumi program registered it, beside the same
 * handler bundled by esbuild: zipped size, file count and cold start (median of `runs` fresh
 * processes each), with only the runtime's AWS SDK on `NODE_PATH`.
 */
export async function measureFunctions(
  deployed: readonly DeployedFunction[],
  runs: number,
  workDir: string,
): Promise<FunctionMeasurement[]> {
  const routeNames = new Set(routes.map((route) => route.functionName));
  const bundles = await Promise.all(deployed.map((fn) => esbuildBundle(fn.factory, routeNames.has(fn.functionName))));
  const events = await Promise.all(deployed.map((fn) => warmUpEvent(fn.functionName, fn.environment)));
  const pairs = deployed.map((fn, index) =>
    candidatesOf(fn, bundles[index] ?? new Uint8Array(), events[index], workDir),
  );
  const runtimeModules = lambdaRuntimeModules(join(workDir, "runtime"));
  const stub = await startAwsStub();
  let coldStarts: Map<string, ColdStart>;
  try {
    coldStarts = await measureColdStarts(
      pairs.flatMap((pair) => [pair.archive, pair.esbuild]),
      runs,
      { runtimeModules, awsEndpoint: stub.endpoint, workDir },
    );
  } finally {
    await stub.close();
  }
  return deployed.map((fn, index) => {
    const pair = pairs[index];
    const archiveStart = pair && coldStarts.get(pair.archive.key);
    const esbuildStart = pair && coldStarts.get(pair.esbuild.key);
    if (!archiveStart || !esbuildStart) throw new Error(`No cold start measured for ${fn.functionName}`);
    const esbuildZip = zipFiles(new Map([["index.js", bundles[index] ?? new Uint8Array()]]));
    return {
      functionName: fn.functionName,
      memoryMb: fn.memoryMb,
      archive: { zippedBytes: fn.zip.length, files: fn.files.size, coldStart: archiveStart },
      esbuild: { zippedBytes: esbuildZip.length, files: 1, coldStart: esbuildStart },
      sizeRatio: ratio(fn.zip.length, esbuildZip.length),
      coldStartRatio: ratio(archiveStart.medianMs, esbuildStart.medianMs),
    };
  });
}
