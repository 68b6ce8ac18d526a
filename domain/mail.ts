import { EventType, type OmsEvent } from "./events";
import { formatMoney, times } from "./money";
import type { Order, OrderLine } from "./order";
import type { OutgoingMail } from "./ports";
import type { UserProfile } from "./user";

/**
 * The event types a customer is e-mailed about, all about one of their orders. The customer-mail
 * queue's subscription filters the topic on exactly these, so the mailer never sees another.
 */
export const CUSTOMER_MAIL_EVENT_TYPES = [
  EventType.OrderPlaced,
  EventType.OrderStatusChanged,
  EventType.OrderDeleted,
] as const satisfies readonly EventType[];
export type CustomerMailEventType = (typeof CUSTOMER_MAIL_EVENT_TYPES)[number];

/** An event a customer is e-mailed about. */
export type CustomerMailEvent = Extract<OmsEvent, { readonly type: CustomerMailEventType }>;

/** Whether customers are e-mailed about this event. */
export function isCustomerMailEvent(event: OmsEvent): event is CustomerMailEvent {
  return (CUSTOMER_MAIL_EVENT_TYPES as readonly EventType[]).includes(event.type);
}

/** Whose order the event is about: the only customer who is e-mailed about it. */
export function mailRecipientId(event: CustomerMailEvent): string {
  return event.data.order.ownerId;
}

/** How a customer stops order mail, said in every order mail. */
export const STOP_ORDER_MAIL = 'To stop these e-mails, send PUT /users/me with {"orderMail": false}.';

/** The order's status as the mail states it: a deleted order has none left. */
function statusLine(event: CustomerMailEvent): string {
  const { status } = event.data.order;
  return event.type === EventType.OrderDeleted ? `deleted (it was ${status})` : status;
}

/** What happened to the order, in the subject and the first line. */
function headline(event: CustomerMailEvent): { subject: string; line: string } {
  const id = event.data.order.OrderId;
  switch (event.type) {
    case EventType.OrderPlaced:
      return { subject: `Your order ${id} is placed`, line: `your order ${id} is placed.` };
    case EventType.OrderStatusChanged:
      return {
        subject: `Your order ${id} is ${event.data.to}`,
        line: `your order ${id} has moved from ${event.data.from} to ${event.data.to}.`,
      };
    case EventType.OrderDeleted:
      return {
        subject: `Your order ${id} is deleted`,
        line: `your order ${id} is deleted${event.data.stockReturned ? "; nothing will be shipped" : ""}.`,
      };
  }
}

/** One line of the order: `2 × Headlight @ €19.99 = €39.98`, or `2 × Headlight` when the item had no price. */
function itemLine(line: OrderLine): string {
  const units = `  ${line.quantity} × ${line.product}`;
  if (line.unitPrice === undefined) return units;
  const lineTotal = line.lineTotal ?? times(line.unitPrice, line.quantity);
  return `${units} @ ${formatMoney(line.unitPrice)} = ${formatMoney(lineTotal)}`;
}

/** Every line of the order, in the customer's order, then its total when it has one. */
function itemLines(order: Order): string[] {
  const total = order.total === undefined ? [] : [`Total: ${formatMoney(order.total)}`];
  return [...order.items.map(itemLine), ...total];
}

/** How the order travels, when it was shipped with a carrier and tracking number. */
function shipmentLines(order: Order): string[] {
  if (order.carrier === undefined || order.trackingNumber === undefined) return [];
  return [`Carrier:  ${order.carrier}`, `Tracking: ${order.trackingNumber}`];
}

/**
 * The e-mail that tells an order's owner what happened to it: the order id, its status, its
 * carrier and tracking number once shipped with them, every line with its price and the order's
 * total when it has them, and how to stop order mail. Plain text, so that every mail client shows
 * it as written.
 */
export function orderMail(event: CustomerMailEvent, recipient: Pick<UserProfile, "name" | "email">): OutgoingMail {
  const { order } = event.data;
  const { subject, line } = headline(event);
  const text = [
    `Hello ${recipient.name}, ${line}`,
    "",
    `Order:  ${order.OrderId}`,
    `Status: ${statusLine(event)}`,
    ...shipmentLines(order),
    "Items:",
    ...itemLines(order),
    "",
    STOP_ORDER_MAIL,
    "",
  ].join("\n");
  return { to: recipient.email, subject, text };
}
