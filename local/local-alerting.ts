import { type FunctionAlarmRule, breaches, functionAlarmRules } from "../monitoring/alarms";
import type { Mailbox } from "./mailbox";

/** Options for `LocalAlerting`. */
export interface LocalAlertingOptions {
  /** Who receives alarms: the stack's `alertEmail`. */
  readonly alertEmail: string;
  /** Where alarm mails go. */
  readonly mailbox: Mailbox;
  /** Prefix of every alarm's name. @default "oms-local" */
  readonly alarmPrefix?: string;
  /** The rules to evaluate. @default functionAlarmRules, the cloud's */
  readonly rules?: readonly FunctionAlarmRule[];
  /** The clock; injectable so that tests decide which period an event falls in. */
  readonly now?: () => Date;
}

interface AlarmState {
  /** Index of the last period that breached while the alarm was in ALARM. */
  lastBreachingPeriod: number;
}

type MetricName = FunctionAlarmRule["metricName"];

/**
 * CloudWatch for the local stack: counts each function's metric data per period and, when a rule
 * from `monitoring/alarms.ts` breaches, mails the alert address as the cloud's SNS topic would.
 * Periods are aligned to the epoch like CloudWatch's; a period without data does not breach
 * (`treatMissingData: notBreaching`), so an alarm that saw a quiet period returns to OK and the
 * next breach mails again, while one that keeps breaching stays in ALARM and stays quiet.
 */
export class LocalAlerting {
  private readonly alarmPrefix: string;
  private readonly rules: readonly FunctionAlarmRule[];
  private readonly now: () => Date;
  private readonly events = new Map<string, number[]>();
  private readonly alarms = new Map<string, AlarmState>();

  constructor(private readonly options: LocalAlertingOptions) {
    this.alarmPrefix = options.alarmPrefix ?? "oms-local";
    this.rules = options.rules ?? functionAlarmRules;
    this.now = options.now ?? (() => new Date());
  }

  /** A function threw: Lambda's `Errors` metric. */
  recordError(functionName: string, error: unknown): void {
    this.record(functionName, "Errors", describeError(error));
  }

  /** The alarm's name for `functionName` under `rule`, as mails and logs show it. */
  alarmName(functionName: string, rule: Pick<FunctionAlarmRule, "suffix">): string {
    return `${this.alarmPrefix}-${functionName}-${rule.suffix}`;
  }

  /** Whether the alarm for `functionName` under `rule` is in ALARM now. */
  isInAlarm(functionName: string, rule: FunctionAlarmRule): boolean {
    const state = this.alarms.get(this.alarmName(functionName, rule));
    return state !== undefined && state.lastBreachingPeriod >= this.periodOf(this.now().getTime(), rule) - 1;
  }

  private record(functionName: string, metric: MetricName, detail: string): void {
    const at = this.now().getTime();
    const key = `${functionName}\u0000${metric}`;
    const events = [...(this.events.get(key) ?? []), at].filter((time) => at - time <= this.lookbackMs());
    this.events.set(key, events);
    for (const rule of this.rules.filter((candidate) => candidate.metricName === metric)) {
      this.evaluate(functionName, rule, events, at, detail);
    }
  }

  private evaluate(functionName: string, rule: FunctionAlarmRule, events: number[], at: number, detail: string): void {
    const current = this.periodOf(at, rule);
    const sums = Array.from({ length: rule.evaluationPeriods }, (_, i) => {
      const period = current - i;
      return events.filter((time) => this.periodOf(time, rule) === period).length;
    });
    if (!sums.every((sum) => sum > 0 && breaches(rule, sum))) {
      return;
    }
    const name = this.alarmName(functionName, rule);
    const wasInAlarm = this.isInAlarm(functionName, rule);
    this.alarms.set(name, { lastBreachingPeriod: current });
    if (wasInAlarm) {
      return;
    }
    this.options.mailbox.send({
      to: this.options.alertEmail,
      subject: `ALARM: "${name}"`,
      body: [
        `Alarm "${name}" entered the ALARM state.`,
        `Reason: ${rule.metricName} ${rule.statistic} over ${rule.periodSeconds} s was ${sums[0]} (${COMPARISON_TEXT[rule.comparison]} ${rule.threshold}).`,
        `Function: ${functionName}`,
        `Error: ${detail}`,
        `Description: ${rule.description}`,
      ].join("\n"),
    });
  }

  private periodOf(time: number, rule: Pick<FunctionAlarmRule, "periodSeconds">): number {
    return Math.floor(time / (rule.periodSeconds * 1000));
  }

  private lookbackMs(): number {
    return Math.max(0, ...this.rules.map((rule) => rule.periodSeconds * rule.evaluationPeriods * 1000));
  }
}

const COMPARISON_TEXT: Record<FunctionAlarmRule["comparison"], string> = {
  GreaterThanOrEqualToThreshold: "threshold: >=",
  GreaterThanThreshold: "threshold: >",
};

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
