import { expect } from "chai";
import type { Money } from "../../domain/money";
import { type Order, ORDER_LIMITS } from "../../domain/order";
import { ORDER_CSV_COLUMNS, ordersCsv } from "../../domain/order-csv";
import { SHIPMENT_LIMITS } from "../../domain/order-status";
import { MAX_PAGE_SIZE } from "../../domain/pagination";

const eur = (amount: number): Money => ({ amount, currency: "EUR" });

/** An order of one unpriced line, as placed before the workflow priced it. */
const placed: Order = {
  OrderId: "994dd3bc-a43a-4342-b07b-3f5829e3c046",
  ownerId: "467ebf85-c30b-4f17-aae8-f2ec85a7c19c",
  customerName: "Kamlesh",
  product: "MacBook Pro",
  quantity: 1,
  items: [{ product: "MacBook Pro", quantity: 1 }],
  status: "PLACED",
  createdAt: "2026-11-27T10:00:00.000Z",
};

/** A shipped order of two priced lines in EUR. */
const shipped: Order = {
  OrderId: "00000000-0000-4000-8000-000000000002",
  ownerId: "alice",
  customerName: "Alice",
  items: [
    { product: "Headlight", quantity: 2, unitPrice: eur(1999), lineTotal: eur(3998) },
    { product: "Wiper", quantity: 1, unitPrice: eur(5), lineTotal: eur(5) },
  ],
  total: eur(4003),
  status: "SHIPPED",
  createdAt: "2026-11-27T10:00:01.000Z",
  updatedAt: "2026-11-28T08:30:00.000Z",
  carrier: "DHL Express",
  trackingNumber: "JD014600006281230418",
};

/** The records of a CSV whose fields hold no line breaks: the header first. */
function recordsOf(csv: string): string[] {
  expect(csv.endsWith("\r\n"), "the last record ends with CRLF").to.equal(true);
  return csv.slice(0, -2).split("\r\n");
}

/** Each column's cell of the first order line's row, for an order with `fields` changed. */
function rowOf(fields: Partial<Order>): Record<string, string> {
  const [, row = ""] = recordsOf(ordersCsv([{ ...placed, ...fields }]));
  const cells = row.split(",");
  return Object.fromEntries(ORDER_CSV_COLUMNS.map((column, index) => [column, cells[index] ?? ""]));
}

