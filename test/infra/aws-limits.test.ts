import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { routes } from "../../api/routes";
import { eventPublisher, orderMailer } from "../../events/functions";
import { CustomerMail, Identity, OrderEvents, OrderWorkflow, OrdersApi } from "../../infra";
import { parseStackConfig } from "../../infra/stack-config";
import { orderWorkflowDefinition } from "../../workflow/definition";
import { workflowTasks } from "../../workflow/tasks";
import { MockRecorder } from "../support/pulumi-mocks";
import { REQUIRED_STACK_CONFIG } from "../support/stack-config";

const TOPIC = "arn:aws:sns:eu-west-1:123456789012:order-events";

/** Each component built from the stack config the way index.ts builds it, with one key changed. */
const components: Record<string, (config: Record<string, unknown>) => unknown> = {
  Identity: (config) =>
    new Identity("oms", {
      authDomainPrefix: config["authDomainPrefix"] as string,
      callbackUrls: config["callbackUrls"] as string[],
    }),
  OrdersApi: (config) =>
    new OrdersApi("oms", {
      routes,
      tables: {},
      issuerUrl: "https://cognito-idp.eu-west-1.amazonaws.com/pool",
      clientId: "client",
      throttle: config["throttle"] as { burstLimit: number; rateLimit: number },
      corsAllowedOrigins: config["corsAllowedOrigins"] as string[],
      logRetentionDays: config["logRetentionDays"] as number,
      functionMemoryMb: (config["functionMemoryMb"] ?? 256) as number,
      functionTimeoutSeconds: (config["functionTimeoutSeconds"] ?? 10) as number,
      orderWorkflowArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
      stack: "test",
    }),
  OrderWorkflow: (config) =>
    new OrderWorkflow("oms", {
      definition: orderWorkflowDefinition,
      tasks: workflowTasks,
      tables: {},
      functionMemoryMb: (config["functionMemoryMb"] ?? 256) as number,
      functionTimeoutSeconds: (config["functionTimeoutSeconds"] ?? 10) as number,
      logRetentionDays: config["logRetentionDays"] as number,
      stack: "test",
    }),
  OrderEvents: (config) =>
    new OrderEvents("oms", {
      publisher: eventPublisher,
      tables: [],
      deployedTables: {},
      streamArns: {},
      eventsTopicArn: TOPIC,
      memoryMb: (config["functionMemoryMb"] ?? 256) as number,
      logRetentionDays: config["logRetentionDays"] as number,
      stack: "test",
    }),
  CustomerMail: (config) =>
    new CustomerMail("oms", {
      mailer: orderMailer,
      tables: {},
      eventsTopicArn: TOPIC,
      mailFrom: config["mailFrom"] as string,
      memoryMb: (config["functionMemoryMb"] ?? 256) as number,
      logRetentionDays: config["logRetentionDays"] as number,
      stack: "test",
    }),
};

/** Values AWS refuses, and the components that receive them from the config. */
const refused: { key: string; value: unknown; components: string[] }[] = [
  { key: "functionMemoryMb", value: 64, components: ["OrdersApi", "OrderWorkflow"] },
  { key: "functionMemoryMb", value: 10241, components: ["OrdersApi", "OrderWorkflow"] },
  { key: "functionTimeoutSeconds", value: 30, components: ["OrdersApi"] },
  {
    key: "logRetentionDays",
    value: 10,
    components: ["OrdersApi", "OrderWorkflow", "OrderEvents", "CustomerMail"],
  },
  { key: "mailFrom", value: "orders", components: ["CustomerMail"] },
  { key: "authDomainPrefix", value: "-oms", components: ["Identity"] },
  { key: "callbackUrls", value: [], components: ["Identity"] },
  { key: "throttle", value: { burstLimit: 0, rateLimit: 100 }, components: ["OrdersApi"] },
];

function messageOf(act: () => unknown): string {
  try {
    act();
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
  throw new Error("Expected a refusal");
}

describe("AWS's limits (infra/aws-limits.ts)", () => {
  before(async () => {
    await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
  });

  for (const { key, value, components: receivers } of refused) {
    it(`refuses ${key} = ${JSON.stringify(value)} in the stack config and in ${receivers.join(" and ")}, in the same words`, () => {
      const config = { ...REQUIRED_STACK_CONFIG, [key]: value };

      // `Stack "test" has invalid config:\n  oms:<key path>: <problem>`
      const problem = /\n {2}oms:\S+: (.+)$/.exec(messageOf(() => parseStackConfig(config, "test")))?.[1];

      expect(problem).to.be.a("string");
      for (const component of receivers) {
        const build = components[component] as (config: Record<string, unknown>) => unknown;
        expect(messageOf(() => build(config))).to.equal(`${component} "oms": ${problem}`);
      }
    });
  }
});
