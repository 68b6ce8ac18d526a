import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type ConversionConfig, type JsonSchema, toJsonSchema, toJsonSchemaDefs } from "@valibot/to-json-schema";
import * as v from "valibot";
import {
  EVENT_TYPES,
  EVENT_TYPE_ATTRIBUTE,
  EventSchemas,
  EventType,
  type OmsEvent,
  type TableChange,
  eventFromChange,
} from "../domain/events";
import { OrderSchema } from "../domain/order";
import { OrderStatus } from "../domain/order-status";

/** The parts of AsyncAPI 3.0 this document uses. */
export interface AsyncApiDocument {
  readonly asyncapi: "3.0.0";
  readonly id: string;
  readonly info: {
    readonly title: string;
    readonly version: string;
    readonly description: string;
    readonly license: { readonly name: string };
  };
  readonly defaultContentType: string;
  readonly servers: Readonly<Record<string, AsyncApiServer>>;
  readonly channels: Readonly<Record<string, Channel>>;
  readonly operations: Readonly<Record<string, AsyncApiOperation>>;
  readonly components: {
    readonly schemas: Readonly<Record<string, JsonSchema>>;
    readonly messages: Readonly<Record<string, Message>>;
  };
}

export interface AsyncApiServer {
  readonly host: string;
  readonly protocol: string;
  readonly title: string;
  readonly description: string;
  readonly variables: Readonly<Record<string, { readonly default: string; readonly description: string }>>;
}

export interface Reference {
  readonly $ref: string;
}

export interface Channel {
  readonly address: string;
  readonly title: string;
  readonly summary: string;
  readonly description: string;
  readonly parameters: Readonly<Record<string, { readonly description: string; readonly examples: string[] }>>;
  readonly messages: Readonly<Record<string, Reference>>;
  readonly bindings: { readonly sns: Readonly<Record<string, unknown>> };
}

