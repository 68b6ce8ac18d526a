/**
 * What the soak sends and when: an open model, where the i-th request leaves at i / rate seconds
 * whatever happened to the ones before it (a slow answer never delays the next request, as it
 * would with a fixed pool of connections), and the operations follow a fixed mix.
 */

/** The operations of the soak's mix. */
export const SoakOperation = {
  Place: "place",
  List: "list",
  Read: "read",
  Ship: "ship",
  Deliver: "deliver",
  Restock: "restock",
} as const;
export type SoakOperation = (typeof SoakOperation)[keyof typeof SoakOperation];

/** What a dependent operation needs from earlier answers: an order that was placed, or one that was shipped. */
export type SoakSubject = "placed" | "shipped";

/** One operation of the mix. */
export interface SoakMixEntry {
  readonly operation: SoakOperation;
  /** The route it calls, for the report. */
  readonly route: string;
  /** How many of every `mixCycle(...).length` requests it makes. */
  readonly weight: number;
  /** The order it acts on, taken from earlier answers; it is skipped while there is none. */
  readonly needs?: SoakSubject;
}

/**
 * Customers place, list and read their orders; an admin ships and delivers some of them and sets
 * the stock back up so that places keep succeeding.
 */
export const SOAK_MIX: readonly SoakMixEntry[] = [
  { operation: SoakOperation.Place, route: "POST /orders", weight: 6 },
  { operation: SoakOperation.List, route: "GET /orders", weight: 4 },
  { operation: SoakOperation.Read, route: "GET /orders/{id}", weight: 5, needs: "placed" },
  { operation: SoakOperation.Ship, route: "PATCH /orders/{id} SHIPPED", weight: 2, needs: "placed" },
  { operation: SoakOperation.Deliver, route: "PATCH /orders/{id} DELIVERED", weight: 1, needs: "shipped" },
  { operation: SoakOperation.Restock, route: "PUT /inventory/{itemId}", weight: 2 },
];

/** Bounds on the flags: a soak always ends, and stays within what a shared 2-core machine can take. */
export const SOAK_LIMITS = { maxSeconds: 3600, maxRate: 200 } as const;

/**
 * One cycle of the mix, each operation `weight` times, interleaved by smooth weighted round-robin
 * (nginx's upstream balancing): heavy operations spread evenly rather than in bursts, and ties go
 * to the earlier entry, so the cycle opens with the first entry (the mix places before it reads).
 */
export function mixCycle(mix: readonly SoakMixEntry[]): SoakOperation[] {
  const total = mix.reduce((sum, entry) => sum + entry.weight, 0);
  const current = mix.map(() => 0);
  const cycle: SoakOperation[] = [];
  for (let slot = 0; slot < total; slot++) {
    let chosen = 0;
    mix.forEach((entry, index) => {
      current[index] = (current[index] ?? 0) + entry.weight;
      if ((current[index] ?? 0) > (current[chosen] ?? 0)) chosen = index;
    });
    current[chosen] = (current[chosen] ?? 0) - total;
    cycle.push(mix[chosen]?.operation ?? SoakOperation.List);
  }
  return cycle;
}

/** One scheduled request. */
export interface ScheduledRequest {
  readonly index: number;
  /** When it leaves, from the start of the soak (ms). */
  readonly atMs: number;
  readonly operation: SoakOperation;
}

/** Every request of a soak of `seconds` at `rate` per second: `rate × seconds` of them, evenly spaced. */
export function soakSchedule(rate: number, seconds: number, mix: readonly SoakMixEntry[]): ScheduledRequest[] {
  const cycle = mixCycle(mix);
  return Array.from({ length: Math.floor(rate * seconds) }, (_, index) => ({
    index,
    atMs: (index * 1000) / rate,
    operation: cycle[index % cycle.length] ?? SoakOperation.List,
  }));
}

/**
 * What a restock sets the soak's item to: twice the places expected before the next restock. Enough
 * that places rarely run out, small enough that a restock answered late shows as 409s.
 */
export function restockQuantity(mix: readonly SoakMixEntry[]): number {
  const weight = (operation: SoakOperation) => mix.find((entry) => entry.operation === operation)?.weight ?? 0;
  return Math.ceil((2 * weight(SoakOperation.Place)) / Math.max(1, weight(SoakOperation.Restock)));
}

/** The soak's length and rate from the command line's strings; throws naming the flag when out of bounds. */
export function soakOptions(seconds: string, rate: string): { seconds: number; rate: number } {
  const parsed = { seconds: Number(seconds), rate: Number(rate) };
  if (!Number.isInteger(parsed.seconds) || parsed.seconds < 1 || parsed.seconds > SOAK_LIMITS.maxSeconds) {
    throw new Error(`--soak must be a whole number of seconds from 1 to ${SOAK_LIMITS.maxSeconds}, not "${seconds}"`);
  }
  if (!Number.isFinite(parsed.rate) || parsed.rate <= 0 || parsed.rate > SOAK_LIMITS.maxRate) {
    throw new Error(`--rate must be requests per second above 0 and at most ${SOAK_LIMITS.maxRate}, not "${rate}"`);
  }
  return parsed;
}