describe("ordersCsv", () => {
  it("starts with a header row naming exactly the exported columns, in order", () => {
    const [header] = recordsOf(ordersCsv([]));

    expect(header).to.equal(ORDER_CSV_COLUMNS.join(","));
    expect(header).to.equal(
      "orderId,createdAt,status,ownerId,customerName,product,quantity,unitPrice,lineTotal,orderTotal,currency,carrier,trackingNumber,updatedAt",
    );
  });

  it("writes only the header, ended by CRLF, when there are no orders", () => {
    expect(ordersCsv([])).to.equal(`${ORDER_CSV_COLUMNS.join(",")}\r\n`);
  });

  it("writes one row per order line, each with its order's fields, every record ended by CRLF", () => {
    const csv = ordersCsv([placed, shipped]);

    expect(csv).to.equal(
      [
        ORDER_CSV_COLUMNS.join(","),
        "994dd3bc-a43a-4342-b07b-3f5829e3c046,2026-11-27T10:00:00.000Z,PLACED,467ebf85-c30b-4f17-aae8-f2ec85a7c19c,Kamlesh,MacBook Pro,1,,,,,,,",
        "00000000-0000-4000-8000-000000000002,2026-11-27T10:00:01.000Z,SHIPPED,alice,Alice,Headlight,2,19.99,39.98,40.03,EUR,DHL Express,JD014600006281230418,2026-11-28T08:30:00.000Z",
        "00000000-0000-4000-8000-000000000002,2026-11-27T10:00:01.000Z,SHIPPED,alice,Alice,Wiper,1,0.05,0.05,40.03,EUR,DHL Express,JD014600006281230418,2026-11-28T08:30:00.000Z",
        "",
      ].join("\r\n"),
    );
  });

  it("gives every record as many fields as the header", () => {
    const records = recordsOf(ordersCsv([placed, shipped]));

    for (const record of records) expect(record.split(",")).to.have.length(ORDER_CSV_COLUMNS.length);
  });

  describe("money", () => {
    it("leaves every price cell empty for an unpriced line", () => {
      expect(rowOf({})).to.include({ unitPrice: "", lineTotal: "", orderTotal: "", currency: "" });
    });

    it("writes exact decimals in the currency's minor units, never through a float", () => {
      const line = { product: "Coolant", quantity: 3, unitPrice: eur(10), lineTotal: eur(30) };

      expect(rowOf({ items: [line], total: eur(30) })).to.include({
        unitPrice: "0.10",
        lineTotal: "0.30",
        orderTotal: "0.30",
        currency: "EUR",
      });
    });

    it("writes JPY, which has no minor unit, without decimals", () => {
      const yen = (amount: number): Money => ({ amount, currency: "JPY" });
      const line = { product: "Coolant", quantity: 3, unitPrice: yen(1999), lineTotal: yen(5997) };

      expect(rowOf({ items: [line], total: yen(5997) })).to.include({
        unitPrice: "1999",
        lineTotal: "5997",
        orderTotal: "5997",
        currency: "JPY",
      });
    });

    it("writes three decimals for BHD", () => {
      const bhd = { amount: 5, currency: "BHD" };
      const line = { product: "Coolant", quantity: 1, unitPrice: bhd, lineTotal: bhd };

      expect(rowOf({ items: [line], total: bhd })).to.include({ unitPrice: "0.005", orderTotal: "0.005" });
    });

    it("writes each line's own currency and no order total when an order's lines are in two currencies", () => {
      const usd = { amount: 1000, currency: "USD" };
      const { total: _none, ...untotalled } = shipped;
      const items = [
        { product: "Headlight", quantity: 1, unitPrice: eur(1999), lineTotal: eur(1999) },
        { product: "Wiper", quantity: 1, unitPrice: usd, lineTotal: usd },
      ];

      const records = recordsOf(ordersCsv([{ ...untotalled, items }]));

      expect(records[1]).to.include(",Headlight,1,19.99,19.99,,EUR,");
      expect(records[2]).to.include(",Wiper,1,10.00,10.00,,USD,");
    });
  });

  describe("quoting (RFC 4180)", () => {
    const quoted: [string, string, string][] = [
      ["a comma", "Smith, Anna", '"Smith, Anna"'],
      ["a double quote (doubled)", 'The "Best" Shop', '"The ""Best"" Shop"'],
      ["a line feed", "Anna\nSmith", '"Anna\nSmith"'],
      ["a carriage return", "Anna\rSmith", '"Anna\rSmith"'],
      ["a CRLF", "Anna\r\nSmith", '"Anna\r\nSmith"'],
    ];
    for (const [what, name, field] of quoted) {
      it(`encloses a field holding ${what} in double quotes`, () => {
        const csv = ordersCsv([{ ...placed, customerName: name }]);

        expect(csv).to.include(`,${field},MacBook Pro,`);
      });
    }

    it("keeps a quoted line break inside its record", () => {
      const csv = ordersCsv([{ ...placed, customerName: "Anna\r\nSmith" }]);

      expect(csv).to.equal(
        `${ORDER_CSV_COLUMNS.join(",")}\r\n` +
          `994dd3bc-a43a-4342-b07b-3f5829e3c046,2026-11-27T10:00:00.000Z,PLACED,467ebf85-c30b-4f17-aae8-f2ec85a7c19c,"Anna\r\nSmith",MacBook Pro,1,,,,,,,\r\n`,
      );
    });

    it("leaves a field without a comma, quote or line break as it is, spaces and all", () => {
      expect(rowOf({ customerName: " Anna Smith ", items: [{ product: "Café ✓", quantity: 1 }] })).to.include({
        customerName: " Anna Smith ",
        product: "Café ✓",
      });
    });
  });

  describe("formula injection (OWASP CSV injection)", () => {
    const formulas: [string, string, string][] = [
      ["=", "=1+1", "'=1+1"],
      ["+", "+31 20 555", "'+31 20 555"],
      ["-", "-2*3", "'-2*3"],
      ["@", "@SUM(A1:A9)", "'@SUM(A1:A9)"],
      ["a tab", "\t=1+1", "'\t=1+1"],
      ["a carriage return", "\r=1+1", '"\'\r=1+1"'],
    ];
    for (const [start, name, field] of formulas) {
      it(`puts a single quote before a cell that starts with ${start}, so that a spreadsheet reads it as text`, () => {
        const csv = ordersCsv([{ ...placed, customerName: name }]);

        expect(csv).to.include(`,${field},MacBook Pro,`);
      });
    }

    it("puts the single quote inside the double quotes when the cell needs both", () => {
      const csv = ordersCsv([{ ...placed, customerName: '=HYPERLINK("http://evil.example","x")' }]);

      expect(csv).to.include(`,"'=HYPERLINK(""http://evil.example"",""x"")",MacBook Pro,`);
    });

    it("guards every text column: product, carrier and tracking number too", () => {
      const row = rowOf({
        items: [{ product: "=cmd", quantity: 1 }],
        carrier: "+carrier",
        trackingNumber: "@track",
        ownerId: "-owner",
      });

      expect(row).to.include({ product: "'=cmd", carrier: "'+carrier", trackingNumber: "'@track", ownerId: "'-owner" });
    });

    it("leaves a formula character that is not the first one alone", () => {
      expect(rowOf({ customerName: "Anna=Smith-Jones" })).to.include({ customerName: "Anna=Smith-Jones" });
    });

    it("never touches a numeric or timestamp cell: none can start with -", () => {
      const zero = eur(0);
      const line = { product: "Sample", quantity: ORDER_LIMITS.maxQuantity, unitPrice: zero, lineTotal: zero };

      expect(rowOf({ ...shipped, items: [line], total: zero })).to.include({
        createdAt: shipped.createdAt,
        quantity: "1000",
        unitPrice: "0.00",
        lineTotal: "0.00",
        orderTotal: "0.00",
        updatedAt: shipped.updatedAt,
      });
    });
  });

  it("keeps a full page of the largest orders under Lambda's 6 MB response payload, even JSON-escaped", () => {
    // Lambda caps a synchronous invocation's response payload at 6 MB (the Invoke API reference);
    // the Node.js runtime sends the handler's result as JSON, where a control character costs six
    // bytes ("\u0001"): the worst a name within its length limit can do.
    const lambdaResponsePayloadBytes = 6_000_000;
    const worst = (length: number, suffix = "") => "\u0001".repeat(length - suffix.length) + suffix;
    const dearest = { amount: 100_000_000, currency: "BHD" };
    const largest: Order = {
      ...shipped,
      customerName: worst(ORDER_LIMITS.customerNameLength),
      carrier: worst(SHIPMENT_LIMITS.carrierLength),
      trackingNumber: worst(SHIPMENT_LIMITS.trackingNumberLength),
      items: Array.from({ length: ORDER_LIMITS.maxLines }, (_, index) => ({
        product: worst(ORDER_LIMITS.productLength, String(index)),
        quantity: ORDER_LIMITS.maxQuantity,
        unitPrice: dearest,
        lineTotal: { ...dearest, amount: dearest.amount * ORDER_LIMITS.maxQuantity },
      })),
    };

    const body = ordersCsv(Array.from({ length: MAX_PAGE_SIZE }, () => largest));
    const payload = JSON.stringify({ statusCode: 200, headers: {}, body });

    expect(body.split("\r\n")).to.have.length(1 + MAX_PAGE_SIZE * ORDER_LIMITS.maxLines + 1);
    expect(Buffer.byteLength(payload)).to.be.below(lambdaResponsePayloadBytes);
  });
});
