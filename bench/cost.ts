import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";
import { orderUnits } from "./capacity";

const positive = v.pipe(v.number(), v.minValue(0));

/** `bench/prices.json`: public on-demand prices, with the date they were taken. */
export const PricesSchema = v.object({
  date: v.pipe(v.string(), v.isoDate()),
  region: v.string(),
  currency: v.literal("USD"),
  source: v.string(),
  apiGateway: v.object({ httpApiPerMillionRequests: positive, restApiPerMillionRequests: positive }),
  lambda: v.object({ arm64PerGbSecond: positive, perMillionRequests: positive, billedDurationIncrementMs: positive }),
  stepFunctions: v.object({
    expressPerMillionRequests: positive,
    expressPerGbSecond: positive,
    expressBilledDurationIncrementMs: positive,
    expressBilledMemoryMb: positive,
    standardPerMillionStateTransitions: positive,
  }),
  dynamodb: v.object({
    onDemandPerMillionWriteRequestUnits: positive,
    onDemandPerMillionReadRequestUnits: positive,
    streamReadsByLambdaPerMillion: positive,
  }),
  sns: v.object({
    perMillionPublishes: positive,
    publishChunkKb: positive,
    emailPerHundredThousandNotifications: positive,
    sqsDeliveriesPerMillion: positive,
  }),
  sqs: v.object({ standardPerMillionRequests: positive, requestChunkKb: positive }),
  ses: v.object({
    outboundPerThousandEmails: positive,
    essentialsPlanPerThousandEmails: positive,
    attachmentsPerGb: positive,
  }),
  scheduler: v.object({ perMillionInvocations: positive }),
  /** Where each price added after `date` was read, and when. */
  sources: v.array(v.object({ prices: v.string(), page: v.string(), read: v.string() })),
});
export type Prices = v.InferOutput<typeof PricesSchema>;

/** The prices file, validated. */
export function readPrices(file = join(__dirname, "prices.json")): Prices {
  return v.parse(PricesSchema, JSON.parse(readFileSync(file, "utf8")));
}

/**
 * State transitions of one execution of the seeds' Standard workflow (CheckInventory, IsAvailable,
 * CreateOrder): the seeds' own execution record shows "State transitions: 5".
 */
export const SEED_STATE_TRANSITIONS = 5;

/**
 * Write units of the seeds' CreateOrder: one PutItem of an order well under 1 KB, on a table
 * without indexes and outside any transaction.
 */
export const SEED_ORDER_WRITE_UNITS = 1;

/** Write units of one of the seeds' status changes: one UpdateItem of that order, on that table. */
export const SEED_STATUS_WRITE_UNITS = 1;

/** What the benchmark measured that the bill depends on. */
export interface CostInputs {
  /** Every function's memory (MB). */
  readonly memoryMb: number;
  /** `POST /orders` p50, one at a time (ms): place-order's duration, which spans the whole workflow. */
  readonly placeOrderMs: number;
  /** CheckInventory's and CreateOrder's work alone, p50 (ms): their task functions' durations. */
  readonly reserveMs: number;
  readonly createOrderMs: number;
  /** `GET /orders` p50, one at a time (ms), at the larger table size. */
  readonly listOrdersMs: number;
  /**
   * A one-line order's item as stored (index keys included), in bytes by DynamoDB's rules: what its
   * writes cost follows from it (`orderUnits`).
   */
  readonly orderItemBytes: number;
  /** Read units DynamoDB Local reported for the first page's Query. */
  readonly queryUnits: number;
  /** The seeds' design: a Scan of the inventory table, per order placed. */
  readonly inventoryScanUnits: number;
  /** The seeds' design: a Scan of the whole orders table per `GET /orders`, at the larger table size. */
  readonly ordersScanUnits: number;
  readonly ordersScanMs: number;
  /** Orders in the table behind `listOrdersMs` and `ordersScanUnits`. */
  readonly tableOrders: number;
}

/**
 * The designs billed side by side: the seeds' (REST API, Standard workflow, Scan, SNS e-mail), OMS
 * as it mailed customers before issue 11 (one SNS e-mail subscription per customer), and OMS now
 * (change streams, the events topic, the mail queue and SES).
 */
