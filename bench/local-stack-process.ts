import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import type { StackCommand, StackErrors, StackMemory, StackReady } from "./stack-process";

/** The local stack, running in its own process. */
export interface StackProcess extends StackReady {
  /** How many error lines the stack has logged so far. */
  errors(): Promise<number>;
  /** The stack process's id and its Node memory, as it reports them; `collect` collects garbage first. */
  memory(collect: boolean): Promise<StackMemory>;
  /** Pauses or resumes the event chain's reading of the change streams (what changed stays in the stream). */
  pauseEvents(paused: boolean): Promise<void>;
  /** Stops the stack (DynamoDB Local, cognito-local) and its process. */
  stop(): Promise<void>;
}

/** Startup takes DynamoDB Local's and cognito-local's boot, a few seconds; far longer means something is stuck. */
const STARTUP_TIMEOUT_MS = 120_000;

function send(child: ChildProcess, command: StackCommand): void {
  child.send(command);
}

/** Starts `bench/stack-process.ts` under this Node (24, under npm) and waits until the stack answers. */
export function startStackProcess(): Promise<StackProcess> {
  const child = spawn(
    process.execPath,
    // --expose-gc: a soak collects garbage before it reads the heap at its start and end.
    ["--expose-gc", "-r", "ts-node/register/transpile-only", join(__dirname, "stack-process.ts")],
    {
      cwd: join(__dirname, ".."),
      stdio: ["ignore", "ignore", "pipe", "ipc"],
    },
  );
  child.stderr?.on("data", (chunk: Buffer) => process.stderr.write(`[local stack] ${chunk.toString("utf8")}`));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.connected) send(child, { type: "stop" });
    await exited;
  };
  const errors = () =>
    new Promise<number>((resolve) => {
      child.once("message", (message: StackErrors) => resolve(message.count));
      send(child, { type: "errors" });
    });

  const memory = (collect: boolean) =>
    new Promise<StackMemory>((resolve) => {
      const answer = (message: StackMemory | StackErrors) => {
        if (message.type !== "memory") return;
        child.off("message", answer);
        resolve(message);
      };
      child.on("message", answer);
      send(child, { type: "memory", collect });
    });

  const pauseEvents = (paused: boolean) =>
    new Promise<void>((resolve) => {
      const answer = (message: { readonly type: string }) => {
        if (message.type !== "events") return;
        child.off("message", answer);
        resolve();
      };
      child.on("message", answer);
      send(child, { type: "events", paused });
    });

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error("The local stack did not start within two minutes"));
    }, STARTUP_TIMEOUT_MS);
    child.once("message", (ready: StackReady) => {
      clearTimeout(timer);
      resolve({ ...ready, errors, memory, pauseEvents, stop });
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`The local stack exited (code ${String(code)}) before it was ready`));
    });
  });
}
