import { SendEmailCommand, type SESv2Client } from "@aws-sdk/client-sesv2";
import { expect } from "chai";
import { MailRejectedError, TransientError } from "../../../domain/errors";
import { classifySesError, sesMailer } from "../../../handlers/adapters/ses-mailer";

const settings = { from: "orders@oms.example.com", configurationSet: "oms-dev-customer-mail" };

/** An SES error as the SDK throws it: its name, and who is at fault. */
function sesError(name: string, fault: "client" | "server" = "client"): Error {
  return Object.assign(new Error(`${name} from SES`), { name, $fault: fault });
}

function fakeSes(fail?: Error) {
  const calls: SendEmailCommand["input"][] = [];
  const client = {
    async send(command: unknown) {
      if (!(command instanceof SendEmailCommand)) throw new Error("only SendEmail is expected");
      calls.push(command.input);
      if (fail) throw fail;
      return { MessageId: "m-1" };
    },
  } as unknown as SESv2Client;
  return { client, calls };
}

describe("sesMailer", () => {
  it("sends one simple message from the stack's identity, through its configuration set, to the one recipient", async () => {
    const { client, calls } = fakeSes();

    await sesMailer(client, settings).send({ to: "alice@example.com", subject: "Your order", text: "Hello" });

    expect(calls).to.deep.equal([
      {
        FromEmailAddress: settings.from,
        Destination: { ToAddresses: ["alice@example.com"] },
        ConfigurationSetName: settings.configurationSet,
        Content: {
          Simple: {
            Subject: { Data: "Your order", Charset: "UTF-8" },
            Body: { Text: { Data: "Hello", Charset: "UTF-8" } },
          },
        },
      },
    ]);
  });

  it("sends the HTML body too when the mail has one", async () => {
    const { client, calls } = fakeSes();

    await sesMailer(client, settings).send({ to: "a@example.com", subject: "s", text: "t", html: "<p>t</p>" });

    expect(calls[0]?.Content?.Simple?.Body?.Html).to.deep.equal({ Data: "<p>t</p>", Charset: "UTF-8" });
  });

  const classes: [string, Error, (new (...args: never[]) => Error) | "unchanged"][] = [
    ["too many requests", sesError("TooManyRequestsException"), TransientError],
    ["a sending quota exceeded", sesError("LimitExceededException"), TransientError],
    ["sending paused for the account", sesError("SendingPausedException"), TransientError],
    ["SES's own fault", sesError("InternalServiceErrorException", "server"), TransientError],
    ["any 5xx", sesError("ServiceUnavailable", "server"), TransientError],
    ["no answer in time", sesError("TimeoutError"), TransientError],
    ["a rejected message (or an unverified recipient in the sandbox)", sesError("MessageRejected"), MailRejectedError],
    ["a request SES refuses", sesError("BadRequestException"), MailRejectedError],
    ["an unverified sender domain", sesError("MailFromDomainNotVerifiedException"), "unchanged"],
    ["no such configuration set", sesError("NotFoundException"), "unchanged"],
    ["a suspended account", sesError("AccountSuspendedException"), "unchanged"],
  ];
  for (const [what, error, expected] of classes) {
    const says =
      expected === "unchanged"
        ? "rethrows as it is (a fault to fix; the message ends in the DLQ)"
        : `throws ${expected.name}`;
    it(`${says} for ${what}`, async () => {
      const { client } = fakeSes(error);

      const thrown = await sesMailer(client, settings)
        .send({ to: "a@example.com", subject: "s", text: "t" })
        .then(
          () => undefined,
          (e: unknown) => e,
        );

      if (expected === "unchanged") {
        expect(thrown).to.equal(error);
      } else {
        expect(thrown).to.be.instanceOf(expected).and.have.property("cause", error);
      }
      expect(classifySesError(error)).to.be.instanceOf(expected === "unchanged" ? Error : expected);
    });
  }
});
