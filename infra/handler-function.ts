import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { SERVICE_ENV } from "../handlers/adapters/from-environment";
import type { ApiHandlerFactory } from "../handlers/http";
import type { TaskHandlerFactory } from "../handlers/tasks/task";
import type { eventPublisher, orderMailer, reservationSweeper } from "../events/functions";
import { BUSINESS_METRICS_SERVICE, businessMetricsNamespace } from "../monitoring/alarms";
import type { ServiceGrant, TableGrant } from "../storage/access";
import { lambdaMemoryMb, lambdaTimeoutSeconds, logRetentionDays as logRetentionDaysRule } from "./aws-limits";
import { ArgsChecker, stackName } from "./component-args";
import { LAMBDA_HANDLER, handlerArchive } from "./handler-code";
import { STREAM_LISTING_ACTIONS, XRAY_TRACING_ACTIONS, awsRequiresWildcardStatement } from "./iam";

const TYPE = "oms:infra:HandlerFunction";

/** Where Powertools Metrics reads the namespace and the `service` dimension of the business metrics. */
const POWERTOOLS_METRICS_ENV = {
  namespace: "POWERTOOLS_METRICS_NAMESPACE",
  service: "POWERTOOLS_SERVICE_NAME",
} as const;

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

/** The deployed resources, other than tables, that service grants are on, and the values their adapters read. */
export interface ServiceArns {
  /** The order workflow's state machine, for `orderWorkflow:start`. */
  readonly orderWorkflow?: pulumi.Input<string>;
  /** The order-events topic, for `events:publish`. */
  readonly eventsTopic?: pulumi.Input<string>;
  /** The SES identity customer mail is sent as, for `mail:send`. */
  readonly mailIdentity?: pulumi.Input<string>;
  /** The SES configuration set customer mail is sent through, for `mail:send`. */
  readonly mailConfigurationSet?: pulumi.Input<string>;
  /** The address customer mail comes from (not an ARN: what the mailer puts in `From`). */
  readonly mailFrom?: pulumi.Input<string>;
  /** The configuration set's name (not an ARN: what the mailer names in `SendEmail`). */
  readonly mailConfigurationSetName?: pulumi.Input<string>;
}

/**
 * What a service grant allows, on which of `ServiceArns` (one statement on exactly those), and the
 * environment variables its adapter reads, with the value of `ServiceArns` each one holds.
 */
interface ServicePermission {
  readonly actions: readonly string[];
  readonly resources: readonly (keyof ServiceArns)[];
  readonly env: Readonly<Record<string, keyof ServiceArns>>;
}

const SERVICE_PERMISSIONS: Readonly<Record<ServiceGrant, ServicePermission>> = {
  "orderWorkflow:start": {
    actions: ["states:StartSyncExecution"],
    resources: ["orderWorkflow"],
    env: { [SERVICE_ENV.orderWorkflowArn]: "orderWorkflow" },
  },
  "events:publish": {
    actions: ["sns:Publish"],
    resources: ["eventsTopic"],
    env: { [SERVICE_ENV.eventsTopicArn]: "eventsTopic" },
  },
  // SES authorizes SendEmail on the identity and, when one is named, on the configuration set too.
  "mail:send": {
    actions: ["ses:SendEmail"],
    resources: ["mailIdentity", "mailConfigurationSet"],
    env: { [SERVICE_ENV.mailFrom]: "mailFrom", [SERVICE_ENV.mailConfigurationSet]: "mailConfigurationSetName" },
  },
};

/** A service grant's permission with the values of `ServiceArns` it needs. */
interface ServiceAccess {
  readonly permission: ServicePermission;
  readonly values: Readonly<Partial<Record<keyof ServiceArns, pulumi.Input<string>>>>;
}

/**
 * What invokes a function other than a caller: Lambda's event source mappings read these with the
 * function's role, so the role must allow it.
 */
export interface EventSources {
  /** DynamoDB streams the function is mapped to. */
  readonly streamArns?: readonly pulumi.Input<string>[];
  /** SQS queues the function is mapped to. */
  readonly queueArns?: readonly pulumi.Input<string>[];
  /** Where a stream mapping sends what it gives up on (`destinationConfig.onFailure`). */
  readonly failureQueueArns?: readonly pulumi.Input<string>[];
}

