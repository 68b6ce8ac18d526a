import { expect } from "chai";
import { SOAK_MIX, SoakOperation } from "../../bench/soak-schedule";
import { type SoakOutcome, type SoakRecord, soakWindows, summarizeWindow } from "../../bench/soak-windows";
import { percentile } from "../../bench/stats";

const operations = SOAK_MIX.map((entry) => entry.operation);

function answered(status: number, latencyMs = 10): SoakOutcome {
  return { kind: "answered", status, latencyMs };
}

function record(outcome: SoakOutcome, operation: SoakOperation = SoakOperation.Place, atMs = 0): SoakRecord {
  return { atMs, operation, outcome };
}

describe("summarizeWindow", () => {
  it("counts answers by status class and by status, and timeouts, errors and skips apart", () => {
    const records = [
      record(answered(201)),
      record(answered(200)),
      record(answered(409)),
      record(answered(409)),
      record(answered(404)),
      record(answered(500)),
      record(answered(503)),
      record({ kind: "timeout" }),
      record({ kind: "error" }),
      record({ kind: "skipped" }),
    ];

    const window = summarizeWindow(records, 0, 15, operations);

    expect(window).to.include({
      startSeconds: 0,
      endSeconds: 15,
      sent: 9,
      skipped: 1,
      ok: 2,
      clientErrors: 3,
      serverErrors: 2,
      timeouts: 1,
      errors: 1,
    });
    expect(window.statuses).to.deep.equal({ 200: 1, 201: 1, 404: 1, 409: 2, 500: 1, 503: 1 });
  });

  it("takes each operation's p50 and p99 from its own answers only, whatever their status", () => {
    const placeLatencies = Array.from({ length: 200 }, (_, index) => index + 1);
    const records = [
      ...placeLatencies.map((latencyMs, index) =>
        record(answered(index % 10 === 0 ? 409 : 201, latencyMs), SoakOperation.Place),
      ),
      record(answered(200, 5_000), SoakOperation.List),
      record({ kind: "timeout" }, SoakOperation.Place),
    ];

    const window = summarizeWindow(records, 0, 15, operations);

    expect(window.operations[SoakOperation.Place]).to.deep.equal({
      answered: placeLatencies.length,
      p50Ms: percentile(placeLatencies, 50),
      p99Ms: percentile(placeLatencies, 99),
    });
    expect(window.operations[SoakOperation.List]).to.deep.equal({ answered: 1, p50Ms: 5_000, p99Ms: 5_000 });
    expect(window.all).to.deep.equal({
      answered: placeLatencies.length + 1,
      p50Ms: percentile([...placeLatencies, 5_000], 50),
      p99Ms: percentile([...placeLatencies, 5_000], 99),
    });
  });

  it("gives every operation of the mix a row, in mix order, NaN where it had no answer", () => {
    const window = summarizeWindow([record({ kind: "skipped" }, SoakOperation.Deliver)], 0, 15, operations);

    expect(Object.keys(window.operations)).to.deep.equal(operations);
    expect(window.operations[SoakOperation.Deliver]?.answered).to.equal(0);
    expect(window.operations[SoakOperation.Deliver]?.p50Ms).to.deep.equal(Number.NaN);
    expect(window.all.p99Ms).to.deep.equal(Number.NaN);
  });
});

describe("soakWindows", () => {
  it("puts each request in the window it was due in, the last window ending with the soak", () => {
    const seconds = 40;
    const windowSeconds = 15;
    const dueAt = [0, 14_999, 15_000, 29_999, 30_000, 39_999];
    const records = dueAt.map((atMs) => record(answered(201), SoakOperation.Place, atMs));

    const windows = soakWindows(records, seconds, windowSeconds, operations);

    expect(windows.map((window) => [window.startSeconds, window.endSeconds])).to.deep.equal([
      [0, windowSeconds],
      [windowSeconds, 2 * windowSeconds],
      [2 * windowSeconds, seconds],
    ]);
    windows.forEach((window, index) => {
      const inside = dueAt.filter((atMs) => atMs >= window.startSeconds * 1000 && atMs < window.endSeconds * 1000);
      expect(window.sent, `window ${index}`).to.equal(inside.length);
    });
  });

  it("accounts for every request exactly once", () => {
    const records = Array.from({ length: 1_200 }, (_, index) =>
      record(index % 7 === 0 ? { kind: "skipped" } : answered(200), SoakOperation.List, index * 50),
    );

    const windows = soakWindows(records, 60, 15, operations);

    expect(windows.reduce((sum, window) => sum + window.sent + window.skipped, 0)).to.equal(records.length);
    expect(windows.reduce((sum, window) => sum + window.skipped, 0)).to.equal(
      records.filter((entry) => entry.outcome.kind === "skipped").length,
    );
  });

  it("gives a soak shorter than a window one window", () => {
    const windows = soakWindows([record(answered(201))], 5, 15, operations);

    expect(windows.map((window) => [window.startSeconds, window.endSeconds, window.sent])).to.deep.equal([[0, 5, 1]]);
  });
});
