import { AWS_REQUIRES_WILDCARD_ACTIONS } from "../../infra/iam";

/** The resource types whose `policy` input is an identity policy document. */
const POLICY_DOCUMENT_TYPES: readonly string[] = [
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/policy:Policy",
  "aws:iam/userPolicy:UserPolicy",
  "aws:iam/groupPolicy:GroupPolicy",
];

const ROLE_TYPE = "aws:iam/role:Role";

/** The log streams of one log group: the only ARN with a wildcard a statement may name. */
const LOG_STREAMS_OF_A_LOG_GROUP = /^arn:aws[a-z-]*:logs:[a-z0-9-]+:\d{12}:log-group:[^*?]+:\*$/;

interface Statement {
  readonly Sid?: unknown;
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly NotAction?: unknown;
  readonly Resource?: unknown;
  readonly NotResource?: unknown;
}

/**
 * What is wrong with the identity policies of one resource: an allowed action with a wildcard; an
 * allowed resource with a wildcard, except `*` for the actions AWS accepts on nothing else (infra's
 * `AWS_REQUIRES_WILDCARD_ACTIONS`, the one list the program grants them from) and a named log
 * group's `:*` log streams; an Allow with NotAction or NotResource; a document that is not JSON.
 * Role inline policies are checked one by one. Deny statements may use anything.
 */
export function iamWildcardViolations(type: string, props: Readonly<Record<string, unknown>>): string[] {
  if (POLICY_DOCUMENT_TYPES.includes(type)) {
    return documentViolations(props["policy"], "");
  }
  if (type === ROLE_TYPE && Array.isArray(props["inlinePolicies"])) {
    return (props["inlinePolicies"] as unknown[]).flatMap((inline) => {
      const { name, policy } = (inline ?? {}) as { name?: unknown; policy?: unknown };
      return policy === undefined ? [] : documentViolations(policy, `Inline policy "${String(name)}": `);
    });
  }
  return [];
}

function documentViolations(policy: unknown, prefix: string): string[] {
  let document: unknown = policy;
  if (typeof policy === "string") {
    try {
      document = JSON.parse(policy) as unknown;
    } catch {
      return [capitalized(`${prefix}the policy is not a JSON document`)];
    }
  }
  const statement = (document as { Statement?: unknown } | null)?.Statement;
  const statements = (Array.isArray(statement) ? statement : [statement]).filter(
    (s): s is Statement => typeof s === "object" && s !== null,
  );
  return statements.flatMap((s, index) => {
    const where = `${prefix}statement ${index + 1}${typeof s.Sid === "string" && s.Sid !== "" ? ` (${s.Sid})` : ""}`;
    return s.Effect === "Deny" ? [] : allowViolations(s, capitalized(where));
  });
}

function allowViolations(statement: Statement, where: string): string[] {
  const violations: string[] = [];
  if (statement.NotAction !== undefined) {
    violations.push(`${where} allows NotAction: everything but the actions it lists`);
  }
  if (statement.NotResource !== undefined) {
    violations.push(`${where} allows NotResource: everything but the resources it lists`);
  }
  const actions = listOf(statement.Action);
  for (const action of actions.filter(hasWildcard)) {
    violations.push(`${where} allows the wildcard action "${action}"`);
  }
  for (const resource of listOf(statement.Resource)) {
    if (resource === "*") {
      const needingResources = actions.filter((action) => !requiresAnyResource(action));
      if (needingResources.length > 0) {
        violations.push(
          `${where} allows ${needingResources.join(", ")} on every resource ("*"); only actions AWS accepts on nothing else may use "*"`,
        );
      }
    } else if (hasWildcard(resource) && !LOG_STREAMS_OF_A_LOG_GROUP.test(resource)) {
      violations.push(`${where} allows the wildcard resource "${resource}"`);
    }
  }
  return violations;
}

function requiresAnyResource(action: string): boolean {
  return AWS_REQUIRES_WILDCARD_ACTIONS.some((allowed) => allowed.toLowerCase() === action.toLowerCase());
}

function listOf(value: unknown): string[] {
  return (Array.isArray(value) ? value : value === undefined ? [] : [value]).map(String);
}

function hasWildcard(value: string): boolean {
  return value.includes("*") || value.includes("?");
}

function capitalized(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
