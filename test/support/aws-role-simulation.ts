import { runSimulation } from "@cloud-copilot/iam-simulate";
import { actionMatchesPattern, resourceArnWithWildcardsToRegex } from "@cloud-copilot/iam-utils";
import type { InvocationTarget } from "../../local/invocation";
import type { RecordedCall, TouchedResource } from "./aws-call-recording";
import { ACCOUNT_ID, type Deployment, type RecordedResource } from "./pulumi-mocks";

/**
 * What a deployment gives each function and the state machine: the role they run under, its
 * policies, and the ARNs of what the local stack calls by logical name. `@cloud-copilot/iam-simulate`
 * (AGPL-3.0) evaluates calls against them; it stays in test code.
 */

/** A role as IAM evaluates it: its ARN and every identity policy attached to it. */
export interface RolePolicies {
  readonly roleArn: string;
  readonly policies: readonly { readonly name: string; readonly policy: unknown }[];
}

/** One permission a policy grants: an action (pattern) on a resource (pattern). */
export interface Grant {
  readonly action: string;
  readonly resource: string;
}

/** A deployed resource's logical name: its Pulumi name after the component's (`oms-orders` is `orders`). */
function logicalName(resource: RecordedResource): string {
  return resource.name.slice(resource.name.indexOf("-") + 1);
}

const TYPES = {
  table: "aws:dynamodb/table:Table",
  topic: "aws:sns/topic:Topic",
  stateMachine: "aws:sfn/stateMachine:StateMachine",
  function: "aws:lambda/function:Function",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  rolePolicyAttachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  policy: "aws:iam/policy:Policy",
  emailIdentity: "aws:sesv2/emailIdentity:EmailIdentity",
  queue: "aws:sqs/queue:Queue",
  configurationSet: "aws:sesv2/configurationSet:ConfigurationSet",
} as const;

export class DeployedRoles {
  constructor(private readonly deployment: Deployment) {}

  /** The one resource of `type` whose logical name is `logical`; fails, naming what there is, otherwise. */
  private byLogicalName(type: string, logical: string): RecordedResource {
    const found = this.deployment.ofType(type).filter((resource) => logicalName(resource) === logical);
    if (found.length !== 1) {
      const names = this.deployment.ofType(type).map((resource) => resource.name);
      throw new Error(
        `The ${this.deployment.stack} stack has ${found.length} ${type} named <component>-${logical}: ${names.join(", ")}`,
      );
    }
    return found[0] as RecordedResource;
  }

  /** The deployed resource the local stack's `localName` stands for: the one whose logical name it ends with. */
  private endingLocalName(type: string, localName: string): RecordedResource {
    const logical = this.deployment
      .ofType(type)
      .map(logicalName)
      .filter((name) => localName === name || localName.endsWith(`-${name}`));
    if (logical.length !== 1) {
      throw new Error(`The ${this.deployment.stack} stack has ${logical.length} ${type} that ${localName} stands for`);
    }
    return this.byLogicalName(type, logical[0] as string);
  }

  private runsAs(target: InvocationTarget): RecordedResource {
    return target.kind === "function"
      ? this.byLogicalName(TYPES.function, target.functionName)
      : this.byLogicalName(TYPES.stateMachine, target.name);
  }

  /** The role `target` runs under in this deployment, with every identity policy it has. */
  roleOf(target: InvocationTarget): RolePolicies {
    const runner = this.runsAs(target);
    const roleArn = String(runner.inputs[target.kind === "function" ? "role" : "roleArn"]);
    const role = this.deployment.ofType(TYPES.role).find((candidate) => candidate.state["arn"] === roleArn);
    if (role === undefined) throw new Error(`${runner.name} runs as ${roleArn}, which the deployment does not create`);
    const names = [role.id, role.state["name"]];
    const inline = this.deployment
      .ofType(TYPES.rolePolicy)
      .filter((policy) => names.includes(policy.inputs["role"]))
      .map((policy) => ({ name: policy.name, policy: parsed(policy.inputs["policy"]) }));
    const embedded = ((role.inputs["inlinePolicies"] ?? []) as { name?: unknown; policy?: unknown }[]).map(
      (policy) => ({ name: `${role.name}/${String(policy.name)}`, policy: parsed(policy.policy) }),
    );
    const attached = this.deployment
      .ofType(TYPES.rolePolicyAttachment)
      .filter((attachment) => names.includes(attachment.inputs["role"]))
      .map((attachment) => {
        const policy = this.deployment
          .ofType(TYPES.policy)
          .find((p) => p.state["arn"] === attachment.inputs["policyArn"]);
        if (policy === undefined) {
          throw new Error(
            `${role.name} has ${String(attachment.inputs["policyArn"])} attached, whose document the deployment does not hold`,
          );
        }
        return { name: policy.name, policy: parsed(policy.inputs["policy"]) };
      });
    return { roleArn, policies: [...inline, ...embedded, ...attached] };
  }

