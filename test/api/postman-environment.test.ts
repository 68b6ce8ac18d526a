import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { postmanEnvironmentFile, stackPostmanEnvironment } from "../../api/postman-environment";

const PROJECT_DIR = join(__dirname, "..", "..");

/** What `pulumi stack output --json` prints for a deployed dev stack. */
const DEV_OUTPUTS = {
  apiUrl: "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/",
  userPoolId: "eu-west-1_AbCdEf123",
  userPoolClientId: "4b1q9f8s3k2j7h6g5d4c3b2a1",
  hostedUiLoginUrl: "https://oms-dev-orders.auth.eu-west-1.amazoncognito.com/login",
  tableNames: { orders: "oms-dev-orders-1a2b3c" },
  alertTopicArn: "arn:aws:sns:eu-west-1:123456789012:oms-dev-alerts",
};

const DEV_ENVIRONMENT = {
  name: "OMS dev",
  values: [
    { key: "baseUrl", value: "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com", type: "default", enabled: true },
    { key: "cognitoEndpoint", value: "https://cognito-idp.eu-west-1.amazonaws.com/", type: "default", enabled: true },
    { key: "clientId", value: "4b1q9f8s3k2j7h6g5d4c3b2a1", type: "default", enabled: true },
    { key: "region", value: "eu-west-1", type: "default", enabled: true },
    { key: "email", value: "", type: "default", enabled: true },
    { key: "password", value: "", type: "secret", enabled: true },
    { key: "adminEmail", value: "", type: "default", enabled: true },
    { key: "adminPassword", value: "", type: "secret", enabled: true },
    { key: "idToken", value: "", type: "secret", enabled: true },
    { key: "adminIdToken", value: "", type: "secret", enabled: true },
  ],
  _postman_variable_scope: "environment",
};

describe("stackPostmanEnvironment", () => {
  it("builds a deployed stack's environment from `pulumi stack output --json`", () => {
    expect(stackPostmanEnvironment("dev", DEV_OUTPUTS)).to.deep.equal(DEV_ENVIRONMENT);
  });

  it("takes the region from the user pool id", () => {
    const environment = stackPostmanEnvironment("prod", { ...DEV_OUTPUTS, userPoolId: "us-gov-west-1_Xyz" });

    expect(environment.values.filter((value) => ["region", "cognitoEndpoint"].includes(value.key))).to.deep.equal([
      {
        key: "cognitoEndpoint",
        value: "https://cognito-idp.us-gov-west-1.amazonaws.com/",
        type: "default",
        enabled: true,
      },
      { key: "region", value: "us-gov-west-1", type: "default", enabled: true },
    ]);
  });

  const refusals: [string, unknown, string][] = [
    ["no object", [], "Stack dev: the stack's outputs must be a JSON object"],
    ["no apiUrl", { ...DEV_OUTPUTS, apiUrl: undefined }, "Stack dev: the output apiUrl is missing"],
    ["a relative apiUrl", { ...DEV_OUTPUTS, apiUrl: "/orders" }, "Stack dev: the output apiUrl must be a URL"],
    [
      "a user pool id without its region",
      { ...DEV_OUTPUTS, userPoolId: "AbCdEf123" },
      "Stack dev: the output userPoolId must look like eu-west-1_AbCdEf123",
    ],
    [
      "no app client",
      { ...DEV_OUTPUTS, userPoolClientId: undefined },
      "Stack dev: the output userPoolClientId is missing",
    ],
  ];
  for (const [what, outputs, message] of refusals) {
    it(`refuses outputs with ${what}`, () => {
      expect(() => stackPostmanEnvironment("dev", outputs)).to.throw(Error, message);
    });
  }
});

describe("postmanEnvironmentFile", () => {
  it("is written next to the collection, as api/<name>.postman_environment.json", () => {
    expect(postmanEnvironmentFile("local")).to.equal(join(PROJECT_DIR, "api", "local.postman_environment.json"));
  });
});

describe("npm run postman:env", function () {
  this.timeout(30_000);
  let directory: string;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "oms-postman-env-"));
    writeFileSync(join(directory, "outputs.json"), JSON.stringify(DEV_OUTPUTS));
  });

  afterEach(() => {
    rmSync(directory, { recursive: true, force: true });
  });

  /** Runs the CLI as `npm run postman:env` does, where no Pulumi CLI is on the PATH. */
  function postmanEnv(args: string[], input?: string) {
    return spawnSync(
      process.execPath,
      ["-r", "ts-node/register/transpile-only", "api/write-postman-environment.ts", ...args],
      {
        cwd: PROJECT_DIR,
        encoding: "utf8",
        env: { ...process.env, PATH: join(PROJECT_DIR, "node_modules", ".bin") },
        ...(input === undefined ? { stdio: ["ignore", "pipe", "pipe"] } : { input }),
      },
    );
  }

  it("writes the environment of the outputs in --from", () => {
    const out = join(directory, "dev.postman_environment.json");

    const result = postmanEnv(["--stack", "dev", "--from", join(directory, "outputs.json"), "--out", out]);

    expect(result.stderr).to.equal("");
    expect(result.status).to.equal(0);
    expect(JSON.parse(readFileSync(out, "utf8"))).to.deep.equal(DEV_ENVIRONMENT);
    expect(result.stdout).to.contain("import it in Postman, then fill in email and password");
  });

  for (const [how, args] of [
    ["piped in", []],
    ["named by --from -", ["--from", "-"]],
  ] as const) {
    it(`reads the outputs from stdin ${how}`, () => {
      const out = join(directory, "dev.postman_environment.json");

      const result = postmanEnv(["--stack", "dev", "--out", out, ...args], JSON.stringify(DEV_OUTPUTS));

      expect(result.stderr).to.equal("");
      expect(result.status).to.equal(0);
      expect(JSON.parse(readFileSync(out, "utf8"))).to.deep.equal(DEV_ENVIRONMENT);
    });
  }

  it("asks Pulumi otherwise, and says what to do when there is no Pulumi CLI", () => {
    const result = postmanEnv(["--stack", "dev", "--out", join(directory, "dev.postman_environment.json")]);

    expect(result.status).to.equal(1);
    expect(result.stderr.trim()).to.equal(
      "pulumi stack output --json --stack dev: the Pulumi CLI is not installed; or pass its JSON with --from <file>",
    );
  });

  it("names what is wrong with the outputs", () => {
    const { apiUrl: _absent, ...withoutApiUrl } = DEV_OUTPUTS;
    writeFileSync(join(directory, "outputs.json"), JSON.stringify(withoutApiUrl));

    const result = postmanEnv(["--stack", "dev", "--from", join(directory, "outputs.json")]);

    expect(result.status).to.equal(1);
    expect(result.stderr.trim()).to.equal("Stack dev: the output apiUrl is missing");
  });
});
