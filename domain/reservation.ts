import { OmsError } from "./errors";

/**
 * How long units reserved for an order stay held before the sweeper may give them back. It must
 * outlast any run of the order workflow (`WORKFLOW_TIMEOUT_SECONDS`, 25 s) and a task invocation
 * still finishing after its execution timed out, so that a live order is never swept: a late
 * `CreateOrder` after the deadline is still safe (its transaction finds the reservation gone and
 * writes no order), only wasteful. `test/workflow/reservations.test.ts` checks the margin.
 */
export const RESERVATION_LIFETIME_SECONDS = 60;

/**
 * How often the sweeper runs (EventBridge Scheduler's `rate(1 minute)` in the cloud, a timer
 * locally): a reservation past its deadline is given back within one period of it.
 */
export const RESERVATION_SWEEP_INTERVAL_SECONDS = 60;

/** Units taken from an item's free stock for an order not written yet, until its deadline. */
export interface Reservation {
  readonly orderId: string;
  readonly itemId: string;
  readonly quantity: number;
  /** After this instant (ISO 8601, UTC) the sweeper gives the units back if the order was never written. */
  readonly deadline: string;
}

/** The deadline of a reservation made at `now` that lives `lifetimeSeconds`. */
export function reservationDeadline(now: Date, lifetimeSeconds: number = RESERVATION_LIFETIME_SECONDS): string {
  return new Date(now.getTime() + lifetimeSeconds * 1000).toISOString();
}

/** Whether a reservation's deadline has passed at `now`: then the sweeper may give its units back. */
export function isPastDeadline(reservation: Pick<Reservation, "deadline">, now: Date): boolean {
  return Date.parse(reservation.deadline) < now.getTime();
}

/**
 * The order's reservation was given back (by the sweeper, past its deadline) before the order
 * could be written: the order is not written, and the workflow fails it (`ReleaseStock` then finds
 * nothing to give back).
 */
export class ReservationExpiredError extends OmsError {
  constructor(
    readonly orderId: string,
    options?: ErrorOptions,
  ) {
    super(`The stock reserved for order ${orderId} was given back before the order was written`, options);
  }

  override get name(): string {
    return "ReservationExpiredError";
  }
}
