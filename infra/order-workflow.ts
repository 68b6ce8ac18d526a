import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  State,
  type StateName,
  WORKFLOW_TIMEOUT_SECONDS,
  type WorkflowResources,
  orderWorkflowDefinition,
} from "../workflow/definition";
import { type WorkflowTask, workflowTasks } from "../workflow/tasks";
import { ArgsChecker, integerBetween, oneOf } from "./component-args";
import { type DeployedTable, HandlerFunction } from "./handler-function";
import { STATES_LOG_DELIVERY_ACTIONS, XRAY_TRACING_ACTIONS, awsRequiresWildcardStatement } from "./iam";
import { LOG_RETENTION_DAYS } from "./stack-config";

const TYPE = "oms:infra:OrderWorkflow";

/** Where the workflow's tasks keep their data, and how their functions run. */
export interface OrderWorkflowArgs {
  /** The deployed tables by logical name (`OrdersApi.tables`); every table a task is granted must be here. */
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
 * The order workflow of `workflow/definition.ts` as an Express state machine, traced by X-Ray and
 * logging its failures: one least-privilege function per task of `workflow/tasks.ts`, the
 * encrypted topic that carries the customers' order e-mails, the state machine's log group, and
 * its own role, which may invoke those functions and publish to that topic, and deliver logs and
 * traces, and nothing else.
 */
export class OrderWorkflow extends pulumi.ComponentResource {
  /** The state machine's ARN: what place-order starts, and the dimension of its metrics. */
  public readonly stateMachineArn: pulumi.Output<string>;
  /** The state machine's physical name. */
  public readonly stateMachineName: pulumi.Output<string>;
  /** The ARN of the topic customers' order e-mails go through. */
  public readonly notificationsTopicArn: pulumi.Output<string>;
  /** The topic's physical name: the `TopicName` dimension of its delivery metrics. */
  public readonly notificationsTopicName: pulumi.Output<string>;
  /** Deployed function names, by task function name (`check-inventory`): what `Alerting` watches. */
  public readonly functions: Readonly<Record<string, pulumi.Output<string>>>;

  constructor(name: string, args: OrderWorkflowArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const memoryMb = checker.input(args.functionMemoryMb, integerBetween("functionMemoryMb", 128, 10240));
    const timeoutSeconds = checker.input(
      args.functionTimeoutSeconds,
      integerBetween("functionTimeoutSeconds", 1, WORKFLOW_TIMEOUT_SECONDS),
    );
    const logRetentionDays = checker.input(args.logRetentionDays, oneOf("logRetentionDays", LOG_RETENTION_DAYS));
    super(TYPE, name, {}, opts);

    const topic = this.createTopic(name);
    this.createTopicPolicy(name, topic);
    const functions = workflowTasks.map((task) => ({
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
      topic,
    );
    const logGroup = this.createLogGroup(name, logRetentionDays);
    const stateMachine = this.createStateMachine(name, role, policy, logGroup, {
      ...taskFunctionArns(functions),
      notificationsTopicArn: topic.arn,
    });

    this.stateMachineArn = stateMachine.arn;
    this.stateMachineName = stateMachine.name;
    this.notificationsTopicArn = topic.arn;
    this.notificationsTopicName = topic.name;
    this.functions = Object.fromEntries(functions.map(({ task, fn }) => [task.functionName, fn.functionName]));
    this.registerOutputs({
      stateMachineArn: this.stateMachineArn,
      stateMachineName: this.stateMachineName,
      notificationsTopicArn: this.notificationsTopicArn,
      notificationsTopicName: this.notificationsTopicName,
      functions: this.functions,
    });
  }

  /**
   * Messages carry customers' names and orders, so they are encrypted at rest. SNS's AWS managed key
   * lets any principal of the account that may use the topic use the key too: no KMS statement is needed.
   */
  private createTopic(name: string): aws.sns.Topic {
    return new aws.sns.Topic(`${name}-order-notifications`, { kmsMasterKeyId: "alias/aws/sns" }, { parent: this });
  }

  /**
   * Replaces the default topic policy, which lets any principal of the account publish and subscribe
   * without an IAM permission: the account's principals may, but only those IAM allows.
   */
  private createTopicPolicy(name: string, topic: aws.sns.Topic): aws.sns.TopicPolicy {
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    return new aws.sns.TopicPolicy(
      `${name}-order-notifications`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { AWS: pulumi.interpolate`arn:aws:iam::${accountId}:root` },
              Action: ["sns:Publish", "sns:Subscribe", "sns:Unsubscribe"],
              Resource: topic.arn,
            },
          ],
        }),
      },
      { parent: this },
    );
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
   * The role's only policy: invoke the task functions, publish to the topic, and, on their own,
   * the log delivery and X-Ray actions, which accept no narrower resource than `*`.
   */
  private createPolicy(
    name: string,
    role: aws.iam.Role,
    taskArns: readonly pulumi.Output<string>[],
    topic: aws.sns.Topic,
  ): aws.iam.RolePolicy {
    return new aws.iam.RolePolicy(
      `${name}-order-workflow-access`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [...taskArns] },
            { Effect: "Allow", Action: ["sns:Publish"], Resource: [topic.arn] },
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
    resources: { readonly [K in keyof WorkflowResources]: pulumi.Output<string> },
  ): aws.sfn.StateMachine {
    return new aws.sfn.StateMachine(
      `${name}-order-workflow`,
      {
        type: "EXPRESS",
        roleArn: role.arn,
        definition: pulumi.output(resources).apply((arns) => JSON.stringify(orderWorkflowDefinition(arns))),
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

/** The function serving each Task state of the definition, by the name `WorkflowResources` gives its ARN. */
function taskFunctionArns(functions: readonly { task: WorkflowTask; fn: HandlerFunction }[]) {
  const arnOf = (state: StateName): pulumi.Output<string> => {
    const found = functions.find(({ task }) => task.state === state);
    if (found === undefined) {
      throw new Error(`workflow/tasks.ts has no task for the ${state} state`);
    }
    return found.fn.functionArn;
  };
  return {
    checkInventoryArn: arnOf(State.CheckInventory),
    createOrderArn: arnOf(State.CreateOrder),
    releaseStockArn: arnOf(State.ReleaseStock),
  };
}
