import { expect } from "chai";
import {
  SOAK_LIMITS,
  SOAK_MIX,
  SoakOperation,
  mixCycle,
  restockQuantity,
  soakOptions,
  soakSchedule,
} from "../../bench/soak-schedule";

const totalWeight = SOAK_MIX.reduce((sum, entry) => sum + entry.weight, 0);
const weightOf = (operation: SoakOperation) => SOAK_MIX.find((entry) => entry.operation === operation)?.weight ?? 0;

describe("mixCycle", () => {
  for (const entry of SOAK_MIX) {
    it(`holds ${entry.operation} (${entry.route}) exactly its weight of times`, () => {
      const cycle = mixCycle(SOAK_MIX);

      expect(cycle).to.have.length(totalWeight);
      expect(cycle.filter((operation) => operation === entry.operation)).to.have.length(entry.weight);
    });
  }

  it("opens with the mix's first entry, which needs no earlier answer", () => {
    const [first] = mixCycle(SOAK_MIX);

    expect(first).to.equal(SOAK_MIX[0]?.operation);
    expect(SOAK_MIX[0]?.needs).to.equal(undefined);
  });

  it("spreads each operation evenly: at every point of the cycle each is within one request of its share", () => {
    const cycle = mixCycle(SOAK_MIX);

    for (let length = 1; length <= cycle.length; length++) {
      const prefix = cycle.slice(0, length);
      for (const entry of SOAK_MIX) {
        const share = (length * entry.weight) / totalWeight;
        const count = prefix.filter((operation) => operation === entry.operation).length;
        expect(Math.abs(count - share), `${entry.operation} after ${length}`).to.be.lessThan(1);
      }
    }
  });
});

describe("soakSchedule", () => {
  const cases = [
    { rate: 20, seconds: 60 },
    { rate: 7, seconds: 15 },
    { rate: 200, seconds: 3 },
  ];
  for (const { rate, seconds } of cases) {
    it(`sends ${rate} requests a second for ${seconds} s, evenly spaced from 0, all due before the end`, () => {
      const schedule = soakSchedule(rate, seconds, SOAK_MIX);

      expect(schedule).to.have.length(rate * seconds);
      schedule.forEach((request, index) => {
        expect(request.index).to.equal(index);
        expect(request.atMs).to.be.closeTo((index * 1000) / rate, 1e-9);
      });
      expect(schedule[schedule.length - 1]?.atMs).to.be.lessThan(seconds * 1000);
    });
  }

  it("follows the mix's cycle over and over", () => {
    const cycle = mixCycle(SOAK_MIX);

    const schedule = soakSchedule(20, 60, SOAK_MIX);

    schedule.forEach((request, index) => expect(request.operation).to.equal(cycle[index % cycle.length]));
  });
});

describe("restockQuantity", () => {
  it("stocks at least twice the places the mix makes between two restocks", () => {
    const placesBetweenRestocks = weightOf(SoakOperation.Place) / weightOf(SoakOperation.Restock);

    const quantity = restockQuantity(SOAK_MIX);

    expect(Number.isInteger(quantity)).to.equal(true);
    expect(quantity).to.be.at.least(2 * placesBetweenRestocks);
    expect(quantity).to.be.lessThan(2 * placesBetweenRestocks + 1);
  });
});

describe("soakOptions", () => {
  it("reads the length and the rate", () => {
    expect(soakOptions("180", "20")).to.deep.equal({ seconds: 180, rate: 20 });
    expect(soakOptions(String(SOAK_LIMITS.maxSeconds), "0.5")).to.deep.equal({
      seconds: SOAK_LIMITS.maxSeconds,
      rate: 0.5,
    });
  });

  for (const seconds of ["0", "-5", "1.5", "ten", "", String(SOAK_LIMITS.maxSeconds + 1)]) {
    it(`refuses --soak "${seconds}", naming the flag and its bounds`, () => {
      expect(() => soakOptions(seconds, "20")).to.throw(
        Error,
        `--soak must be a whole number of seconds from 1 to ${SOAK_LIMITS.maxSeconds}, not "${seconds}"`,
      );
    });
  }

  for (const rate of ["0", "-1", "fast", "Infinity", String(SOAK_LIMITS.maxRate + 1)]) {
    it(`refuses --rate "${rate}", naming the flag and its bounds`, () => {
      expect(() => soakOptions("60", rate)).to.throw(
        Error,
        `--rate must be requests per second above 0 and at most ${SOAK_LIMITS.maxRate}, not "${rate}"`,
      );
    });
  }
});
