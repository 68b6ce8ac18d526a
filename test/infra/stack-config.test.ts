import { expect } from "chai";
import { parseStackConfig } from "../../infra/stack-config";
import { REQUIRED_STACK_CONFIG } from "../support/stack-config";

describe("parseStackConfig", () => {
  it("gives a stack without alarms, edge or customDomain the default thresholds, no edge and no custom domain", () => {
    const config = parseStackConfig(REQUIRED_STACK_CONFIG, "test");

    expect(config.alarms).to.deep.equal({
      apiP99LatencyMs: 2000,
      api5xxRatePercent: 1,
      functionThrottles: 1,
      dynamoDbThrottles: 1,
      notificationFailures: 1,
    });
    expect(config.edge).to.deep.equal({ enabled: false, rateLimitPer5Minutes: 2000 });
    expect(config.customDomain).to.equal(undefined);
  });

  it("keeps the thresholds a stack sets and defaults the others", () => {
    const config = parseStackConfig(
      { ...REQUIRED_STACK_CONFIG, alarms: { apiP99LatencyMs: 1500, api5xxRatePercent: 0.5 } },
      "test",
    );

    expect(config.alarms).to.deep.equal({
      apiP99LatencyMs: 1500,
      api5xxRatePercent: 0.5,
      functionThrottles: 1,
      dynamoDbThrottles: 1,
      notificationFailures: 1,
    });
  });

  it("keeps an enabled edge, its rate limit, and a custom domain", () => {
    const customDomain = {
      domainName: "api.orders.example.com",
      certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f",
    };

    const config = parseStackConfig(
      { ...REQUIRED_STACK_CONFIG, edge: { enabled: true, rateLimitPer5Minutes: 500 }, customDomain },
      "test",
    );

    expect(config.edge).to.deep.equal({ enabled: true, rateLimitPer5Minutes: 500 });
    expect(config.customDomain).to.deep.equal(customDomain);
  });

  it("keeps an SES sender for the user pool's mail: an address of a verified domain, named, with a reply-to", () => {
    const userPoolEmail = {
      sesIdentityArn: "arn:aws:ses:eu-west-1:123456789012:identity/orders.example.com",
      from: "OMS <no-reply@mail.orders.example.com>",
      replyTo: "help@example.com",
    };

    const config = parseStackConfig({ ...REQUIRED_STACK_CONFIG, userPoolEmail }, "test");

    expect(config.userPoolEmail).to.deep.equal(userPoolEmail);
  });

  it("leaves a stack out of the SES sandbox unless it says so", () => {
    const config = parseStackConfig(REQUIRED_STACK_CONFIG, "test");

    expect(config.mailFrom).to.equal(REQUIRED_STACK_CONFIG.mailFrom);
    expect(config.mailSandbox).to.equal(undefined);
  });

  it("keeps the sandbox recipients a stack in the SES sandbox lists", () => {
    const mailSandbox = { recipients: ["alice@example.com", "bob@example.com"] };

    const config = parseStackConfig({ ...REQUIRED_STACK_CONFIG, mailSandbox }, "test");

    expect(config.mailSandbox).to.deep.equal(mailSandbox);
  });

  const invalid: { what: string; change: Record<string, unknown>; problems: string[] }[] = [
    {
      what: "a latency threshold that is not a whole number",
      change: { alarms: { apiP99LatencyMs: 1.5 } },
      problems: ["oms:alarms.apiP99LatencyMs: alarms.apiP99LatencyMs must be a positive integer"],
    },
    {
      what: "a 5xx rate of 0%",
      change: { alarms: { api5xxRatePercent: 0 } },
      problems: ["oms:alarms.api5xxRatePercent: alarms.api5xxRatePercent must be greater than 0"],
    },
    {
      what: "a 5xx rate above 100%",
      change: { alarms: { api5xxRatePercent: 101 } },
      problems: ["oms:alarms.api5xxRatePercent: alarms.api5xxRatePercent must be at most 100"],
    },
    {
      what: "a function throttles threshold given as text",
      change: { alarms: { functionThrottles: "1" } },
      problems: ["oms:alarms.functionThrottles: alarms.functionThrottles must be a number"],
    },
    {
      what: "a misspelt threshold, which would otherwise be ignored silently",
      change: { alarms: { dynamoDBThrottles: 5 } },
      problems: [
        "oms:alarms.dynamoDBThrottles: alarms must be an object with only apiP99LatencyMs, api5xxRatePercent, functionThrottles, dynamoDbThrottles, notificationFailures",
      ],
    },
    {
      what: "a mail sender that is not an e-mail address",
      change: { mailFrom: "orders" },
      problems: ["oms:mailFrom: mailFrom must be an e-mail address"],
    },
    {
      what: "a sandbox recipient that is not an e-mail address",
      change: { mailSandbox: { recipients: ["alice@example.com", "bob"] } },
      problems: ["oms:mailSandbox.recipients.1: mailSandbox.recipients[] must be an e-mail address"],
    },
    {
      what: "sandbox recipients given as one address rather than a list",
      change: { mailSandbox: { recipients: "alice@example.com" } },
      problems: ["oms:mailSandbox.recipients: mailSandbox.recipients must be a list"],
    },
    {
      what: "an edge that is neither on nor off",
      change: { edge: { enabled: "yes" } },
      problems: ["oms:edge.enabled: edge.enabled must be true or false"],
    },
    {
      what: "a rate limit above WAF's maximum",
      change: { edge: { enabled: true, rateLimitPer5Minutes: 3_000_000_000 } },
      problems: ["oms:edge.rateLimitPer5Minutes: edge.rateLimitPer5Minutes must be an integer from 10 to 2000000000"],
    },
    {
      what: "a custom domain in capitals, with a certificate that is not an ACM ARN",
      change: { customDomain: { domainName: "API.Example.com", certificateArn: "arn:aws:iam::123456789012:cert" } },
      problems: [
        "oms:customDomain.domainName: customDomain.domainName must be a lowercase host name such as api.example.com",
        "oms:customDomain.certificateArn: customDomain.certificateArn must be an ACM certificate ARN",
      ],
    },
    {
      what: "a user pool sender whose identity ARN is not an SES identity's",
      change: {
        userPoolEmail: {
          sesIdentityArn: "arn:aws:ses:eu-west-1:123456789012:configuration-set/oms",
          from: "a@example.com",
        },
      },
      problems: [
        "oms:userPoolEmail.sesIdentityArn: userPoolEmail.sesIdentityArn must be an SES identity ARN: arn:aws:ses:<region>:<account>:identity/<address or domain>",
      ],
    },
    {
      what: "a user pool sender that is not an e-mail address",
      change: {
        userPoolEmail: { sesIdentityArn: "arn:aws:ses:eu-west-1:123456789012:identity/example.com", from: "OMS" },
      },
      problems: ["oms:userPoolEmail.from: userPoolEmail.from must be an e-mail address, alone or as Name <address>"],
    },
    {
      what: "a user pool sender outside the address identity it sends as",
      change: {
        userPoolEmail: {
          sesIdentityArn: "arn:aws:ses:eu-west-1:123456789012:identity/no-reply@example.com",
          from: "orders@example.com",
        },
      },
      problems: [
        "oms:userPoolEmail.from: userPoolEmail.from must be an address of the SES identity that userPoolEmail.sesIdentityArn names",
      ],
    },
  ];
  for (const { what, change, problems } of invalid) {
    it(`refuses ${what}, naming the oms: key`, () => {
      const parse = () => parseStackConfig({ ...REQUIRED_STACK_CONFIG, ...change }, "test");

      expect(parse)
        .to.throw(Error)
        .with.property("message", `Stack "test" has invalid config:\n  ${problems.join("\n  ")}`);
    });
  }
});
