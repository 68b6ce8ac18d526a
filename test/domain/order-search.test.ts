import { expect } from "chai";
import { ValidationError } from "../../domain/errors";
import { ORDER_LIMITS } from "../../domain/order";
import { INDEX_FILTERS, type OrderSelection, parseOrderSearch } from "../../domain/order-search";
import { ORDER_STATUSES, OrderStatus } from "../../domain/order-status";
import { DEFAULT_PAGE_SIZE } from "../../domain/pagination";

type Query = Record<string, string>;

describe("parseOrderSearch", () => {
  it("reads no query string as every order, a default page, unfiltered", () => {
    expect(parseOrderSearch(undefined)).to.deep.equal({
      selection: { by: "all" },
      page: { limit: DEFAULT_PAGE_SIZE },
      filtered: false,
    });
  });

  describe("its filters", () => {
    const cases: [string, Query, OrderSelection][] = [
      ["a status", { status: "SHIPPED" }, { by: "status", status: OrderStatus.Shipped }],
      ["a status in any case", { status: "shipped" }, { by: "status", status: OrderStatus.Shipped }],
      [
        "a customer's user id, trimmed, in its own case",
        { customer: " Ab12-cd34 " },
        { by: "owner", ownerId: "Ab12-cd34" },
      ],
      [
        "a customer's e-mail address, in lower case",
        { customer: "Kamlesh@Example.COM" },
        { by: "email", email: "kamlesh@example.com" },
      ],
      ["a product", { product: " Headlight " }, { by: "product", product: "Headlight" }],
    ];
    for (const [what, query, selection] of cases) {
      it(`reads ${what}, as a filtered search`, () => {
        expect(parseOrderSearch(query)).to.deep.include({ selection, filtered: true });
      });
    }

    const refused: [string, Query, string, string][] = [
      ["an unknown status", { status: "LOST" }, "status", `status must be one of ${ORDER_STATUSES.join(", ")}`],
      ["a blank customer", { customer: "  " }, "customer", "customer must not be empty"],
      ["an over-long customer", { customer: "c".repeat(255) }, "customer", "customer must be at most 254 characters"],
      ["a blank product", { product: "" }, "product", "product must not be empty"],
      [
        "an over-long product",
        { product: "p".repeat(ORDER_LIMITS.productLength + 1) },
        "product",
        `product must be at most ${ORDER_LIMITS.productLength} characters`,
      ],
    ];
    for (const [what, query, field, message] of refused) {
      it(`refuses ${what}, naming ${field}`, () => {
        expect(() => parseOrderSearch(query))
          .to.throw(ValidationError, message)
          .that.includes({ field });
      });
    }

    const pairs: [Query, string][] = [
      [{ status: "PLACED", customer: "u-1" }, "customer"],
      [{ status: "PLACED", product: "Headlight" }, "product"],
      [{ product: "Headlight", customer: "u-1" }, "product"],
      [{ product: "Headlight", customer: "u-1", status: "PLACED" }, "customer"],
    ];
    for (const [query, second] of pairs) {
      it(`refuses ${Object.keys(query).join(" and ")} together, naming ${second}, the second given in the order ${INDEX_FILTERS.join(", ")}`, () => {
        expect(() => parseOrderSearch(query))
          .to.throw(ValidationError, `filter by one of ${INDEX_FILTERS.join(", ")} at a time`)
          .that.includes({ field: second });
      });
    }
  });

  describe("its date range", () => {
    const cases: [string, Query, { from?: string; to?: string }][] = [
      ["a day from its first millisecond", { from: "2026-12-01" }, { from: "2026-12-01T00:00:00.000Z" }],
      ["a day to its last millisecond, included", { to: "2026-12-01" }, { to: "2026-12-01T23:59:59.999Z" }],
      [
        "one day as from and to: all of it",
        { from: "2026-12-01", to: "2026-12-01" },
        { from: "2026-12-01T00:00:00.000Z", to: "2026-12-01T23:59:59.999Z" },
      ],
      [
        "instants as createdAt stores them: UTC, to the millisecond",
        { from: "2026-12-01T09:30:00Z", to: "2026-12-01T10:30:00+01:00" },
        { from: "2026-12-01T09:30:00.000Z", to: "2026-12-01T09:30:00.000Z" },
      ],
    ];
    for (const [what, query, range] of cases) {
      it(`reads ${what}`, () => {
        expect(parseOrderSearch(query).selection).to.deep.equal({ by: "all", ...range });
      });
    }

    it("narrows a filter, which it leaves the only one", () => {
      const search = parseOrderSearch({ status: "PLACED", from: "2026-12-01", to: "2026-12-31" });

      expect(search.selection).to.deep.equal({
        by: "status",
        status: OrderStatus.Placed,
        from: "2026-12-01T00:00:00.000Z",
        to: "2026-12-31T23:59:59.999Z",
      });
      expect(search.filtered).to.equal(true);
    });

    it("is no admin's filter: a customer may give it", () => {
      expect(parseOrderSearch({ from: "2026-12-01", to: "2026-12-31" }).filtered).to.equal(false);
    });

    const refused: [string, Query, string, string][] = [
      [
        "a bound that is no date",
        { from: "yesterday" },
        "from",
        "from must be a day (2026-12-01) or an ISO 8601 instant (2026-12-01T09:30:00Z)",
      ],
      [
        "a day of no month",
        { to: "2026-13-01" },
        "to",
        "to must be a day (2026-12-01) or an ISO 8601 instant (2026-12-01T09:30:00Z)",
      ],
      [
        "an instant without its offset",
        { from: "2026-12-01T09:30:00" },
        "from",
        "from must be a day (2026-12-01) or an ISO 8601 instant (2026-12-01T09:30:00Z)",
      ],
      ["to before from", { from: "2026-12-02", to: "2026-12-01" }, "to", "to must not be before from"],
      [
        "to an instant before from",
        { from: "2026-12-01T10:00:00Z", to: "2026-12-01T09:59:59.999Z" },
        "to",
        "to must not be before from",
      ],
    ];
    for (const [what, query, field, message] of refused) {
      it(`refuses ${what}, naming ${field}`, () => {
        expect(() => parseOrderSearch(query))
          .to.throw(ValidationError, message)
          .that.includes({ field });
      });
    }
  });

  it("reads the page beside the filters", () => {
    expect(parseOrderSearch({ product: "Headlight", limit: "5", nextToken: "abc" }).page).to.deep.equal({
      limit: 5,
      nextToken: "abc",
    });
  });
});
