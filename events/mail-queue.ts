/**
 * How the customer-mail queue retries: a message not acknowledged within `visibilityTimeoutSeconds`
 * is delivered again, and one received `maxReceiveCount` times goes to the dead-letter queue, which
 * keeps it `retentionDays` for an operator to redrive. The cloud queue and the local one share these,
 * and the mailer remembers the events it mailed about for as long.
 *
 * Its own module, re-exported by `events/functions.ts`, because the mailer reads it too and
 * `events/functions.ts` imports the mailer.
 */
export const MAIL_QUEUE = {
  // Six times the mailer's timeout, as Lambda's SQS guide advises, so retries by the event source
  // mapping itself cannot make a message visible again while it is still being mailed.
  visibilityTimeoutSeconds: 180,
  maxReceiveCount: 5,
  retentionDays: 14,
} as const;

/** The mailer's timeout: well inside the queue's visibility timeout, so that a message is never mailed twice at once. */
export const MAILER_TIMEOUT_SECONDS = 30;