export const DESIGNS = {
  seeds: "Seeds' design",
  omsSnsEmail: "OMS before (SNS e-mail)",
  oms: "OMS now (streams, SQS, SES)",
} as const;
export type Design = keyof typeof DESIGNS;
const DESIGN_KEYS = Object.keys(DESIGNS) as Design[];

/** One line of a bill: what it costs in each design it is part of (absent: not part of that design). */
export interface CostLine {
  readonly item: string;
  readonly costs: Readonly<Partial<Record<Design, number>>>;
}

/** A bill of one kind, in every design. */
export interface Bill {
  readonly title: string;
  readonly lines: readonly CostLine[];
  readonly totals: Readonly<Record<Design, number>>;
}

/**
 * One order's life as the mail bill counts it: placed, then shipped, then delivered. Each step is a
 * committed change, and so a stream record and an event; `test/bench/cost.test.ts` derives the
 * events and mails from the domain's own `eventFromChange` and `isCustomerMailEvent`.
 */
export const ORDER_LIFE = {
  /** The statuses an admin moves the order through after it is placed. */
  statusChanges: ["SHIPPED", "DELIVERED"],
  /** Stream records per order: the order's INSERT and one MODIFY per status change, and the reservation's stock MODIFY. */
  streamRecords: 4,
  /** Events published per order: `OrderPlaced`, one `OrderStatusChanged` per status change, `StockChanged`. */
  events: 4,
  /** Mails per order: `OrderPlaced` and each `OrderStatusChanged` (the mail queue's filter drops `StockChanged`). */
  mails: 3,
  /** The seeds' design mails once, when its workflow publishes the order placed. */
  seedsMails: 1,
} as const;

/**
 * What the mail path's bill takes for granted: none of it is measured on this machine (its work is
 * AWS round trips), so each is stated in the report.
 */
export const MAIL_PATH = {
  /**
   * Stream records per publisher invocation, and messages per mailer invocation. A million orders a
   * month is about 1.5 changes a second: Lambda polls the stream shards and the queue as records
   * come, and neither mapping sets a batching window, so batches hold about one.
   */
  recordsPerPublisherInvocation: 1,
  messagesPerMailerInvocation: 1,
  /** One `PublishBatch` of one event to SNS, in region (ms). */
  publisherMs: 30,
  /** Claim the event id, read the owner's profile, `SendEmail`, record the outcome (ms). */
  mailerMs: 120,
  /** Every event is well under SNS's and SQS's 64 KB billing chunk (an order and its envelope, about 1 KB). */
  eventKb: 1,
  /** Powertools Idempotency per mail: a conditional PutItem (in progress) and an UpdateItem (done), each under 1 KB. */
  idempotencyWriteUnits: 2,
  /** The mail's entry on the order's timeline: one conditional PutItem under 1 KB. */
  timelineWriteUnits: 1,
  /** The owner's profile: one strongly consistent GetItem under 4 KB. */
  profileReadUnits: 1,
} as const;

/** What the stack pays each month whatever the orders: the sweeper's schedule and the mail queue's idle pollers. */
export const MONTHLY = {
  /** A 30-day month, in minutes: one sweep a minute (`RESERVATION_SWEEP_INTERVAL_SECONDS` is 60). */
  sweeps: 30 * 24 * 60,
  /** One sweep: a Scan of the reservations table, which holds only reservations in flight (ms). */
  sweepMs: 50,
  /** An eventually consistent Scan of a table under 4 KB. */
  sweepScanReadUnits: 0.5,
  /**
   * Lambda long-polls the mail queue with 5 pollers while it is idle, each `ReceiveMessage` waiting
   * up to 20 s: 15 empty receives a minute (third-party accounts of the SQS event source mapping;
   * AWS does not document the count).
   */
  idleReceivesPerMinute: 5 * 3,
} as const;

