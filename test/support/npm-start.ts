import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";

const PROJECT_ROOT = join(__dirname, "..", "..");

/** What `npm start` prints once it serves; the API's address follows on its own line. */
const READY = /OMS local stack ".+" is ready\n\s+API:\s+(\S+)/;

/** DynamoDB Local's and cognito-local's boot plus the TypeScript load: far longer means something is stuck. */
const STARTUP_TIMEOUT_MS = 90_000;

/** `npm start` running in a process group of its own, with DynamoDB Local and cognito-local in it. */
export interface NpmStart {
  /** The API, as `npm start` printed it. */
  readonly url: string;
  /** Everything it printed so far, for a failure's message. */
  output(): string;
  /** SIGKILL to the whole group, as when the machine's session dies: nothing gets to clean up or flush. */
  kill(): Promise<void>;
  /** SIGTERM, as Ctrl-C's cousin: the stack stops its emulators and exits. */
  stop(): Promise<void>;
}

/** How long the emulators may take to go after `npm start` itself did. */
const GROUP_EXIT_TIMEOUT_MS = 10_000;

/** Sends `signal` (0: only asks) to a process or, negative, a group; false when none is left. */
function signalled(pid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ESRCH") return false;
    throw error;
  }
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once("exit", () => resolve());
  });
}

/**
 * Runs `local/start.ts` as `npm start` does (ts-node, transpile only) under this Node, with `env`
 * added to this process's environment, and waits until it says it is ready. It leads a process group
 * (`detached`), so that `kill()` reaches its emulators too, which `npm start` runs as children.
 */
export function startNpmStart(env: Readonly<Record<string, string>>): Promise<NpmStart> {
  const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", join("local", "start.ts")], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  const signalGroup = async (signal: NodeJS.Signals) => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    if (!signalled(-child.pid, signal)) return;
    await exited(child);
    // The emulators outlive the leader by a moment: wait (a little) until no member is left, so
    // that their ports are free for the next start.
    const until = Date.now() + GROUP_EXIT_TIMEOUT_MS;
    while (signalled(-child.pid, 0) && Date.now() < until) await new Promise((done) => setTimeout(done, 50));
  };
  const started: NpmStart = {
    url: "",
    output: () => output,
    kill: () => signalGroup("SIGKILL"),
    stop: () => signalGroup("SIGTERM"),
  };

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void started.kill();
      reject(new Error(`npm start did not get ready within ${STARTUP_TIMEOUT_MS / 1000} s:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const watch = () => {
      const ready = READY.exec(output);
      if (!ready?.[1]) return;
      clearTimeout(timer);
      child.stdout?.off("data", watch);
      resolve({ ...started, url: ready[1] });
    };
    child.stdout?.on("data", watch);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`npm start exited (${signal ?? `code ${String(code)}`}) before it was ready:\n${output}`));
    });
  });
}
