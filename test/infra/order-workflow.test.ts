import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
// eslint-disable-next-line @typescript-eslint/no-require-imports -- asl-validator is `module.exports = fn`
import aslValidator = require("asl-validator");
import { OrderWorkflow, type OrderWorkflowArgs } from "../../infra";
import { AWS_REQUIRES_WILDCARD_ACTIONS, AWS_REQUIRES_WILDCARD_SID } from "../../infra/iam";
import { State, type WorkflowResources, orderWorkflowDefinition } from "../../workflow/definition";
import { workflowTasks } from "../../workflow/tasks";
import { type Deployment, MockRecorder, type RecordedResource, deployStack } from "../support/pulumi-mocks";

const HANDLER_FUNCTION = "oms:infra:HandlerFunction";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const FUNCTION = "aws:lambda/function:Function";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";

/** The workflow's resources, found by the names `OrderWorkflow` gives them. */
function partsOf(deployment: Deployment) {
  return {
    role: deployment.named(ROLE, "oms-order-workflow-role"),
    policy: deployment.named(ROLE_POLICY, "oms-order-workflow-access"),
    stateMachine: deployment.named(STATE_MACHINE, "oms-order-workflow"),
    logGroup: deployment.named(LOG_GROUP, "oms-order-workflow-logs"),
  };
}

function arnOf(resource: RecordedResource): string {
  return String(resource.state["arn"]);
}

/** How long each stack's `Pulumi.<stack>.yaml` keeps logs, and its functions' timeout (the default, 10 s). */
const stacks = [
  { stack: "dev", logRetentionDays: 7, functionTimeoutSeconds: 10 },
  { stack: "prod", logRetentionDays: 90, functionTimeoutSeconds: 10 },
];

