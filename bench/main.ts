import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, release, tmpdir, totalmem, type } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { type CostInputs, bills, costAssumptions, readPrices } from "./cost";
import { isForbiddenInArchive, packagesInArchive } from "./archive-contents";
import { deployedArchives } from "./archives";
import { type FunctionMeasurement, measureFunctions } from "./functions";
import { type LoadMeasurements, MANY_LINES, measureLoad } from "./load";
import { startStackProcess } from "./local-stack-process";
import type { BenchResults, Machine, SectionResults, TargetCheck } from "./report";
import { renderReport, renderSectionReport } from "./report";
import { type ScaleMeasurements, measureScale } from "./scale";
import { type SoakMeasurements, measureSoak } from "./soak";
import { soakOptions } from "./soak-schedule";

/** The stack whose config (memory) the functions are deployed with, as in production. */
const STACK = "prod";
/** Fresh processes per function and package. */
const COLD_START_RUNS = 15;
/** Seconds per load run; eight runs. */
const LOAD_SECONDS = 3;
const CONCURRENCIES = [1, 16];
/** Other users' orders in the table at each scale point. */
const TABLE_SIZES = [1_000, 50_000];
/**
 * The soak runs only when asked (`--soak <seconds>`, or `--only soak`): minutes of traffic would
 * more than double the two-minute report, and a drift needs minutes to show.
 */
const SOAK_SECONDS = 180;
/** Requests per second of the soak: a tenth of what the local stack answers at concurrency 16. */
const SOAK_RATE = 20;
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

/** A placement's p50 at concurrency 16 against 3× its floor's, as the target sets it. */
function placementTarget(load: LoadMeasurements, lines: number): TargetCheck {
  const busy = load.results.find(
    (run) => run.route === "POST /orders" && run.lines === lines && run.connections === 16,
  );
  return {
    target: `POST /orders (${lines} line${lines === 1 ? "" : "s"}) p50 at concurrency 16 ≤ 3× its DynamoDB floor`,
    measured: busy ? `${busy.p50Ratio.toFixed(2)}×` : "not measured",
    met: busy !== undefined && busy.p50Ratio <= 3,
  };
}

function loadTargets(load: LoadMeasurements): TargetCheck[] {
  return [placementTarget(load, 1), placementTarget(load, MANY_LINES)];
}

function scaleTargets(scale: ScaleMeasurements): TargetCheck[] {
  const unequal = scale.filters.filter((filter) => filter.capacityRatio !== 1);
  return [
    {
      target: "GET /orders at 50,000 vs 1,000 other orders ≤ 1.2× (latency, capacity)",
      measured: `${scale.latencyRatio.toFixed(2)}× latency, ${scale.capacityRatio.toFixed(2)}× capacity`,
      met: scale.latencyRatio <= 1.2 && scale.capacityRatio <= 1.2,
    },
    {
      target: "Every admin filter's first page costs the same read units at 50,000 as at 1,000 orders",
      measured:
        unequal.length === 0
          ? `all ${scale.filters.length} filters 1.00×`
          : unequal.map((filter) => `${filter.filter} ${filter.capacityRatio.toFixed(2)}×`).join(", "),
      met: unequal.length === 0,
    },
  ];
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
    ...loadTargets(load),
    ...scaleTargets(scale),
  ];
}

/** The soak held: every request it sent was answered, none with a 5xx. */
function soakTarget(soak: SoakMeasurements): TargetCheck {
  const { sent, serverErrors, timeouts, errors } = soak.total;
  return {
    target: `Soak at ${soak.rate} req/s for ${soak.seconds} s: no 5xx, timeout or connection error`,
    measured: `${serverErrors} 5xx, ${timeouts} timeouts, ${errors} errors of ${sent} sent`,
    met: serverErrors + timeouts + errors === 0,
  };
}

/** The sections `--only` runs alone. */
const SECTIONS = ["load", "scale", "soak"] as const;
type Section = (typeof SECTIONS)[number];