/** Everything the bills take for granted. */
export function costAssumptions(prices: Prices): string[] {
  const essentials = ORDER_LIFE.mails * prices.ses.essentialsPlanPerThousandEmails * 1000;
  return [
    "Durations are this machine's p50s: place-order spans the synchronous Express execution, so the POST latency stands for both; CheckInventory and CreateOrder stand as their DynamoDB work.",
    "Every design runs the same functions for the same time at the configured memory, on arm64, billed per 1 ms.",
    "Express: 64 MB billed memory, duration rounded up to 100 ms. Standard: the seeds' 5 state transitions per execution.",
    "OMS's DynamoDB units are counted from the writes it makes (bench/capacity.ts), not taken from DynamoDB Local, which reports one item per table of a transaction and doubles its index writes: 2 write units per item of a transaction (reserve: each line's stock and reservation, and the order check; create: the order, its timeline entry, each line and each reservation's delete), 1 per index entry, 1 read unit per line's stock. The seeds' Scan and the first page's Query are as DynamoDB Local reported them. No Idempotency-Key. OMS before is costed with today's placement: only its mail path differs.",
    `Mail: each order is placed, then ${ORDER_LIFE.statusChanges.join(" and ")}: ${ORDER_LIFE.mails} mails in OMS (before and now), ${ORDER_LIFE.seedsMails} in the seeds' design (at placement). Each status change is a transaction of the order and its timeline entry in OMS (both designs), an UpdateItem in the seeds'; their requests (API, Lambda) cost the same in every design and are left out.`,
    `OMS now: ${ORDER_LIFE.streamRecords} stream records and ${ORDER_LIFE.events} events per order (${ORDER_LIFE.mails} mails and the reservation's StockChanged); stream reads by Lambda and SNS deliveries to SQS are free; each event (about ${MAIL_PATH.eventKb} KB) is one SNS request and one SQS request per send, receive and delete.`,
    `Batches of ${MAIL_PATH.recordsPerPublisherInvocation} record and ${MAIL_PATH.messagesPerMailerInvocation} message: a million orders a month is about 1.5 changes a second, and no batching window is set. Assumed, not measured: publisher ${MAIL_PATH.publisherMs} ms, mailer ${MAIL_PATH.mailerMs} ms per invocation.`,
    `Mailer DynamoDB per mail: Powertools Idempotency's put and update (${MAIL_PATH.idempotencyWriteUnits} write units), the timeline entry (${MAIL_PATH.timelineWriteUnits}) and the profile's consistent read (${MAIL_PATH.profileReadUnits} read unit). SES at the à la carte price, no attachments; on the Essentials plan (new accounts' default since 2026-07-21) SES alone is ${usdText(essentials)} per million orders.`,
    `Per month: one sweep a minute (${MONTHLY.sweeps.toLocaleString("en-US")}, ${MONTHLY.sweepMs} ms, a Scan of ${MONTHLY.sweepScanReadUnits} read unit), and ${MONTHLY.idleReceivesPerMinute} empty receives a minute by Lambda's pollers of the mail queue. Free tiers (SQS's first million requests, Scheduler's 14 million invocations) are left out.`,
    "CloudWatch Logs, metrics, X-Ray and data transfer are left out.",
  ];
}

function usdText(value: number): string {
  return `$${value.toFixed(2)}`;
}

function lambdaSeconds(prices: Prices, ms: number): number {
  const increment = prices.lambda.billedDurationIncrementMs;
  return (Math.ceil(ms / increment) * increment) / 1000;
}

/** Requests SNS or SQS bills for one call carrying `kb`: one per started chunk. */
export function billedRequests(kb: number, chunkKb: number): number {
  return Math.max(1, Math.ceil(kb / chunkKb));
}

function billOf(title: string, lines: readonly CostLine[]): Bill {
  const totals = Object.fromEntries(
    DESIGN_KEYS.map((design) => [design, lines.reduce((sum, line) => sum + (line.costs[design] ?? 0), 0)]),
  ) as Record<Design, number>;
  return { title, lines, totals };
}

/**
 * The mail lines of a million orders: the seeds' and OMS before's SNS e-mail, and OMS now's path
 * from the change streams to SES. Pure: prices and the stated assumptions only.
 */
