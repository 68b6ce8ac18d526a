import { expect } from "chai";
import { RouteThrottle, TokenBucket, routeBucket } from "../../local/token-bucket";

/** A clock that moves only when the test says so. */
function manualClock() {
  let now = 0;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}

function takeMany(bucket: TokenBucket, count: number): boolean[] {
  return Array.from({ length: count }, () => bucket.tryTake());
}

describe("TokenBucket", () => {
  it("accepts a full burst at once, then throttles", () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ capacity: 5, refillPerSecond: 1, now: clock.now });

    const taken = takeMany(bucket, 7);

    expect(taken).to.deep.equal([true, true, true, true, true, false, false]);
  });

  it("refills at the rate, one token per 1/rate seconds", () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ capacity: 2, refillPerSecond: 4, now: clock.now });
    takeMany(bucket, 2);

    clock.advance(249);
    const early = bucket.tryTake();
    clock.advance(1);
    const onTime = bucket.tryTake();
    const again = bucket.tryTake();

    expect([early, onTime, again]).to.deep.equal([false, true, false]);
  });

  it("never holds more than its capacity, however long it rests", () => {
    const clock = manualClock();
    const bucket = new TokenBucket({ capacity: 3, refillPerSecond: 100, now: clock.now });

    clock.advance(60_000);
    const taken = takeMany(bucket, 4);

    expect(taken).to.deep.equal([true, true, true, false]);
  });

  it("ignores a clock that goes backwards instead of minting tokens", () => {
    const clock = manualClock();
    clock.advance(10_000);
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 1, now: clock.now });
    bucket.tryTake();

    clock.advance(-5_000);
    const taken = bucket.tryTake();

    expect(taken).to.equal(false);
  });
});

describe("RouteThrottle", () => {
  const options = { capacity: 2, refillPerSecond: 1, now: () => 0 };

  it("gives every route key a bucket of its own, so that one route's burst leaves another's whole", () => {
    const throttle = new RouteThrottle(options);

    const busy = Array.from({ length: options.capacity + 1 }, () => throttle.tryTake("GET /orders"));
    const other = Array.from({ length: options.capacity }, () => throttle.tryTake("POST /orders"));

    expect(busy).to.deep.equal([...Array.from({ length: options.capacity }, () => true), false]);
    expect(other).to.deep.equal(Array.from({ length: options.capacity }, () => true));
  });
});

describe("routeBucket", () => {
  it("sizes each route's bucket by the stack's burst and refills it at the stack's rate", () => {
    const now = () => 0;

    expect(routeBucket({ burstLimit: 50, rateLimit: 100 }, now)).to.deep.equal({
      capacity: 50,
      refillPerSecond: 100,
      now,
    });
  });
});
