import { expect } from "chai";
import { type FunctionAlarmRule, functionErrorsAlarm } from "../../monitoring/alarms";
import { LocalAlerting } from "../../local/local-alerting";
import { Mailbox } from "../../local/mailbox";

const ALERTS = "alerts@example.com";
const MINUTE = 60_000;

function setUp(rules?: readonly FunctionAlarmRule[]) {
  let now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const clock = { now: () => new Date(now), advance: (ms: number) => void (now += ms) };
  const mailbox = new Mailbox(clock.now);
  const alerting = new LocalAlerting({ alertEmail: ALERTS, mailbox, now: clock.now, ...(rules ? { rules } : {}) });
  return { clock, mailbox, alerting };
}

describe("LocalAlerting", () => {
  it("mails the alert address on a function's first error, as the cloud's errors alarm does", () => {
    const { mailbox, alerting } = setUp();

    alerting.recordError(
      "create-order",
      Object.assign(new Error("Requested resource not found"), { name: "ResourceNotFoundException" }),
    );

    expect(mailbox.list(ALERTS)).to.deep.equal([
      {
        to: ALERTS,
        subject: 'ALARM: "oms-local-create-order-errors"',
        body: [
          'Alarm "oms-local-create-order-errors" entered the ALARM state.',
          "Reason: Errors Sum over 60 s was 1 (threshold: >= 1).",
          "Function: create-order",
          "Error: ResourceNotFoundException: Requested resource not found",
          `Description: ${functionErrorsAlarm.description}`,
        ].join("\n"),
        sentAt: "2026-01-01T12:00:00.000Z",
      },
    ]);
    expect(alerting.isInAlarm("create-order", functionErrorsAlarm)).to.equal(true);
  });

  it("does not mail again while the function stays in ALARM in the same period", () => {
    const { clock, mailbox, alerting } = setUp();

    alerting.recordError("create-order", new Error("first"));
    clock.advance(30_000);
    alerting.recordError("create-order", new Error("second"));

    expect(mailbox.list().map((mail) => mail.subject)).to.deep.equal(['ALARM: "oms-local-create-order-errors"']);
  });

  it("stays quiet while errors keep coming in consecutive periods", () => {
    const { clock, mailbox, alerting } = setUp();

    alerting.recordError("get-order", new Error("1"));
    clock.advance(MINUTE);
    alerting.recordError("get-order", new Error("2"));

    expect(mailbox.list()).to.have.length(1);
  });

  it("mails again after a quiet period has returned the alarm to OK", () => {
    const { clock, mailbox, alerting } = setUp();

    alerting.recordError("get-order", new Error("1"));
    clock.advance(2 * MINUTE);
    const inAlarmAfterQuietPeriod = alerting.isInAlarm("get-order", functionErrorsAlarm);
    alerting.recordError("get-order", new Error("2"));

    expect(inAlarmAfterQuietPeriod).to.equal(false);
    expect(mailbox.list()).to.have.length(2);
  });

  it("keeps each function's alarm apart", () => {
    const { mailbox, alerting } = setUp();

    alerting.recordError("get-order", new Error("1"));
    alerting.recordError("delete-order", new Error("2"));

    expect(mailbox.list().map((mail) => mail.subject)).to.deep.equal([
      'ALARM: "oms-local-get-order-errors"',
      'ALARM: "oms-local-delete-order-errors"',
    ]);
  });

  it("counts errors per period against the threshold, and needs every evaluation period to breach", () => {
    const rule: FunctionAlarmRule = { ...functionErrorsAlarm, threshold: 2, evaluationPeriods: 2 };
    const { clock, mailbox, alerting } = setUp([rule]);

    alerting.recordError("list-orders", new Error("1"));
    alerting.recordError("list-orders", new Error("2"));
    const afterOneBreachingPeriod = mailbox.list().length;
    clock.advance(MINUTE);
    alerting.recordError("list-orders", new Error("3"));
    const afterOneErrorInTheSecond = mailbox.list().length;
    alerting.recordError("list-orders", new Error("4"));

    expect([afterOneBreachingPeriod, afterOneErrorInTheSecond, mailbox.list().length]).to.deep.equal([0, 0, 1]);
  });

  it("uses a strict comparison when the rule says GreaterThanThreshold", () => {
    const rule: FunctionAlarmRule = { ...functionErrorsAlarm, threshold: 1, comparison: "GreaterThanThreshold" };
    const { mailbox, alerting } = setUp([rule]);

    alerting.recordError("create-order", new Error("1"));
    const afterOne = mailbox.list().length;
    alerting.recordError("create-order", new Error("2"));

    expect([afterOne, mailbox.list().length]).to.deep.equal([0, 1]);
  });

  it("ignores rules on metrics the local stack does not produce as errors", () => {
    const rule: FunctionAlarmRule = { ...functionErrorsAlarm, metricName: "Throttles" };
    const { mailbox, alerting } = setUp([rule]);

    alerting.recordError("create-order", new Error("1"));

    expect(mailbox.list()).to.deep.equal([]);
  });
});
