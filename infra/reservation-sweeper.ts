import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { RESERVATION_SWEEP_INTERVAL_SECONDS } from "../domain/reservation";
import type { ServiceGrant, TableGrant } from "../storage/access";
import { lambdaMemoryMb, logRetentionDays as logRetentionDaysRule } from "./aws-limits";
import { ArgsChecker } from "./component-args";
import { type DeployedTable, type HandlerFactory, HandlerFunction } from "./handler-function";

const TYPE = "oms:infra:ReservationSweeper";

/**
 * How often the sweeper runs (`RESERVATION_SWEEP_INTERVAL_SECONDS`, as a Scheduler rate expression
 * in whole minutes): the longest a reservation outlives its deadline.
 */
export const SWEEP_SCHEDULE = `rate(${RESERVATION_SWEEP_INTERVAL_SECONDS / 60} minute${RESERVATION_SWEEP_INTERVAL_SECONDS === 60 ? "" : "s"})`;

/** How long one sweep may take, in seconds: well inside the minute between two. */
export const SWEEPER_TIMEOUT_SECONDS = 50;

/** The sweeper function, as `events/functions.ts` declares it. */
export interface SweeperFunction {
  readonly functionName: string;
  readonly handler: HandlerFactory;
  readonly grants: readonly TableGrant[];
  readonly services: readonly ServiceGrant[];
}

/** What the sweeper releases, and how its function runs. */
export interface ReservationSweeperArgs {
  /** The sweeper function (`events/functions.ts`): its handler and grants. */
  sweeper: SweeperFunction;
  /** The deployed tables by logical name (`Data.tables`); every table the sweeper is granted must be here. */
  tables: Readonly<Record<string, DeployedTable>>;
  /** Memory of the sweeper, in MB (128 to 10240). */
  memoryMb: pulumi.Input<number>;
  /** How long the sweeper's logs are kept, in days (a value CloudWatch Logs accepts). */
  logRetentionDays: pulumi.Input<number>;
  /** The stack's name: what it released is counted in `businessMetricsNamespace(stack)`. */
  stack: string;
}

/**
 * Stock that comes back by itself: every minute, EventBridge Scheduler runs the sweeper, which gives
 * back every reservation past its deadline whose order was never written (a timed-out workflow, a
 * task that died), each in one transaction that a late order cannot race.
 */
export class ReservationSweeper extends pulumi.ComponentResource {
  /** The sweeper's function name: what `Alerting` watches. */
  public readonly functionName: pulumi.Output<string>;

  constructor(name: string, args: ReservationSweeperArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const memoryMb = checker.input(args.memoryMb, lambdaMemoryMb("memoryMb"));
    const logRetentionDays = checker.input(args.logRetentionDays, logRetentionDaysRule("logRetentionDays"));
    super(TYPE, name, {}, opts);

    const sweeper = new HandlerFunction(
      `${name}-${args.sweeper.functionName}`,
      {
        handler: args.sweeper.handler,
        grants: args.sweeper.grants,
        tables: args.tables,
        services: args.sweeper.services,
        memoryMb,
        timeoutSeconds: SWEEPER_TIMEOUT_SECONDS,
        logRetentionDays,
        stack: args.stack,
      },
      { parent: this },
    );
    this.createSchedule(name, sweeper, this.createSchedulerRole(name, sweeper));

    this.functionName = sweeper.functionName;
    this.registerOutputs({ functionName: this.functionName });
  }

  /**
   * EventBridge Scheduler invokes the target with a role of ours: this one may invoke the sweeper
   * and nothing else, and only schedules of this account may assume it (the confused deputy).
   */
  private createSchedulerRole(
    name: string,
    sweeper: HandlerFunction,
  ): { role: aws.iam.Role; policy: aws.iam.RolePolicy } {
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const role = new aws.iam.Role(
      `${name}-sweep-schedule-role`,
      {
        assumeRolePolicy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "scheduler.amazonaws.com" },
              Action: "sts:AssumeRole",
              Condition: { StringEquals: { "aws:SourceAccount": accountId } },
            },
          ],
        }),
      },
      { parent: this },
    );
    const policy = new aws.iam.RolePolicy(
      `${name}-sweep-schedule-access`,
      {
        role: role.id,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [{ Effect: "Allow", Action: ["lambda:InvokeFunction"], Resource: [sweeper.functionArn] }],
        }),
      },
      { parent: this },
    );
    return { role, policy };
  }

  /**
   * Every minute, on time (no flexible window). A missed sweep is harmless, the next one releases
   * the same reservations, so Scheduler's retries are few and short.
   */
  private createSchedule(
    name: string,
    sweeper: HandlerFunction,
    { role, policy }: { role: aws.iam.Role; policy: aws.iam.RolePolicy },
  ): aws.scheduler.Schedule {
    return new aws.scheduler.Schedule(
      `${name}-sweep-reservations`,
      {
        scheduleExpression: SWEEP_SCHEDULE,
        flexibleTimeWindow: { mode: "OFF" },
        target: {
          arn: sweeper.functionArn,
          roleArn: role.arn,
          retryPolicy: { maximumRetryAttempts: 2, maximumEventAgeInSeconds: 60 },
        },
      },
      // Until the role may invoke the sweeper, Scheduler's invocations would fail.
      { parent: this, dependsOn: [policy] },
    );
  }
}
