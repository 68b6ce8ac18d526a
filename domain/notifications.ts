import type { Order } from "./order";

/**
 * Text with `{}` placeholders filled from an order's fields, in order: the shape of Step Functions'
 * `States.Format`, so that the workflow's notification state and the status-update function send
 * words written once, here.
 */
export interface TextTemplate {
  readonly text: string;
  readonly fields: readonly (keyof Order)[];
}

/** A customer e-mail about an order. */
interface NotificationTemplate {
  readonly subject: TextTemplate;
  readonly message: TextTemplate;
}

/** Sent by the workflow's `NotifyCustomer` state when an order is placed. */
export const ORDER_PLACED: NotificationTemplate = {
  subject: { text: "Your order {} is placed", fields: ["OrderId"] },
  message: {
    text: "Hello {}, your order {} for {} x {} is placed. We will e-mail you when it ships.",
    fields: ["customerName", "OrderId", "quantity", "product"],
  },
};

/** Sent when an admin moves an order to another status. */
export const ORDER_STATUS_CHANGED: NotificationTemplate = {
  subject: { text: "Your order {} is {}", fields: ["OrderId", "status"] },
  message: {
    text: "Hello {}, your order {} for {} x {} is now {}.",
    fields: ["customerName", "OrderId", "quantity", "product", "status"],
  },
};

/**
 * The message attribute every notification carries and every customer's subscription filters on,
 * so that each customer receives only their own order mail.
 */
export const RECIPIENT_ATTRIBUTE = "userId";

/** The subscription filter policy that lets through only `userId`'s notifications. */
export function recipientFilterPolicy(userId: string): Record<string, string[]> {
  return { [RECIPIENT_ATTRIBUTE]: [userId] };
}

/** One e-mail for one customer; delivery finds the address through the customer's subscription. */
export interface Notification {
  /** The customer's user id: deliveries are filtered on it, so that only they receive it. */
  readonly userId: string;
  readonly subject: string;
  readonly message: string;
}

/** Fills a template from an order, as `States.Format` does. */
export function formatText(template: TextTemplate, order: Order): string {
  let next = 0;
  return template.text.replace(/\{\}/g, () => String(order[template.fields[next++] ?? "OrderId"]));
}

/** The notification a template makes for an order's owner. */
export function notificationFor(template: NotificationTemplate, order: Order): Notification {
  return {
    userId: order.ownerId,
    subject: formatText(template.subject, order),
    message: formatText(template.message, order),
  };
}