  /** The ARN a call's resource has in this deployment. */
  arnOf(resource: TouchedResource): string {
    switch (resource.kind) {
      case "table": {
        const arn = String(this.byLogicalName(TYPES.table, resource.table).state["arn"]);
        return resource.index === undefined ? arn : `${arn}/index/${resource.index}`;
      }
      case "topic":
        return String(this.endingLocalName(TYPES.topic, resource.localName).state["arn"]);
      case "stateMachine":
        return String(this.endingLocalName(TYPES.stateMachine, resource.localName).state["arn"]);
      case "function":
        return String(this.byLogicalName(TYPES.function, resource.functionName).state["arn"]);
      // The stack's sender is its `mail-from` identity (infra/customer-mail.ts), whatever its address.
      case "senderIdentity":
        return String(this.byLogicalName(TYPES.emailIdentity, "mail-from").state["arn"]);
      case "configurationSet":
        return String(this.endingLocalName(TYPES.configurationSet, resource.localName).state["arn"]);
      case "unknown":
        throw new Error(`The recorder could not tell which resource ${resource.description} is`);
    }
  }

  /** Every action × resource the role of `target` allows, as its policies write them. */
  grantsOf(target: InvocationTarget): Grant[] {
    return this.roleOf(target).policies.flatMap(({ policy }) =>
      listOf((policy as { Statement?: unknown }).Statement)
        .filter((statement) => (statement as { Effect?: unknown }).Effect === "Allow")
        .flatMap((statement) => {
          const { Action, Resource } = statement as { Action?: unknown; Resource?: unknown };
          return listOf(Action).flatMap((action) =>
            listOf(Resource).map((resource) => ({ action: String(action), resource: String(resource) })),
          );
        }),
    );
  }

  /**
   * A grant's resource as the justifications name it, the same on every stack: `table:orders`,
   * `table:orders/index:byOwner`, `stream:orders` (a table's change stream), `queue:customer-mail`,
   * `topic:order-events`, `function:check-inventory`, `own log group` (the log streams of the
   * caller's own log group), or `*`.
   */
  labelOf(target: InvocationTarget, arn: string): string {
    if (arn === "*") return "*";
    const runner = this.runsAs(target);
    const ownLogGroup =
      target.kind === "function"
        ? this.deployment
            .ofType(TYPES.logGroup)
            .find(
              (group) => group.state["name"] === (runner.inputs["loggingConfig"] as { logGroup?: unknown })?.logGroup,
            )
        : this.deployment
            .ofType(TYPES.logGroup)
            .find(
              (group) =>
                `${String(group.state["arn"])}:*` ===
                (runner.inputs["loggingConfiguration"] as { logDestination?: unknown })?.logDestination,
            );
    if (ownLogGroup !== undefined && arn === `${String(ownLogGroup.state["arn"])}:*`) return "own log group";
    for (const table of this.deployment.ofType(TYPES.table)) {
      if (table.state["streamArn"] !== undefined && arn === String(table.state["streamArn"])) {
        return `stream:${logicalName(table)}`;
      }
    }
    for (const [kind, type] of [
      ["queue", TYPES.queue],
      ["table", TYPES.table],
      ["topic", TYPES.topic],
      ["stateMachine", TYPES.stateMachine],
      ["function", TYPES.function],
    ] as const) {
      for (const resource of this.deployment.ofType(type)) {
        const base = String(resource.state["arn"]);
        if (arn === base) return `${kind}:${logicalName(resource)}`;
        const index =
          kind === "table" && arn.startsWith(`${base}/index/`) ? arn.slice(`${base}/index/`.length) : undefined;
        if (index !== undefined) return `${kind}:${logicalName(resource)}/index:${index}`;
      }
    }
    return arn;
  }
}

/** Whether a recorded call, made on `arn`, is one `grant` allows. */
export function grantCovers(grant: Grant, action: string, arn: string): boolean {
  return actionMatchesPattern(action, grant.action) && resourceArnWithWildcardsToRegex(grant.resource).test(arn);
}

/**
 * How IAM answers `call` on `arn` for `role`: `Allowed`, `ImplicitlyDenied`, `ExplicitlyDenied`,
 * or the simulator's complaint about the request or the policies.
 */
export async function simulate(role: RolePolicies, call: RecordedCall, arn: string): Promise<string> {
  const result = await runSimulation(
    {
      request: {
        principal: role.roleArn,
        action: call.action,
        resource: { resource: arn, accountId: ACCOUNT_ID },
        contextVariables: { ...call.context },
      },
      identityPolicies: role.policies.map(({ name, policy }) => ({ name, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    },
    {},
  );
  return result.resultType === "error" ? `error: ${result.errors.message}` : result.overallResult;
}

function parsed(policy: unknown): unknown {
  return typeof policy === "string" ? (JSON.parse(policy) as unknown) : policy;
}

function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}
