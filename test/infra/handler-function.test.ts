import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { routes } from "../../api/routes";
import { createOrder } from "../../handlers/create-order";
import { HandlerFunction, type HandlerFunctionArgs } from "../../infra";
import { ordersTable } from "../../storage/tables";
import { type Deployment, MockRecorder, deployStack } from "../support/pulumi-mocks";

const FUNCTION = "aws:lambda/function:Function";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const TABLE = "aws:dynamodb/table:Table";

/** What each stack's `Pulumi.<stack>.yaml` asks of the functions (`functionTimeoutSeconds` defaults to 10). */
const stacks = [
  { stack: "dev", memoryMb: 256, timeoutSeconds: 10, logRetentionDays: 7 },
  { stack: "prod", memoryMb: 512, timeoutSeconds: 10, logRetentionDays: 90 },
];

interface Statement {
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

describe("HandlerFunction", () => {
  for (const expected of stacks) {
    describe(`on the ${expected.stack} stack`, () => {
      let deployment: Deployment;
      let ordersArn: string;

      before(async () => {
        deployment = await deployStack(expected.stack);
        ordersArn = String(deployment.named(TABLE, `oms-${ordersTable.name}`).state["arn"]);
      });

      const cases: { functionName: string; title: string; statements: () => Omit<Statement, "Effect">[] }[] = [
        {
          functionName: "create-order",
          title: "only PutItem on the orders table",
          statements: () => [{ Action: ["dynamodb:PutItem"], Resource: [ordersArn] }],
        },
        {
          functionName: "list-orders",
          title: "only Query on the byOwner and newest indexes, not on the table",
          statements: () => [
            { Action: ["dynamodb:Query"], Resource: [`${ordersArn}/index/byOwner`, `${ordersArn}/index/newest`] },
          ],
        },
        {
          functionName: "get-order",
          title: "only GetItem on the orders table",
          statements: () => [{ Action: ["dynamodb:GetItem"], Resource: [ordersArn] }],
        },
        {
          functionName: "delete-order",
          title: "only DeleteItem on the orders table",
          statements: () => [{ Action: ["dynamodb:DeleteItem"], Resource: [ordersArn] }],
        },
      ];
      for (const { functionName, title, statements } of cases) {
        it(`grants ${functionName} its own log streams and ${title}`, () => {
          const { policy, role, logGroup } = partsOf(deployment, functionName);

          expect(policy.inputs["role"]).to.equal(role.id);
          expect(statementsOf(policy.inputs["policy"])).to.deep.equal([
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: [`${String(logGroup.state["arn"])}:*`],
            },
            ...statements().map((statement) => ({ Effect: "Allow", ...statement })),
          ]);
        });
      }

      it("gives every route of api/routes.ts a policy with exactly its grants' actions on its grants' resources", () => {
        for (const route of routes) {
          const { policy } = partsOf(deployment, route.functionName);
          const tableArn = (name: string) => String(deployment.named(TABLE, `oms-${name}`).state["arn"]);

          const [, ...tableAccess] = statementsOf(policy.inputs["policy"]);

          expect(tableAccess).to.deep.equal(
            route.grants.map((grant) => ({
              Effect: "Allow",
              Action: [...grant.actions],
              Resource: grant.indexes
                ? grant.indexes.map((index) => `${tableArn(grant.table.name)}/index/${index.name}`)
                : [tableArn(grant.table.name)],
            })),
          );
        }
      });

      it("allows no wildcard action or resource in any policy, except the log streams of the function's own log group", () => {
        const logStreams = new Set(deployment.ofType(LOG_GROUP).map((group) => `${String(group.state["arn"])}:*`));
        const documents = [
          ...deployment.ofType(ROLE_POLICY).map((policy) => policy.inputs["policy"]),
          ...deployment.ofType(ROLE).map((role) => role.inputs["assumeRolePolicy"]),
          ...deployment.ofType("aws:sns/topicPolicy:TopicPolicy").map((policy) => policy.inputs["policy"]),
        ];

        const statements = documents.flatMap(statementsOf);
        const actions = statements.flatMap((statement) => [statement.Action].flat());
        const resources = statements.flatMap((statement) => (statement.Resource ? [statement.Resource].flat() : []));

        expect(statements.length).to.be.greaterThan(routes.length);
        expect(actions.filter((action) => action.includes("*"))).to.deep.equal([]);
        expect(resources.filter((resource) => resource.includes("*") && !logStreams.has(resource))).to.deep.equal([]);
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
        for (const route of routes) {
          const { role } = partsOf(deployment, route.functionName);

          expect(statementsOf(role.inputs["assumeRolePolicy"])).to.deep.equal([
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ]);
        }
      });

      it(`runs every function on nodejs24.x, arm64, ${expected.memoryMb} MB and ${expected.timeoutSeconds} s, with its own role`, () => {
        const roles = new Set<unknown>();

        for (const route of routes) {
          const { fn, role } = partsOf(deployment, route.functionName);

          expect(fn.inputs).to.deep.include({
            runtime: "nodejs24.x",
            architectures: ["arm64"],
            memorySize: expected.memoryMb,
            timeout: expected.timeoutSeconds,
            handler: "__index.handler",
            role: role.state["arn"],
          });
          roles.add(fn.inputs["role"]);
        }
        expect(roles.size).to.equal(routes.length);
        expect(deployment.ofType(FUNCTION)).to.have.length(routes.length);
      });

      it(`logs as JSON to the function's own log group, kept ${expected.logRetentionDays} days`, () => {
        for (const route of routes) {
          const { fn, logGroup } = partsOf(deployment, route.functionName);

          expect(fn.inputs["loggingConfig"]).to.deep.equal({ logFormat: "JSON", logGroup: logGroup.state["name"] });
          expect(logGroup.inputs["retentionInDays"]).to.equal(expected.logRetentionDays);
        }
      });

      it("names each granted table in the environment variable the handlers read", () => {
        const ordersName = deployment.named(TABLE, `oms-${ordersTable.name}`).state["name"];

        for (const route of routes) {
          const { fn } = partsOf(deployment, route.functionName);

          expect(fn.inputs["environment"]).to.deep.equal({ variables: { ORDERS_TABLE: ordersName } });
        }
      });

      it("is created after its role policy and log group, so that its first invocation can log and reach its tables", () => {
        for (const route of routes) {
          const { fn, policy, logGroup } = partsOf(deployment, route.functionName);

          expect(deployment.optionsOf(FUNCTION, fn.name).dependsOn).to.have.members([
            `${ROLE_POLICY}::${policy.name}`,
            `${LOG_GROUP}::${logGroup.name}`,
          ]);
        }
      });

      it("packages the serialized handler with valibot only: the runtime ships the AWS SDK", async () => {
        for (const route of routes) {
          const code = partsOf(deployment, route.functionName).fn.inputs["code"];

          expect(code).to.be.an.instanceOf(pulumi.asset.AssetArchive);
          const assets = await (code as pulumi.asset.AssetArchive).assets;

          expect(Object.keys(assets).sort()).to.deep.equal(["__index.js", "node_modules/valibot"]);
        }
      });
    });
  }

  describe("args", () => {
    const valid = (): HandlerFunctionArgs => ({
      handler: createOrder,
      grants: [{ table: ordersTable, actions: ["dynamodb:PutItem"] }],
      tables: { orders: { name: "orders-table", arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/orders-table" } },
      memoryMb: 256,
      timeoutSeconds: 10,
      logRetentionDays: 7,
    });

    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    const cases: { change: Partial<HandlerFunctionArgs>; message: string }[] = [
      {
        change: { tables: {} },
        message: 'HandlerFunction "oms-create-order": tables.orders is missing but is granted dynamodb:PutItem',
      },
      {
        change: { memoryMb: 100 },
        message: 'HandlerFunction "oms-create-order": memoryMb must be an integer from 128 to 10240',
      },
      {
        change: { timeoutSeconds: 901 },
        message: 'HandlerFunction "oms-create-order": timeoutSeconds must be an integer from 1 to 900',
      },
    ];
    for (const { change, message } of cases) {
      it(`refuses ${Object.keys(change).join(", ")} = ${JSON.stringify(Object.values(change)[0])}, naming the component and the field`, () => {
        const args = { ...valid(), ...change };

        const construct = () => new HandlerFunction("oms-create-order", args);

        expect(construct).to.throw(pulumi.RunError).with.property("message", message);
      });
    }
  });
});