/** What Lambda's event source mappings call with the function's role (Lambda Developer Guide, "execution role"). */
const EVENT_SOURCE_ACTIONS = {
  stream: ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"],
  queue: ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"],
  failureQueue: ["sqs:SendMessage"],
} as const;

/** What a function runs: a route's handler factory, a workflow task's, or an event function's. */
export type HandlerFactory =
  | ApiHandlerFactory
  | TaskHandlerFactory
  | (typeof eventPublisher)["handler"]
  | (typeof orderMailer)["handler"]
  | (typeof reservationSweeper)["handler"];

/** What a `HandlerFunction` runs, and exactly what it may touch. */
export interface HandlerFunctionArgs {
  /** Builds the handler once per cold start (a route's or a workflow task's `handler`); serialized and bundled by `handlerArchive`. */
  handler: HandlerFactory;
  /** Every table access the handler makes; the role's policy grants exactly these, `services`, and nothing else. */
  grants: readonly TableGrant[];
  /** The deployed tables by logical name (`TableDefinition.name`); every granted table must be here. */
  tables: Readonly<Record<string, DeployedTable>>;
  /**
   * Every other resource the handler uses; each becomes one statement on that resource alone.
   * @default []
   */
  services?: readonly ServiceGrant[];
  /**
   * The resources `services` are on; every one a service grant needs must be here.
   * @default {}
   */
  serviceArns?: ServiceArns;
  /**
   * The streams and queues Lambda reads for it, and where it sends what it gives up on.
   * @default {}
   */
  eventSources?: EventSources;
  /**
   * Settings it reads that grant nothing (e.g. which table a stream record comes from).
   * @default {}
   */
  environment?: Readonly<Record<string, pulumi.Input<string>>>;
  /** Memory, in MB (128 to 10240). */
  memoryMb: pulumi.Input<number>;
  /** Timeout, in seconds (1 to 900). */
  timeoutSeconds: pulumi.Input<number>;
  /** How long the function's log lines are kept, in days (a value CloudWatch Logs accepts). */
  logRetentionDays: pulumi.Input<number>;
  /** The stack's name: the function's business metrics go to `businessMetricsNamespace(stack)`. */
  stack: string;
}

/**
 * One Lambda function with least privilege, traced by X-Ray: its own log group, and its own role
 * whose single inline policy allows writing to that log group, exactly the table grants, exactly
 * the service grants, and sending traces (which X-Ray only allows on `Resource: "*"`); each granted
 * resource is named in the environment variable the handlers read, and so are the namespace and
 * service of the stack's business metrics.
 */
export class HandlerFunction extends pulumi.ComponentResource {
  /** The function's physical name, e.g. the `FunctionName` dimension of its metrics. */
  public readonly functionName: pulumi.Output<string>;
  /** The function's ARN. */
  public readonly functionArn: pulumi.Output<string>;
  /** The ARN API Gateway integrations invoke. */
  public readonly invokeArn: pulumi.Output<string>;

