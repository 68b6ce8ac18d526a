import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { TASK_STATES, WORKFLOW_TIMEOUT_SECONDS, type WorkflowResources } from "../workflow/definition";
import type { WorkflowTask } from "../workflow/tasks";
import { lambdaMemoryMb, lambdaTimeoutSeconds, logRetentionDays as logRetentionDaysRule } from "./aws-limits";
import { ArgsChecker } from "./component-args";
import { type DeployedTable, HandlerFunction } from "./handler-function";
import { STATES_LOG_DELIVERY_ACTIONS, XRAY_TRACING_ACTIONS, awsRequiresWildcardStatement } from "./iam";

const TYPE = "oms:infra:OrderWorkflow";

/** Where the workflow's tasks keep their data, and how their functions run. */
export interface OrderWorkflowArgs {
  /** The workflow in Amazon States Language, given where its tasks run (`orderWorkflowDefinition`). */
  definition: (resources: WorkflowResources) => object;
  /** The function behind each Task state (`workflow/tasks.ts`): one for every state of `TASK_STATES`. */
  tasks: readonly WorkflowTask[];
  /** The deployed tables by logical name (`Data.tables`); every table a task is granted must be here. */
  tables: Readonly<Record<string, DeployedTable>>;
  /** Memory of every task function, in MB (128 to 10240). */
  functionMemoryMb: pulumi.Input<number>;
  /** Timeout of every task function, in seconds; at most the workflow's own timeout, which would stop it anyway. */
  functionTimeoutSeconds: pulumi.Input<number>;
  /** How long the task functions' and the state machine's logs are kept, in days (a value CloudWatch Logs accepts). */
  logRetentionDays: pulumi.Input<number>;
  /** The stack's name: the task functions' business metrics go to `businessMetricsNamespace(stack)`. */
  stack: string;
}

/**
 * The order workflow it is given as an Express state machine, traced by X-Ray and logging its
 * failures: one least-privilege function per task, the state machine's log group, and its own
 * role, which may invoke those functions, and deliver logs and traces, and nothing else.
 */
export class OrderWorkflow extends pulumi.ComponentResource {
  /** The state machine's ARN: what place-order starts, and the dimension of its metrics. */
  public readonly stateMachineArn: pulumi.Output<string>;
  /** Deployed function names, by task function name (`check-inventory`): what `Alerting` watches. */
  public readonly functions: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: OrderWorkflowArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const memoryMb = checker.input(args.functionMemoryMb, lambdaMemoryMb("functionMemoryMb"));
    const timeoutSeconds = checker.input(
      args.functionTimeoutSeconds,
      lambdaTimeoutSeconds("functionTimeoutSeconds", WORKFLOW_TIMEOUT_SECONDS),
    );
    const logRetentionDays = checker.input(args.logRetentionDays, logRetentionDaysRule("logRetentionDays"));
    for (const state of TASK_STATES) {
      if (!args.tasks.some((task) => task.state === state)) {
        checker.fail(`tasks has no function for the ${state} state`);
      }
    }
    super(TYPE, name, {}, opts);

    const functions = args.tasks.map((task) => ({
      task,
      fn: this.createFunction(name, task, args.tables, {
        memoryMb,
        timeoutSeconds,
        logRetentionDays,
        stack: args.stack,
      }),
    }));
    const role = this.createRole(name);
    const policy = this.createPolicy(
      name,
      role,
      functions.map(({ fn }) => fn.functionArn),
    );
    const logGroup = this.createLogGroup(name, logRetentionDays);
    const taskArns = pulumi.output(Object.fromEntries(functions.map(({ task, fn }) => [task.state, fn.functionArn])));
    const definition = taskArns.apply((arns) =>
      JSON.stringify(args.definition({ taskArns: arns as WorkflowResources["taskArns"] })),
    );
    const stateMachine = this.createStateMachine(name, role, policy, logGroup, definition);

    this.stateMachineArn = stateMachine.arn;
    this.functions = Object.fromEntries(functions.map(({ task, fn }) => [task.functionName, fn.functionName]));
    this.registerOutputs({
      stateMachineArn: this.stateMachineArn,
      functions: this.functions,
    });
  }

  private createFunction(
    name: string,
    task: WorkflowTask,
    tables: Readonly<Record<string, DeployedTable>>,
    settings: {
      memoryMb: pulumi.Input<number>;
      timeoutSeconds: pulumi.Input<number>;
      logRetentionDays: pulumi.Input<number>;
      stack: string;
    },
  ): HandlerFunction {
    return new HandlerFunction(
      `${name}-${task.functionName}`,
      { handler: task.handler, grants: task.grants, tables, ...settings },
      { parent: this },
    );
  }

  private createRole(name: string): aws.iam.Role {
    return new aws.iam.Role(
      `${name}-order-workflow-role`,
      {
        assumeRolePolicy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Principal: { Service: "states.amazonaws.com" }, Action: "sts:AssumeRole" }],
        }),
      },
      { parent: this },
    );
  }

  /**
   * The role's only policy: invoke the task functions, and, on their own,
   * the log delivery and X-Ray actions, which accept no narrower resource than `*`.
   */
  private createPolicy(
    name: string,
    role: aws.iam.Role,
    taskArns: readonly pulumi.Output<string>[],
  ): aws.iam.RolePolicy {
    return new aws.iam.RolePolicy(
      `${name}-order-workflow-access`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [...taskArns] },
            awsRequiresWildcardStatement([...STATES_LOG_DELIVERY_ACTIONS, ...XRAY_TRACING_ACTIONS]),
          ],
        }),
      },
      { parent: this },
    );
  }

  /**
   * Express executions keep no history, so their failures are logged here. Step Functions delivers
   * them as vended logs; a name under `/aws/vendedlogs/` keeps CloudWatch Logs' resource policy,
   * which that delivery extends for every log group, from outgrowing its size limit.
   */
  private createLogGroup(name: string, retentionInDays: pulumi.Input<number>): aws.cloudwatch.LogGroup {
    return new aws.cloudwatch.LogGroup(
      `${name}-order-workflow-logs`,
      { namePrefix: `/aws/vendedlogs/states/${name}-order-workflow-`, retentionInDays },
      { parent: this },
    );
  }

  /**
   * Express, because the API waits for the outcome (`StartSyncExecution`). It logs failed states
   * (level ERROR) without execution data: inputs and outputs carry customers' names and e-mail
   * addresses. X-Ray traces each execution through the task functions.
   */
  private createStateMachine(
    name: string,
    role: aws.iam.Role,
    policy: aws.iam.RolePolicy,
    logGroup: aws.cloudwatch.LogGroup,
    definition: pulumi.Output<string>,
  ): aws.sfn.StateMachine {
    return new aws.sfn.StateMachine(
      `${name}-order-workflow`,
      {
        type: "EXPRESS",
        roleArn: role.arn,
        definition,
        loggingConfiguration: {
          logDestination: pulumi.interpolate`${logGroup.arn}:*`,
          level: "ERROR",
          includeExecutionData: false,
        },
        tracingConfiguration: { enabled: true },
      },
      // Without the policy, the first executions could fail to invoke the tasks, publish, log or trace.
      { parent: this, dependsOn: [policy, logGroup] },
    );
  }
}