export interface AsyncApiOperation {
  readonly action: "send" | "receive";
  readonly channel: Reference;
  readonly title: string;
  readonly summary: string;
  readonly description: string;
  readonly messages: readonly Reference[];
  readonly bindings?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface Message {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly contentType: string;
  readonly headers: JsonSchema;
  readonly payload: Reference;
  readonly examples: readonly {
    readonly name: string;
    readonly summary: string;
    readonly headers: Readonly<Record<string, string>>;
    readonly payload: OmsEvent;
  }[];
}

/** The channel every event goes through: the stack's order topic. */
export const ORDER_EVENTS_CHANNEL = "orderEvents";

/** The stack output that holds the topic's ARN, the channel's address (`pulumi stack output …`). */
export const TOPIC_ARN_OUTPUT = "eventsTopicArn";

/** The topic as the program names it; Pulumi appends a random suffix to make its physical name. */
const TOPIC_NAME = "oms-order-events";

/** Where the examples live: `eu-west-1`, like the stacks' `aws:region`, and a documentation account id. */
const EXAMPLE_TOPIC_ARN = `arn:aws:sns:eu-west-1:123456789012:${TOPIC_NAME}-1a2b3c4`;
const EXAMPLE_QUEUE_NAME = "warehouse-order-events";

/** AsyncAPI's SNS and SQS bindings, at the versions the AsyncAPI 3.0 schema refers to (later ones fail validation). */
const SNS_BINDING_VERSION = "0.1.0";
const SQS_BINDING_VERSION = "0.2.0";

const DELIVERY = [
  "**Delivery**",
  "- **At least once.** Every committed change's event is published, and the same event may reach a subscriber more than once (a retried stream batch, an SNS or SQS redelivery). Deduplicate on `id`: it is unique per event and the same on every delivery.",
  "- **Nothing invented.** Events are read from the tables' change streams after the write commits: a write that fails announces nothing, and a publish that fails is retried, not lost.",
  "- **No ordering guarantee.** The topic is a standard SNS topic: events about different orders or items arrive in any order, and even one order's events may be reordered. Compare `occurredAt`, or read the current state from the API, when order matters.",
  "- **Versioned.** `version` is the version of the `data` shape; a breaking change bumps it.",
].join("\n");

const SUBSCRIBING = [
  "**Subscribing**",
  `Subscribe an SQS queue to the topic (protocol \`sqs\`) with raw message delivery on, and a filter policy on the \`${EVENT_TYPE_ATTRIBUTE}\` message attribute (\`FilterPolicyScope: MessageAttributes\`) listing the event types you want. With raw delivery, each SQS message body is one event as described here and \`${EVENT_TYPE_ATTRIBUTE}\` arrives as an SQS message attribute; without it, the body is SNS's JSON notification with the event as a string in \`Message\`.`,
  `The queue's policy must let the topic send to it: \`sqs:SendMessage\` for the service principal \`sns.amazonaws.com\`, on condition that \`aws:SourceArn\` equals the topic's ARN.`,
].join("\n\n");

/**
 * What each event means to a subscriber, and the committed change its example is made from: the
 * example is what `eventFromChange` derives from that change, so it is an event OMS really emits.
 */
const EVENTS: {
  readonly [T in EventType]: { readonly title: string; readonly summary: string; readonly change: TableChange };
} = {
  [EventType.OrderPlaced]: {
    title: "Order placed",
    summary: "An order was written: the order workflow reserved its units and stored it.",
    change: {
      table: "orders",
      id: "c81e728d9d4c2f636f067f89cc14862c",
      kind: "INSERT",
      at: "2026-11-02T09:15:00.000Z",
      after: exampleOrder(OrderStatus.Placed),
    },
  },
  [EventType.OrderStatusChanged]: {
    title: "Order status changed",
    summary:
      "An order's status changed (an admin shipped, delivered or cancelled it): `from` the old status, `to` the new one.",
    change: {
      table: "orders",
      id: "eccbc87e4b5ce2fe28308fd9f2a7baf3",
      kind: "MODIFY",
      at: "2026-11-03T14:30:00.000Z",
      before: exampleOrder(OrderStatus.Placed),
      after: { ...exampleOrder(OrderStatus.Shipped), updatedAt: "2026-11-03T14:30:00.000Z" },
    },
  },
  [EventType.OrderDeleted]: {
    title: "Order deleted",
    summary: "An order was deleted; `stockReturned` says whether its units went back to stock.",
    change: {
      table: "orders",
      id: "a87ff679a2f3e71d9181a67b7542122c",
      kind: "REMOVE",
      at: "2026-11-02T10:00:00.000Z",
      before: exampleOrder(OrderStatus.Placed),
    },
  },
  [EventType.StockChanged]: {
    title: "Stock changed",
    summary: "An item's free units changed: an order reserved or returned them, or an admin set the stock.",
    change: {
      table: "inventory",
      id: "e4da3b7fbbce2345d7772b0674a318d5",
      kind: "MODIFY",
      at: "2026-11-02T09:15:00.000Z",
      before: { itemId: "Headlight", quantity: 12, updatedAt: "2026-11-01T08:00:00.000Z" },
      after: { itemId: "Headlight", quantity: 10, updatedAt: "2026-11-02T09:15:00.000Z" },
    },
  },
};

function exampleOrder(status: OrderStatus): Readonly<Record<string, unknown>> {
  return {
    OrderId: "994dd3bc-a43a-4342-b07b-3f5829e3c046",
    ownerId: "4f1c8e2a-7d3b-4a6e-9b0c-2d5e8f1a3b6c",
    customerName: "Ada Lovelace",
    product: "Headlight",
    quantity: 2,
    status,
    createdAt: "2026-11-02T09:15:00.000Z",
  };
}

/** The event a table change makes, which must be of the type it illustrates. */
function exampleOf(type: EventType): OmsEvent {
  const event = eventFromChange(EVENTS[type].change);
  if (event?.type !== type) throw new Error(`The example change for ${type} makes ${event?.type ?? "no event"}`);
  return event;
}

/** The project's version, which the document carries. */
function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(__dirname, "..", "package.json"), "utf8")) as { version: string };
  return manifest.version;
}

function schemaRef(name: string): Reference {
  return { $ref: `#/components/schemas/${name}` };
}

/**
 * AsyncAPI's default schema format is a superset of JSON Schema draft-07, so the domain's schemas
 * are converted to draft-07, through `@valibot/to-json-schema` only.
 */
const CONVERSION: ConversionConfig = {
  target: "draft-07",
  // A refinement JSON Schema cannot say (a currency the runtime knows): the pattern beside it can.
  ignoreActions: ["check"],
  overrideRef: ({ referenceId }) => schemaRef(referenceId).$ref,
};

/** Each event type's envelope under its own name, and the order they share. */
function payloadSchemas(): Record<string, JsonSchema> {
  return toJsonSchemaDefs({ Order: OrderSchema, ...EventSchemas }, CONVERSION) as Record<string, JsonSchema>;
}

/** The message attributes an event is published with, as AsyncAPI headers. */
function headersOf(type: EventType): JsonSchema {
  const attributes = v.object({
    [EVENT_TYPE_ATTRIBUTE]: v.pipe(
      v.literal(type),
      v.description(
        `SNS message attribute (DataType String) holding the event's \`type\`: what a subscription's filter policy matches.`,
      ),
    ),
  });
  const { $schema: _draft, ...schema } = toJsonSchema(attributes, CONVERSION);
  return schema;
}

