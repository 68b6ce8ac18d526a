import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { builtinModules } from "node:module";
import { routes } from "../../api/routes";
import { SERVICE_ENV } from "../../handlers/adapters/from-environment";
import { placeOrder } from "../../handlers/place-order";
import { HandlerFunction, type HandlerFunctionArgs } from "../../infra";
import {
  AWS_REQUIRES_WILDCARD_ACTIONS,
  AWS_REQUIRES_WILDCARD_SID,
  STATES_LOG_DELIVERY_ACTIONS,
  XRAY_TRACING_ACTIONS,
} from "../../infra/iam";
import type { ServiceGrant, TableGrant } from "../../storage/access";
import { idempotencyTable, inventoryTable, ordersTable, usersTable } from "../../storage/tables";
import { workflowTasks } from "../../workflow/tasks";
import { type Deployment, MockRecorder, deployStack } from "../support/pulumi-mocks";

const FUNCTION = "aws:lambda/function:Function";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const TABLE = "aws:dynamodb/table:Table";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";

/** What each stack's `Pulumi.<stack>.yaml` asks of the functions, and where their business metrics go. */
const stacks = [
  { stack: "dev", memoryMb: 256, logRetentionDays: 7, metricsNamespace: "OMS/dev" },
  { stack: "prod", memoryMb: 512, logRetentionDays: 90, metricsNamespace: "OMS/prod" },
];

/** Every function the program deploys: one per route of `api/routes.ts`, one per task of `workflow/tasks.ts`. */
const handlerFunctions: readonly {
  readonly functionName: string;
  readonly grants: readonly TableGrant[];
  readonly services?: readonly ServiceGrant[];
}[] = [...routes, ...workflowTasks];

/**
 * Packages a bundle still `require`s: anything else is inside it. Node's own modules come with
 * Node, and the AWS SDK with the nodejs24.x runtime.
 */
function requiredOutsideTheRuntime(code: string): string[] {
  const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map(([, specifier = ""]) => specifier);
  return [...new Set(required)].filter(
    (specifier) =>
      !specifier.startsWith("node:") && !builtinModules.includes(specifier) && !specifier.startsWith("@aws-sdk/"),
  );
}

/** The one statement of a function's policy that allows `Resource: "*"`: X-Ray's actions, nothing else. */
const XRAY_STATEMENT = {
  Sid: "AwsRequiresWildcard",
  Effect: "Allow",
  Action: ["xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules", "xray:GetSamplingTargets"],
  Resource: "*",
};

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

function statementsOf(document: unknown): Statement[] {
  return (JSON.parse(String(document)) as { Statement: Statement[] }).Statement;
}

/** A function's parts, found by the names `HandlerFunction` gives them. */
function partsOf(deployment: Deployment, functionName: string) {
  return {
    fn: deployment.named(FUNCTION, `oms-${functionName}`),
    role: deployment.named(ROLE, `oms-${functionName}-role`),
    policy: deployment.named(ROLE_POLICY, `oms-${functionName}-access`),
    logGroup: deployment.named(LOG_GROUP, `oms-${functionName}-logs`),
  };
}

/** The ARNs and names the mocks gave the resources functions are granted. */
function grantedResources(deployment: Deployment) {
  const table = (name: string) => deployment.named(TABLE, `oms-${name}`).state;
  return {
    tableArn: (name: string) => String(table(name)["arn"]),
    tableName: (name: string) => String(table(name)["name"]),
    stateMachineArn: String(deployment.named(STATE_MACHINE, "oms-order-workflow").state["arn"]),
    topicArn: String(deployment.named(TOPIC, "oms-order-notifications").state["arn"]),
  };
}

/** What each service grant must allow, on which resource, and the variable that names it. */
function serviceAccess(deployment: Deployment, service: ServiceGrant) {
  const { stateMachineArn, topicArn } = grantedResources(deployment);
  switch (service) {
    case "orderWorkflow:start":
      return { actions: ["states:StartSyncExecution"], arn: stateMachineArn, envVar: SERVICE_ENV.orderWorkflowArn };
    case "notifications:publish":
      return { actions: ["sns:Publish"], arn: topicArn, envVar: SERVICE_ENV.notificationsTopicArn };
    case "notifications:subscribe":
      return {
        actions: ["sns:Subscribe", "sns:Unsubscribe"],
        arn: topicArn,
        envVar: SERVICE_ENV.notificationsTopicArn,
      };
  }
}

