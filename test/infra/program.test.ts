import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { tables } from "../../storage/tables";
import { MockRecorder, deployStack, runProgram, stackConfig } from "../support/pulumi-mocks";

/** The error a promise rejects with; fails when it resolves. */
async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.an.instanceOf(Error);
    return error as Error;
  }
  throw new Error("Expected a rejection");
}

/** Each stack's components (prod adds the edge), and how long it keeps logs. */
const stacks = [
  {
    stack: "dev",
    components: [
      "oms:infra:Alerting",
      "oms:infra:Identity",
      "oms:infra:OperationsDashboard",
      "oms:infra:OrderWorkflow",
      "oms:infra:OrdersApi",
    ],
    logRetentionDays: 7,
  },
  {
    stack: "prod",
    components: [
      "oms:infra:Alerting",
      "oms:infra:Edge",
      "oms:infra:Identity",
      "oms:infra:OperationsDashboard",
      "oms:infra:OrderWorkflow",
      "oms:infra:OrdersApi",
    ],
    logRetentionDays: 90,
  },
];

describe("The OMS program (index.ts)", () => {
  for (const { stack, components: expectedComponents, logRetentionDays } of stacks) {
    describe(`on the ${stack} stack`, () => {
      it(`composes ${expectedComponents.map((type) => type.slice("oms:infra:".length)).join(", ")}, all named oms`, async () => {
        const deployment = await deployStack(stack);

        const components = deployment.resources.filter((r) => r.type.startsWith("oms:infra:") && r.name === "oms");

        expect(components.map((component) => component.type).sort()).to.deep.equal(expectedComponents);
      });

      it(`keeps every log group's logs ${logRetentionDays} days: each function's, the API's access log, the workflow's`, async () => {
        const deployment = await deployStack(stack);

        const logGroups = deployment.ofType("aws:cloudwatch/logGroup:LogGroup");

        expect(logGroups).to.have.length(14 + 2);
        expect(logGroups.map((group) => [group.name, group.inputs["retentionInDays"]])).to.deep.equal(
          logGroups.map((group) => [group.name, logRetentionDays]),
        );
      });

      it("exports the API URL, the user pool and client, the login URL, the table names, the alert topic, the dashboard, the order workflow and the notifications topic", async () => {
        const deployment = await deployStack(stack);
        const stage = deployment.ofType("aws:apigatewayv2/stage:Stage")[0];
        const distribution = deployment.ofType("aws:cloudfront/distribution:Distribution")[0];
        const alertTopic = deployment.named("aws:sns/topic:Topic", "oms-alerts");
        const notificationsTopic = deployment.named("aws:sns/topic:Topic", "oms-order-notifications");
        const stateMachine = deployment.named("aws:sfn/stateMachine:StateMachine", "oms-order-workflow");
        const tableNames = Object.fromEntries(
          tables.map((table) => [
            table.name,
            deployment.named("aws:dynamodb/table:Table", `oms-${table.name}`).state["name"],
          ]),
        );

        const { outputs } = deployment;

        expect(Object.keys(outputs).sort()).to.deep.equal([
          "alertTopicArn",
          "apiUrl",
          "customDomainTarget",
          "dashboardName",
          "hostedUiLoginUrl",
          "notificationsTopicArn",
          "orderWorkflowArn",
          "tableNames",
          "userPoolClientId",
          "userPoolId",
        ]);
        expect(outputs["apiUrl"]).to.equal(
          distribution ? `https://${String(distribution.state["domainName"])}/` : stage?.state["invokeUrl"],
        );
        expect(outputs["customDomainTarget"]).to.equal(undefined);
        expect(outputs["tableNames"]).to.deep.equal(tableNames);
        expect(outputs["alertTopicArn"]).to.equal(alertTopic.state["arn"]);
        expect(outputs["orderWorkflowArn"]).to.equal(stateMachine.state["arn"]);
        expect(outputs["notificationsTopicArn"]).to.equal(notificationsTopic.state["arn"]);
      });
    });
  }

  describe("with invalid config", () => {
    const cases: { what: string; change: (config: Record<string, string>) => void; message: string }[] = [
      {
        what: "a burst limit of 0",
        change: (config) => {
          config["oms:throttle"] = JSON.stringify({ burstLimit: 0, rateLimit: 100 });
        },
        message:
          'Stack "dev" has invalid config:\n  oms:throttle.burstLimit: throttle.burstLimit must be a positive integer',
      },
      {
        what: "no alert e-mail",
        change: (config) => {
          delete config["oms:alertEmail"];
        },
        message:
          'Stack "dev" has invalid config:\n  oms:alertEmail: Invalid key: Expected "alertEmail" but received undefined',
      },
      {
        what: "a protectData that is not a boolean",
        change: (config) => {
          config["oms:protectData"] = "yes";
        },
        message: 'Stack "dev" has invalid config:\n  oms:protectData: protectData must be true or false',
      },
      {
        what: "an alarm threshold of 0",
        change: (config) => {
          config["oms:alarms"] = JSON.stringify({ apiP99LatencyMs: 0 });
        },
        message:
          'Stack "dev" has invalid config:\n  oms:alarms.apiP99LatencyMs: alarms.apiP99LatencyMs must be a positive integer',
      },
      {
        what: "a WAF rate limit below WAF's minimum",
        change: (config) => {
          config["oms:edge"] = JSON.stringify({ enabled: true, rateLimitPer5Minutes: 5 });
        },
        message:
          'Stack "dev" has invalid config:\n  oms:edge.rateLimitPer5Minutes: edge.rateLimitPer5Minutes must be at least 10',
      },
      {
        what: "a custom domain whose certificate is not an ACM ARN",
        change: (config) => {
          config["oms:customDomain"] = JSON.stringify({ domainName: "api.example.com", certificateArn: "my-cert" });
        },
        message:
          'Stack "dev" has invalid config:\n  oms:customDomain.certificateArn: customDomain.certificateArn must be an ACM certificate ARN',
      },
    ];
    for (const { what, change, message } of cases) {
      it(`fails before creating anything, given ${what}, naming the oms: key`, async () => {
        const config = stackConfig("dev");
        change(config);
        const recorder = new MockRecorder("eu-west-1");

        const error = await rejectionOf(runProgram("dev", config, recorder));

        expect(error).to.be.an.instanceOf(pulumi.RunError);
        expect(error.message).to.equal(message);
        expect(recorder.resources.map((resource) => resource.type)).to.deep.equal(["pulumi:pulumi:Stack"]);
      });
    }
  });

  it("keeps a string key verbatim even when it reads as JSON, such as the domain prefix 2024", async () => {
    const config = { ...stackConfig("dev"), "oms:authDomainPrefix": "2024" };

    const deployment = await runProgram("dev", config);

    expect(deployment.ofType("aws:cognito/userPoolDomain:UserPoolDomain")[0]?.inputs["domain"]).to.equal("2024");
  });
});