describe("OrderWorkflow", () => {
  for (const { stack, logRetentionDays, functionTimeoutSeconds } of stacks) {
    describe(`on the ${stack} stack`, () => {
      let deployment: Deployment;
      let taskArn: (functionName: string) => string;

      before(async () => {
        deployment = await deployStack(stack);
        taskArn = (functionName) => arnOf(deployment.named(FUNCTION, `oms-${functionName}`));
      });

      it("deploys one function per task of workflow/tasks.ts, under OrderWorkflow", () => {
        const deployed = deployment
          .ofType(HANDLER_FUNCTION)
          .filter((fn) => deployment.optionsOf(HANDLER_FUNCTION, fn.name).parent === "oms:infra:OrderWorkflow::oms");

        expect(deployed.map((fn) => fn.name)).to.deep.equal(workflowTasks.map((task) => `oms-${task.functionName}`));
      });

      it(`gives every task function the stack's ${functionTimeoutSeconds} s timeout`, () => {
        for (const task of workflowTasks) {
          expect(deployment.named(FUNCTION, `oms-${task.functionName}`).inputs["timeout"]).to.equal(
            functionTimeoutSeconds,
          );
        }
      });

      it("lets only Step Functions assume the state machine's role", () => {
        const { role } = partsOf(deployment);

        expect(JSON.parse(String(role.inputs["assumeRolePolicy"]))).to.deep.equal({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }],
        });
      });

      it("lets the state machine invoke exactly its task functions, publish nothing (order events come from the tables' streams), and use * only in the AwsRequiresWildcard statement", () => {
        const { role, policy } = partsOf(deployment);

        const { Statement } = JSON.parse(String(policy.inputs["policy"])) as {
          Statement: { Sid?: string; Action: string[]; Resource: string[] | "*" }[];
        };

        expect(policy.inputs["role"]).to.equal(role.id);
        expect(Statement.filter((statement) => statement.Resource !== "*")).to.deep.equal([
          {
            Effect: "Allow",
            Action: ["lambda:InvokeFunction"],
            Resource: workflowTasks.map((task) => taskArn(task.functionName)),
          },
        ]);
        const wildcard = Statement.filter((statement) => statement.Resource === "*");
        expect(wildcard.map((statement) => statement.Sid)).to.deep.equal([AWS_REQUIRES_WILDCARD_SID]);
        expect(AWS_REQUIRES_WILDCARD_ACTIONS).to.include.members(wildcard[0]?.Action ?? []);
      });

      it("runs an Express state machine with its own role, traced by X-Ray, created after the role's policy and its log group", () => {
        const { role, policy, stateMachine, logGroup } = partsOf(deployment);

        expect(stateMachine.inputs).to.deep.include({
          type: "EXPRESS",
          roleArn: arnOf(role),
          tracingConfiguration: { enabled: true },
        });
        expect(Object.keys(stateMachine.inputs).sort()).to.deep.equal([
          "definition",
          "loggingConfiguration",
          "roleArn",
          "tracingConfiguration",
          "type",
        ]);
        expect(deployment.optionsOf(STATE_MACHINE, stateMachine.name).dependsOn).to.deep.equal([
          `${ROLE_POLICY}::${policy.name}`,
          `${LOG_GROUP}::${logGroup.name}`,
        ]);
      });

      it("logs failed states, without execution data (customers' names and addresses), to its own log group", () => {
        const { stateMachine, logGroup } = partsOf(deployment);

        expect(stateMachine.inputs["loggingConfiguration"]).to.deep.equal({
          logDestination: `${arnOf(logGroup)}:*`,
          level: "ERROR",
          includeExecutionData: false,
        });
      });

      it(`keeps the state machine's logs ${logRetentionDays} days, in a log group under /aws/vendedlogs/`, () => {
        const { logGroup } = partsOf(deployment);

        expect(logGroup.inputs).to.deep.equal({
          namePrefix: "/aws/vendedlogs/states/oms-order-workflow-",
          retentionInDays: logRetentionDays,
        });
      });

      it("deploys the definition of workflow/definition.ts with the task functions' ARNs", () => {
        const { stateMachine } = partsOf(deployment);

        const deployed: unknown = JSON.parse(String(stateMachine.inputs["definition"]));

        expect(deployed).to.deep.equal(
          orderWorkflowDefinition({
            taskArns: Object.fromEntries(
              workflowTasks.map((task) => [task.state, taskArn(task.functionName)]),
            ) as WorkflowResources["taskArns"],
          }),
        );
      });

      it("deploys a definition that is valid Amazon States Language", () => {
        const { stateMachine } = partsOf(deployment);

        const { isValid, errorsText } = aslValidator(JSON.parse(String(stateMachine.inputs["definition"])));

        expect(isValid, errorsText("\n")).to.equal(true);
      });
    });
  }

  describe("args", () => {
    const valid: OrderWorkflowArgs = {
      definition: orderWorkflowDefinition,
      tasks: workflowTasks,
      tables: {
        orders: { name: "orders", arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders" },
        inventory: { name: "inventory", arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/inventory" },
      },
      functionMemoryMb: 256,
      functionTimeoutSeconds: 10,
      logRetentionDays: 7,
      stack: "dev",
    };

    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    const cases: { change: Partial<OrderWorkflowArgs>; message: string; what?: string }[] = [
      {
        what: `tasks without a ${State.ReleaseStock} function`,
        change: { tasks: workflowTasks.filter((task) => task.state !== State.ReleaseStock) },
        message: `OrderWorkflow "oms": tasks has no function for the ${State.ReleaseStock} state`,
      },
      {
        change: { functionTimeoutSeconds: 26 },
        message: 'OrderWorkflow "oms": functionTimeoutSeconds must be an integer from 1 to 25',
      },
      {
        change: { functionMemoryMb: 64 },
        message: 'OrderWorkflow "oms": functionMemoryMb must be an integer from 128 to 10240',
      },
      {
        change: { logRetentionDays: 10 },
        message: `OrderWorkflow "oms": logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653`,
      },
      {
        change: { tables: { orders: { name: "orders", arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders" } } },
        message:
          'HandlerFunction "oms-check-inventory": tables.inventory is missing but is granted dynamodb:UpdateItem, dynamodb:GetItem',
      },
    ];
    for (const { change, message, what } of cases) {
      it(`refuses ${what ?? JSON.stringify(change)}, naming the component and the field`, () => {
        const args = { ...valid, ...change };

        const construct = () => new OrderWorkflow("oms", args);

        expect(construct).to.throw(pulumi.RunError).with.property("message", message);
      });
    }
  });
});
