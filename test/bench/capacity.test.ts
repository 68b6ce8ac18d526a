import { expect } from "chai";
import {
  PARTITION_WRITE_UNITS_PER_SECOND,
  itemBytes,
  orderUnits,
  partitionCeilings,
  readUnits,
  writeUnits,
} from "../../bench/capacity";
import { ORDER_INDEX_SHARDS } from "../../storage/tables";

describe("DynamoDB capacity model", () => {
  describe("itemBytes", () => {
    const cases: readonly [string, Record<string, unknown>, number][] = [
      ["a string: its name's and its value's UTF-8 bytes", { name: "Bench" }, 4 + 5],
      ["a multi-byte string by its UTF-8 bytes", { name: "Zoë" }, 4 + 4],
      ["a number: one byte per two significant digits, and one", { amount: 1999 }, 6 + 2 + 1],
      ["a number without its trailing zeroes", { amount: 1_000_000 }, 6 + 1 + 1],
      ["zero as one byte: it has no significant digit", { amount: 0 }, 6 + 1],
      ["a boolean or a null: one byte", { paid: true, note: null }, 4 + 1 + 4 + 1],
      [
        "a map: 3 bytes, and a byte per element besides its name and value",
        { total: { amount: 5 } },
        5 + 3 + 1 + 6 + 2,
      ],
      ["a list: 3 bytes, and a byte per element", { items: ["ab", 7] }, 5 + 3 + (1 + 2) + (1 + 2)],
      ["nothing for an attribute left undefined", { name: "A", carrier: undefined }, 4 + 1],
    ];
    for (const [what, item, bytes] of cases) {
      it(`counts ${what}`, () => {
        expect(itemBytes(item)).to.equal(bytes);
      });
    }
  });

  describe("writeUnits and readUnits", () => {
    const cases: readonly [number, number, number][] = [
      [1, 1, 1],
      [1024, 1, 1],
      [1025, 2, 1],
      [4096, 4, 1],
      [4097, 5, 2],
    ];
    for (const [bytes, writes, reads] of cases) {
      it(`takes ${writes} write unit(s) and ${reads} read unit(s) for ${bytes} bytes`, () => {
        expect(writeUnits(bytes)).to.equal(writes);
        expect(readUnits(bytes)).to.equal(reads);
      });
    }
  });

  describe("orderUnits", () => {
    it("reads each line's stock once, and writes each of the reserve transaction's 2 × lines + 1 items twice", () => {
      const units = orderUnits(400, 10);

      expect(units.reserve).to.deep.equal({ reads: 10, writes: 2 * 21 });
    });

    it("writes the create transaction's items twice, then the order once per index and each line once in byProduct", () => {
      const oneLine = orderUnits(400, 1);
      const tenLines = orderUnits(2500, 10);

      // Order (1 unit), timeline entry, line and reservation delete, twice each; three order indexes; one line index.
      expect(oneLine.create).to.deep.equal({ reads: 0, writes: 2 * (1 + 1 + 1 + 1) + 3 * 1 + 1 });
      // An order of 3 units, its timeline entry, 10 lines and 10 deletes, twice each; 3 units in each of 3 indexes; 10 lines.
      expect(tenLines.create).to.deep.equal({ reads: 0, writes: 2 * (3 + 1 + 10 + 10) + 3 * 3 + 10 });
    });

    it("writes a status change's order and timeline entry twice, rewrites two indexes and moves the order in byStatus", () => {
      const units = orderUnits(2500, 10);

      expect(units.statusChange).to.deep.equal({ reads: 0, writes: 2 * (3 + 1) + 2 * 3 + 2 * 3 });
    });
  });

  describe("partitionCeilings", () => {
    const byPartition = (orderItemBytes: number) =>
      new Map(partitionCeilings(orderItemBytes, 2).map((ceiling) => [ceiling.partition.split(" (")[0], ceiling]));

    it("lets orders of one write unit come at shards × 1,000 a second before a newestInShard partition is full", () => {
      const shard = byPartition(400).get("orders.newestInShard");

      expect(shard?.placedPerSecond).to.equal(ORDER_INDEX_SHARDS * PARTITION_WRITE_UNITS_PER_SECOND);
      expect(shard?.lifePerSecond).to.be.closeTo((ORDER_INDEX_SHARDS * PARTITION_WRITE_UNITS_PER_SECOND) / 3, 1e-9);
    });

    it("divides that rate by the write units of a larger order's item", () => {
      const shard = byPartition(2500).get("orders.newestInShard");

      expect(shard?.placedPerSecond).to.be.closeTo((ORDER_INDEX_SHARDS * PARTITION_WRITE_UNITS_PER_SECOND) / 3, 1e-9);
    });

    it("counts an order's entry in byStatus PLACED coming in and going out", () => {
      const placed = byPartition(400).get("orders.byStatus PLACED");

      expect(placed?.lifeUnits).to.equal(2);
    });

    it("lets one product's lines come at 500 a second before its stock item's partition is full", () => {
      const stock = byPartition(400).get("inventory item");

      expect(stock?.placedPerSecond).to.equal(500);
    });
  });
});
