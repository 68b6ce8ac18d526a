/** One e-mail the local stack would have sent. */
export interface Mail {
  readonly to: string;
  readonly subject: string;
  readonly body: string;
  /** When it was sent, ISO 8601. */
  readonly sentAt: string;
}

/**
 * Where the local stack delivers the e-mails the cloud sends through SNS, so that a developer
 * (`GET /_local/mail`) or a test can read them. In memory: it empties when the stack stops.
 */
export class Mailbox {
  private readonly mails: Mail[] = [];

  constructor(private readonly now: () => Date = () => new Date()) {}

  /** Delivers a mail, stamped with the current time. */
  send(mail: Omit<Mail, "sentAt">): Mail {
    const sent = { to: mail.to, subject: mail.subject, body: mail.body, sentAt: this.now().toISOString() };
    this.mails.push(sent);
    return sent;
  }

  /** Mails to `to` (every mail when absent), oldest first. Addresses compare case-insensitively. */
  list(to?: string): Mail[] {
    const wanted = to?.toLowerCase();
    return this.mails.filter((mail) => wanted === undefined || mail.to.toLowerCase() === wanted);
  }
}
