import { Logger } from "@aws-lambda-powertools/logger";
import type { Context } from "aws-lambda";
import { TransientError } from "../domain/errors";
import { BusinessMetric, type BusinessMetrics, type InventoryRepository } from "../domain/ports";
import { awsAdapters } from "./adapters/from-environment";
import { withBusinessMetrics } from "./adapters/powertools-metrics";
import { type InjectedAdapters, decorated } from "./http";

/** What one sweep did. */
export interface SweepOutcome {
  /** Reservations whose units this sweep gave back. */
  readonly released: number;
  /** Reservations past their deadline that DynamoDB said "not now" about: the next sweep takes them. */
  readonly deferred: number;
}

/** The sweeper's function; its trigger (a schedule) carries nothing it reads. */
export type SweepHandler = (event: unknown, context: Context) => Promise<SweepOutcome>;

/** What the sweeper needs from the outside world. */
export interface SweepReservationsDeps {
  readonly inventory: InventoryRepository;
  readonly metrics: BusinessMetrics;
  /** The clock that decides which deadlines have passed. @default the real one */
  readonly now?: () => Date;
  readonly logger?: Logger;
}

/**
 * Gives back the units of every reservation past its deadline: its workflow died, stalled or timed
 * out before writing the order or giving them back itself. Each release is one transaction that
 * deletes the reservation only if it is still there and no order was written, so a late
 * `CreateOrder` or another sweep running at the same time makes it a no-op, never a second release.
 * Each release is logged and counted as `ReservationsReleased`: every one is a run that was lost.
 */
export function makeSweepReservations(deps: SweepReservationsDeps): SweepHandler {
  const logger = deps.logger ?? new Logger();
  const now = deps.now ?? (() => new Date());

  const handler: SweepHandler = async () => {
    const at = now();
    let released = 0;
    let deferred = 0;
    for await (const reservation of deps.inventory.reservationsPastDeadline(at)) {
      const { orderId, itemId, quantity, deadline } = reservation;
      try {
        if (await deps.inventory.release(orderId, itemId, quantity, at)) {
          released += 1;
          deps.metrics.count(BusinessMetric.ReservationsReleased);
          logger.info("Reservation past its deadline released", { orderId, itemId, quantity, deadline });
        }
      } catch (error) {
        // A throttle or a transaction conflict (another sweep, a late CreateOrder) leaves the
        // reservation for the next sweep; anything else is a bug and fails the invocation.
        if (!(error instanceof TransientError)) throw error;
        deferred += 1;
        logger.warn("Reservation left for the next sweep", { orderId, itemId, error });
      }
    }
    return { released, deferred };
  };
  return decorated(handler, logger.injectLambdaContext({ resetKeys: true }));
}

/** Builds the sweeper once per cold start: the factory `pulumi up` serializes (see `infra/handler-code.ts`). */
export const sweepReservations = (adapters: InjectedAdapters = {}): SweepHandler =>
  withBusinessMetrics(adapters.metrics, (metrics) =>
    makeSweepReservations({ inventory: awsAdapters().inventoryRepository(), metrics }),
  );
