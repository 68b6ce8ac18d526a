import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { dashboardBody } from "../monitoring/dashboard";
import { ArgsChecker, stackName } from "./component-args";

const TYPE = "oms:infra:OperationsDashboard";

/** What the dashboard shows: the resources `Alerting` watches. */
export interface OperationsDashboardArgs {
  /** The functions: deployed function name by function name. */
  functions: Readonly<Record<string, pulumi.Input<string>>>;
  /** The state machines: ARN by logical name. */
  stateMachines: Readonly<Record<string, pulumi.Input<string>>>;
  /** The HTTP APIs: API id by logical name. */
  apis: Readonly<Record<string, pulumi.Input<string>>>;
  /** The DynamoDB tables: physical name by logical name. */
  tables: Readonly<Record<string, pulumi.Input<string>>>;
  /** The topics carrying order events: topic name by logical name. */
  topics: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The dead-letter queues: queue name by logical name.
   * @default {}
   */
  deadLetterQueues?: Readonly<Record<string, pulumi.Input<string>>>;
  /**
   * The functions that read change streams: deployed function name by function name.
   * @default {}
   */
  streamReaders?: Readonly<Record<string, pulumi.Input<string>>>;
  /** The stack's name: the dashboard's name, and where its business metrics are (`businessMetricsNamespace(stack)`). */
  stack: string;
}

/**
 * One CloudWatch dashboard per stack, named `<name>-<stack>`, whose body `monitoring/dashboard.ts`
 * builds from the deployed resources: the API, every function, the workflow, every table, the
 * order events' path (stream readers, topic, dead-letter queues) and the stack's business metrics.
 */
export class OperationsDashboard extends pulumi.ComponentResource {
  /** The dashboard's name, as the CloudWatch console lists it. */
  public readonly dashboardName: pulumi.Output<string>;

  constructor(name: string, args: OperationsDashboardArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const stack = checker.value(args.stack, stackName("stack"));
    super(TYPE, name, {}, opts);

    const dashboard = this.createDashboard(name, stack, args);

    this.dashboardName = dashboard.dashboardName;
    this.registerOutputs({ dashboardName: this.dashboardName });
  }

  private createDashboard(name: string, stack: string, args: OperationsDashboardArgs): aws.cloudwatch.Dashboard {
    const region = aws.getRegionOutput({}, { parent: this }).region;
    const body = pulumi
      .all([
        region,
        args.apis,
        args.functions,
        args.stateMachines,
        args.tables,
        args.topics,
        args.deadLetterQueues ?? {},
        args.streamReaders ?? {},
      ])
      .apply(([regionName, apis, functions, stateMachines, tables, topics, deadLetterQueues, streamReaders]) =>
        JSON.stringify(
          dashboardBody({
            region: regionName,
            stack,
            apis,
            functions,
            stateMachines,
            tables,
            topics,
            deadLetterQueues,
            streamReaders,
          }),
        ),
      );
    return new aws.cloudwatch.Dashboard(
      `${name}-operations`,
      // Dashboard names allow letters, digits, hyphens and underscores; a stack name may also hold periods.
      { dashboardName: `${name}-${stack}`.replace(/[^A-Za-z0-9_-]/g, "-"), dashboardBody: body },
      { parent: this },
    );
  }
}
