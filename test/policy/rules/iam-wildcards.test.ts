import { expect } from "chai";
import { AWS_REQUIRES_WILDCARD_ACTIONS } from "../../../infra/iam";
import { iamWildcardViolations } from "../../../policy/rules/iam-wildcards";

const LOG_GROUP = "arn:aws:logs:eu-west-1:123456789012:log-group:oms-place-order-logs-1a2b3c4";
const TABLE = "arn:aws:dynamodb:eu-west-1:123456789012:table/oms-orders-5d6e7f8";

/** A policy document as the program writes it: JSON text. */
function policy(...statements: object[]): string {
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

describe("iamWildcardViolations", () => {
  const cases: { what: string; type: string; props: Record<string, unknown>; violations: string[] }[] = [
    {
      what: "a role policy naming its actions, its table and its log streams",
      type: "aws:iam/rolePolicy:RolePolicy",
      props: {
        policy: policy(
          { Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${LOG_GROUP}:*`] },
          { Effect: "Allow", Action: ["dynamodb:GetItem"], Resource: [TABLE, `${TABLE}/index/byUser`] },
        ),
      },
      violations: [],
    },
    {
      what: 'X-Ray and log delivery actions on "*", as AWS requires',
      type: "aws:iam/rolePolicy:RolePolicy",
      props: {
        policy: policy({
          Sid: "AwsRequiresWildcard",
          Effect: "Allow",
          Action: AWS_REQUIRES_WILDCARD_ACTIONS,
          Resource: "*",
        }),
      },
      violations: [],
    },
    {
      what: "a Deny of everything",
      type: "aws:iam/policy:Policy",
      props: { policy: policy({ Effect: "Deny", Action: "*", Resource: "*" }) },
      violations: [],
    },
    {
      what: "a policy given as an object rather than JSON text",
      type: "aws:iam/policy:Policy",
      props: {
        policy: { Version: "2012-10-17", Statement: { Effect: "Allow", Action: "sns:Publish", Resource: "*" } },
      },
      violations: [
        'Statement 1 allows sns:Publish on every resource ("*"); only actions AWS accepts on nothing else may use "*"',
      ],
    },
    {
      what: 'Action "*"',
      type: "aws:iam/rolePolicy:RolePolicy",
      props: { policy: policy({ Effect: "Allow", Action: "*", Resource: TABLE }) },
      violations: ['Statement 1 allows the wildcard action "*"'],
    },
    {
      what: "a service-wide action in the second statement, named by its Sid",
      type: "aws:iam/rolePolicy:RolePolicy",
      props: {
        policy: policy(
          { Effect: "Allow", Action: "dynamodb:GetItem", Resource: TABLE },
          { Sid: "Tables", Effect: "Allow", Action: ["dynamodb:Query", "dynamodb:*"], Resource: TABLE },
        ),
      },
      violations: ['Statement 2 (Tables) allows the wildcard action "dynamodb:*"'],
    },
    {
      what: "an action prefix",
      type: "aws:iam/userPolicy:UserPolicy",
      props: { policy: policy({ Effect: "Allow", Action: "dynamodb:Get?tem", Resource: TABLE }) },
      violations: ['Statement 1 allows the wildcard action "dynamodb:Get?tem"'],
    },
    {
      what: 'an action that has resource types, on "*", next to one that has none',
      type: "aws:iam/rolePolicy:RolePolicy",
      props: {
        policy: policy({ Effect: "Allow", Action: ["xray:PutTraceSegments", "dynamodb:GetItem"], Resource: ["*"] }),
      },
      violations: [
        'Statement 1 allows dynamodb:GetItem on every resource ("*"); only actions AWS accepts on nothing else may use "*"',
      ],
    },
    {
      what: "every object of a bucket",
      type: "aws:iam/groupPolicy:GroupPolicy",
      props: { policy: policy({ Effect: "Allow", Action: "s3:GetObject", Resource: "arn:aws:s3:::oms-exports/*" }) },
      violations: ['Statement 1 allows the wildcard resource "arn:aws:s3:::oms-exports/*"'],
    },
    {
      what: "every index of a table",
      type: "aws:iam/rolePolicy:RolePolicy",
      props: { policy: policy({ Effect: "Allow", Action: "dynamodb:Query", Resource: `${TABLE}/index/*` }) },
      violations: [`Statement 1 allows the wildcard resource "${TABLE}/index/*"`],
    },
    {
      what: "the log streams of every log group",
      type: "aws:iam/rolePolicy:RolePolicy",
      props: {
        policy: policy({
          Effect: "Allow",
          Action: "logs:PutLogEvents",
          Resource: "arn:aws:logs:eu-west-1:123456789012:log-group:*:*",
        }),
      },
      violations: ['Statement 1 allows the wildcard resource "arn:aws:logs:eu-west-1:123456789012:log-group:*:*"'],
    },
    {
      what: "NotAction and NotResource in an Allow",
      type: "aws:iam/rolePolicy:RolePolicy",
      props: { policy: policy({ Effect: "Allow", NotAction: "iam:*", NotResource: TABLE }) },
      violations: [
        "Statement 1 allows NotAction: everything but the actions it lists",
        "Statement 1 allows NotResource: everything but the resources it lists",
      ],
    },
    {
      what: "a document that is not JSON",
      type: "aws:iam/rolePolicy:RolePolicy",
      props: { policy: "{ Statement: [" },
      violations: ["The policy is not a JSON document"],
    },
    {
      what: "a role whose second inline policy allows everything",
      type: "aws:iam/role:Role",
      props: {
        assumeRolePolicy: policy({
          Effect: "Allow",
          Principal: { Service: "lambda.amazonaws.com" },
          Action: "sts:AssumeRole",
        }),
        inlinePolicies: [
          { name: "reads", policy: policy({ Effect: "Allow", Action: "dynamodb:GetItem", Resource: TABLE }) },
          { name: "admin", policy: policy({ Effect: "Allow", Action: "*", Resource: "*" }) },
        ],
      },
      violations: [
        'Inline policy "admin": statement 1 allows the wildcard action "*"',
        'Inline policy "admin": statement 1 allows * on every resource ("*"); only actions AWS accepts on nothing else may use "*"',
      ],
    },
    {
      what: "a role's trust policy, which grants no permissions",
      type: "aws:iam/role:Role",
      props: { assumeRolePolicy: policy({ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }) },
      violations: [],
    },
    {
      what: "a resource that holds no identity policy",
      type: "aws:sns/topicPolicy:TopicPolicy",
      props: { policy: policy({ Effect: "Allow", Principal: "*", Action: "sns:*", Resource: "*" }) },
      violations: [],
    },
  ];

  for (const { what, type, props, violations } of cases) {
    it(`reports ${violations.length === 0 ? "nothing" : violations.length} for ${what}`, () => {
      expect(iamWildcardViolations(type, props)).to.deep.equal(violations);
    });
  }
});
