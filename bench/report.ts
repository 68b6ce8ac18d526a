import { PARTITION_WRITE_UNITS_PER_SECOND } from "./capacity";
import { type Bill, DESIGNS, type Design } from "./cost";
import type { FunctionMeasurement } from "./functions";
import type { LoadMeasurements, LoadResult } from "./load";
import {
  FILTER_CAPACITY_SAMPLES,
  FILTER_REQUESTS,
  FIRST_PAGE_REQUESTS,
  LINES_PER_ORDER,
  OWNERS,
  PRODUCTS,
  type ScaleMeasurements,
} from "./scale";
import type { SoakMeasurements } from "./soak";
import type { MemorySample } from "./soak-memory";
import type { SoakWindow } from "./soak-windows";

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
  /** Only when asked for (`--soak <seconds>`). */
  readonly soak?: SoakMeasurements;
  readonly targets: readonly TargetCheck[];
  readonly elapsedSeconds: number;
}

/** What `npm run bench -- --only <section>` measured: that section alone. */
export interface SectionResults {
  readonly machine: Machine;
  readonly loadSeconds?: number;
  readonly load?: LoadMeasurements;
  readonly scale?: ScaleMeasurements;
  readonly soak?: SoakMeasurements;
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

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;
const thousands = (n: number) => n.toLocaleString("en-US", { maximumFractionDigits: 0 });

/** A run's route, with its order's lines when it places one: `POST /orders, 10 lines`. */
function routeLabel(run: Pick<LoadResult, "route" | "lines">): string {
  return run.lines === undefined ? run.route : `${run.route}, ${count(run.lines, "line")}`;
}

function loadTable(load: LoadMeasurements): string {
  return table(
    ["Route", "Conc.", "API req/s", "p50 ms", "p99 ms", "Floor req/s", "p50 ms", "p99 ms", "p50 vs floor", "Failed"],
    load.results.map((run) => [
      routeLabel(run),
      String(run.connections),
      String(run.api.requestsPerSecond),
      ms(run.api.p50Ms),
      ms(run.api.p99Ms),
      String(run.floor.requestsPerSecond),
      ms(run.floor.p50Ms),
      ms(run.floor.p99Ms),
      times(run.p50Ratio),
      `${run.api.failures} / ${run.floor.failures}`,
    ]),
    ["left", "right", "right", "right", "right", "right", "right", "right", "right", "right"],
  );
}

/** What each route's floor runs, once per route. */
function floorOperations(load: LoadMeasurements): string[] {
  const byRoute = new Map(load.results.map((run) => [routeLabel(run), run.floorOperations]));
  return [...byRoute].map(([route, operations]) => `- ${route}: ${operations}`);
}

function scaleTable(scale: ScaleMeasurements): string {
  const { points, latencyRatio, capacityRatio, scanCapacityRatio } = scale;
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

function filtersTable(scale: ScaleMeasurements): string {
  const sizes = scale.points.map((point) => point.otherOrders.toLocaleString("en-US"));
  return table(
    [
      "Admin filter",
      "GET /orders?",
      "Requests per page",
      ...sizes.map((size) => `RCU, ${size}`),
      "RCU ratio",
      ...sizes.map((size) => `p50 ms, ${size}`),
      "p50 ratio",
    ],
    scale.filters.map((filter) => [
      filter.filter,
      filter.query,
      filter.points[0]?.requests ?? "",
      ...filter.points.map((point) => String(point.readUnits)),
      times(filter.capacityRatio),
      ...filter.points.map((point) => ms(point.apiP50Ms)),
      times(filter.latencyRatio),
    ]),
    ["left", "left", "left", ...sizes.map((): Align => "right"), "right", ...sizes.map((): Align => "right"), "right"],
  );
}

function sampleOrdersTable(scale: ScaleMeasurements): string {
  return table(
    ["Order", "Item bytes", "WCU per write", "DynamoDB Local PutItem WCU"],
    scale.samples.map((sample) => [
      sample.label,
      thousands(sample.bytes),
      String(sample.writeUnits),
      String(sample.localPutUnits),
    ]),
    ["left", "right", "right", "right"],
  );
}

function ceilingsTable(scale: ScaleMeasurements): string {
  const [first] = scale.samples;
  return table(
    ["Partition", "Shared by", ...scale.samples.map((sample) => `${sample.label}: orders/s`)],
    (first?.ceilings ?? []).map((ceiling, row) => [
      ceiling.partition,
      ceiling.sharedBy,
      ...scale.samples.map((sample) => {
        const cell = sample.ceilings[row];
        return cell ? `${thousands(cell.placedPerSecond)} / ${thousands(cell.lifePerSecond)}` : "";
      }),
    ]),
    ["left", "left", ...scale.samples.map((): Align => "right")],
  );
}

/** The load section: each route beside its floor. */
function loadSection(load: LoadMeasurements, loadSeconds: number): string {
  return [
    `## The local stack under load (autocannon, loopback, ${loadSeconds} s per run)`,
    "",
    "Floor: the DynamoDB Local operations the route is built on, straight from the SDK, at the same concurrency. " +
      "autocannon reports whole milliseconds. The bench items are priced and stocked far beyond what a run sells. " +
      "Failed: requests answered other than 2xx, or not at all (API / floor).",
    "",
    loadTable(load),
    "",
    ...floorOperations(load),
  ].join("\n");
}

/** The scale section: a customer's first page and each admin filter's as the table grows, and the partitions orders share. */
function scaleSection(scale: ScaleMeasurements): string {
  return [
    "## Scale: first pages of GET /orders as the table grows",
    "",
    `GET: ${FIRST_PAGE_REQUESTS} sequential requests through the local API. Query RCU: the repository's Query, as DynamoDB Local reports it. ` +
      "Seeds' Scan: every page of a Scan of the whole table, as the seeds' GET /orders did.",
    "",
    scaleTable(scale),
    "",
    `Each admin filter's first page (20 orders) over the same tables, whose other orders have ${count(LINES_PER_ORDER, "line")} each, in every status, ` +
      `by ${OWNERS} customers, of ${PRODUCTS} products, placed over 2025: RCU of every request the repository sends for it ` +
      `(ReturnConsumedCapacity TOTAL, as DynamoDB Local reports it, median of ${FILTER_CAPACITY_SAMPLES}), and p50 of ${FILTER_REQUESTS} sequential requests as an admin through the local API.`,
    "",
    filtersTable(scale),
    "",
    "### Partitions that orders share",
    "",
    "An order's item, index keys included, sized by DynamoDB's rules (\"DynamoDB item sizes and formats\"); every index of the orders table projects the whole item, so each index write of it takes as many WCU:",
    "",
    sampleOrdersTable(scale),
    "",
    `Orders a second at which each partition takes ${thousands(PARTITION_WRITE_UNITS_PER_SECOND)} WCU a second, DynamoDB's limit per partition of a table or index: ` +
      `placements alone / placements and their ${scale.statusChanges} status changes (ship, deliver). Index writes are standard writes; a transaction's stock update takes 2 WCU.`,
    "",
    ceilingsTable(scale),
  ].join("\n");
}

function costTables(results: BenchResults): string {
  const designs = Object.keys(DESIGNS) as Design[];
  const cell = (value: number | undefined) => (value === undefined ? "–" : usd(value));
  return results.cost.bills
    .map((bill) =>
      table(
        [`Per ${bill.title}`, ...designs.map((design) => DESIGNS[design])],
        [
          ...bill.lines.map((line) => [line.item, ...designs.map((design) => cell(line.costs[design]))]),
          ["Total", ...designs.map((design) => usd(bill.totals[design]))],
        ],
        ["left", ...designs.map((): Align => "right")],
      ),
    )
    .join("\n\n");
}

const mb = (bytes: number) => (Number.isNaN(bytes) ? "n/a" : (bytes / 1024 ** 2).toFixed(1));
const signedMb = (bytes: number) => (Number.isNaN(bytes) ? "n/a" : `${bytes < 0 ? "−" : "+"}${mb(Math.abs(bytes))}`);
const latencyPair = (p50: number, p99: number) => (Number.isNaN(p50) ? "–" : `${ms(p50)} / ${ms(p99)}`);

/** A status class's count, with the statuses behind it when there are any: `3 (409)`. */
function classCell(window: SoakWindow, count: number, statusClass: number): string {
  const codes = Object.keys(window.statuses).filter((status) => Math.floor(Number(status) / 100) === statusClass);
  return count === 0 ? "0" : `${count} (${codes.join(", ")})`;
}

function soakTrafficRow(label: string, window: SoakWindow, memory?: MemorySample): string[] {
  return [
    label,
    String(window.sent),
    String(window.ok),
    classCell(window, window.clientErrors, 4),
    classCell(window, window.serverErrors, 5),
    String(window.timeouts + window.errors),
    String(window.skipped),
    ms(window.all.p50Ms),
    ms(window.all.p99Ms),
    memory ? mb(memory.stackRssBytes) : "",
    memory ? mb(memory.heapUsedBytes) : "",
    memory ? mb(memory.treeRssBytes) : "",
  ];
}

const span = (window: SoakWindow) => `${window.startSeconds}–${window.endSeconds} s`;

function soakTrafficTable(soak: SoakMeasurements): string {
  return table(
    [
      "Window",
      "Sent",
      "2xx",
      "4xx",
      "5xx",
      "Timeouts, errors",
      "Skipped",
      "p50 ms",
      "p99 ms",
      "Stack RSS MB",
      "Heap MB",
      "Tree RSS MB",
    ],
    [
      ...soak.windows.map((window) => soakTrafficRow(span(window), window, window.memory)),
      soakTrafficRow("whole soak", soak.total),
    ],
    ["left", "right", "right", "right", "right", "right", "right", "right", "right", "right", "right", "right"],
  );
}

function soakLatencyTable(soak: SoakMeasurements): string {
  const rowOf = (label: string, window: SoakWindow) => [
    label,
    ...soak.mix.map(({ operation }) => {
      const latency = window.operations[operation];
      return latency ? latencyPair(latency.p50Ms, latency.p99Ms) : "–";
    }),
  ];
  return table(
    ["Window (p50 / p99 ms)", ...soak.mix.map((entry) => entry.route)],
    [...soak.windows.map((window) => rowOf(span(window), window)), rowOf("whole soak", soak.total)],
    ["left", ...soak.mix.map((): Align => "right")],
  );
}

function soakMemoryTable(soak: SoakMeasurements): string {
  const { start, end } = soak.memory;
  const row = (label: string, before: number, after: number) => [
    label,
    mb(before),
    mb(after),
    signedMb(after - before),
  ];
  return table(
    ["Memory MB", "Start", "End", "Change"],
    [
      row("Stack process RSS", start.stackRssBytes, end.stackRssBytes),
      row("Stack process V8 heap used", start.heapUsedBytes, end.heapUsedBytes),
      row("Process tree RSS", start.treeRssBytes, end.treeRssBytes),
      ...start.processes.map((process) =>
        row(
          `- ${process.command} (pid ${process.pid})`,
          process.rssBytes,
          end.processes.find((after) => after.pid === process.pid)?.rssBytes ?? Number.NaN,
        ),
      ),
    ],
    ["left", "right", "right", "right"],
  );
}

/** The soak's section: traffic and memory per window, latency per operation, memory before and after. */
function soakSection(soak: SoakMeasurements): string {
  const mix = soak.mix.map((entry) => `${entry.weight} ${entry.route}`).join(", ");
  const total = soak.mix.reduce((sum, entry) => sum + entry.weight, 0);
  return [
    `## Soak: mixed traffic at ${soak.rate} req/s for ${soak.seconds} s on the local stack`,
    "",
    `Open model: each request leaves on schedule, whatever became of the earlier ones; its latency runs from when it was due to its whole answer. ` +
      `Every ${total} requests: ${mix}. Places carry an Idempotency-Key; reads, ships and deliveries act on orders the soak placed ` +
      `(skipped while there is none yet); each restock sets the item to ${soak.restockQuantity}. ` +
      `Windows of ${soak.windowSeconds} s by when requests were due; no answer within ${soak.requestTimeoutSeconds} s is a timeout. ` +
      "Memory as each window ended: the stack's Node process (RSS and V8 heap, as it reports them), and the RSS of its whole process tree " +
      "(DynamoDB Local's JVM, cognito-local) from /proc.",
    "",
    soakTrafficTable(soak),
    "",
    soakLatencyTable(soak),
    "",
    "Memory before the first request and once every request had its answer, both times after a full garbage collection in the stack process " +
      "(the heap it still holds; the windows' heap includes garbage not yet collected):",
    "",
    soakMemoryTable(soak),
    "",
    `Requests left at most ${ms(soak.maxSendLagMs)} ms after their scheduled time; the stack logged ${soak.stackErrors} error lines during the soak.`,
  ].join("\n");
}

function targetsTable(results: { readonly targets: readonly TargetCheck[] }): string {
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
    loadSection(results.load, results.loadSeconds),
    "",
    scaleSection(results.scale),
    "",
    `## Cost in USD (prices of ${results.cost.pricesDate}, ${results.cost.region}, bench/prices.json; ${results.cost.memoryMb} MB functions)`,
    "",
    costTables(results),
    "",
    ...results.cost.assumptions.map((assumption) => `- ${assumption}`),
    "",
    ...(results.soak ? [soakSection(results.soak), ""] : []),
    "## Targets",
    "",
    targetsTable(results),
    "",
  ].join("\n");
}

/** What `npm run bench -- --only <section>` prints: that section alone, and its targets. */
export function renderSectionReport(title: string, results: SectionResults): string {
  const { machine } = results;
  return [
    `# OMS ${title}, ${machine.date}`,
    "",
    `${machine.cpu}, ${machine.cores} cores, ${machine.memoryGb} GB; Node ${machine.node}; ${machine.os}. ` +
      `Took ${results.elapsedSeconds.toFixed(0)} s.`,
    "",
    ...(results.load ? [loadSection(results.load, results.loadSeconds ?? Number.NaN), ""] : []),
    ...(results.scale ? [scaleSection(results.scale), ""] : []),
    ...(results.soak ? [soakSection(results.soak), ""] : []),
    "## Targets",
    "",
    targetsTable(results),
    "",
  ].join("\n");
}
