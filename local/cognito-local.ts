import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { freePort } from "./ports";

/** A running cognito-local. */
export interface CognitoLocal {
  /** Its endpoint, for the Cognito SDK client and as the prefix of token issuers. */
  readonly endpoint: string;
  /** Stops the process and waits for it to exit. */
  stop(): Promise<void>;
}

/** Options for `startCognitoLocal`. */
export interface CognitoLocalOptions {
  /** Its working directory: it keeps pools and users under `.cognito/` there. */
  readonly workDir: string;
  /** Port on loopback; a free one when absent. */
  readonly port?: number;
}

const START_TIMEOUT_MS = 30_000;

function startScript(): string {
  return join(dirname(require.resolve("cognito-local/package.json")), "lib", "bin", "start.js");
}

async function waitUntilHealthy(endpoint: string, child: ChildProcess, output: () => string): Promise<void> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`cognito-local exited with code ${child.exitCode ?? child.signalCode}:\n${output()}`);
    }
    try {
      const response = await fetch(`${endpoint}/health`, { signal: AbortSignal.timeout(1000) });
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`cognito-local did not answer on ${endpoint} within ${START_TIMEOUT_MS / 1000} s:\n${output()}`);
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const kill = setTimeout(() => child.kill("SIGKILL"), 5000);
    child.once("exit", () => {
      clearTimeout(kill);
      resolve();
    });
    child.kill("SIGTERM");
  });
}

/**
 * Starts cognito-local 5.3 (a Node child process) on loopback only: it signs tokens with a key
 * published in its package, so anyone who can reach it could mint tokens. The port is fixed
 * before it starts because it writes `http://<HOST>:<PORT>` into every token's issuer.
 */
export async function startCognitoLocal(options: CognitoLocalOptions): Promise<CognitoLocal> {
  const port = options.port ?? (await freePort());
  mkdirSync(options.workDir, { recursive: true });
  const child = spawn(process.execPath, [startScript()], {
    cwd: options.workDir,
    env: { ...process.env, PORT: String(port), HOST: "127.0.0.1" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  // Its log holds confirmation codes and little else of use; it is shown only if it fails to start.
  child.stdout?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  child.stderr?.on("data", (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000)));
  const endpoint = `http://127.0.0.1:${port}`;
  try {
    await waitUntilHealthy(endpoint, child, () => output);
  } catch (error) {
    await stopChild(child);
    throw error;
  }
  return { endpoint, stop: () => stopChild(child) };
}
