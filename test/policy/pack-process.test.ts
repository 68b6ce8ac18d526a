import { credentials } from "@grpc/grpc-js";
import { AnalyzerClient } from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import {
  type AnalyzeDiagnostic,
  AnalyzeRequest,
  type AnalyzerInfo,
  AnalyzerResourceOptions,
  EnforcementLevel,
} from "@pulumi/pulumi/proto/analyzer_pb";
import { expect } from "chai";
import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import { dynamodbProtected, iamNoWildcards } from "../../policy/policies";
import { PROJECT_ROOT } from "../support/pulumi-mocks";

const POLICY_DIR = join(PROJECT_ROOT, "policy");

/**
 * Starts the pack as the Pulumi CLI's Node.js language host does for `--policy-pack policy`: the
 * SDK's policy-pack runner, in the pack's folder, compiling it with ts-node and type checks. The
 * pack prints the port of its gRPC analyzer service; resolves with it.
 */
function servePack(): { process: ChildProcess; port: Promise<number> } {
  const runner = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  const child = spawn(process.execPath, [runner, "127.0.0.1:0", "."], { cwd: POLICY_DIR });
  const port = new Promise<number>((resolve, reject) => {
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^(\d+)\s/.exec(stdout);
      if (match?.[1] !== undefined) {
        resolve(Number(match[1]));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on("exit", (code) => reject(new Error(`The policy pack exited with ${String(code)}: ${stderr}`)));
  });
  return { process: child, port };
}

function analyzeRequest(type: string, name: string, stack: string, props: Record<string, unknown>): AnalyzeRequest {
  const request = new AnalyzeRequest();
  request.setType(type);
  request.setName(name);
  request.setUrn(`urn:pulumi:${stack}::oms::${type}::${name}`);
  request.setProperties(Struct.fromJavaScript(props as Parameters<typeof Struct.fromJavaScript>[0]));
  request.setOptions(new AnalyzerResourceOptions());
  return request;
}

describe("The OMS policy pack, served as `pulumi preview --policy-pack policy` serves it", () => {
  let pack: ChildProcess | undefined;
  let client: AnalyzerClient;

  before(async function () {
    // ts-node type-checks the pack before it serves.
    this.timeout(60_000);
    const served = servePack();
    pack = served.process;
    client = new AnalyzerClient(`127.0.0.1:${await served.port}`, credentials.createInsecure());
  });

  after(() => {
    client?.close();
    pack?.kill();
  });

  function info(): Promise<AnalyzerInfo> {
    return new Promise((resolve, reject) =>
      client.getAnalyzerInfo(new Empty(), (error, response) => (error ? reject(error) : resolve(response))),
    );
  }

  function analyze(request: AnalyzeRequest): Promise<[string, string, EnforcementLevel][]> {
    return new Promise((resolve, reject) =>
      client.analyze(request, (error, response) =>
        error
          ? reject(error)
          : resolve(
              response
                .getDiagnosticsList()
                .map((d: AnalyzeDiagnostic) => [d.getPolicyname(), d.getMessage(), d.getEnforcementlevel()]),
            ),
      ),
    );
  }

  it("serves the pack oms with its four policies, each mandatory", async () => {
    const served = await info();

    expect(served.getName()).to.equal("oms");
    expect(served.getPoliciesList().map((policy) => [policy.getName(), policy.getEnforcementlevel()])).to.deep.equal([
      ["iam-no-wildcards", EnforcementLevel.MANDATORY],
      ["dynamodb-protected", EnforcementLevel.MANDATORY],
      ["lambda-errors-alarm", EnforcementLevel.MANDATORY],
      ["api-routes-authorized", EnforcementLevel.MANDATORY],
    ]);
  });

  it("refuses a role policy that allows Action * on Resource *", async () => {
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }],
    });

    const diagnostics = await analyze(
      analyzeRequest("aws:iam/rolePolicy:RolePolicy", "oms-debug-access", "dev", { role: "oms-role", policy }),
    );

    expect(diagnostics).to.deep.equal([
      [
        "iam-no-wildcards",
        `${iamNoWildcards.description}\nStatement 1 allows the wildcard action "*"`,
        EnforcementLevel.MANDATORY,
      ],
      [
        "iam-no-wildcards",
        `${iamNoWildcards.description}\nStatement 1 allows * on every resource ("*"); only actions AWS accepts on nothing else may use "*"`,
        EnforcementLevel.MANDATORY,
      ],
    ]);
  });

  it("reads the stack from the resource's URN: an unprotected table passes in dev and fails in prod", async () => {
    const table = {
      billingMode: "PAY_PER_REQUEST",
      pointInTimeRecovery: { enabled: false },
      deletionProtectionEnabled: true,
    };

    const inDev = await analyze(analyzeRequest("aws:dynamodb/table:Table", "oms-orders", "dev", table));
    const inProd = await analyze(analyzeRequest("aws:dynamodb/table:Table", "oms-orders", "prod", table));

    expect(inDev).to.deep.equal([]);
    expect(inProd).to.deep.equal([
      [
        "dynamodb-protected",
        `${dynamodbProtected.description}\nA DynamoDB table of the prod stack must have point-in-time recovery (pointInTimeRecovery.enabled: true)`,
        EnforcementLevel.MANDATORY,
      ],
    ]);
  });
});
