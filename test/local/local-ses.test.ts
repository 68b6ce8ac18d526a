import {
  BadRequestException,
  MessageRejected,
  NotFoundException,
  type SendEmailCommandInput,
  TooManyRequestsException,
} from "@aws-sdk/client-sesv2";
import { expect } from "chai";
import { MailRejectedError, TransientError } from "../../domain/errors";
import { sesMailer } from "../../handlers/adapters/ses-mailer";
import { LocalSes, SES_LIMITS, localSesClient } from "../../local/local-ses";
import { Mailbox } from "../../local/mailbox";

const NOW = new Date("2026-11-27T10:00:00.000Z");
const FROM = "orders@oms.example.com";
const CONFIGURATION_SET = "oms-local-customer-mail";

function mailTo(to: string[], overrides: Partial<SendEmailCommandInput> = {}): SendEmailCommandInput {
  return {
    FromEmailAddress: FROM,
    Destination: { ToAddresses: to },
    ConfigurationSetName: CONFIGURATION_SET,
    Content: { Simple: { Subject: { Data: "Your order" }, Body: { Text: { Data: "Hello" } } } },
    ...overrides,
  };
}

function refusalOf(work: () => unknown): unknown {
  try {
    work();
  } catch (error) {
    return error;
  }
  return undefined;
}

describe("LocalSes", () => {
  let mailbox: Mailbox;
  let ses: LocalSes;

  beforeEach(() => {
    mailbox = new Mailbox(() => NOW);
    ses = new LocalSes({ mailbox, from: FROM, configurationSets: [CONFIGURATION_SET] });
  });

  it("delivers a simple message to the mailbox, the text body as the body", () => {
    ses.sendEmail(mailTo(["alice@example.com"]));

    expect(mailbox.list()).to.deep.equal([
      { to: "alice@example.com", subject: "Your order", body: "Hello", sentAt: NOW.toISOString() },
    ]);
  });

  it("accepts a sender under a verified domain", () => {
    const byDomain = new LocalSes({
      mailbox,
      from: FROM,
      verifiedIdentities: ["oms.example.com"],
      configurationSets: [],
    });

    byDomain.sendEmail(
      mailTo(["alice@example.com"], {
        FromEmailAddress: "OMS <other@oms.example.com>",
        ConfigurationSetName: undefined,
      }),
    );

    expect(mailbox.list()).to.have.length(1);
  });

  const refused: [string, SendEmailCommandInput, new (...args: never[]) => Error, string][] = [
    [
      "from an address no verified identity covers",
      mailTo(["alice@example.com"], { FromEmailAddress: "someone@elsewhere.example.com" }),
      MessageRejected,
      "Email address is not verified. The following identities failed the check in region US-EAST-1: someone@elsewhere.example.com",
    ],
    [
      `to more than ${SES_LIMITS.recipientsPerMessage} recipients`,
      mailTo(Array.from({ length: SES_LIMITS.recipientsPerMessage + 1 }, (_, i) => `r${i}@example.com`)),
      MessageRejected,
      "Recipient count exceeds 50.",
    ],
    [
      "to an address that is not one",
      mailTo(["not-an-address"]),
      BadRequestException,
      "Illegal address: not-an-address",
    ],
    ["to nobody", mailTo([]), BadRequestException, "Missing required header 'To'."],
    [
      "through a configuration set the stack did not create",
      mailTo(["alice@example.com"], { ConfigurationSetName: "other" }),
      NotFoundException,
      "Configuration set <other> does not exist.",
    ],
  ];
  for (const [what, input, refusal, message] of refused) {
    it(`refuses a mail ${what} with ${refusal.name}, delivering nothing`, () => {
      const error = refusalOf(() => ses.sendEmail(input));

      expect(error).to.be.instanceOf(refusal);
      expect(error).to.deep.include({ message, $fault: "client" });
      expect(mailbox.list()).to.deep.equal([]);
    });
  }

  it("accepts a mail to a suppressed address and sends nothing, as SES does", () => {
    ses.suppress("Bounced@example.com");

    const answer = ses.sendEmail(mailTo(["bounced@example.com"]));

    expect(answer.MessageId).to.be.a("string");
    expect(mailbox.list()).to.deep.equal([]);
    expect(ses.suppressedMails()).to.deep.equal([{ to: "bounced@example.com", subject: "Your order" }]);
  });

  it("answers TooManyRequestsException as many times as told, then sends", () => {
    ses.failTransiently(2);

    const errors = [
      refusalOf(() => ses.sendEmail(mailTo(["a@example.com"]))),
      refusalOf(() => ses.sendEmail(mailTo(["a@example.com"]))),
    ];
    ses.sendEmail(mailTo(["a@example.com"]));

    expect(errors.every((error) => error instanceof TooManyRequestsException)).to.equal(true);
    expect(mailbox.list()).to.have.length(1);
  });

  describe("behind the cloud's SES adapter", () => {
    const mailer = () => sesMailer(localSesClient(ses), { from: FROM, configurationSet: CONFIGURATION_SET });

    it("delivers the adapter's SendEmailCommand", async () => {
      await mailer().send({ to: "alice@example.com", subject: "s", text: "t" });

      expect(mailbox.list().map((mail) => [mail.to, mail.subject, mail.body])).to.deep.equal([
        ["alice@example.com", "s", "t"],
      ]);
    });

    it("lets the adapter classify a throttled send as transient and a refused one as rejected", async () => {
      ses.failTransiently(1);
      const throttled = await mailer()
        .send({ to: "alice@example.com", subject: "s", text: "t" })
        .catch((error: unknown) => error);
      const refused = await mailer()
        .send({ to: "not-an-address", subject: "s", text: "t" })
        .catch((error: unknown) => error);

      expect(throttled).to.be.instanceOf(TransientError);
      expect(refused).to.be.instanceOf(MailRejectedError);
    });
  });
});
