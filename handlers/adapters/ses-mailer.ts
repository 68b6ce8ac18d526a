import { SendEmailCommand, type SESv2Client, type SESv2ClientConfig } from "@aws-sdk/client-sesv2";
import { MailRejectedError, TransientError } from "../../domain/errors";
import type { Mailer } from "../../domain/ports";

/**
 * How the SES client retries before the mailer sees an error: the SDK's standard mode retries
 * throttling (`TooManyRequestsException`, `LimitExceededException`) and 5xx faults with
 * exponential back-off and jitter, three attempts in all, well inside the mailer's timeout.
 */
export const SES_CLIENT_RETRIES = { maxAttempts: 3, retryMode: "standard" } as const satisfies SESv2ClientConfig;

/**
 * SES v2 `SendEmail` errors (Amazon SES API v2 Reference, SendEmail › Errors) that mean "not
 * now": sending too fast or over the daily quota, sending paused for the account (it resumes),
 * or SES's own fault (and the SDK's `TimeoutError` when no answer came). The message is tried
 * again when the queue redelivers it.
 */
const TRANSIENT = new Set([
  "TooManyRequestsException",
  "LimitExceededException",
  "SendingPausedException",
  "InternalServiceErrorException",
  "TimeoutError",
]);

/**
 * Errors that mean SES will never take this mail as it is: `MessageRejected` (its content, or, in
 * the SES sandbox, a recipient that is not verified) and `BadRequestException` (a parameter SES
 * refuses, such as an address it cannot use). Trying again is pointless.
 *
 * Everything else is left as it is: `MailFromDomainNotVerifiedException`, `NotFoundException` (no
 * such configuration set) and `AccountSuspendedException` say the stack cannot send any mail at
 * all. Those are faults to fix, not mails to drop: the message fails, lands in the dead-letter
 * queue (which is alarmed), and is redriven once the fault is fixed.
 */
const REJECTED = new Set(["MessageRejected", "BadRequestException"]);

/** The SDK's marks on a service error: who is at fault, and whether it deems a retry useful. */
interface SdkErrorMarks {
  readonly $fault?: "client" | "server";
  readonly $retryable?: unknown;
}

/** The error the mailer throws for a failed `SendEmail`. */
export function classifySesError(error: unknown): unknown {
  if (!(error instanceof Error)) return error;
  const marks = error as Error & SdkErrorMarks;
  if (TRANSIENT.has(error.name) || marks.$fault === "server" || marks.$retryable !== undefined) {
    return new TransientError(`SES: ${error.name}`, { cause: error });
  }
  if (REJECTED.has(error.name)) {
    return new MailRejectedError(`SES refused the mail: ${error.name}: ${error.message}`, { cause: error });
  }
  return error;
}

/** Where customer mail comes from and what tracks it. */
export interface SesMailerSettings {
  /** The sender address, an SES identity of the stack. */
  readonly from: string;
  /** The configuration set that applies the stack's suppression list and event destinations. */
  readonly configurationSet: string;
}

/** Customer mail through Amazon SES (API v2 `SendEmail`, a simple message). */
export function sesMailer(client: SESv2Client, settings: SesMailerSettings): Mailer {
  return {
    async send(mail) {
      try {
        await client.send(
          new SendEmailCommand({
            FromEmailAddress: settings.from,
            Destination: { ToAddresses: [mail.to] },
            ConfigurationSetName: settings.configurationSet,
            Content: {
              Simple: {
                Subject: { Data: mail.subject, Charset: "UTF-8" },
                Body: {
                  Text: { Data: mail.text, Charset: "UTF-8" },
                  ...(mail.html === undefined ? {} : { Html: { Data: mail.html, Charset: "UTF-8" } }),
                },
              },
            },
          }),
        );
      } catch (error) {
        throw classifySesError(error);
      }
    },
  };
}
