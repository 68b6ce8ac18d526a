/** The stacks whose tables must survive a bad deploy or a bad write, unless the pack is configured otherwise. */
export const DEFAULT_PROTECTED_STACKS: readonly string[] = ["prod"];

const TABLE_TYPE = "aws:dynamodb/table:Table";

/**
 * What keeps a DynamoDB table of a protected stack from losing data: point-in-time recovery (a bad
 * write can be undone) and deletion protection (a bad deploy cannot drop it). Tables of other
 * stacks may go without both.
 */
export function tableProtectionViolations(
  type: string,
  props: Readonly<Record<string, unknown>>,
  stack: string,
  protectedStacks: readonly string[],
): string[] {
  if (type !== TABLE_TYPE || !protectedStacks.includes(stack)) {
    return [];
  }
  const violations: string[] = [];
  const pointInTimeRecovery = props["pointInTimeRecovery"] as { enabled?: unknown } | undefined;
  if (pointInTimeRecovery?.enabled !== true) {
    violations.push(
      `A DynamoDB table of the ${stack} stack must have point-in-time recovery (pointInTimeRecovery.enabled: true)`,
    );
  }
  if (props["deletionProtectionEnabled"] !== true) {
    violations.push(
      `A DynamoDB table of the ${stack} stack must have deletion protection (deletionProtectionEnabled: true)`,
    );
  }
  return violations;
}

/** The stack a resource belongs to, from its URN (`urn:pulumi:<stack>::<project>::<type>::<name>`). */
export function stackOfUrn(urn: string): string {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  if (match?.[1] === undefined) {
    throw new Error(`Not a resource URN: ${urn}`);
  }
  return match[1];
}
