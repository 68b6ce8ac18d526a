import type { Bill } from "./cost";
import type { FunctionMeasurement } from "./functions";
import type { LoadMeasurements } from "./load";
import { FIRST_PAGE_REQUESTS, type ScaleMeasurements } from "./scale";

/** Where and when the numbers were taken. */
export interface Machine {
  readonly date: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
  readonly node: string;
  readonly os: string;
}

/** One of the issue's targets, and whether this run met it. */
export interface TargetCheck {
  readonly target: string;
  readonly measured: string;
  readonly met: boolean;
}

/** Everything one run of `npm run bench` measured: the table's numbers, and the JSON's. */
export interface BenchResults {
  readonly machine: Machine;
  readonly stack: string;
  readonly coldStartRuns: number;
  readonly loadSeconds: number;
  readonly functions: readonly (FunctionMeasurement & { readonly packages: readonly string[] })[];
  readonly load: LoadMeasurements;
  readonly scale: ScaleMeasurements;
  readonly cost: {
    readonly pricesDate: string;
    readonly region: string;
    readonly memoryMb: number;
    readonly bills: readonly Bill[];
    readonly assumptions: readonly string[];
  };
  readonly targets: readonly TargetCheck[];
  readonly elapsedSeconds: number;
}

type Align = "left" | "right";

/** A Markdown table, padded so that it also reads as plain text. */
function table(headers: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[]): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? "").length)),
  );
  const cell = (text: string, column: number) =>
    align[column] === "right" ? text.padStart(widths[column] ?? 0) : text.padEnd(widths[column] ?? 0);
  const line = (cells: readonly string[]) => `| ${cells.map((text, column) => cell(text, column)).join(" | ")} |`;
  const rule = `| ${widths.map((width, column) => (align[column] === "right" ? `${"-".repeat(width - 1)}:` : "-".repeat(width))).join(" | ")} |`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const ms = (value: number) => (value < 10 ? value.toFixed(1) : value.toFixed(0));
const times = (value: number) => `${value.toFixed(2)}×`;
const usd = (value: number) => `$${value.toFixed(2)}`;

function functionsTable(results: BenchResults): string {
  return table(
    ["Function", "Archive", "Files", "esbuild", "Size", "Cold start ms", "esbuild ms", "Cold", "First call"],
    results.functions.map((fn) => [
      fn.functionName,
      kb(fn.archive.zippedBytes),
      String(fn.archive.files),
      kb(fn.esbuild.zippedBytes),
      times(fn.sizeRatio),
      ms(fn.archive.coldStart.medianMs),
      ms(fn.esbuild.coldStart.medianMs),
      times(fn.coldStartRatio),
      fn.archive.coldStart.outcome,
    ]),
    ["left", "right", "right", "right", "right", "right", "right", "right", "left"],
  );
}

function loadTable(results: BenchResults): string {
  return table(
    ["Route", "Conc.", "API req/s", "p50 ms", "p99 ms", "Floor req/s", "p50 ms", "p99 ms", "p50 vs floor"],
    results.load.results.map((run) => [
      run.route,
      String(run.connections),
      String(run.api.requestsPerSecond),
      ms(run.api.p50Ms),
      ms(run.api.p99Ms),
      String(run.floor.requestsPerSecond),
      ms(run.floor.p50Ms),
      ms(run.floor.p99Ms),
      times(run.p50Ratio),
    ]),
    ["left", "right", "right", "right", "right", "right", "right", "right", "right"],
  );
}

function scaleTable(results: BenchResults): string {
  const { points, latencyRatio, capacityRatio, scanCapacityRatio } = results.scale;
  const first = points[0];
  const last = points[points.length - 1];
  return table(
    ["Other orders", "GET p50 ms", "GET p99 ms", "Query RCU", "Seeds' Scan RCU", "Scan ms"],
    [
      ...points.map((point) => [
        point.otherOrders.toLocaleString("en-US"),
        ms(point.apiP50Ms),
        ms(point.apiP99Ms),
        String(point.queryUnits),
        String(point.scanUnits),
        ms(point.scanMs),
      ]),
      [
        `ratio ${last?.otherOrders.toLocaleString("en-US")} / ${first?.otherOrders.toLocaleString("en-US")}`,
        times(latencyRatio),
        "",
        times(capacityRatio),
        times(scanCapacityRatio),
        "",
      ],
    ],
    ["left", "right", "right", "right", "right", "right"],
  );
}

function costTables(results: BenchResults): string {
  return results.cost.bills
    .map((bill) =>
      table(
        [`Per ${bill.title}`, "OMS", "Seeds' design"],
        [
          ...bill.lines.map((line) => [line.item, usd(line.oms), usd(line.seeds)]),
          ["Total", usd(bill.omsTotal), usd(bill.seedsTotal)],
        ],
        ["left", "right", "right"],
      ),
    )
    .join("\n\n");
}

function targetsTable(results: BenchResults): string {
  return table(
    ["Target", "Measured", "Met"],
    results.targets.map((check) => [check.target, check.measured, check.met ? "yes" : "NO"]),
    ["left", "left", "left"],
  );
}

/** The one report `npm run bench` prints: sections of Markdown tables. */
export function renderReport(results: BenchResults): string {
  const { machine } = results;
  return [
    `# OMS benchmark, ${machine.date}`,
    "",
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB; Node ${machine.node}; ${machine.os}. ` +
      `Took ${results.elapsedSeconds.toFixed(0)} s.`,
    "",
    `## Functions: the archive as deployed (stack ${results.stack}, under Pulumi mocks) beside an esbuild bundle of the same handler`,
    "",
    "Zipped sizes; cold start = loading the file and answering one first event against a stubbed AWS endpoint, " +
      `median of ${results.coldStartRuns} fresh Node ${machine.node} processes each, with only the AWS SDK on NODE_PATH as the runtime provides it.`,
    "",
    functionsTable(results),
    "",
    `## The local stack under load (autocannon, loopback, ${results.loadSeconds} s per run)`,
    "",
    "Floor: the DynamoDB Local operations the route is built on, straight from the SDK, at the same concurrency. " +
      "autocannon reports whole milliseconds.",
    "",
    loadTable(results),
    "",
    "## Scale: a user's first page of GET /orders as the table grows",
    "",
    `GET: ${FIRST_PAGE_REQUESTS} sequential requests through the local API. Query RCU: the repository's Query, as DynamoDB Local reports it. ` +
      "Seeds' Scan: every page of a Scan of the whole table, as the seeds' GET /orders did.",
    "",
    scaleTable(results),
    "",
    `## Cost in USD (prices of ${results.cost.pricesDate}, ${results.cost.region}, bench/prices.json; ${results.cost.memoryMb} MB functions)`,
    "",
    costTables(results),
    "",
    ...results.cost.assumptions.map((assumption) => `- ${assumption}`),
    "",
    "## Targets",
    "",
    targetsTable(results),
    "",
  ].join("\n");
}
