import * as v from "valibot";
import { ORDER_STATUSES } from "./order-status";

/** Who made a change no person asked for: the order workflow, the mailer. */
export const SYSTEM_ACTOR = "system";

/** What a timeline entry records. */
export const TimelineEvent = {
  /** The order was written: its units are taken. */
  Placed: "placed",
  /** Its status changed, with the admin's note and, to SHIPPED, the shipment. */
  StatusChanged: "statusChanged",
  /** Its units went back to stock (it was cancelled while PLACED). */
  StockReturned: "stockReturned",
  /** The customer was e-mailed about it. */
  MailSent: "mailSent",
  /** The mail service refused the customer's mail for good. */
  MailFailed: "mailFailed",
} as const;
export type TimelineEvent = (typeof TimelineEvent)[keyof typeof TimelineEvent];

const status = v.picklist(ORDER_STATUSES);

/** One entry of an order's timeline. */
export const TimelineEntrySchema = v.object({
  at: v.pipe(v.string(), v.isoTimestamp(), v.description("When it happened")),
  by: v.pipe(v.string(), v.description('The user id of who did it, or "system" (the workflow, the mailer)')),
  event: v.picklist(Object.values(TimelineEvent)),
  from: v.optional(v.pipe(status, v.description("statusChanged: the status it left"))),
  to: v.optional(v.pipe(status, v.description("statusChanged: the status it is in since"))),
  note: v.optional(v.pipe(v.string(), v.description("statusChanged: the admin's note, when given"))),
  carrier: v.optional(v.pipe(v.string(), v.description("statusChanged to SHIPPED: the carrier"))),
  trackingNumber: v.optional(v.pipe(v.string(), v.description("statusChanged to SHIPPED: the tracking number"))),
  lines: v.optional(
    v.pipe(
      v.array(v.object({ product: v.string(), quantity: v.number() })),
      v.description("stockReturned: the units given back, line by line"),
    ),
  ),
  subject: v.optional(v.pipe(v.string(), v.description("mailSent, mailFailed: the mail's subject"))),
  reason: v.optional(v.pipe(v.string(), v.description("mailFailed: why the mail service refused it"))),
});
export type TimelineEntry = v.InferOutput<typeof TimelineEntrySchema>;

/** An order's history, oldest first. */
export const TimelineSchema = v.pipe(
  v.array(TimelineEntrySchema),
  v.description("Every change of the order, oldest first, each written in the same transaction as the change"),
);

/** Entries in the order they happened; entries of one instant keep the order they were written in. */
export function inOrder(entries: readonly TimelineEntry[]): TimelineEntry[] {
  return entries
    .map((entry, index) => ({ entry, index }))
    .sort((a, b) => a.entry.at.localeCompare(b.entry.at) || a.index - b.index)
    .map(({ entry }) => entry);
}