export function mailLines(prices: Prices, memoryMb: number): CostLine[] {
  const million = 1_000_000;
  const gb = memoryMb / 1024;
  const snsEmail = (mails: number) =>
    mails * (prices.sns.perMillionPublishes + prices.sns.emailPerHundredThousandNotifications * 10);
  const lambda = (invocations: number, ms: number) =>
    invocations *
    (prices.lambda.perMillionRequests + lambdaSeconds(prices, ms) * gb * prices.lambda.arm64PerGbSecond * million);
  const publisherInvocations = ORDER_LIFE.streamRecords / MAIL_PATH.recordsPerPublisherInvocation;
  const mailerInvocations = ORDER_LIFE.mails / MAIL_PATH.messagesPerMailerInvocation;
  const snsRequests = billedRequests(MAIL_PATH.eventKb, prices.sns.publishChunkKb);
  const sqsChunks = billedRequests(MAIL_PATH.eventKb, prices.sqs.requestChunkKb);
  // Send (by SNS) per message; receive and delete per batch.
  const sqsRequests = ORDER_LIFE.mails * sqsChunks + 2 * mailerInvocations * sqsChunks;
  return [
    {
      item: "SNS publish + e-mail notifications",
      costs: { seeds: snsEmail(ORDER_LIFE.seedsMails), omsSnsEmail: snsEmail(ORDER_LIFE.mails) },
    },
    {
      item: `DynamoDB Streams reads by Lambda (${ORDER_LIFE.streamRecords} records)`,
      costs: { oms: ORDER_LIFE.streamRecords * prices.dynamodb.streamReadsByLambdaPerMillion },
    },
    {
      item: `Lambda publish-events (${publisherInvocations} invocations)`,
      costs: { oms: lambda(publisherInvocations, MAIL_PATH.publisherMs) },
    },
    {
      item: `SNS publish (${ORDER_LIFE.events} events) + deliveries to SQS`,
      costs: {
        oms:
          ORDER_LIFE.events * snsRequests * prices.sns.perMillionPublishes +
          ORDER_LIFE.mails * prices.sns.sqsDeliveriesPerMillion,
      },
    },
    {
      item: `SQS send, receive, delete (${sqsRequests} requests)`,
      costs: { oms: sqsRequests * prices.sqs.standardPerMillionRequests },
    },
    {
      item: `Lambda send-order-mail (${mailerInvocations} invocations)`,
      costs: { oms: lambda(mailerInvocations, MAIL_PATH.mailerMs) },
    },
    {
      item: "DynamoDB idempotency put + update, timeline entry, profile read",
      costs: {
        oms:
          ORDER_LIFE.mails *
          ((MAIL_PATH.idempotencyWriteUnits + MAIL_PATH.timelineWriteUnits) *
            prices.dynamodb.onDemandPerMillionWriteRequestUnits +
            MAIL_PATH.profileReadUnits * prices.dynamodb.onDemandPerMillionReadRequestUnits),
      },
    },
    {
      item: `SES SendEmail (${ORDER_LIFE.mails} mails)`,
      costs: { oms: ORDER_LIFE.mails * prices.ses.outboundPerThousandEmails * 1000 },
    },
  ];
}

/** What OMS now pays each month whatever the orders: the sweeper and the mail queue's idle pollers. Pure. */
export function monthlyLines(prices: Prices, memoryMb: number): CostLine[] {
  const perMillion = MONTHLY.sweeps / 1_000_000;
  const gbSeconds = lambdaSeconds(prices, MONTHLY.sweepMs) * (memoryMb / 1024);
  const receives = MONTHLY.idleReceivesPerMinute * MONTHLY.sweeps;
  return [
    {
      item: `EventBridge Scheduler (${MONTHLY.sweeps.toLocaleString("en-US")} sweeps)`,
      costs: { oms: perMillion * prices.scheduler.perMillionInvocations },
    },
    {
      item: "Lambda sweep-reservations",
      costs: {
        oms:
          perMillion * prices.lambda.perMillionRequests + MONTHLY.sweeps * gbSeconds * prices.lambda.arm64PerGbSecond,
      },
    },
    {
      item: "DynamoDB Scan of the reservations table",
      costs: { oms: perMillion * MONTHLY.sweepScanReadUnits * prices.dynamodb.onDemandPerMillionReadRequestUnits },
    },
    {
      item: `SQS empty receives of the idle mail queue (${receives.toLocaleString("en-US")})`,
      costs: { oms: (receives / 1_000_000) * prices.sqs.standardPerMillionRequests },
    },
  ];
}

/**
 * The bills for a million orders (placed, then mailed about as `ORDER_LIFE` says), a million first
 * pages of `GET /orders`, and a month of OMS's fixed costs, in every design.
 */
