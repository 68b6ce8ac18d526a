import { expect } from "chai";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { readStackConfigFile } from "../../local/stack-config-file";

describe("readStackConfigFile", () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "oms-stack-config-"));
  });

  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it("reads the dev stack's oms: keys, with the schema's defaults, and its region", () => {
    const { config, region } = readStackConfigFile("dev");

    expect(region).to.equal("eu-west-1");
    expect(config).to.deep.equal({
      alertEmail: "oms-dev-alerts@example.com",
      mailFrom: "orders@dev.orders.example.com",
      mailSandbox: { recipients: ["oms-dev-customer@example.com"] },
      throttle: { burstLimit: 50, rateLimit: 100 },
      logRetentionDays: 7,
      corsAllowedOrigins: ["*"],
      protectData: false,
      authDomainPrefix: "oms-dev-orders",
      callbackUrls: ["http://localhost:3000/callback"],
      functionMemoryMb: 256,
      functionTimeoutSeconds: 10,
      alarms: {
        apiP99LatencyMs: 2000,
        api5xxRatePercent: 5,
        functionThrottles: 1,
        dynamoDbThrottles: 1,
        notificationFailures: 1,
      },
      edge: { enabled: false, rateLimitPer5Minutes: 2000 },
    });
  });

  it("fails with the same message as pulumi preview when a key is invalid", () => {
    writeFileSync(
      join(dir, "Pulumi.broken.yaml"),
      [
        "config:",
        "  oms:alertEmail: not-an-address",
        "  oms:mailFrom: orders@example.com",
        "  oms:throttle: { burstLimit: 0, rateLimit: 10 }",
        "  oms:logRetentionDays: 7",
        "  oms:corsAllowedOrigins: ['*']",
        "  oms:protectData: false",
        "  oms:authDomainPrefix: oms-broken",
        "  oms:callbackUrls: ['http://localhost:3000/callback']",
      ].join("\n"),
    );

    expect(() => readStackConfigFile("broken", dir)).to.throw(
      'Stack "broken" has invalid config:\n' +
        "  oms:alertEmail: alertEmail must be an e-mail address\n" +
        "  oms:throttle.burstLimit: throttle.burstLimit must be a positive integer",
    );
  });

  it("names the file when the stack has none", () => {
    expect(() => readStackConfigFile("nowhere", dir)).to.throw(
      `Stack "nowhere" has no config file: ${join(dir, "Pulumi.nowhere.yaml")} cannot be read`,
    );
  });

  it("ignores other namespaces' keys", () => {
    writeFileSync(
      join(dir, "Pulumi.other.yaml"),
      [
        "config:",
        "  aws:region: us-east-2",
        "  other:alertEmail: nope",
        "  oms:alertEmail: ops@example.com",
        "  oms:mailFrom: orders@example.com",
        "  oms:throttle: { burstLimit: 5, rateLimit: 1 }",
        "  oms:logRetentionDays: 1",
        "  oms:corsAllowedOrigins: []",
        "  oms:protectData: true",
        "  oms:authDomainPrefix: oms-other",
        "  oms:callbackUrls: ['https://example.com/cb']",
      ].join("\n"),
    );

    const { config, region } = readStackConfigFile("other", dir);

    expect(region).to.equal("us-east-2");
    expect(config.alertEmail).to.equal("ops@example.com");
  });
});
