import { readFileSync } from "node:fs";
import { join } from "node:path";
import * as v from "valibot";

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
  dynamodb: v.object({ onDemandPerMillionWriteRequestUnits: positive, onDemandPerMillionReadRequestUnits: positive }),
  sns: v.object({ perMillionPublishes: positive, emailPerHundredThousandNotifications: positive }),
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
  /** Capacity units DynamoDB reported per call. */
  readonly reserveUnits: number;
  readonly createOrderUnits: number;
  readonly queryUnits: number;
  /** The seeds' design: a Scan of the inventory table, per order placed. */
  readonly inventoryScanUnits: number;
  /** The seeds' design: a Scan of the whole orders table per `GET /orders`, at the larger table size. */
  readonly ordersScanUnits: number;
  readonly ordersScanMs: number;
  /** Orders in the table behind `listOrdersMs` and `ordersScanUnits`. */
  readonly tableOrders: number;
}

/** One line of a bill per million requests, in both designs. */
export interface CostLine {
  readonly item: string;
  readonly oms: number;
  readonly seeds: number;
}

/** A bill per million requests of one kind. */
export interface Bill {
  readonly title: string;
  readonly lines: readonly CostLine[];
  readonly omsTotal: number;
  readonly seedsTotal: number;
}

/** Everything the bills take for granted. */
export const COST_ASSUMPTIONS: readonly string[] = [
  "Durations are this machine's p50s: place-order spans the synchronous Express execution, so the POST latency stands for both; CheckInventory and CreateOrder stand as their DynamoDB work.",
  "Both designs run the same functions for the same time at the configured memory, on arm64, billed per 1 ms.",
  "Express: 64 MB billed memory, duration rounded up to 100 ms. Standard: the seeds' 5 state transitions per execution.",
  "DynamoDB on-demand units are those DynamoDB Local reported (ReturnConsumedCapacity), indexes included; no Idempotency-Key.",
  "Each order placed publishes one SNS message and delivers one e-mail; CloudWatch Logs, metrics, X-Ray and data transfer are left out.",
];

function lambdaSeconds(prices: Prices, ms: number): number {
  const increment = prices.lambda.billedDurationIncrementMs;
  return (Math.ceil(ms / increment) * increment) / 1000;
}

/** The bills for a million orders placed and a million first pages of `GET /orders`, in OMS's design and the seeds'. */
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

  const place: CostLine[] = [
    {
      item: "API Gateway (HTTP API / REST API)",
      oms: prices.apiGateway.httpApiPerMillionRequests,
      seeds: prices.apiGateway.restApiPerMillionRequests,
    },
    {
      item: "Lambda requests (3 functions)",
      oms: 3 * prices.lambda.perMillionRequests,
      seeds: 3 * prices.lambda.perMillionRequests,
    },
    { item: "Lambda GB-s", oms: placeCompute, seeds: placeCompute },
    {
      item: "Step Functions (Express / Standard)",
      oms:
        express.expressPerMillionRequests +
        expressSeconds * (express.expressBilledMemoryMb / 1024) * express.expressPerGbSecond * million,
      seeds: SEED_STATE_TRANSITIONS * express.standardPerMillionStateTransitions,
    },
    {
      item: "DynamoDB (reserve + transaction / Scan + PutItem)",
      oms: writes(inputs.reserveUnits + inputs.createOrderUnits),
      seeds: reads(inputs.inventoryScanUnits) + writes(SEED_ORDER_WRITE_UNITS),
    },
    {
      item: "SNS (publish + e-mail)",
      oms: prices.sns.perMillionPublishes + prices.sns.emailPerHundredThousandNotifications * 10,
      seeds: prices.sns.perMillionPublishes + prices.sns.emailPerHundredThousandNotifications * 10,
    },
  ];
  const list: CostLine[] = [
    {
      item: "API Gateway (HTTP API / REST API)",
      oms: prices.apiGateway.httpApiPerMillionRequests,
      seeds: prices.apiGateway.restApiPerMillionRequests,
    },
    { item: "Lambda requests", oms: prices.lambda.perMillionRequests, seeds: prices.lambda.perMillionRequests },
    {
      item: "Lambda GB-s (Query / Scan)",
      oms: lambdaCompute(inputs.listOrdersMs),
      seeds: lambdaCompute(inputs.ordersScanMs),
    },
    { item: "DynamoDB (Query / Scan)", oms: reads(inputs.queryUnits), seeds: reads(inputs.ordersScanUnits) },
  ];
  const total = (lines: readonly CostLine[], design: "oms" | "seeds") =>
    lines.reduce((sum, line) => sum + line[design], 0);
  return [
    {
      title: "a million orders placed",
      lines: place,
      omsTotal: total(place, "oms"),
      seedsTotal: total(place, "seeds"),
    },
    {
      title: `a million GET /orders (first page, ${inputs.tableOrders.toLocaleString("en-US")} orders in the table)`,
      lines: list,
      omsTotal: total(list, "oms"),
      seedsTotal: total(list, "seeds"),
    },
  ];
}
