import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { TableGrant } from "../api/routes";
import type { ApiEvent, ApiHandlerFactory, ApiResult } from "../handlers/http";
import { ArgsChecker, integerBetween, oneOf } from "./component-args";
import { LOG_RETENTION_DAYS } from "./stack-config";

const TYPE = "oms:infra:HandlerFunction";

/**
 * The only `dependencies` the archive carries. The serialized handlers `require` just valibot and
 * `@aws-sdk/*`, and the nodejs24.x runtime ships AWS SDK v3; the `@pulumi/*` packages only run at
 * deployment. A new runtime dependency must be added here, or the function fails at cold start
 * with "Cannot find module" (`test/handlers/serialized-handlers.test.ts` lists what the code needs).
 */
const RUNTIME_PACKAGES: readonly string[] = ["valibot"];

/**
 * `CallbackFunction` packs every `dependencies` entry of package.json with its whole dependency
 * tree; everything there but `RUNTIME_PACKAGES` is left out.
 */
function packagesToExclude(): string[] {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as {
    dependencies?: Record<string, string>;
  };
  return Object.keys(manifest.dependencies ?? {}).filter((name) => !RUNTIME_PACKAGES.includes(name));
}

/** A deployed table, as a function needs it: its physical name and its ARN. */
export interface DeployedTable {
  /** The table's physical name. */
  readonly name: pulumi.Input<string>;
  /** The table's ARN. */
  readonly arn: pulumi.Input<string>;
}

/** A grant with the deployed table it is on. */
interface TableAccess {
  readonly grant: TableGrant;
  readonly table: DeployedTable;
}

/** What a `HandlerFunction` runs, and exactly what it may touch. */
export interface HandlerFunctionArgs {
  /** Builds the handler once per cold start (a route's `handler`), passed to `CallbackFunction` as `callbackFactory`. */
  handler: ApiHandlerFactory;
  /** Every table access the handler makes; the role's policy grants exactly these and nothing else. */
  grants: readonly TableGrant[];
  /** The deployed tables by logical name (`TableDefinition.name`); every granted table must be here. */
  tables: Readonly<Record<string, DeployedTable>>;
  /** Memory, in MB (128 to 10240). */
  memoryMb: pulumi.Input<number>;
  /** Timeout, in seconds (1 to 900). */
  timeoutSeconds: pulumi.Input<number>;
  /** How long the function's log lines are kept, in days (a value CloudWatch Logs accepts). */
  logRetentionDays: pulumi.Input<number>;
}

/**
 * One Lambda function with least privilege: its own log group, and its own role whose single
 * inline policy allows writing to that log group and exactly the route's table grants.
 */
export class HandlerFunction extends pulumi.ComponentResource {
  /** The function's physical name, e.g. the `FunctionName` dimension of its metrics. */
  public readonly functionName: pulumi.Output<string>;
  /** The function's ARN. */
  public readonly functionArn: pulumi.Output<string>;
  /** The ARN API Gateway integrations invoke. */
  public readonly invokeArn: pulumi.Output<string>;
  /** The ARN of the function's execution role. */
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const accesses = tableAccesses(checker, args);
    const memoryMb = checker.input(args.memoryMb, integerBetween("memoryMb", 128, 10240));
    const timeoutSeconds = checker.input(args.timeoutSeconds, integerBetween("timeoutSeconds", 1, 900));
    const logRetentionDays = checker.input(args.logRetentionDays, oneOf("logRetentionDays", LOG_RETENTION_DAYS));
    super(TYPE, name, {}, opts);

    const logGroup = this.createLogGroup(name, logRetentionDays);
    const role = this.createRole(name);
    const policy = this.createPolicy(name, role, logGroup, accesses);
    const fn = this.createFunction(name, args.handler, { role, policy, logGroup, accesses, memoryMb, timeoutSeconds });

    this.functionName = fn.name;
    this.functionArn = fn.arn;
    this.invokeArn = fn.invokeArn;
    this.roleArn = role.arn;
    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      invokeArn: this.invokeArn,
      roleArn: this.roleArn,
    });
  }

  private createLogGroup(name: string, retentionInDays: pulumi.Input<number>): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(`${name}-logs`, { retentionInDays }, { parent: this });
  }

  private createRole(name: string): aws.iam.Role {
    return new aws.iam.Role(
      `${name}-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      { parent: this },
    );
  }

  /** The role's only policy: its own log streams, then each grant on the table itself or on the named indexes only. */
  private createPolicy(
    name: string,
    role: aws.iam.Role,
    logGroup: aws.cloudwatch.LogGroup,
    accesses: readonly TableAccess[],
  ): aws.iam.RolePolicy {
    const tableStatements = accesses.map(({ grant, table }) => ({
      Effect: "Allow",
      Action: [...grant.actions],
      Resource: grant.indexes
        ? grant.indexes.map((index) => pulumi.interpolate`${table.arn}/index/${index.name}`)
        : [table.arn],
    }));
    return new aws.iam.RolePolicy(
      `${name}-access`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
              Resource: [pulumi.interpolate`${logGroup.arn}:*`],
            },
            ...tableStatements,
          ],
        }),
      },
      { parent: this },
    );
  }

  private createFunction(
    name: string,
    handler: ApiHandlerFactory,
    deps: {
      role: aws.iam.Role;
      policy: aws.iam.RolePolicy;
      logGroup: aws.cloudwatch.LogGroup;
      accesses: readonly TableAccess[];
      memoryMb: pulumi.Input<number>;
      timeoutSeconds: pulumi.Input<number>;
    },
  ): aws.lambda.CallbackFunction<ApiEvent, ApiResult> {
    const variables: Record<string, pulumi.Input<string>> = {};
    for (const { grant, table } of deps.accesses) {
      variables[grant.table.envVar] = table.name;
    }
    return new aws.lambda.CallbackFunction<ApiEvent, ApiResult>(
      name,
      {
        callbackFactory: handler,
        role: deps.role,
        runtime: aws.lambda.Runtime.NodeJS24dX,
        architectures: ["arm64"],
        memorySize: deps.memoryMb,
        timeout: deps.timeoutSeconds,
        environment: { variables },
        loggingConfig: { logFormat: "JSON", logGroup: deps.logGroup.name },
        // A fresh list each time: CallbackFunction appends "aws-sdk" to the one it is given.
        codePathOptions: { extraExcludePackages: packagesToExclude() },
      },
      // Without the policy, the first invocations could fail to log or to reach their table.
      { parent: this, dependsOn: [deps.policy, deps.logGroup] },
    );
  }
}

/** Pairs each grant with its deployed table; a grant on a table that is not deployed fails, naming the table. */
function tableAccesses(checker: ArgsChecker, args: HandlerFunctionArgs): TableAccess[] {
  return args.grants.map((grant) => {
    const table = args.tables[grant.table.name];
    if (table === undefined) {
      return checker.fail(`tables.${grant.table.name} is missing but is granted ${grant.actions.join(", ")}`);
    }
    return { grant, table };
  });
}
