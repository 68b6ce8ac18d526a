import {
  BadRequestException,
  MessageRejected,
  NotFoundException,
  SendEmailCommand,
  type SendEmailCommandInput,
  type SESv2Client,
  TooManyRequestsException,
} from "@aws-sdk/client-sesv2";
import { randomUUID } from "node:crypto";
import type { Mailbox } from "./mailbox";

/**
 * The SES limits OMS's calls can meet ("SendEmail", Amazon SES API Reference): at most 50
 * recipients across To, CC and BCC, and a message of at most 10 MB.
 */
export const SES_LIMITS = {
  recipientsPerMessage: 50,
  messageBytes: 10 * 1024 * 1024,
} as const;

/** Options for `LocalSes`. */
export interface LocalSesOptions {
  readonly mailbox: Mailbox;
  /** The sender the mailer uses: the stack's `mailFrom`. */
  readonly from: string;
  /**
   * The identities the stack verified: addresses, or domains that verify every address in them.
   * @default [from], the identity the program creates
   */
  readonly verifiedIdentities?: readonly string[];
  /** The configuration sets the stack created; a send naming another is refused. */
  readonly configurationSets: readonly string[];
  /** The region SES names in its refusals. @default "us-east-1" */
  readonly region?: string;
}

/** A mail SES accepted but did not send, because its recipient is on the suppression list. */
export interface SuppressedMail {
  readonly to: string;
  readonly subject: string;
}

/** What the SDK puts on every service error; a local refusal carries SES's HTTP status. */
function metadata(httpStatusCode: number) {
  return { $metadata: { httpStatusCode } };
}

/** A syntactically valid address, as SES checks it before anything else. */
const ADDRESS = /^[^\s@<>]+@[^\s@<>]+\.[^\s@<>]+$/;

/** The address inside `Name <address>`, or the whole string. */
function addressOf(source: string): string {
  return /<([^>]+)>\s*$/.exec(source)?.[1] ?? source.trim();
}

/**
 * Enough of Amazon SES (v2 `SendEmail`) for OMS, offline: delivers simple messages into the local
 * mailbox, and refuses what SES refuses for OMS's calls, with the SDK's errors: a sender that no
 * verified identity covers (`MessageRejected`, "Email address is not verified"), an invalid
 * address or more than 50 recipients (`BadRequestException`, `MessageRejected`). A recipient on the
 * suppression list is accepted and not sent to, as SES does ("SES accepted the message, but
 * didn't attempt to send it"). It can be told to answer `TooManyRequestsException` N times, so that
 * a spec sees the mailer retry. The cloud's SES adapter (`sesMailer`) sends through it with
 * `localSesClient`, so that the local mailer classifies SES's answers with the same code.
 */
export class LocalSes {
  private readonly suppressed = new Set<string>();
  private readonly suppressedMail: SuppressedMail[] = [];
  private transientFailures = 0;

  constructor(private readonly options: LocalSesOptions) {}

  /** `SendEmail` with simple content, as the SES v2 API takes it. */
  sendEmail(input: SendEmailCommandInput): { MessageId: string } {
    if (this.transientFailures > 0) {
      this.transientFailures -= 1;
      throw new TooManyRequestsException({ message: "Too many requests", ...metadata(429) });
    }
    const from = input.FromEmailAddress;
    if (from === undefined || !this.isVerified(addressOf(from))) {
      const region = (this.options.region ?? "us-east-1").toUpperCase();
      throw new MessageRejected({
        message: `Email address is not verified. The following identities failed the check in region ${region}: ${from ?? ""}`,
        ...metadata(400),
      });
    }
    const configurationSet = input.ConfigurationSetName;
    if (configurationSet !== undefined && !this.options.configurationSets.includes(configurationSet)) {
      throw new NotFoundException({
        message: `Configuration set <${configurationSet}> does not exist.`,
        ...metadata(404),
      });
    }
    const destination = input.Destination ?? {};
    const recipients = [
      ...(destination.ToAddresses ?? []),
      ...(destination.CcAddresses ?? []),
      ...(destination.BccAddresses ?? []),
    ];
    if (recipients.length === 0) {
      throw new BadRequestException({ message: "Missing required header 'To'.", ...metadata(400) });
    }
    if (recipients.length > SES_LIMITS.recipientsPerMessage) {
      throw new MessageRejected({ message: "Recipient count exceeds 50.", ...metadata(400) });
    }
    const invalid = recipients.find((recipient) => !ADDRESS.test(addressOf(recipient)));
    if (invalid !== undefined) {
      throw new BadRequestException({ message: `Illegal address: ${invalid}`, ...metadata(400) });
    }
    const simple = input.Content?.Simple;
    if (simple?.Subject?.Data === undefined || (simple.Body?.Text === undefined && simple.Body?.Html === undefined)) {
      throw new BadRequestException({ message: "Message must have a subject and a body.", ...metadata(400) });
    }
    const body = simple.Body.Text?.Data ?? simple.Body.Html?.Data ?? "";
    if (
      Buffer.byteLength(simple.Subject.Data + body + (simple.Body.Html?.Data ?? ""), "utf8") > SES_LIMITS.messageBytes
    ) {
      throw new MessageRejected({ message: "Message length is more than 10485760 bytes long.", ...metadata(400) });
    }
    for (const recipient of recipients.map(addressOf)) {
      if (this.suppressed.has(recipient.toLowerCase())) {
        this.suppressedMail.push({ to: recipient, subject: simple.Subject.Data });
      } else {
        this.options.mailbox.send({ to: recipient, subject: simple.Subject.Data, body });
      }
    }
    return { MessageId: randomUUID() };
  }

  /** Answers the next `count` sends with `TooManyRequestsException`, as a throttled account sees. */
  failTransiently(count: number): void {
    this.transientFailures = count;
  }

  /** Puts an address on the suppression list (a hard bounce or a complaint would). */
  suppress(address: string): void {
    this.suppressed.add(address.toLowerCase());
  }

  /** Mails accepted for suppressed recipients, and not sent. */
  suppressedMails(): readonly SuppressedMail[] {
    return this.suppressedMail;
  }

  private isVerified(address: string): boolean {
    const lower = address.toLowerCase();
    const domain = lower.split("@")[1];
    return (this.options.verifiedIdentities ?? [addressOf(this.options.from)]).some((identity) => {
      const verified = identity.toLowerCase();
      return verified === lower || verified === domain;
    });
  }
}

/**
 * The local SES behind an SES v2 client's face, for the cloud's own adapter (`sesMailer`). The
 * SDK's retries are not in this path: a throttled send reaches the mailer at once, and the queue's
 * redelivery is what tries it again.
 */
export function localSesClient(ses: LocalSes): SESv2Client {
  const client = {
    async send(command: unknown) {
      if (command instanceof SendEmailCommand) return ses.sendEmail(command.input);
      throw new Error(`The local SES does not serve ${(command as object).constructor.name}`);
    },
  };
  return client as unknown as SESv2Client;
}
