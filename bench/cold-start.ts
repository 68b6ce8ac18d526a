import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { median } from "./stats";

/**
 * What each fresh process runs: load the function's file as Lambda does, then invoke its handler
 * once. Both are timed from just before the load, and reported on file descriptor 3 (the
 * function's own logs go to stdout and stderr).
 */
const MEASURE_SCRIPT = `"use strict";
const { writeSync } = require("node:fs");
const dns = require("node:dns");
// StartSyncExecution goes to a "sync-" host prefix of the endpoint: sync-127.0.0.1 is the stub too.
const lookup = dns.lookup;
dns.lookup = (host, ...rest) => lookup(host.endsWith("127.0.0.1") ? "127.0.0.1" : host, ...rest);
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: process.env.BENCH_FUNCTION_NAME,
  functionVersion: "$LATEST",
  invokedFunctionArn: "arn:aws:lambda:us-east-1:123456789012:function:" + process.env.BENCH_FUNCTION_NAME,
  memoryLimitInMB: process.env.BENCH_MEMORY_MB,
  awsRequestId: "00000000-0000-4000-8000-00000000bench",
  logGroupName: "/aws/lambda/" + process.env.BENCH_FUNCTION_NAME,
  logStreamName: "bench",
  getRemainingTimeInMillis: () => 10000,
  done() {},
  fail() {},
  succeed() {},
};
const event = JSON.parse(process.env.BENCH_EVENT);
const started = performance.now();
const { handler } = require(process.argv[2]);
const loaded = performance.now();
function report(outcome) {
  const finished = performance.now();
  writeSync(3, JSON.stringify({ loadMs: loaded - started, totalMs: finished - started, outcome }));
  process.exit(0);
}
Promise.resolve()
  .then(() => handler(event, context))
  .then(
    (result) => report(result && typeof result === "object" && "statusCode" in result ? "HTTP " + result.statusCode : "returned"),
    (error) => report("threw " + (error && error.name) + ": " + (error && error.message)),
  );
`;

/** One way of packaging a function, laid out in a folder as Lambda extracts it. */
export interface ColdStartCandidate {
  /** Names the candidate in the results. */
  readonly key: string;
  /** The file Lambda loads. */
  readonly entry: string;
  readonly functionName: string;
  readonly memoryMb: number;
  /** The function's environment variables. */
  readonly environment: Readonly<Record<string, string>>;
  /** Its first event. */
  readonly event: unknown;
}

/** A candidate's cold starts. */
export interface ColdStart {
  /** Median of loading the file and answering the first event, in ms. */
  readonly medianMs: number;
  /** Median of loading the file alone (Lambda's "Init Duration"), in ms. */
  readonly medianLoadMs: number;
  /** Every run's load plus first invocation, in ms. */
  readonly samplesMs: readonly number[];
  /** How the first invocation ended, e.g. `HTTP 201`. */
  readonly outcome: string;
}

/** Where the AWS SDK and the stand-in AWS endpoint are. */
export interface ColdStartEnvironment {
  /** The runtime's `NODE_PATH`: the AWS SDK and nothing else. */
  readonly runtimeModules: string;
  /** A loopback stand-in for every AWS API, for `AWS_ENDPOINT_URL`. */
  readonly awsEndpoint: string;
  /** A scratch folder for the measuring script. */
  readonly workDir: string;
}

interface Sample {
  readonly loadMs: number;
  readonly totalMs: number;
  readonly outcome: string;
}

async function readAll(stream: Readable | null): Promise<string> {
  if (!stream) return "";
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

/** One fresh Node process (this one's executable: Node 24 under npm) loading and invoking `candidate`. */
async function coldStartOnce(
  script: string,
  candidate: ColdStartCandidate,
  env: ColdStartEnvironment,
): Promise<Sample> {
  const child = spawn(process.execPath, [script, candidate.entry], {
    cwd: env.workDir,
    stdio: ["ignore", "ignore", "pipe", "pipe"],
    env: {
      PATH: process.env["PATH"],
      NODE_PATH: env.runtimeModules,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "bench",
      AWS_SECRET_ACCESS_KEY: "bench",
      AWS_ENDPOINT_URL: env.awsEndpoint,
      ...candidate.environment,
      BENCH_FUNCTION_NAME: candidate.functionName,
      BENCH_MEMORY_MB: String(candidate.memoryMb),
      BENCH_EVENT: JSON.stringify(candidate.event),
    },
  });
  const [stderr, report, code] = await Promise.all([
    readAll(child.stderr),
    readAll(child.stdio[3] as Readable),
    new Promise<number | null>((resolve) => child.once("close", resolve)),
  ]);
  if (code !== 0 || report === "") {
    throw new Error(`${candidate.key} did not start (exit ${String(code)}):\n${stderr.slice(-2000)}`);
  }
  return JSON.parse(report) as Sample;
}

/**
 * Cold-starts every candidate `runs` times in fresh processes, one at a time and interleaved, so
 * that whatever else the machine does spreads over all candidates alike.
 */
export async function measureColdStarts(
  candidates: readonly ColdStartCandidate[],
  runs: number,
  env: ColdStartEnvironment,
): Promise<Map<string, ColdStart>> {
  const script = join(env.workDir, "measure-cold-start.cjs");
  writeFileSync(script, MEASURE_SCRIPT);
  const samples = new Map<string, Sample[]>(candidates.map((candidate) => [candidate.key, []]));
  for (let run = 0; run < runs; run++) {
    for (const candidate of candidates) {
      samples.get(candidate.key)?.push(await coldStartOnce(script, candidate, env));
    }
  }
  return new Map(
    candidates.map(({ key }) => {
      const runsOf = samples.get(key) ?? [];
      return [
        key,
        {
          medianMs: median(runsOf.map((sample) => sample.totalMs)),
          medianLoadMs: median(runsOf.map((sample) => sample.loadMs)),
          samplesMs: runsOf.map((sample) => sample.totalMs),
          outcome: runsOf[0]?.outcome ?? "none",
        },
      ];
    }),
  );
}