/** The command line: `--json`, `--soak <seconds>`, `--rate <per second>`, `--only load|scale|soak`. */
function commandLine() {
  const { values } = parseArgs({
    options: {
      json: { type: "boolean", default: false },
      soak: { type: "string" },
      rate: { type: "string" },
      only: { type: "string" },
    },
    strict: true,
  });
  const only = values.only;
  if (only !== undefined && !SECTIONS.includes(only as Section)) {
    throw new Error(`--only takes one of ${SECTIONS.join(", ")}, not "${only}"`);
  }
  if (only !== undefined && only !== "soak" && values.soak !== undefined) {
    throw new Error(`--soak adds the soak to the whole run: it cannot go with --only ${only}`);
  }
  const wanted = values.soak !== undefined || only === "soak";
  if (!wanted && values.rate !== undefined) throw new Error("--rate sets the soak's rate: add --soak <seconds>");
  return {
    json: values.json,
    only: only as Section | undefined,
    soak: wanted ? soakOptions(values.soak ?? String(SOAK_SECONDS), values.rate ?? String(SOAK_RATE)) : undefined,
  };
}

function writeJson(results: object): void {
  writeFileSync(JSON_FILE, `${JSON.stringify(results, null, 2)}\n`);
  progress(`wrote ${JSON_FILE}`);
}

/**
 * `npm run bench -- --only load|scale|soak [--json]` (the soak also takes `--soak <seconds>` and
 * `--rate <per second>`): one section alone on a fresh local stack, with its targets.
 */
async function sectionOnly(
  section: Section,
  soakWanted: { seconds: number; rate: number } | undefined,
  json: boolean,
): Promise<void> {
  progress("starting the local stack");
  const stack = await startStackProcess();
  let measured: Omit<SectionResults, "machine" | "elapsedSeconds">;
  try {
    if (section === "load") {
      progress(`load: each route at concurrency ${CONCURRENCIES.join(" and ")}, ${LOAD_SECONDS} s a run`);
      const load = await measureLoad(stack, CONCURRENCIES, LOAD_SECONDS);
      measured = { loadSeconds: LOAD_SECONDS, load, targets: loadTargets(load) };
    } else if (section === "scale") {
      progress(`seeding ${TABLE_SIZES.join(" then ")} orders and reading first pages`);
      const scale = await measureScale(stack, TABLE_SIZES, progress);
      measured = { scale, targets: scaleTargets(scale) };
    } else {
      // `--only soak` always wants the soak: `commandLine` gives it its options.
      const options = soakWanted ?? soakOptions(String(SOAK_SECONDS), String(SOAK_RATE));
      progress(`soak: ${options.rate} req/s for ${options.seconds} s`);
      const soak = await measureSoak(stack, options, progress);
      measured = { soak, targets: [soakTarget(soak)] };
    }
  } finally {
    await stack.stop();
  }
  const results: SectionResults = {
    machine: machine(),
    ...measured,
    elapsedSeconds: (performance.now() - benchStarted) / 1000,
  };
  process.stdout.write(renderSectionReport(section, results));
  if (json) writeJson(results);
}

/**
 * `npm run bench [-- --json] [--soak <seconds> [--rate <per second>]]`: measures everything in one
 * run and prints one report; `--only <section>` runs one section alone.
 */
async function main(flags: ReturnType<typeof commandLine>): Promise<void> {
  const { json, only, soak: soakWanted } = flags;
  if (only !== undefined) return sectionOnly(only, soakWanted, json);
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
    let soak: SoakMeasurements | undefined;
    let stackErrors: number;
    try {
      progress(`load: each route at concurrency ${CONCURRENCIES.join(" and ")}, ${LOAD_SECONDS} s a run`);
      load = await measureLoad(stack, CONCURRENCIES, LOAD_SECONDS);
      if (soakWanted) {
        progress(`soak: ${soakWanted.rate} req/s for ${soakWanted.seconds} s`);
        soak = await measureSoak(stack, soakWanted, progress);
      }
      // Last: its tens of thousands of seeded orders would otherwise weigh on everything after it.
      progress(`seeding ${TABLE_SIZES.join(" then ")} orders and reading first pages`);
      scale = await measureScale(stack, TABLE_SIZES, progress);
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
      orderItemBytes: load.orderItemBytes,
      queryUnits: largest?.queryUnits ?? Number.NaN,
      inventoryScanUnits: load.inventoryScanUnits,
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
        assumptions: costAssumptions(prices),
      },
      ...(soak ? { soak } : {}),
      targets: [...targets(functions, load, scale), ...(soak ? [soakTarget(soak)] : [])],
      elapsedSeconds: (performance.now() - benchStarted) / 1000,
    };
    process.stdout.write(renderReport(results));
    if (json) writeJson({ ...results, cost: { ...results.cost, inputs } });
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

let flags: ReturnType<typeof commandLine>;
try {
  flags = commandLine();
} catch (error) {
  // A wrong flag: its message says which and why; a stack trace would only bury it.
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(2);
}

main(flags).catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
