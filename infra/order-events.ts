import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { eventPublisher } from "../events/functions";
import type { TableDefinition } from "../storage/tables";
import { lambdaMemoryMb, logRetentionDays as logRetentionDaysRule } from "./aws-limits";
import { ArgsChecker } from "./component-args";
import { type DeployedTable, HandlerFunction } from "./handler-function";

const TYPE = "oms:infra:OrderEvents";

/** How long the publisher may take over one batch of stream records, in seconds. */
export const PUBLISHER_TIMEOUT_SECONDS = 60;

/** How long SQS keeps what the publisher gave up on: its longest retention, for an operator to read. */
const FAILURE_RETENTION_SECONDS = 14 * 24 * 60 * 60;

/** Where the events come from and go to. */
export interface OrderEventsArgs {
  /** The publisher function (`events/functions.ts`): its handler, grants and services. */
  publisher: typeof eventPublisher;
  /** The streamed tables' definitions (`storage/tables.ts`, `streamed`), whose changes become events. */
  tables: readonly TableDefinition[];
  /** The deployed tables by logical name (`Data.tables`): the publisher is told their names, to know a record's table. */
  deployedTables: Readonly<Record<string, DeployedTable>>;
  /** Each streamed table's stream ARN by logical name (`Data.streamArns`). */
  streamArns: Readonly<Record<string, pulumi.Input<string>>>;
  /** The order-events topic (`Data.eventsTopicArn`). */
  eventsTopicArn: pulumi.Input<string>;
  /** Memory of the publisher, in MB (128 to 10240). */
  memoryMb: pulumi.Input<number>;
  /** How long the publisher's logs are kept, in days (a value CloudWatch Logs accepts). */
  logRetentionDays: pulumi.Input<number>;
  /** The stack's name: the publisher's business metrics go to `businessMetricsNamespace(stack)`. */
  stack: string;
}

/**
 * Committed changes as events: the publisher function, mapped to every streamed table's change
 * stream, publishes one event per change to the order-events topic. A batch that fails is retried
 * from the failed record, in order, until it succeeds or the record leaves the stream (24 hours);
 * only then does Lambda give up on it, and it sends where it was to the failure queue. So an event
 * is late rather than lost, and the publisher's iterator age says how late.
 */
export class OrderEvents extends pulumi.ComponentResource {
  /** The publisher's function name: what `Alerting` watches (errors, throttles, iterator age). */
  public readonly publisherFunctionName: pulumi.Output<string>;
  /** The queue of stream batches the publisher gave up on: what `Alerting` watches as a dead-letter queue. */
  public readonly failureQueueName: pulumi.Output<string>;

  constructor(name: string, args: OrderEventsArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const memoryMb = checker.input(args.memoryMb, lambdaMemoryMb("memoryMb"));
    const logRetentionDays = checker.input(args.logRetentionDays, logRetentionDaysRule("logRetentionDays"));
    const streamed = args.tables.filter((table) => table.streamed);
    for (const table of streamed) {
      if (args.streamArns[table.name] === undefined) checker.fail(`streamArns.${table.name} is missing`);
      if (args.deployedTables[table.name] === undefined) checker.fail(`deployedTables.${table.name} is missing`);
    }
    super(TYPE, name, {}, opts);

    const failureQueue = this.createFailureQueue(name);
    const streamArns = streamed.map((table) => args.streamArns[table.name] as pulumi.Input<string>);
    const publisher = new HandlerFunction(
      `${name}-${args.publisher.functionName}`,
      {
        handler: args.publisher.handler,
        grants: args.publisher.grants,
        tables: args.deployedTables,
        services: args.publisher.services,
        serviceArns: { eventsTopic: args.eventsTopicArn },
        eventSources: { streamArns, failureQueueArns: [failureQueue.arn] },
        environment: Object.fromEntries(
          streamed.map((table) => [table.envVar, (args.deployedTables[table.name] as DeployedTable).name]),
        ),
        memoryMb,
        timeoutSeconds: PUBLISHER_TIMEOUT_SECONDS,
        logRetentionDays,
        stack: args.stack,
      },
      { parent: this },
    );
    for (const table of streamed) {
      this.createMapping(`${name}-${table.name}-events`, args.streamArns[table.name] as pulumi.Input<string>, {
        publisher,
        failureQueue,
      });
    }

    this.publisherFunctionName = publisher.functionName;
    this.failureQueueName = failureQueue.name;
    this.registerOutputs({
      publisherFunctionName: this.publisherFunctionName,
      failureQueueName: this.failureQueueName,
    });
  }

  /**
   * Where Lambda records the stream batches it gave up on (their shard and sequence numbers, not the
   * records: read them from the stream while it still holds them, or from the tables).
   */
  private createFailureQueue(name: string): aws.sqs.Queue {
    return new aws.sqs.Queue(
      `${name}-events-failed`,
      { messageRetentionSeconds: FAILURE_RETENTION_SECONDS, sqsManagedSseEnabled: true },
      { parent: this },
    );
  }

  /**
   * One table's stream to the publisher. `TRIM_HORIZON` starts from the oldest record the stream
   * holds, so changes made before the mapping existed are announced too. Retries never stop
   * (`-1`) before the record expires, and a failing batch is split to find the record at fault; the
   * function reports which record failed, so Lambda retries from exactly there.
   */
  private createMapping(
    name: string,
    streamArn: pulumi.Input<string>,
    deps: { publisher: HandlerFunction; failureQueue: aws.sqs.Queue },
  ): aws.lambda.EventSourceMapping {
    return new aws.lambda.EventSourceMapping(
      name,
      {
        eventSourceArn: streamArn,
        functionName: deps.publisher.functionArn,
        startingPosition: "TRIM_HORIZON",
        batchSize: 100,
        maximumRetryAttempts: -1,
        maximumRecordAgeInSeconds: -1,
        bisectBatchOnFunctionError: true,
        functionResponseTypes: ["ReportBatchItemFailures"],
        destinationConfig: { onFailure: { destinationArn: deps.failureQueue.arn } },
      },
      { parent: this },
    );
  }
}