describe("HandlerFunction", () => {
  for (const expected of stacks) {
    describe(`on the ${expected.stack} stack`, () => {
      let deployment: Deployment;
      let arns: { orders: string; inventory: string; users: string; idempotency: string };
      let stateMachineArn: string;
      let topicArn: string;

      before(async () => {
        deployment = await deployStack(expected.stack);
        const granted = grantedResources(deployment);
        arns = {
          orders: granted.tableArn(ordersTable.name),
          inventory: granted.tableArn(inventoryTable.name),
          users: granted.tableArn(usersTable.name),
          idempotency: granted.tableArn(idempotencyTable.name),
        };
        stateMachineArn = granted.stateMachineArn;
        topicArn = granted.topicArn;
      });

      const statusUpdate = () => [
        { Action: ["dynamodb:GetItem", "dynamodb:UpdateItem"], Resource: [arns.orders] },
        { Action: ["dynamodb:UpdateItem"], Resource: [arns.inventory] },
        { Action: ["sns:Publish"], Resource: [topicArn] },
      ];
      const userProfile = () => [
        { Action: ["dynamodb:GetItem", "dynamodb:PutItem"], Resource: [arns.users] },
        { Action: ["sns:Subscribe", "sns:Unsubscribe"], Resource: [topicArn] },
      ];
      const cases: { functionName: string; title: string; statements: () => Omit<Statement, "Effect">[] }[] = [
        {
          functionName: "place-order",
          title: "only the idempotency table's item actions and StartSyncExecution on the order workflow",
          statements: () => [
            {
              Action: ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
              Resource: [arns.idempotency],
            },
            { Action: ["states:StartSyncExecution"], Resource: [stateMachineArn] },
          ],
        },
        {
          functionName: "list-orders",
          title: "only Query on the byOwner and newest indexes, not on the table",
          statements: () => [
            { Action: ["dynamodb:Query"], Resource: [`${arns.orders}/index/byOwner`, `${arns.orders}/index/newest`] },
          ],
        },
        {
          functionName: "update-order-status",
          title: "the order and stock updates and only Publish on the notifications topic",
          statements: statusUpdate,
        },
        {
          functionName: "update-order-status-legacy",
          title: "the same as update-order-status",
          statements: statusUpdate,
        },
        {
          functionName: "create-user",
          title: "the users table and only Subscribe and Unsubscribe on the notifications topic",
          statements: userProfile,
        },
        {
          functionName: "update-user",
          title: "the users table and only Subscribe and Unsubscribe on the notifications topic",
          statements: userProfile,
        },
        {
          functionName: "check-inventory",
          title: "only UpdateItem and GetItem on the inventory table",
          statements: () => [{ Action: ["dynamodb:UpdateItem", "dynamodb:GetItem"], Resource: [arns.inventory] }],
        },
        {
          functionName: "create-order",
          title: "only PutItem and GetItem on the orders table and UpdateItem on the inventory table",
          statements: () => [
            { Action: ["dynamodb:PutItem", "dynamodb:GetItem"], Resource: [arns.orders] },
            { Action: ["dynamodb:UpdateItem"], Resource: [arns.inventory] },
          ],
        },
        {
          functionName: "release-stock",
          title: "only UpdateItem on the inventory table",
          statements: () => [{ Action: ["dynamodb:UpdateItem"], Resource: [arns.inventory] }],
        },
      ];
      for (const { functionName, title, statements } of cases) {
        it(`grants ${functionName} its own log streams, ${title}, and X-Ray's actions apart`, () => {
          const { policy, role, logGroup } = partsOf(deployment, functionName);

          expect(policy.inputs["role"]).to.equal(role.id);
          expect(statementsOf(policy.inputs["policy"])).to.deep.equal([
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: [`${String(logGroup.state["arn"])}:*`],
            },
            ...statements().map((statement) => ({ Effect: "Allow", ...statement })),
            XRAY_STATEMENT,
          ]);
        });
      }

      it("gives every route and workflow task a policy with exactly its grants' and services' actions on their resources", () => {
        const { tableArn } = grantedResources(deployment);

        for (const handler of handlerFunctions) {
          const { policy } = partsOf(deployment, handler.functionName);

          const access = statementsOf(policy.inputs["policy"]).slice(1, -1);

          expect(access, handler.functionName).to.deep.equal([
            ...handler.grants.map((grant) => ({
              Effect: "Allow",
              Action: [...grant.actions],
              Resource: grant.indexes
                ? grant.indexes.map((index) => `${tableArn(grant.table.name)}/index/${index.name}`)
                : [tableArn(grant.table.name)],
            })),
            ...(handler.services ?? []).map((service) => {
              const { actions, arn } = serviceAccess(deployment, service);
              return { Effect: "Allow", Action: actions, Resource: [arn] };
            }),
          ]);
        }
      });

      it("allows no wildcard action, and no wildcard resource but a function's own log streams and the AwsRequiresWildcard statements", () => {
        const logStreams = new Set(deployment.ofType(LOG_GROUP).map((group) => `${String(group.state["arn"])}:*`));
        const documents = [
          ...deployment.ofType(ROLE_POLICY).map((policy) => policy.inputs["policy"]),
          ...deployment.ofType(ROLE).map((role) => role.inputs["assumeRolePolicy"]),
          ...deployment.ofType(TOPIC_POLICY).map((policy) => policy.inputs["policy"]),
        ];

        const statements = documents.flatMap(statementsOf);
        const scoped = statements.filter((statement) => statement.Sid !== AWS_REQUIRES_WILDCARD_SID);
        const actions = statements.flatMap((statement) => [statement.Action].flat());
        const resources = scoped.flatMap((statement) => (statement.Resource ? [statement.Resource].flat() : []));

        expect(statements.length).to.be.greaterThan(handlerFunctions.length * 2);
        expect(actions.filter((action) => action.includes("*"))).to.deep.equal([]);
        expect(resources.filter((resource) => resource.includes("*") && !logStreams.has(resource))).to.deep.equal([]);
      });

      it("allows Resource * only in one AwsRequiresWildcard statement per policy, and only for the actions AWS accepts on nothing else", () => {
        const policies = deployment.ofType(ROLE_POLICY);

        for (const policy of policies) {
          const statements = statementsOf(policy.inputs["policy"]);
          const wildcard = statements.filter((statement) => statement.Sid === AWS_REQUIRES_WILDCARD_SID);
          const scopedActions = statements
            .filter((statement) => statement.Sid !== AWS_REQUIRES_WILDCARD_SID)
            .flatMap((statement) => [statement.Action].flat());

          expect(wildcard, policy.name).to.have.length(1);
          expect(wildcard[0]?.Resource, policy.name).to.equal("*");
          expect(AWS_REQUIRES_WILDCARD_ACTIONS, policy.name).to.include.members([wildcard[0]?.Action].flat());
          expect(
            scopedActions.filter((action) => (AWS_REQUIRES_WILDCARD_ACTIONS as readonly string[]).includes(action)),
            policy.name,
          ).to.deep.equal([]);
        }
        expect(policies).to.have.length(handlerFunctions.length + 1);
      });

      it("lists exactly X-Ray's four write and sampling actions and Step Functions' eight log delivery actions as needing Resource *", () => {
        expect(XRAY_TRACING_ACTIONS).to.deep.equal([
          "xray:PutTraceSegments",
          "xray:PutTelemetryRecords",
          "xray:GetSamplingRules",
          "xray:GetSamplingTargets",
        ]);
        expect(STATES_LOG_DELIVERY_ACTIONS).to.deep.equal([
          "logs:CreateLogDelivery",
          "logs:GetLogDelivery",
          "logs:UpdateLogDelivery",
          "logs:DeleteLogDelivery",
          "logs:ListLogDeliveries",
          "logs:PutResourcePolicy",
          "logs:DescribeResourcePolicies",
          "logs:DescribeLogGroups",
        ]);
        expect(AWS_REQUIRES_WILDCARD_ACTIONS).to.deep.equal([...XRAY_TRACING_ACTIONS, ...STATES_LOG_DELIVERY_ACTIONS]);
      });

      it("traces every function with X-Ray (active tracing)", () => {
        const modes = handlerFunctions.map(
          (handler) => partsOf(deployment, handler.functionName).fn.inputs["tracingConfig"],
        );

        expect(modes).to.deep.equal(handlerFunctions.map(() => ({ mode: "Active" })));
      });

      it("attaches no managed policy to any role", () => {
        const iamTypes = new Set(deployment.resources.map((r) => r.type).filter((type) => type.startsWith("aws:iam/")));

        expect(deployment.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.deep.equal([]);
        expect([...iamTypes].sort()).to.deep.equal([ROLE, ROLE_POLICY]);
        for (const role of deployment.ofType(ROLE)) {
          expect(role.inputs["managedPolicyArns"]).to.equal(undefined);
        }
      });

      it("lets only Lambda assume each function's role", () => {
        for (const handler of handlerFunctions) {
          const { role } = partsOf(deployment, handler.functionName);

          expect(statementsOf(role.inputs["assumeRolePolicy"])).to.deep.equal([
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ]);
        }
      });

      it(`runs every function on nodejs24.x, arm64 and ${expected.memoryMb} MB, with its own role`, () => {
        const roles = new Set<unknown>();

        for (const handler of handlerFunctions) {
          const { fn, role } = partsOf(deployment, handler.functionName);

          expect(fn.inputs).to.deep.include({
            runtime: "nodejs24.x",
            architectures: ["arm64"],
            memorySize: expected.memoryMb,
            handler: "__index.handler",
            role: role.state["arn"],
          });
          roles.add(fn.inputs["role"]);
        }
        expect(roles.size).to.equal(handlerFunctions.length);
        expect(deployment.ofType(FUNCTION)).to.have.length(handlerFunctions.length);
      });

      it(`logs as JSON to the function's own log group, kept ${expected.logRetentionDays} days`, () => {
        for (const handler of handlerFunctions) {
          const { fn, logGroup } = partsOf(deployment, handler.functionName);

          expect(fn.inputs["loggingConfig"]).to.deep.equal({ logFormat: "JSON", logGroup: logGroup.state["name"] });
          expect(logGroup.inputs["retentionInDays"]).to.equal(expected.logRetentionDays);
        }
      });

      it(`names each granted table and service, the business metrics' namespace ${expected.metricsNamespace} and service oms, and nothing else, in the environment variables the handlers read`, () => {
        const { tableName } = grantedResources(deployment);

        for (const handler of handlerFunctions) {
          const { fn } = partsOf(deployment, handler.functionName);

          expect(fn.inputs["environment"], handler.functionName).to.deep.equal({
            variables: Object.fromEntries([
              ["POWERTOOLS_METRICS_NAMESPACE", expected.metricsNamespace],
              ["POWERTOOLS_SERVICE_NAME", "oms"],
              ...handler.grants.map((grant) => [grant.table.envVar, tableName(grant.table.name)]),
              ...(handler.services ?? []).map((service) => {
                const { envVar, arn } = serviceAccess(deployment, service);
                return [envVar, arn];
              }),
            ]),
          });
        }
      });

      it("tells place-order which state machine to start, and the user and status functions which topic to use", () => {
        const { tableName } = grantedResources(deployment);
        const variables = (functionName: string) => partsOf(deployment, functionName).fn.inputs["environment"];

        expect(variables("place-order")).to.deep.equal({
          variables: {
            POWERTOOLS_METRICS_NAMESPACE: expected.metricsNamespace,
            POWERTOOLS_SERVICE_NAME: "oms",
            IDEMPOTENCY_TABLE: tableName(idempotencyTable.name),
            ORDER_WORKFLOW_ARN: stateMachineArn,
          },
        });
        expect(variables("update-order-status")).to.deep.equal({
          variables: {
            POWERTOOLS_METRICS_NAMESPACE: expected.metricsNamespace,
            POWERTOOLS_SERVICE_NAME: "oms",
            ORDERS_TABLE: tableName(ordersTable.name),
            INVENTORY_TABLE: tableName(inventoryTable.name),
            NOTIFICATIONS_TOPIC_ARN: topicArn,
          },
        });
        expect(variables("create-user")).to.deep.equal({
          variables: {
            POWERTOOLS_METRICS_NAMESPACE: expected.metricsNamespace,
            POWERTOOLS_SERVICE_NAME: "oms",
            USERS_TABLE: tableName(usersTable.name),
            NOTIFICATIONS_TOPIC_ARN: topicArn,
          },
        });
      });

      it("is created after its role policy and log group, so that its first invocation can log and reach what it is granted", () => {
        for (const handler of handlerFunctions) {
          const { fn, policy, logGroup } = partsOf(deployment, handler.functionName);

          expect(deployment.optionsOf(FUNCTION, fn.name).dependsOn).to.have.members([
            `${ROLE_POLICY}::${policy.name}`,
            `${LOG_GROUP}::${logGroup.name}`,
          ]);
        }
      });

      it("uploads each function as one bundled file that requires nothing but Node's modules and the AWS SDK the runtime ships", async () => {
        for (const handler of handlerFunctions) {
          const code = partsOf(deployment, handler.functionName).fn.inputs["code"];

          expect(code).to.be.an.instanceOf(pulumi.asset.AssetArchive);
          const assets = await (code as pulumi.asset.AssetArchive).assets;
          const bundle = assets["__index.js"];

          expect(Object.keys(assets), handler.functionName).to.deep.equal(["__index.js"]);
          expect(bundle).to.be.an.instanceOf(pulumi.asset.StringAsset);
          expect(
            requiredOutsideTheRuntime(await (bundle as pulumi.asset.StringAsset).text),
            handler.functionName,
          ).to.deep.equal([]);
        }
      });
    });
  }

  describe("args", () => {
    const valid = (): HandlerFunctionArgs => ({
      handler: placeOrder,
      grants: [{ table: idempotencyTable, actions: ["dynamodb:PutItem"] }],
      tables: {
        idempotency: {
          name: "idempotency-table",
          arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/idempotency-table",
        },
      },
      services: ["orderWorkflow:start"],
      serviceArns: { orderWorkflow: "arn:aws:states:eu-west-1:123456789012:stateMachine:orders" },
      memoryMb: 256,
      timeoutSeconds: 10,
      logRetentionDays: 7,
      stack: "dev",
    });

    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    const cases: { change: Partial<HandlerFunctionArgs>; message: string }[] = [
      {
        change: { tables: {} },
        message: 'HandlerFunction "oms-place-order": tables.idempotency is missing but is granted dynamodb:PutItem',
      },
      {
        change: { serviceArns: {} },
        message:
          'HandlerFunction "oms-place-order": serviceArns.orderWorkflow is missing but is granted orderWorkflow:start',
      },
      {
        change: { services: ["orderWorkflow:start", "notifications:subscribe"] },
        message:
          'HandlerFunction "oms-place-order": serviceArns.notificationsTopic is missing but is granted notifications:subscribe',
      },
      {
        change: { memoryMb: 100 },
        message: 'HandlerFunction "oms-place-order": memoryMb must be an integer from 128 to 10240',
      },
      {
        change: { timeoutSeconds: 901 },
        message: 'HandlerFunction "oms-place-order": timeoutSeconds must be an integer from 1 to 900',
      },
      {
        change: { stack: "org/dev" },
        message:
          'HandlerFunction "oms-place-order": stack must be a stack name of 1 to 100 letters, digits, hyphens, underscores and periods',
      },
    ];
    for (const { change, message } of cases) {
      it(`refuses ${Object.keys(change).join(", ")} = ${JSON.stringify(Object.values(change)[0])}, naming the component and the field`, () => {
        const args = { ...valid(), ...change };

        const construct = () => new HandlerFunction("oms-place-order", args);

        expect(construct).to.throw(pulumi.RunError).with.property("message", message);
      });
    }
  });
});
