import { expect } from "chai";
import * as v from "valibot";
import { OrderStatus } from "../../domain/order-status";
import { SYSTEM_ACTOR, TimelineEvent, type TimelineEntry, TimelineEntrySchema, inOrder } from "../../domain/timeline";

/** An entry at `at`, told apart from others by its subject. */
const entry = (at: string, subject: string): TimelineEntry => ({
  at,
  by: SYSTEM_ACTOR,
  event: TimelineEvent.MailSent,
  subject,
});

describe("an order's timeline", () => {
  describe("inOrder", () => {
    it("puts entries oldest first", () => {
      const entries = [
        entry("2026-11-27T10:00:02.000Z", "third"),
        entry("2026-11-27T10:00:00.000Z", "first"),
        entry("2026-11-27T10:00:01.000Z", "second"),
      ];

      expect(inOrder(entries).map((e) => e.subject)).to.deep.equal(["first", "second", "third"]);
    });

    it("keeps entries of one instant in the order they were written", () => {
      const entries = [
        entry("2026-11-27T10:00:01.000Z", "later"),
        entry("2026-11-27T10:00:00.000Z", "written first"),
        entry("2026-11-27T10:00:00.000Z", "written second"),
        entry("2026-11-27T10:00:00.000Z", "written third"),
      ];

      expect(inOrder(entries).map((e) => e.subject)).to.deep.equal([
        "written first",
        "written second",
        "written third",
        "later",
      ]);
    });

    it("orders across days, months and years as time does", () => {
      const entries = [
        entry("2027-01-01T00:00:00.000Z", "new year"),
        entry("2026-12-31T23:59:59.999Z", "new year's eve"),
        entry("2026-02-01T00:00:00.000Z", "february"),
      ];

      expect(inOrder(entries).map((e) => e.subject)).to.deep.equal(["february", "new year's eve", "new year"]);
    });

    it("leaves the entries it was given as they were", () => {
      const entries = [entry("2026-11-27T10:00:01.000Z", "b"), entry("2026-11-27T10:00:00.000Z", "a")];

      inOrder(entries);

      expect(entries.map((e) => e.subject)).to.deep.equal(["b", "a"]);
    });
  });

  describe("TimelineEntrySchema", () => {
    it("describes a status change by an admin, with the note and the shipment", () => {
      const change: TimelineEntry = {
        at: "2026-11-27T10:00:00.000Z",
        by: "admin-1",
        event: TimelineEvent.StatusChanged,
        from: OrderStatus.Placed,
        to: OrderStatus.Shipped,
        note: "Left the warehouse",
        carrier: "DHL",
        trackingNumber: "JD014600006281230701",
      };

      expect(v.parse(TimelineEntrySchema, change)).to.deep.equal(change);
    });

    it("describes the units given back, line by line", () => {
      const returned: TimelineEntry = {
        at: "2026-11-27T10:00:00.000Z",
        by: "u-1",
        event: TimelineEvent.StockReturned,
        lines: [
          { product: "Headlight", quantity: 2 },
          { product: "Wiper", quantity: 1 },
        ],
      };

      expect(v.parse(TimelineEntrySchema, returned)).to.deep.equal(returned);
    });

    it("knows no event but the ones OMS records", () => {
      expect(v.is(TimelineEntrySchema, { ...entry("2026-11-27T10:00:00.000Z", "s"), event: "edited" })).to.equal(false);
    });
  });
});
