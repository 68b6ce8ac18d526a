import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { routes } from "../../api/routes";
import { tables } from "../../storage/tables";
import { workflowTasks } from "../../workflow/tasks";
import { eventFunctions } from "../../events/functions";
import { MockRecorder, ROOT_STACK, deployStack, runProgram, stackConfig } from "../support/pulumi-mocks";
import { rejectionOf } from "../support/stack-config";

/** The components `index.ts` composes, on every stack. */
const TOP_LEVEL_COMPONENTS = [
  "oms:infra:Alerting",
  "oms:infra:CustomerMail",
  "oms:infra:Data",
  "oms:infra:Identity",
  "oms:infra:OrderEvents",
  "oms:infra:OrderWorkflow",
  "oms:infra:OrdersApi",
  "oms:infra:ReservationSweeper",
];

/** A component named oms that a top-level component composes as its child, where index.ts once did. */
interface OwnedComponent {
  readonly type: string;
  /** Its parent, as `<type>::<name>`. */
  readonly parent: string;
}

const DASHBOARD_IN_ALERTING: OwnedComponent = {
  type: "oms:infra:OperationsDashboard",
  parent: "oms:infra:Alerting::oms",
};
const EDGE_IN_ORDERS_API: OwnedComponent = { type: "oms:infra:Edge", parent: "oms:infra:OrdersApi::oms" };

/** Each stack's components owned by others (prod adds the edge), and how long it keeps logs. */
const stacks = [
  {
    stack: "dev",
    owned: [DASHBOARD_IN_ALERTING],
    ownedDescription: "the dashboard inside Alerting",
    logRetentionDays: 7,
  },
  {
    stack: "prod",
    owned: [EDGE_IN_ORDERS_API, DASHBOARD_IN_ALERTING],
    ownedDescription: "the edge inside OrdersApi and the dashboard inside Alerting",
    logRetentionDays: 90,
  },
];

describe("The OMS program (index.ts)", () => {
  for (const { stack, owned, ownedDescription, logRetentionDays } of stacks) {
    describe(`on the ${stack} stack`, () => {
      it("composes exactly Identity, Data, OrderEvents, OrderWorkflow, ReservationSweeper, OrdersApi, CustomerMail and Alerting, all named oms, and nothing else", async () => {
        const deployment = await deployStack(stack);

        const topLevel = deployment.resources.filter(
          (r) => !r.type.startsWith("pulumi:") && deployment.optionsOf(r.type, r.name).parent === ROOT_STACK,
        );

        expect(topLevel.map((r) => `${r.type}::${r.name}`).sort()).to.deep.equal(
          TOP_LEVEL_COMPONENTS.map((type) => `${type}::oms`),
        );
      });

      it(`finds ${ownedDescription}, and no other component named oms`, async () => {
        const deployment = await deployStack(stack);

        const others = deployment.resources
          .filter((r) => r.type.startsWith("oms:infra:") && r.name === "oms" && !TOP_LEVEL_COMPONENTS.includes(r.type))
          .map((r) => ({ type: r.type, parent: deployment.optionsOf(r.type, r.name).parent }));

        expect(others).to.deep.equal(owned);
      });

      it(`aliases ${ownedDescription} to the root stack, where index.ts composed them, so that a deployed stack replaces nothing`, async () => {
        const deployment = await deployStack(stack);

        const aliases = owned.map(({ type }) => deployment.optionsOf(type, "oms").aliases);

        expect(aliases).to.deep.equal(owned.map(() => [{ parent: ROOT_STACK }]));
      });

      it(`keeps every log group's logs ${logRetentionDays} days: each function's, the API's access log, the workflow's`, async () => {
        const deployment = await deployStack(stack);

        const logGroups = deployment.ofType("aws:cloudwatch/logGroup:LogGroup");

        // One per function (each route's, each task's, each event function's), the API's access log and the workflow's.
        expect(logGroups).to.have.length(routes.length + workflowTasks.length + eventFunctions.length + 2);
        expect(logGroups.map((group) => [group.name, group.inputs["retentionInDays"]])).to.deep.equal(
          logGroups.map((group) => [group.name, logRetentionDays]),
        );
      });

      it("exports the API URL, the user pool and client, the login URL, the table names, the alert topic, the dashboard, the order workflow and the events topic", async () => {
        const deployment = await deployStack(stack);
        const stage = deployment.ofType("aws:apigatewayv2/stage:Stage")[0];
        const distribution = deployment.ofType("aws:cloudfront/distribution:Distribution")[0];
        const alertTopic = deployment.named("aws:sns/topic:Topic", "oms-alerts");
        const eventsTopic = deployment.named("aws:sns/topic:Topic", "oms-order-events");
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
          "eventsTopicArn",
          "hostedUiLoginUrl",
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
        expect(outputs["eventsTopicArn"]).to.equal(eventsTopic.state["arn"]);
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
          'Stack "dev" has invalid config:\n  oms:edge.rateLimitPer5Minutes: edge.rateLimitPer5Minutes must be an integer from 10 to 2000000000',
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