export function bills(prices: Prices, inputs: CostInputs): Bill[] {
  const million = 1_000_000;
  const gb = inputs.memoryMb / 1024;
  const lambdaCompute = (ms: number) => lambdaSeconds(prices, ms) * gb * prices.lambda.arm64PerGbSecond * million;
  const express = prices.stepFunctions;
  const expressSeconds =
    (Math.ceil(inputs.placeOrderMs / express.expressBilledDurationIncrementMs) *
      express.expressBilledDurationIncrementMs) /
    1000;
  const writes = (units: number) => units * prices.dynamodb.onDemandPerMillionWriteRequestUnits;
  const reads = (units: number) => units * prices.dynamodb.onDemandPerMillionReadRequestUnits;
  const placeCompute =
    lambdaCompute(inputs.placeOrderMs) + lambdaCompute(inputs.reserveMs) + lambdaCompute(inputs.createOrderMs);
  // Issue 13 made every order write its line, its timeline entry and its index entries in its
  // transactions, and every status change a transaction with a timeline entry: one line's order.
  const units = orderUnits(inputs.orderItemBytes, 1);
  const statusChanges = ORDER_LIFE.statusChanges.length;
  // OMS before and now place orders alike: the same value in both columns.
  const oms = (value: number) => ({ omsSnsEmail: value, oms: value });

  const place: CostLine[] = [
    {
      item: "API Gateway (REST API / HTTP API)",
      costs: {
        seeds: prices.apiGateway.restApiPerMillionRequests,
        ...oms(prices.apiGateway.httpApiPerMillionRequests),
      },
    },
    {
      item: "Lambda requests (3 functions)",
      costs: { seeds: 3 * prices.lambda.perMillionRequests, ...oms(3 * prices.lambda.perMillionRequests) },
    },
    { item: "Lambda GB-s", costs: { seeds: placeCompute, ...oms(placeCompute) } },
    {
      item: "Step Functions (Standard / Express)",
      costs: {
        seeds: SEED_STATE_TRANSITIONS * express.standardPerMillionStateTransitions,
        ...oms(
          express.expressPerMillionRequests +
            expressSeconds * (express.expressBilledMemoryMb / 1024) * express.expressPerGbSecond * million,
        ),
      },
    },
    {
      item: "DynamoDB (Scan + PutItem / reserve + create transactions)",
      costs: {
        seeds: reads(inputs.inventoryScanUnits) + writes(SEED_ORDER_WRITE_UNITS),
        ...oms(reads(units.reserve.reads + units.create.reads) + writes(units.reserve.writes + units.create.writes)),
      },
    },
    {
      item: `DynamoDB status changes (${statusChanges}: UpdateItem / transaction with timeline entry)`,
      costs: {
        seeds: writes(statusChanges * SEED_STATUS_WRITE_UNITS),
        ...oms(writes(statusChanges * units.statusChange.writes)),
      },
    },
    ...mailLines(prices, inputs.memoryMb),
  ];
  const list: CostLine[] = [
    {
      item: "API Gateway (REST API / HTTP API)",
      costs: {
        seeds: prices.apiGateway.restApiPerMillionRequests,
        ...oms(prices.apiGateway.httpApiPerMillionRequests),
      },
    },
    {
      item: "Lambda requests",
      costs: { seeds: prices.lambda.perMillionRequests, ...oms(prices.lambda.perMillionRequests) },
    },
    {
      item: "Lambda GB-s (Scan / Query)",
      costs: { seeds: lambdaCompute(inputs.ordersScanMs), ...oms(lambdaCompute(inputs.listOrdersMs)) },
    },
    {
      item: "DynamoDB (Scan / Query)",
      costs: { seeds: reads(inputs.ordersScanUnits), ...oms(reads(inputs.queryUnits)) },
    },
  ];
  return [
    billOf(
      `a million orders (placed, then ${ORDER_LIFE.statusChanges.join(", ").toLowerCase()}; ${ORDER_LIFE.mails} mails each in OMS)`,
      place,
    ),
    billOf(
      `a million GET /orders (first page, ${inputs.tableOrders.toLocaleString("en-US")} orders in the table)`,
      list,
    ),
    billOf(
      "a month, whatever the orders (OMS now's sweeper and idle mail queue)",
      monthlyLines(prices, inputs.memoryMb),
    ),
  ];
}
