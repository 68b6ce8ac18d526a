import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join, resolve, sep } from "node:path";
import { parse } from "yaml";

/** The repository root: where `index.ts` and `Pulumi.<stack>.yaml` live. */
export const PROJECT_ROOT = resolve(__dirname, "..", "..");

/** The account every mocked ARN belongs to. */
export const ACCOUNT_ID = "123456789012";

const PROGRAM = join(PROJECT_ROOT, "index.ts");

/** One resource as the program registered it: what the Pulumi engine would receive. */
export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Readonly<Record<string, unknown>>;
  /** The id the mock gave it: `<name>-id`. */
  readonly id: string;
  /** The outputs the mock gave it: the inputs plus what AWS would compute (names, ARNs, URLs). */
  readonly state: Readonly<Record<string, unknown>>;
}

/** The root stack resource, as `RecordedOptions` names a parent. */
export const ROOT_STACK = "pulumi:pulumi:Stack";

/**
 * One of a resource's aliases: the fields it sets, a former parent named `<type>::<name>`, or
 * `ROOT_STACK` for `pulumi.rootStackResource`, or a former parent's URN as `urn:<urn>`; a URN alias
 * is kept as is.
 */
export type RecordedAlias =
  string | { readonly name?: unknown; readonly type?: unknown; readonly parent?: string | Promise<string> };

/** A resource's options as its constructor received them (the mock engine never sees options). */
export interface RecordedOptions {
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  /** The `dependsOn` resources, as `<type>::<name>`. */
  readonly dependsOn: readonly string[];
  /** The parent, as `<type>::<name>`, or `ROOT_STACK` for a resource the program composes at the top. */
  readonly parent: string;
  readonly aliases: readonly RecordedAlias[];
}

/** A deterministic stand-in for Pulumi's auto-naming suffix, so physical names differ from logical ones. */
function physicalName(type: string, name: string): string {
  return `${name}-${createHash("sha1").update(`${type}::${name}`).digest("hex").slice(0, 7)}`;
}

/**
 * Mocks for `pulumi.runtime.setMocks` that record every resource and answer the provider functions
 * the program calls, with what AWS would compute in `region`. An unexpected call fails loudly.
 */
export class MockRecorder implements pulumi.runtime.Mocks {
  readonly resources: RecordedResource[] = [];

  constructor(private readonly region: string) {}

  newResource(args: pulumi.runtime.MockResourceArgs): pulumi.runtime.MockResourceResult {
    const inputs = args.inputs as Record<string, unknown>;
    const id = `${args.name}-id`;
    const state = { ...inputs, ...this.computed(args.type, args.name, id, inputs) };
    this.resources.push({ type: args.type, name: args.name, inputs, id, state });
    return { id, state };
  }

  call(args: pulumi.runtime.MockCallArgs): pulumi.runtime.MockCallResult {
    switch (args.token) {
      case "aws:index/getRegion:getRegion":
        return {
          id: this.region,
          region: this.region,
          name: this.region,
          endpoint: `ec2.${this.region}.amazonaws.com`,
        };
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return {
          id: ACCOUNT_ID,
          accountId: ACCOUNT_ID,
          arn: `arn:aws:iam::${ACCOUNT_ID}:user/deployer`,
          userId: "AIDMOCK",
        };
      default:
        throw new Error(`The mocks do not answer ${args.token}`);
    }
  }

