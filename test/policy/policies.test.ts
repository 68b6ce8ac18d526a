import { expect } from "chai";
import { policies } from "../../policy/policies";
import { tables } from "../../storage/tables";
import { type ReportedViolation, runPolicies } from "../support/policy-pack";
import { type Deployment, type RecordedResource, deployStack } from "../support/pulumi-mocks";

/** What the policies look at: a stack without them would pass for want of anything to check. */
const EXAMINED_TYPES = [
  "aws:iam/rolePolicy:RolePolicy",
  "aws:dynamodb/table:Table",
  "aws:lambda/function:Function",
  "aws:cloudwatch/metricAlarm:MetricAlarm",
  "aws:apigatewayv2/route:Route",
];

/** A resource the program never registers, added to a stack to prove the pack catches it. */
function extra(type: string, name: string, inputs: Record<string, unknown>): RecordedResource {
  return { type, name, inputs, id: `${name}-id`, state: inputs };
}

/** The deployment with `change` applied to its resources. */
function altered(
  deployment: Deployment,
  change: (resources: readonly RecordedResource[]) => RecordedResource[],
): Pick<Deployment, "stack" | "resources"> {
  return { stack: deployment.stack, resources: change(deployment.resources) };
}

describe("The OMS policy pack (policy/)", () => {
  let dev: Deployment;
  let prod: Deployment;

  before(async function () {
    // Serializing every function of both stacks takes a while on a small machine; the mocks are
    // global, so the stacks deploy one after the other.
    this.timeout(180_000);
    dev = await deployStack("dev");
    prod = await deployStack("prod");
  });

  it("enforces four mandatory policies: IAM without wildcards, protected tables, an alarm per function, authorized routes", () => {
    expect(policies.map(({ name, enforcementLevel }) => [name, enforcementLevel])).to.deep.equal([
      ["iam-no-wildcards", "mandatory"],
      ["dynamodb-protected", "mandatory"],
      ["lambda-errors-alarm", "mandatory"],
      ["api-routes-authorized", "mandatory"],
    ]);
  });

  for (const stack of ["dev", "prod"]) {
    it(`passes the ${stack} stack as the program deploys it`, async () => {
      const deployment = stack === "dev" ? dev : prod;

      const violations = await runPolicies(policies, deployment);

      expect(violations).to.deep.equal([]);
      for (const examined of EXAMINED_TYPES) {
        expect(deployment.ofType(examined).length, examined).to.be.greaterThan(0);
      }
    });
  }

  it("reports a role policy that allows every action on every resource", async () => {
    const debugAccess = extra("aws:iam/rolePolicy:RolePolicy", "oms-debug-access", {
      role: "oms-place-order-role-id",
      policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] }),
    });

    const violations = await runPolicies(
      policies,
      altered(prod, (resources) => [...resources, debugAccess]),
    );

    expect(violations).to.deep.equal([
      {
        policy: "iam-no-wildcards",
        enforcementLevel: "mandatory",
        resource: "aws:iam/rolePolicy:RolePolicy::oms-debug-access",
        message: 'Statement 1 allows the wildcard action "*"',
      },
      {
        policy: "iam-no-wildcards",
        enforcementLevel: "mandatory",
        resource: "aws:iam/rolePolicy:RolePolicy::oms-debug-access",
        message: 'Statement 1 allows * on every resource ("*"); only actions AWS accepts on nothing else may use "*"',
      },
    ] satisfies ReportedViolation[]);
  });

  it("reports a prod table without point-in-time recovery", async () => {
    const violations = await runPolicies(
      policies,
      altered(prod, (resources) =>
        resources.map((resource) =>
          resource.type === "aws:dynamodb/table:Table" && resource.name === "oms-orders"
            ? { ...resource, inputs: { ...resource.inputs, pointInTimeRecovery: { enabled: false } } }
            : resource,
        ),
      ),
    );

    expect(violations).to.deep.equal([
      {
        policy: "dynamodb-protected",
        enforcementLevel: "mandatory",
        resource: "aws:dynamodb/table:Table::oms-orders",
        message:
          "A DynamoDB table of the prod stack must have point-in-time recovery (pointInTimeRecovery.enabled: true)",
      },
    ] satisfies ReportedViolation[]);
  });

  it("protects the tables of the stacks its protectedStacks config names, dev included", async () => {
    const violations = await runPolicies(policies, dev, { "dynamodb-protected": { protectedStacks: ["dev", "prod"] } });

    const tableNames = dev.ofType("aws:dynamodb/table:Table").map((table) => table.name);
    expect([...tableNames].sort()).to.deep.equal(tables.map((table) => `oms-${table.name}`).sort());
    expect(violations).to.deep.equal(
      tableNames.flatMap((name) =>
        [
          "A DynamoDB table of the dev stack must have point-in-time recovery (pointInTimeRecovery.enabled: true)",
          "A DynamoDB table of the dev stack must have deletion protection (deletionProtectionEnabled: true)",
        ].map((message) => ({
          policy: "dynamodb-protected",
          enforcementLevel: "mandatory",
          resource: `aws:dynamodb/table:Table::${name}`,
          message,
        })),
      ),
    );
  });

  it("reports a function whose Errors alarm is gone", async () => {
    const placeOrder = prod.named("aws:lambda/function:Function", "oms-place-order");

    const violations = await runPolicies(
      policies,
      altered(prod, (resources) =>
        resources.filter(
          (resource) =>
            !(resource.type === "aws:cloudwatch/metricAlarm:MetricAlarm" && resource.name === "oms-place-order-errors"),
        ),
      ),
    );

    expect(violations).to.deep.equal([
      {
        policy: "lambda-errors-alarm",
        enforcementLevel: "mandatory",
        resource: "aws:lambda/function:Function::oms-place-order",
        message: `Lambda function "${String(placeOrder.state["name"])}" has no alarm on its AWS/Lambda Errors metric (dimension FunctionName)`,
      },
    ] satisfies ReportedViolation[]);
  });

  it("reports a route anyone may call, and lets CORS preflight through", async () => {
    const publicRoute = extra("aws:apigatewayv2/route:Route", "oms-debug", {
      apiId: "oms-id",
      routeKey: "GET /debug",
      target: "integrations/oms-get-order-id",
    });
    const preflight = extra("aws:apigatewayv2/route:Route", "oms-preflight", {
      apiId: "oms-id",
      routeKey: "OPTIONS /orders",
      authorizationType: "NONE",
    });

    const violations = await runPolicies(
      policies,
      altered(dev, (resources) => [...resources, publicRoute, preflight]),
    );

    expect(violations).to.deep.equal([
      {
        policy: "api-routes-authorized",
        enforcementLevel: "mandatory",
        resource: "aws:apigatewayv2/route:Route::oms-debug",
        message:
          'Route "GET /debug" has authorizationType NONE; every route but OPTIONS (CORS preflight) must use JWT, CUSTOM or AWS_IAM',
      },
    ] satisfies ReportedViolation[]);
  });
});