  constructor(name: string, args: HandlerFunctionArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const accesses = tableAccesses(checker, args);
    const services = serviceAccesses(checker, args);
    const memoryMb = checker.input(args.memoryMb, lambdaMemoryMb("memoryMb"));
    const timeoutSeconds = checker.input(args.timeoutSeconds, lambdaTimeoutSeconds("timeoutSeconds"));
    const logRetentionDays = checker.input(args.logRetentionDays, logRetentionDaysRule("logRetentionDays"));
    const metricsNamespace = businessMetricsNamespace(checker.value(args.stack, stackName("stack")));
    super(TYPE, name, {}, opts);

    const logGroup = this.createLogGroup(name, logRetentionDays);
    const role = this.createRole(name);
    const policy = this.createPolicy(name, role, logGroup, accesses, services, args.eventSources ?? {});
    const fn = this.createFunction(name, args.handler, {
      role,
      policy,
      logGroup,
      accesses,
      services,
      memoryMb,
      timeoutSeconds,
      metricsNamespace,
      environment: args.environment ?? {},
    });

    this.functionName = fn.name;
    this.functionArn = fn.arn;
    this.invokeArn = fn.invokeArn;
    this.registerOutputs({
      functionName: this.functionName,
      functionArn: this.functionArn,
      invokeArn: this.invokeArn,
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

  /**
   * The role's only policy: its own log streams, then each table grant on the table itself or on
   * the named indexes only, then each service grant on its resources, then what its event source
   * mappings read and send, and last, on its own, the actions that accept no narrower resource
   * (X-Ray's, and listing streams for a stream reader).
   */
  private createPolicy(
    name: string,
    role: aws.iam.Role,
    logGroup: aws.cloudwatch.LogGroup,
    accesses: readonly TableAccess[],
    services: readonly ServiceAccess[],
    eventSources: EventSources,
  ): aws.iam.RolePolicy {
    const tableStatements = accesses.map(({ grant, table }) => ({
      Effect: "Allow",
      Action: [...grant.actions],
      Resource: grant.indexes
        ? grant.indexes.map((index) => pulumi.interpolate`${table.arn}/index/${index.name}`)
        : [table.arn],
    }));
    const serviceStatements = services.map(({ permission, values }) => ({
      Effect: "Allow",
      Action: [...permission.actions],
      Resource: permission.resources.map((resource) => values[resource]),
    }));
    const sourceStatements = (
      [
        [EVENT_SOURCE_ACTIONS.stream, eventSources.streamArns],
        [EVENT_SOURCE_ACTIONS.queue, eventSources.queueArns],
        [EVENT_SOURCE_ACTIONS.failureQueue, eventSources.failureQueueArns],
      ] as const
    )
      .filter(([, arns]) => arns !== undefined && arns.length > 0)
      .map(([actions, arns]) => ({ Effect: "Allow", Action: [...actions], Resource: [...(arns ?? [])] }));
    const wildcardActions = eventSources.streamArns?.length
      ? [...XRAY_TRACING_ACTIONS, ...STREAM_LISTING_ACTIONS]
      : [...XRAY_TRACING_ACTIONS];
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
            ...serviceStatements,
            ...sourceStatements,
            awsRequiresWildcardStatement(wildcardActions),
          ],
        }),
      },
      { parent: this },
    );
  }

  private createFunction(
    name: string,
    handler: HandlerFactory,
    deps: {
      role: aws.iam.Role;
      policy: aws.iam.RolePolicy;
      logGroup: aws.cloudwatch.LogGroup;
      accesses: readonly TableAccess[];
      services: readonly ServiceAccess[];
      memoryMb: pulumi.Input<number>;
      timeoutSeconds: pulumi.Input<number>;
      metricsNamespace: string;
      environment: Readonly<Record<string, pulumi.Input<string>>>;
    },
  ): aws.lambda.Function {
    const variables: Record<string, pulumi.Input<string>> = {
      ...deps.environment,
      [POWERTOOLS_METRICS_ENV.namespace]: deps.metricsNamespace,
      [POWERTOOLS_METRICS_ENV.service]: BUSINESS_METRICS_SERVICE,
    };
    for (const { grant, table } of deps.accesses) {
      variables[grant.table.envVar] = table.name;
    }
    for (const { permission, values } of deps.services) {
      for (const [envVar, key] of Object.entries(permission.env)) {
        variables[envVar] = values[key] as pulumi.Input<string>;
      }
    }
    return new aws.lambda.Function(
      name,
      {
        // The closure `CallbackFunction` would serialize, bundled with what it requires: see `handler-code.ts`.
        code: handlerArchive(handler),
        handler: LAMBDA_HANDLER,
        role: deps.role.arn,
        runtime: aws.lambda.Runtime.NodeJS24dX,
        architectures: ["arm64"],
        memorySize: deps.memoryMb,
        timeout: deps.timeoutSeconds,
        environment: { variables },
        loggingConfig: { logFormat: "JSON", logGroup: deps.logGroup.name },
        // Lambda samples and records each invocation; Powertools Tracer adds the SDK calls as subsegments.
        tracingConfig: { mode: "Active" },
      },
      // Without the policy, the first invocations could fail to log or to reach what they are granted.
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

/** Pairs each service grant with the ARN it is on; a grant whose ARN is not given fails, naming the field. */
function serviceAccesses(checker: ArgsChecker, args: HandlerFunctionArgs): ServiceAccess[] {
  return (args.services ?? []).map((grant) => {
    const permission = SERVICE_PERMISSIONS[grant];
    const needed = [...new Set([...permission.resources, ...Object.values(permission.env)])];
    const values = Object.fromEntries(needed.map((key) => [key, args.serviceArns?.[key]]));
    const missing = needed.find((key) => values[key] === undefined);
    if (missing !== undefined) {
      return checker.fail(`serviceArns.${missing} is missing but is granted ${grant}`);
    }
    return { permission, values };
  });
}
