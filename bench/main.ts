import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir, totalmem, type } from "node:os";
import { join } from "node:path";
import { COST_ASSUMPTIONS, type CostInputs, bills, readPrices } from "./cost";
import { isForbiddenInArchive, packagesInArchive } from "./archive-contents";
import { deployedArchives } from "./archives";
import { type FunctionMeasurement, measureFunctions } from "./functions";
import { type LoadMeasurements, measureLoad } from "./load";
import { startStackProcess } from "./local-stack-process";
import type { BenchResults, Machine, TargetCheck } from "./report";
import { renderReport } from "./report";
import { type ScaleMeasurements, measureScale } from "./scale";

/** The stack whose config (memory) the functions are deployed with, as in production. */
const STACK = "prod";
/** Fresh processes per function and package. */
const COLD_START_RUNS = 15;
/** Seconds per load run; eight runs. */
const LOAD_SECONDS = 3;
const CONCURRENCIES = [1, 16];
/** Other users' orders in the table at each scale point. */
const TABLE_SIZES = [1_000, 50_000];
/** Where `--json` writes the numbers (git-ignored). */
const JSON_FILE = join(__dirname, "..", "bench-results.json");
const MAX_ARCHIVE_BYTES = 1024 * 1024;

function machine(): Machine {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model.trim() ?? "unknown CPU",
    cores: cpus().length,
    memoryGb: Math.round(totalmem() / 1024 ** 3),
    node: process.versions.node,
    os: `${type()} ${release()}`,
  };
}

const benchStarted = performance.now();

function progress(step: string): void {
  process.stderr.write(`[bench ${((performance.now() - benchStarted) / 1000).toFixed(0)} s] ${step}\n`);
}

function targets(
  functions: readonly (FunctionMeasurement & { packages: readonly string[] })[],
  load: LoadMeasurements,
  scale: ScaleMeasurements,
): TargetCheck[] {
  const largest = Math.max(...functions.map((fn) => fn.archive.zippedBytes));
  const sizeRatio = Math.max(...functions.map((fn) => fn.sizeRatio));
  const coldRatio = Math.max(...functions.map((fn) => fn.coldStartRatio));
  const forbidden = functions.flatMap((fn) =>
    fn.packages.filter(isForbiddenInArchive).map((name) => `${fn.functionName}: ${name}`),
  );
  const busyPost = load.results.find((run) => run.route === "POST /orders" && run.connections === 16);
  return [
    {
      target: "Every archive ≤ 1 MB zipped",
      measured: `largest ${(largest / 1024).toFixed(1)} KB`,
      met: largest <= MAX_ARCHIVE_BYTES,
    },
    {
      target: "Every archive ≤ 1.5× its esbuild bundle",
      measured: `largest ratio ${sizeRatio.toFixed(2)}×`,
      met: sizeRatio <= 1.5,
    },
    {
      target: "Cold start ≤ 1.25× esbuild's",
      measured: `largest ratio ${coldRatio.toFixed(2)}×`,
      met: coldRatio <= 1.25,
    },
    {
      target: "No test, dev or emulator package in any archive",
      measured: forbidden.length === 0 ? "none" : forbidden.join(", "),
      met: forbidden.length === 0,
    },
    {
      target: "POST /orders p50 at concurrency 16 ≤ 3× its DynamoDB floor",
      measured: busyPost ? `${busyPost.p50Ratio.toFixed(2)}×` : "not measured",
      met: busyPost !== undefined && busyPost.p50Ratio <= 3,
    },
    {
      target: "GET /orders at 50,000 vs 1,000 other orders ≤ 1.2× (latency, capacity)",
      measured: `${scale.latencyRatio.toFixed(2)}× latency, ${scale.capacityRatio.toFixed(2)}× capacity`,
      met: scale.latencyRatio <= 1.2 && scale.capacityRatio <= 1.2,
    },
  ];
}

/** `npm run bench [-- --json]`: measures everything in one run and prints one report. */
async function main(): Promise<void> {
  const json = process.argv.includes("--json");
  const workDir = mkdtempSync(join(tmpdir(), "oms-bench-"));
  try {
    progress(`deploying on mocks, bundling, ${COLD_START_RUNS} cold starts per function and package`);
    const deployed = await deployedArchives(STACK);
    const packages = await Promise.all(deployed.map(packagesInArchive));
    const measured = await measureFunctions(deployed, COLD_START_RUNS, workDir);
    const functions = measured.map((fn, index) => ({ ...fn, packages: packages[index] ?? [] }));

    progress("starting the local stack");
    const stack = await startStackProcess();
    let scale: ScaleMeasurements;
    let load: LoadMeasurements;
    let stackErrors: number;
    try {
      progress(`seeding ${TABLE_SIZES.join(" then ")} orders and reading a first page`);
      scale = await measureScale(stack, TABLE_SIZES);
      progress(`load: ${CONCURRENCIES.length * 4} runs of ${LOAD_SECONDS} s`);
      load = await measureLoad(stack, CONCURRENCIES, LOAD_SECONDS);
      stackErrors = await stack.errors();
    } finally {
      await stack.stop();
    }
    if (stackErrors > 0) progress(`the local stack logged ${stackErrors} errors during the run`);

    const prices = readPrices();
    const memoryMb = functions[0]?.memoryMb ?? 0;
    const at = (route: string) => load.results.find((run) => run.route === route && run.connections === 1);
    const largest = scale.points[scale.points.length - 1];
    const inputs: CostInputs = {
      memoryMb,
      placeOrderMs: at("POST /orders")?.api.p50Ms ?? Number.NaN,
      reserveMs: load.operationMs.reserve,
      createOrderMs: load.operationMs.createOrder,
      listOrdersMs: largest?.apiP50Ms ?? Number.NaN,
      reserveUnits: load.operationUnits.reserve,
      createOrderUnits: load.operationUnits.createOrder,
      queryUnits: largest?.queryUnits ?? Number.NaN,
      inventoryScanUnits: load.operationUnits.inventoryScan,
      ordersScanUnits: largest?.scanUnits ?? Number.NaN,
      ordersScanMs: largest?.scanMs ?? Number.NaN,
      tableOrders: largest?.otherOrders ?? 0,
    };
    const results: BenchResults = {
      machine: machine(),
      stack: STACK,
      coldStartRuns: COLD_START_RUNS,
      loadSeconds: LOAD_SECONDS,
      functions,
      load,
      scale,
      cost: {
        pricesDate: prices.date,
        region: prices.region,
        memoryMb,
        bills: bills(prices, inputs),
        assumptions: COST_ASSUMPTIONS,
      },
      targets: targets(functions, load, scale),
      elapsedSeconds: (performance.now() - benchStarted) / 1000,
    };
    process.stdout.write(renderReport(results));
    if (json) {
      writeFileSync(JSON_FILE, `${JSON.stringify({ ...results, cost: { ...results.cost, inputs } }, null, 2)}\n`);
      progress(`wrote ${JSON_FILE}`);
    }
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