function messageOf(type: EventType): Message {
  const { title, summary } = EVENTS[type];
  return {
    name: type,
    title,
    summary,
    contentType: "application/json",
    headers: headersOf(type),
    payload: schemaRef(type),
    examples: [{ name: type, summary: title, headers: { [EVENT_TYPE_ATTRIBUTE]: type }, payload: exampleOf(type) }],
  };
}

function channelMessageRefs(): Reference[] {
  return EVENT_TYPES.map((type) => ({ $ref: `#/channels/${ORDER_EVENTS_CHANNEL}/messages/${type}` }));
}

/**
 * The events OMS publishes, as an AsyncAPI 3.0 document written from `domain/events.ts`: what
 * `npm run openapi` commits as `api/asyncapi.json` beside the OpenAPI document, and the local stack serves.
 */
export function asyncApiDocument(): AsyncApiDocument {
  const channelRef = { $ref: `#/channels/${ORDER_EVENTS_CHANNEL}` };
  return {
    asyncapi: "3.0.0",
    id: "urn:oms:order-events",
    info: {
      title: "OMS order events",
      version: packageVersion(),
      description: [
        "Every committed change of an order or of the stock, as an event on the stack's order topic, for other systems (a warehouse, accounting, analytics) and for OMS's own customer mailer.",
        `Every event has the same envelope (\`id\`, \`type\`, \`version\`, \`occurredAt\`, \`data\`) and carries its \`type\` as the \`${EVENT_TYPE_ATTRIBUTE}\` message attribute, so that a subscription can filter on it.`,
        DELIVERY,
      ].join("\n\n"),
      license: { name: "MIT" },
    },
    defaultContentType: "application/json",
    servers: {
      aws: {
        host: "sns.{region}.amazonaws.com",
        protocol: "sns",
        title: "Amazon SNS",
        description: "Amazon SNS in the stack's region.",
        variables: {
          region: { default: "eu-west-1", description: "The stack's `aws:region`" },
        },
      },
    },
    channels: {
      [ORDER_EVENTS_CHANNEL]: {
        address: `{${TOPIC_ARN_OUTPUT}}`,
        title: "Order events",
        summary: "The stack's order topic: every event, each with its type as a message attribute.",
        description: `A standard SNS topic, encrypted with SNS's AWS managed key. Pulumi names it \`${TOPIC_NAME}\` plus a random suffix (a stack deployed before the topic carried events keeps its \`oms-order-notifications-…\` name): take its ARN from the stack output \`${TOPIC_ARN_OUTPUT}\`.\n\n${DELIVERY}`,
        parameters: {
          [TOPIC_ARN_OUTPUT]: {
            description: `The topic's ARN: \`pulumi stack output ${TOPIC_ARN_OUTPUT}\``,
            examples: [EXAMPLE_TOPIC_ARN],
          },
        },
        messages: Object.fromEntries(EVENT_TYPES.map((type) => [type, { $ref: `#/components/messages/${type}` }])),
        bindings: {
          sns: { name: TOPIC_NAME, ordering: { type: "standard" }, bindingVersion: SNS_BINDING_VERSION },
        },
      },
    },
    operations: {
      publishOrderEvents: {
        action: "send",
        channel: channelRef,
        title: "Publish order events",
        summary: "OMS publishes one event per committed change, read from the tables' change streams.",
        description: `Each event is published as its JSON, with the \`${EVENT_TYPE_ATTRIBUTE}\` message attribute set to its type.`,
        messages: channelMessageRefs(),
      },
      receiveOrderEvents: {
        action: "receive",
        channel: channelRef,
        title: "Receive order events",
        summary: `A subscriber's SQS queue receives the events whose \`${EVENT_TYPE_ATTRIBUTE}\` its filter policy lists.`,
        description: `${SUBSCRIBING}\n\nThe bindings show such a subscription, for a queue \`${EXAMPLE_QUEUE_NAME}\` in another account that wants every type; list fewer to receive fewer.\n\n${DELIVERY}`,
        messages: channelMessageRefs(),
        bindings: {
          sns: {
            consumers: [
              {
                protocol: "sqs",
                endpoint: { name: EXAMPLE_QUEUE_NAME },
                filterPolicy: { [EVENT_TYPE_ATTRIBUTE]: [...EVENT_TYPES] },
                filterPolicyScope: "MessageAttributes",
                rawMessageDelivery: true,
              },
            ],
            bindingVersion: SNS_BINDING_VERSION,
          },
          sqs: {
            queues: [
              {
                name: EXAMPLE_QUEUE_NAME,
                fifoQueue: false,
              },
            ],
            bindingVersion: SQS_BINDING_VERSION,
          },
        },
      },
    },
    components: {
      schemas: payloadSchemas(),
      messages: Object.fromEntries(EVENT_TYPES.map((type) => [type, messageOf(type)])),
    },
  };
}