  /** The outputs AWS computes for the resource types the program reads outputs from. */
  private computed(type: string, name: string, id: string, inputs: Record<string, unknown>): Record<string, unknown> {
    const region = this.region;
    const physical = typeof inputs["name"] === "string" ? inputs["name"] : physicalName(type, name);
    switch (type) {
      case "aws:dynamodb/table:Table": {
        const arn = `arn:aws:dynamodb:${region}:${ACCOUNT_ID}:table/${physical}`;
        // DynamoDB labels a stream with the time it was enabled; a fixed label keeps ARNs stable.
        const streamLabel = "2026-01-01T00:00:00.000";
        return inputs["streamEnabled"] === true
          ? { name: physical, arn, streamLabel, streamArn: `${arn}/stream/${streamLabel}` }
          : { name: physical, arn };
      }
      case "aws:sqs/queue:Queue":
        return {
          name: physical,
          arn: `arn:aws:sqs:${region}:${ACCOUNT_ID}:${physical}`,
          url: `https://sqs.${region}.amazonaws.com/${ACCOUNT_ID}/${physical}`,
        };
      case "aws:sesv2/emailIdentity:EmailIdentity":
        return { arn: `arn:aws:ses:${region}:${ACCOUNT_ID}:identity/${String(inputs["emailIdentity"])}` };
      case "aws:sesv2/configurationSet:ConfigurationSet":
        return {
          arn: `arn:aws:ses:${region}:${ACCOUNT_ID}:configuration-set/${String(inputs["configurationSetName"])}`,
        };
      case "aws:lambda/eventSourceMapping:EventSourceMapping":
        return { uuid: `${id}-uuid`, functionArn: inputs["functionName"] };
      case "aws:cloudwatch/logGroup:LogGroup":
        return { name: physical, arn: `arn:aws:logs:${region}:${ACCOUNT_ID}:log-group:${physical}` };
      case "aws:iam/role:Role":
        return { name: physical, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${physical}` };
      case "aws:lambda/function:Function": {
        const arn = `arn:aws:lambda:${region}:${ACCOUNT_ID}:function:${physical}`;
        const invokeArn = `arn:aws:apigateway:${region}:lambda:path/2015-03-31/functions/${arn}/invocations`;
        return { name: physical, arn, invokeArn };
      }
      case "aws:apigatewayv2/api:Api":
        return {
          apiEndpoint: `https://${id}.execute-api.${region}.amazonaws.com`,
          executionArn: `arn:aws:execute-api:${region}:${ACCOUNT_ID}:${id}`,
        };
      case "aws:apigatewayv2/stage:Stage":
        return { invokeUrl: `https://${String(inputs["apiId"])}.execute-api.${region}.amazonaws.com/` };
      case "aws:cognito/userPool:UserPool":
        return { arn: `arn:aws:cognito-idp:${region}:${ACCOUNT_ID}:userpool/${id}` };
      case "aws:sns/topic:Topic":
        return { name: physical, arn: `arn:aws:sns:${region}:${ACCOUNT_ID}:${physical}` };
      case "aws:sfn/stateMachine:StateMachine":
        return { name: physical, arn: `arn:aws:states:${region}:${ACCOUNT_ID}:stateMachine:${physical}` };
      case "aws:apigatewayv2/domainName:DomainName": {
        const configuration = inputs["domainNameConfiguration"] as Record<string, unknown>;
        return {
          domainNameConfiguration: {
            ...configuration,
            targetDomainName: `d-${id}.execute-api.${region}.amazonaws.com`,
            hostedZoneId: "ZMOCKAPIGATEWAY",
          },
        };
      }
      case "aws:wafv2/webAcl:WebAcl": {
        // A CloudFront web ACL is global: its ARN names us-east-1 whatever the stack's region.
        const aclRegion = typeof inputs["region"] === "string" ? inputs["region"] : region;
        return { name: physical, arn: `arn:aws:wafv2:${aclRegion}:${ACCOUNT_ID}:global/webacl/${physical}/${id}` };
      }
      case "aws:cloudfront/distribution:Distribution":
        return {
          domainName: `d${physicalName(type, name).slice(-7)}.cloudfront.net`,
          arn: `arn:aws:cloudfront::${ACCOUNT_ID}:distribution/${id}`,
        };
      default:
        return {};
    }
  }
}

/** The program's run under mocks for one stack: what it registered and what it exported. */
export class Deployment {
  constructor(
    readonly stack: string,
    readonly resources: readonly RecordedResource[],
    readonly outputs: Readonly<Record<string, unknown>>,
    private readonly options: ReadonlyMap<string, RecordedOptions>,
  ) {}

  /** Every resource of `type`, in registration order. */
  ofType(type: string): RecordedResource[] {
    return this.resources.filter((resource) => resource.type === type);
  }

  /** The resource of `type` named `name`; fails when there is none. */
  named(type: string, name: string): RecordedResource {
    const found = this.resources.find((resource) => resource.type === type && resource.name === name);
    if (!found) {
      throw new Error(
        `No ${type} named ${name}; there are: ${this.ofType(type)
          .map((r) => r.name)
          .join(", ")}`,
      );
    }
    return found;
  }

  /** The resource of `type` whose id is `id`; fails when there is none. */
  withId(type: string, id: string): RecordedResource {
    const found = this.resources.find((resource) => resource.type === type && resource.id === id);
    if (!found) {
      throw new Error(`No ${type} with id ${id}`);
    }
    return found;
  }

  /** The options the resource of `type` named `name` was constructed with. */
  optionsOf(type: string, name: string): RecordedOptions {
    const found = this.options.get(`${type}::${name}`);
    if (!found) {
      throw new Error(`No options recorded for ${type} named ${name}`);
    }
    return found;
  }
}

