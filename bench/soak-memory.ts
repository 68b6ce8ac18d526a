import { readFileSync, readdirSync } from "node:fs";
import type { StackProcess } from "./local-stack-process";

/**
 * The local stack's memory during a soak: its Node process's own figures (RSS, V8 heap), and the
 * resident memory of that process and everything it started, read from Linux's `/proc`: it runs
 * DynamoDB Local (a JVM) and cognito-local as children, and a leak in any of them shows only in
 * their own resident set. Elsewhere than Linux the tree's figures are NaN.
 */

/** The stack process answers a memory probe at once; one that stays silent has hung or died. */
const MEMORY_PROBE_TIMEOUT_MS = 5_000;

/** One process of the tree. */
export interface ProcessMemory {
  readonly pid: number;
  /** What it runs, from its command line: e.g. `node stack-process.ts`, `java DynamoDBLocal.jar`. */
  readonly command: string;
  /** `VmRSS` of `/proc/<pid>/status`, in bytes. */
  readonly rssBytes: number;
}

/** The parent's id in a `/proc/<pid>/stat` line; the command name before it may hold spaces and parentheses. */
export function parentPid(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return Number(fields[1]);
}

/** `VmRSS` of a `/proc/<pid>/status` text in bytes (the kernel writes kB); NaN when absent (a zombie has none). */
export function vmRssBytes(status: string): number {
  const match = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return match ? Number(match[1]) * 1024 : Number.NaN;
}

/**
 * A short name for a `/proc/<pid>/cmdline` (arguments separated by NUL): the program's base name and
 * the script or jar it runs, named by its package when it sits in `node_modules`. Node names its
 * main thread `MainThread`, so `/proc/<pid>/comm` cannot tell the stack from cognito-local.
 */
export function commandName(cmdline: string): string {
  const [program = "", ...args] = cmdline.split("\0").filter((arg) => arg !== "");
  const base = (path: string) => path.slice(path.lastIndexOf("/") + 1);
  const script = args.find((arg) => /\.(?:[cm]?js|ts|jar)$/.test(arg));
  if (script === undefined) return base(program);
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(script);
  return `${base(program)} ${inPackage?.[1] ?? base(script)}`;
}

/** `root` and every process below it, given each process's parent; parents before their children. */
export function descendants(root: number, parents: ReadonlyMap<number, number>): number[] {
  const tree = [root];
  for (let next = 0; next < tree.length; next++) {
    for (const [pid, parent] of parents) if (parent === tree[next]) tree.push(pid);
  }
  return tree;
}

function read(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    // The process ended between listing /proc and reading it.
    return undefined;
  }
}

/** Every running process's parent, from `/proc/<pid>/stat`. */
function parentsNow(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = read(`/proc/${entry}/stat`);
    if (stat !== undefined) parents.set(Number(entry), parentPid(stat));
  }
  return parents;
}

/** The resident memory of `root` and of each process below it, now; empty where there is no `/proc`. */
export function processTreeMemory(root: number): ProcessMemory[] {
  if (process.platform !== "linux") return [];
  return descendants(root, parentsNow()).flatMap((pid) => {
    const status = read(`/proc/${pid}/status`);
    const cmdline = read(`/proc/${pid}/cmdline`);
    const command = cmdline === undefined ? undefined : commandName(cmdline);
    return status === undefined || command === undefined ? [] : [{ pid, command, rssBytes: vmRssBytes(status) }];
  });
}

/** The local stack's memory at one moment. */
export interface MemorySample {
  /** From the start of the soak. */
  readonly atSeconds: number;
  /** The stack's Node process (gateway, handlers, local workflow and event chain), as it reports itself. */
  readonly stackRssBytes: number;
  readonly heapUsedBytes: number;
  readonly heapTotalBytes: number;
  /** Whether the heap was read after a full garbage collection. */
  readonly collected: boolean;
  /** The stack process and every process below it (DynamoDB Local's JVM, cognito-local), from /proc. */
  readonly treeRssBytes: number;
  readonly processes: readonly ProcessMemory[];
}

function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/**
 * The local stack's memory now; NaN where the stack did not answer or there is no /proc. With
 * `collect`, after a full garbage collection in the stack process: the heap it still holds, what
 * a leak grows. Without, the heap as the traffic leaves it, garbage included.
 */
export async function sampleMemory(stack: StackProcess, atSeconds: number, collect: boolean): Promise<MemorySample> {
  const own = await within(stack.memory(collect), MEMORY_PROBE_TIMEOUT_MS);
  const processes = own ? processTreeMemory(own.pid) : [];
  return {
    atSeconds,
    stackRssBytes: own?.rssBytes ?? Number.NaN,
    heapUsedBytes: own?.heapUsedBytes ?? Number.NaN,
    heapTotalBytes: own?.heapTotalBytes ?? Number.NaN,
    collected: own?.collected ?? false,
    treeRssBytes: processes.length === 0 ? Number.NaN : processes.reduce((sum, entry) => sum + entry.rssBytes, 0),
    processes,
  };
}
