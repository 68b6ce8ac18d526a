import { publishEvents } from "../handlers/publish-events";
import { sendOrderMail } from "../handlers/send-order-mail";
import { sweepReservations } from "../handlers/sweep-reservations";
import type { ServiceGrant, TableGrant } from "../storage/access";
import {
  idempotencyTable,
  inventoryTable,
  orderTimelineTable,
  ordersTable,
  reservationsTable,
  usersTable,
} from "../storage/tables";

/** A function that reacts to committed changes rather than to a request. */
export interface EventFunction<F> {
  /** The function's name: its Pulumi child name suffix and its log group's. Never rename once shipped. */
  readonly functionName: string;
  /** Builds the handler: serialized and bundled for Lambda by `handlerArchive`, called with local adapters locally. */
  readonly handler: F;
  /** Every table access the handler makes itself (reading its trigger is the component's grant). */
  readonly grants: readonly TableGrant[];
  /** Every other resource it uses. */
  readonly services: readonly ServiceGrant[];
}

/**
 * Reads the orders' and the inventory's change streams and publishes one event per committed change
 * to the order-events topic: an event exists exactly when its change was committed.
 */
export const eventPublisher = {
  functionName: "publish-events",
  handler: publishEvents,
  grants: [],
  services: ["events:publish"],
} as const satisfies EventFunction<typeof publishEvents>;

/**
 * Reads the customer-mail queue (subscribed to the topic for the events customers hear about) and
 * e-mails each order's owner through SES, once per event (idempotent on the event's id), and
 * records each mail sent or refused on the order's timeline.
 */
export const orderMailer = {
  functionName: "send-order-mail",
  handler: sendOrderMail,
  grants: [
    { table: usersTable, actions: ["dynamodb:GetItem"] },
    {
      table: idempotencyTable,
      actions: ["dynamodb:PutItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
    },
    // One conditional write an entry: a mail recorded already is refused, and that is fine.
    { table: orderTimelineTable, actions: ["dynamodb:PutItem"] },
  ],
  services: ["mail:send"],
} as const satisfies EventFunction<typeof sendOrderMail>;

/**
 * Runs on a schedule (every `RESERVATION_SWEEP_INTERVAL_SECONDS`) and gives back the units of every
 * reservation past its deadline whose order was never written, each in one transaction: reservation
 * deleted, stock given back, order checked not written. Counts each as `ReservationsReleased`.
 */
export const reservationSweeper = {
  functionName: "sweep-reservations",
  handler: sweepReservations,
  grants: [
    { table: reservationsTable, actions: ["dynamodb:Scan", "dynamodb:DeleteItem"] },
    { table: inventoryTable, actions: ["dynamodb:UpdateItem"] },
    { table: ordersTable, actions: ["dynamodb:ConditionCheckItem"] },
  ],
  services: [],
} as const satisfies EventFunction<typeof sweepReservations>;

/** Every function invoked by something other than a request or the workflow: each is deployed, watched and packaged. */
export const eventFunctions = [eventPublisher, orderMailer, reservationSweeper] as const;

export { MAILER_TIMEOUT_SECONDS, MAIL_QUEUE } from "./mail-queue";