/** A stack's config as the Pulumi CLI hands it to the program: strings verbatim, anything else as JSON text. */
export function stackConfig(stack: string): Record<string, string> {
  const file = parse(readFileSync(join(PROJECT_ROOT, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  };
  return Object.fromEntries(
    Object.entries(file.config ?? {}).map(([key, value]) => [
      key,
      typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
}

function recordAlias(
  alias: pulumi.Input<string | pulumi.Alias>,
  nameOf: (parent: pulumi.Resource | undefined) => string,
): RecordedAlias {
  if (typeof alias === "string") {
    return alias;
  }
  if (pulumi.Output.isInstance(alias) || alias instanceof Promise) {
    throw new Error("The mocks record only aliases given as plain values");
  }
  const { parent, ...rest } = alias;
  if (!("parent" in alias)) {
    return rest;
  }
  if (parent !== undefined && !pulumi.Resource.isInstance(parent)) {
    // A former parent named by its URN, which resolves once the program runs.
    return { ...rest, parent: outputValue(pulumi.output(parent)).then((urn) => `urn:${urn}`) };
  }
  return { ...rest, parent: nameOf(parent) };
}

/** The value an output resolves to (under mocks every output resolves). */
export function outputValue<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/** The program runs when it is loaded, so every run must load it, and what it imports, anew. */
function forgetProgramModules(): void {
  const testDir = join(PROJECT_ROOT, "test") + sep;
  const dependencies = `${sep}node_modules${sep}`;
  for (const key of Object.keys(require.cache)) {
    if (key.startsWith(PROJECT_ROOT + sep) && !key.startsWith(testDir) && !key.includes(dependencies)) {
      delete require.cache[key];
    }
  }
}

/**
 * Runs `index.ts` as `pulumi up` would for `stack` with `config` (keys like `oms:throttle`), on
 * mocks, inside a root stack resource so that a stack transformation can record resource options.
 * Resolves once every resource is registered; rejects with the program's error.
 */
export function runProgram(
  stack: string,
  config: Record<string, string>,
  recorder = new MockRecorder(config["aws:region"] ?? "us-east-1"),
): Promise<Deployment> {
  return runOnMocks(stack, config, recorder, () => {
    forgetProgramModules();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading the program is running it
    return require(PROGRAM) as Record<string, unknown>;
  });
}

/**
 * Runs `build` (which constructs components, as a spec's own small program) on mocks, the way
 * `runProgram` runs `index.ts`: what it registers is recorded, and what it returns is the outputs.
 */
export function runComponents(
  build: () => Record<string, unknown> | void,
  region = "eu-west-1",
  stack = "test",
): Promise<Deployment> {
  return runOnMocks(stack, { "aws:region": region }, new MockRecorder(region), () => build() ?? {});
}

async function runOnMocks(
  stack: string,
  config: Record<string, string>,
  recorder: MockRecorder,
  program: () => Record<string, unknown>,
): Promise<Deployment> {
  const options = new Map<string, RecordedOptions>();
  const names = new Map<pulumi.Resource, string>();
  await pulumi.runtime.setMocks(recorder, "oms", stack);
  pulumi.runtime.setAllConfig(config);
  let outputs: Record<string, unknown> | undefined;
  try {
    outputs = await pulumi.runtime.runInPulumiStack(() => {
      pulumi.runtime.registerStackTransformation(({ resource, type, name, opts }) => {
        names.set(resource, `${type}::${name}`);
        const dependsOn = opts.dependsOn === undefined ? [] : [opts.dependsOn].flat();
        const nameOf = (parent: pulumi.Resource | undefined) =>
          parent === undefined || parent === pulumi.runtime.getStackResource()
            ? ROOT_STACK
            : (names.get(parent) ?? "unknown");
        options.set(`${type}::${name}`, {
          ...(opts.protect === undefined ? {} : { protect: opts.protect }),
          ...(opts.retainOnDelete === undefined ? {} : { retainOnDelete: opts.retainOnDelete }),
          dependsOn: dependsOn.map((dependency) => names.get(dependency as pulumi.Resource) ?? "unknown"),
          parent: nameOf(opts.parent),
          aliases: (opts.aliases ?? []).map((alias) => recordAlias(alias, nameOf)),
        });
        return undefined;
      });
      return Promise.resolve(program());
    });
  } finally {
    // Waits for every registration, including those no output depends on (alarms, permissions).
    await pulumi.runtime.disconnect();
  }
  return new Deployment(stack, recorder.resources, outputs ?? {}, options);
}

const deployments = new Map<string, Promise<Deployment>>();

/** The program deployed on mocks with `Pulumi.<stack>.yaml`, run once per stack and shared by every spec. */
export function deployStack(stack: string): Promise<Deployment> {
  let deployment = deployments.get(stack);
  if (!deployment) {
    deployment = runProgram(stack, stackConfig(stack));
    deployments.set(stack, deployment);
  }
  return deployment;
}
