import type {
  EnforcementLevel,
  PolicyResource,
  PolicyResourceOptions,
  ResourceValidationPolicy,
  StackValidationPolicy,
} from "@pulumi/policy";
import type { Resource } from "@pulumi/pulumi";
import type { Deployment, RecordedResource } from "./pulumi-mocks";

/** One violation a policy reported, as `pulumi preview` would list it. */
export interface ReportedViolation {
  readonly policy: string;
  readonly enforcementLevel: EnforcementLevel;
  /** The resource it is about, as `<type>::<name>`, or `stack` for a stack violation without one. */
  readonly resource: string;
  readonly message: string;
}

/** A policy's config, as `--policy-pack-config` would hand it: by policy name. */
export type PackConfig = Readonly<Record<string, object>>;

/** The engine's URN of a resource, without the parent chain that a real URN carries and no policy reads. */
export function urnOf(stack: string, resource: Pick<RecordedResource, "type" | "name">): string {
  return `urn:pulumi:${stack}::oms::${resource.type}::${resource.name}`;
}

const OPTIONS: PolicyResourceOptions = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

/** What `pulumi.Resource` subclasses carry as their type token, which `isType` compares. */
function isTypeOf(type: string, resourceClass: unknown): boolean {
  return (resourceClass as { __pulumiType?: unknown }).__pulumiType === type;
}

function notApplicable(reason?: string): never {
  throw new Error(`A policy declared itself not applicable: ${reason ?? "no reason given"}`);
}

/**
 * Runs `policies` over what the program registered on mocks, as the Pulumi engine runs a policy
 * pack: each resource policy once per resource, with its inputs, and each stack policy once, with
 * every resource's outputs. Resolves with every violation reported, in that order.
 */
export async function runPolicies(
  policies: readonly (ResourceValidationPolicy | StackValidationPolicy)[],
  deployment: Pick<Deployment, "stack" | "resources">,
  config: PackConfig = {},
): Promise<ReportedViolation[]> {
  const { stack, resources } = deployment;
  const reported: ReportedViolation[] = [];
  const resourceKeys = new Map(resources.map((resource) => [urnOf(stack, resource), key(resource)]));
  for (const policy of policies) {
    const enforcementLevel = policy.enforcementLevel ?? "advisory";
    const getConfig = <T extends object>(): T => (config[policy.name] ?? {}) as T;
    if ("validateStack" in policy) {
      const stackResources = resources.map((resource) => stackResource(stack, resource));
      await policy.validateStack(
        { resources: stackResources, stackTags: new Map(), getConfig, notApplicable },
        (message, urn) =>
          reported.push({
            policy: policy.name,
            enforcementLevel,
            resource: urn === undefined ? "stack" : (resourceKeys.get(urn) ?? urn),
            message,
          }),
      );
      continue;
    }
    const validations = [policy.validateResource ?? []].flat();
    for (const resource of resources) {
      for (const validate of validations) {
        await validate(
          {
            type: resource.type,
            props: resource.inputs,
            urn: urnOf(stack, resource),
            name: resource.name,
            opts: OPTIONS,
            stackTags: new Map(),
            isType: (resourceClass: unknown) => isTypeOf(resource.type, resourceClass),
            asType: <TResource extends Resource, TArgs>(resourceClass: {
              new (name: string, args: TArgs, ...rest: never[]): TResource;
            }) => (isTypeOf(resource.type, resourceClass) ? (resource.inputs as never) : undefined),
            getConfig,
            notApplicable,
          },
          (message) => reported.push({ policy: policy.name, enforcementLevel, resource: key(resource), message }),
        );
      }
    }
  }
  return reported;
}

function key(resource: Pick<RecordedResource, "type" | "name">): string {
  return `${resource.type}::${resource.name}`;
}

function stackResource(stack: string, resource: RecordedResource): PolicyResource {
  return {
    type: resource.type,
    name: resource.name,
    urn: urnOf(stack, resource),
    props: resource.state,
    opts: OPTIONS,
    dependencies: [],
    propertyDependencies: {},
    isType: (resourceClass: unknown) => isTypeOf(resource.type, resourceClass),
    asType: () => undefined,
  };
}
