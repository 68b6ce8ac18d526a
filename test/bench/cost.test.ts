import { expect } from "chai";
import {
  type CostInputs,
  DESIGNS,
  type Design,
  MAIL_PATH,
  ORDER_LIFE,
  SEED_STATUS_WRITE_UNITS,
  billedRequests,
  bills,
  mailLines,
  monthlyLines,
  readPrices,
} from "../../bench/cost";
import { orderUnits } from "../../bench/capacity";
import { WORKFLOW_INPUT } from "../../bench/warm-up-events";
import { type TableChange, eventFromChange } from "../../domain/events";
import { isCustomerMailEvent } from "../../domain/mail";

const prices = readPrices();
const designs = Object.keys(DESIGNS) as Design[];

/** Measurements of the shape `npm run bench` takes; the values only need to be finite. */
const inputs: CostInputs = {
  memoryMb: 512,
  placeOrderMs: 6,
  reserveMs: 2,
  createOrderMs: 2,
  listOrdersMs: 2,
  orderItemBytes: 450,
  queryUnits: 0.5,
  inventoryScanUnits: 1,
  ordersScanUnits: 1000,
  ordersScanMs: 900,
  tableOrders: 50_000,
};

/** One order's life as its tables' change streams report it: reserved, written, then moved through `ORDER_LIFE.statusChanges`. */
function orderLife(): TableChange[] {
  const order = WORKFLOW_INPUT.order;
  const at = order.createdAt;
  const [line] = order.items;
  if (!line) throw new Error("the workflow's order has no line");
  const reserve: TableChange = {
    table: "inventory",
    id: "reserve",
    kind: "MODIFY",
    at,
    before: { itemId: line.product, quantity: 10 },
    after: { itemId: line.product, quantity: 10 - line.quantity },
  };
  const written: TableChange = { table: "orders", id: "written", kind: "INSERT", at, after: order };
  const statuses = [order.status, ...ORDER_LIFE.statusChanges];
  const moves = ORDER_LIFE.statusChanges.map((to, index): TableChange => ({
    table: "orders",
    id: `to-${to}`,
    kind: "MODIFY",
    at,
    before: { ...order, status: statuses[index] },
    after: { ...order, status: to },
  }));
  return [reserve, written, ...moves];
}

describe("Cost model", () => {
  describe("ORDER_LIFE", () => {
    it("counts the stream records, events and mails that the domain makes of one order's life", () => {
      const changes = orderLife();

      const events = changes.map(eventFromChange).filter((event) => event !== undefined);

      expect(changes).to.have.length(ORDER_LIFE.streamRecords);
      expect(events).to.have.length(ORDER_LIFE.events);
      expect(events.filter(isCustomerMailEvent)).to.have.length(ORDER_LIFE.mails);
    });
  });

  describe("billedRequests", () => {
    const cases: readonly [number, number][] = [
      [MAIL_PATH.eventKb, 1],
      [64, 1],
      [65, 2],
      [256, 4],
    ];
    for (const [kb, requests] of cases) {
      it(`bills ${requests} request(s) for ${kb} KB in 64 KB chunks`, () => {
        expect(billedRequests(kb, 64)).to.equal(requests);
      });
    }
  });

  describe("mailLines", () => {
    const lines = mailLines(prices, inputs.memoryMb);

    it("bills SNS e-mail to the seeds (their mails) and to OMS before (its mails), and nothing of the new path to either", () => {
      const email = (mails: number) =>
        mails * (prices.sns.perMillionPublishes + prices.sns.emailPerHundredThousandNotifications * 10);

      const [sns, ...rest] = lines;

      expect(sns?.costs).to.deep.equal({ seeds: email(ORDER_LIFE.seedsMails), omsSnsEmail: email(ORDER_LIFE.mails) });
      expect(rest.every((line) => Object.keys(line.costs).join() === "oms")).to.equal(true);
    });

    it("bills SES per 1,000 mails, and stream reads by Lambda at their (free) price", () => {
      const ses = lines.find((line) => line.item.startsWith("SES"));
      const streams = lines.find((line) => line.item.startsWith("DynamoDB Streams"));

      expect(ses?.costs.oms).to.be.closeTo(ORDER_LIFE.mails * prices.ses.outboundPerThousandEmails * 1000, 1e-9);
      expect(streams?.costs.oms).to.equal(ORDER_LIFE.streamRecords * prices.dynamodb.streamReadsByLambdaPerMillion);
    });

    it("bills SQS a send per mail and a receive and a delete per mailer batch", () => {
      const sqs = lines.find((line) => line.item.startsWith("SQS"));
      const batches = ORDER_LIFE.mails / MAIL_PATH.messagesPerMailerInvocation;

      expect(sqs?.costs.oms).to.be.closeTo(
        (ORDER_LIFE.mails + 2 * batches) * prices.sqs.standardPerMillionRequests,
        1e-9,
      );
    });
  });

  describe("monthlyLines", () => {
    it("bills OMS now alone, with a finite cost on every line", () => {
      const lines = monthlyLines(prices, inputs.memoryMb);

      for (const line of lines) {
        expect(Object.keys(line.costs), line.item).to.deep.equal(["oms"]);
        expect(Number.isFinite(line.costs.oms), line.item).to.equal(true);
      }
    });
  });

  describe("bills", () => {
    const result = bills(prices, inputs);

    it("totals each design as the sum of its lines", () => {
      for (const bill of result) {
        for (const design of designs) {
          const sum = bill.lines.reduce((total, line) => total + (line.costs[design] ?? 0), 0);

          expect(bill.totals[design], `${bill.title}: ${design}`).to.be.closeTo(sum, 1e-9);
        }
      }
    });

    it("bills each status change as OMS's transaction of the order and its timeline entry, and as the seeds' UpdateItem", () => {
      const writes = prices.dynamodb.onDemandPerMillionWriteRequestUnits;
      const changes = ORDER_LIFE.statusChanges.length;

      const line = result[0]?.lines.find((candidate) => candidate.item.startsWith("DynamoDB status changes"));

      expect(line?.costs.seeds).to.be.closeTo(changes * SEED_STATUS_WRITE_UNITS * writes, 1e-9);
      expect(line?.costs.oms).to.be.closeTo(
        changes * orderUnits(inputs.orderItemBytes, 1).statusChange.writes * writes,
        1e-9,
      );
    });

    it("costs GET /orders alike for OMS before and now: only the mail path changed", () => {
      const list = result.find((bill) => bill.title.includes("GET /orders"));

      expect(list?.totals.omsSnsEmail).to.equal(list?.totals.oms);
    });
  });

  describe("bench/prices.json", () => {
    it("names a source and a reading date for every price section added after its date", () => {
      const added = [
        "dynamodb.streamReadsByLambdaPerMillion",
        "sns.sqsDeliveriesPerMillion",
        "sqs.",
        "ses.",
        "scheduler.",
      ];

      for (const price of added) {
        const source = prices.sources.find((entry) => entry.prices.includes(price));

        expect(source, price).to.not.equal(undefined);
        expect(source?.read, price).to.match(/^\d{4}-\d{2}-\d{2}/);
      }
    });
  });
});
