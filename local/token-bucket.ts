import type { StackConfig } from "../infra/stack-config";

/** Options for a `TokenBucket`. */
export interface TokenBucketOptions {
  /** Most requests accepted at once: the stage's `burstLimit`. */
  readonly capacity: number;
  /** Tokens added back per second: the stage's `rateLimit`. */
  readonly refillPerSecond: number;
  /** Milliseconds on a monotonic clock; injectable so that tests decide what time it is. */
  readonly now?: () => number;
}

/**
 * API Gateway's throttling model: a bucket of `capacity` tokens, refilled at `refillPerSecond`,
 * one token per request. It starts full, as a fresh stage does.
 */
export class TokenBucket {
  private readonly capacity: number;
  private readonly refillPerMs: number;
  private readonly now: () => number;
  private tokens: number;
  private refilledAt: number;

  constructor(options: TokenBucketOptions) {
    this.capacity = options.capacity;
    this.refillPerMs = options.refillPerSecond / 1000;
    this.now = options.now ?? (() => performance.now());
    this.tokens = options.capacity;
    this.refilledAt = this.now();
  }

  /** Takes one token; `false` means the request is throttled. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) {
      return false;
    }
    this.tokens -= 1;
    return true;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.refilledAt);
    this.tokens = Math.min(this.capacity, this.tokens + elapsed * this.refillPerMs);
    this.refilledAt = now;
  }
}

/**
 * A stage's default route throttling as API Gateway applies it: every route key (`GET /orders`)
 * has its own bucket of the same size and rate, so one busy route never throttles another. A
 * bucket is made full on a route's first request, which is what an untouched bucket would be.
 */
export class RouteThrottle {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly options: TokenBucketOptions) {}

  /** Takes one token from `routeKey`'s bucket; `false` means the request is throttled. */
  tryTake(routeKey: string): boolean {
    let bucket = this.buckets.get(routeKey);
    if (!bucket) {
      bucket = new TokenBucket(this.options);
      this.buckets.set(routeKey, bucket);
    }
    return bucket.tryTake();
  }
}

/** Each route's bucket under a stack's `oms:throttle`: its burst is the capacity, its rate the refill. */
export function routeBucket(throttle: StackConfig["throttle"], now?: TokenBucketOptions["now"]): TokenBucketOptions {
  return { capacity: throttle.burstLimit, refillPerSecond: throttle.rateLimit, ...(now ? { now } : {}) };
}
