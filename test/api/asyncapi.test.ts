import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DiagnosticSeverity, Parser } from "@asyncapi/parser";
import { expect } from "chai";
import * as v from "valibot";
import {
  type AsyncApiDocument,
  type Message,
  ORDER_EVENTS_CHANNEL,
  TOPIC_ARN_OUTPUT,
  asyncApiDocument,
} from "../../api/asyncapi-document";
import { CONTRACT_FILES, eventContractFile } from "../../api/contract-files";
import { EVENT_TYPES, EVENT_TYPE_ATTRIBUTE, EventDataSchemas, EventSchemas, type EventType } from "../../domain/events";

const PROJECT_DIR = join(__dirname, "..", "..");

function messageOf(document: AsyncApiDocument, type: EventType): Message {
  const message = document.components.messages[type];
  if (!message) throw new Error(`No message for ${type}`);
  return message;
}

/** The schema a `#/components/schemas/…` reference names. */
function schemaAt(document: AsyncApiDocument, ref: string) {
  const name = ref.replace("#/components/schemas/", "");
  const schema = document.components.schemas[name];
  if (!schema) throw new Error(`No schema ${ref}`);
  return schema;
}

describe("asyncApiDocument", () => {
  const document = asyncApiDocument();
  const channelMessages = EVENT_TYPES.map((type) => ({
    $ref: `#/channels/${ORDER_EVENTS_CHANNEL}/messages/${type}`,
  }));

  it("is AsyncAPI 3.0 at the package's version", () => {
    const manifest = JSON.parse(readFileSync(join(PROJECT_DIR, "package.json"), "utf8")) as { version: string };

    expect(document.asyncapi).to.equal("3.0.0");
    expect(document.info.version).to.equal(manifest.version);
  });

  it("has one message per event type of the domain, all on the one order-events channel", () => {
    expect(Object.keys(document.components.messages)).to.deep.equal(EVENT_TYPES);
    expect(Object.keys(document.channels)).to.deep.equal([ORDER_EVENTS_CHANNEL]);
    expect(document.channels[ORDER_EVENTS_CHANNEL]?.messages).to.deep.equal(
      Object.fromEntries(EVENT_TYPES.map((type) => [type, { $ref: `#/components/messages/${type}` }])),
    );
  });

  it("lets OMS send every event and a subscriber receive every event", () => {
    const operations = Object.values(document.operations).map((operation) => [
      operation.action,
      operation.channel.$ref,
      operation.messages,
    ]);

    expect(operations).to.deep.equal([
      ["send", `#/channels/${ORDER_EVENTS_CHANNEL}`, channelMessages],
      ["receive", `#/channels/${ORDER_EVENTS_CHANNEL}`, channelMessages],
    ]);
  });

  it("names each message after its type, with a title and a summary", () => {
    const described = EVENT_TYPES.map((type) => {
      const message = messageOf(document, type);
      return [message.name, message.title.length > 0, message.summary.length > 0, message.contentType];
    });

    expect(described).to.deep.equal(EVENT_TYPES.map((type) => [type, true, true, "application/json"]));
  });

  it("gives each message its type's envelope as payload, with the domain's fields and data fields", () => {
    const payloads = EVENT_TYPES.map((type) => {
      const schema = schemaAt(document, messageOf(document, type).payload.$ref);
      const data = schema.properties?.["data"];
      return {
        required: schema.required,
        type: typeof schema.properties?.["type"] === "object" ? schema.properties["type"].const : undefined,
        data: typeof data === "object" ? Object.keys(data.properties ?? {}) : undefined,
      };
    });

    expect(payloads).to.deep.equal(
      EVENT_TYPES.map((type) => ({
        required: Object.keys(EventSchemas[type].entries),
        type,
        data: Object.keys(EventDataSchemas[type].entries),
      })),
    );
  });

  it("describes the type message attribute as the header a subscription filters on, equal to the message's type", () => {
    const headers = EVENT_TYPES.map((type) => {
      const { headers: schema } = messageOf(document, type);
      const attribute = schema.properties?.[EVENT_TYPE_ATTRIBUTE];
      return {
        required: schema.required,
        value: typeof attribute === "object" ? attribute.const : undefined,
        filterable: typeof attribute === "object" && (attribute.description ?? "").includes("filter policy"),
      };
    });

    expect(headers).to.deep.equal(
      EVENT_TYPES.map((type) => ({ required: [EVENT_TYPE_ATTRIBUTE], value: type, filterable: true })),
    );
  });

  it("gives each message an example that the domain's schema of its type accepts, with its type as attribute", () => {
    const examples = EVENT_TYPES.map((type) =>
      messageOf(document, type).examples.map((example) => ({
        headers: example.headers,
        accepted: v.safeParse(EventSchemas[type], example.payload).success,
      })),
    );

    expect(examples).to.deep.equal(
      EVENT_TYPES.map((type) => [{ headers: { [EVENT_TYPE_ATTRIBUTE]: type }, accepted: true }]),
    );
  });

  it("addresses the channel to the topic's ARN, a stack output the program exports", () => {
    const program = readFileSync(join(PROJECT_DIR, "index.ts"), "utf8");

    expect(document.channels[ORDER_EVENTS_CHANNEL]?.address).to.equal(`{${TOPIC_ARN_OUTPUT}}`);
    expect(Object.keys(document.channels[ORDER_EVENTS_CHANNEL]?.parameters ?? {})).to.deep.equal([TOPIC_ARN_OUTPUT]);
    expect(program).to.match(new RegExp(`^export const ${TOPIC_ARN_OUTPUT} =`, "m"));
  });

  it("binds the channel to a standard (unordered) SNS topic", () => {
    expect(document.channels[ORDER_EVENTS_CHANNEL]?.bindings.sns).to.deep.include({ ordering: { type: "standard" } });
  });

  it("says how delivery behaves: at least once, deduplicated on id, in no guaranteed order", () => {
    const { description } = document.info;

    expect(description).to.contain("At least once");
    expect(description).to.contain("Deduplicate on `id`");
    expect(description).to.contain("No ordering guarantee");
  });

  it("shows a subscriber's SQS subscription with raw delivery and a filter policy on the type attribute", () => {
    const receive = Object.values(document.operations).find((operation) => operation.action === "receive");
    const [consumer] = (receive?.bindings?.["sns"]?.["consumers"] ?? []) as Record<string, unknown>[];

    expect(consumer).to.deep.include({
      protocol: "sqs",
      filterPolicy: { [EVENT_TYPE_ATTRIBUTE]: EVENT_TYPES },
      filterPolicyScope: "MessageAttributes",
      rawMessageDelivery: true,
    });
    expect(receive?.description).to.contain("sqs:SendMessage");
    expect(receive?.description).to.contain("aws:SourceArn");
  });
});

describe("The committed AsyncAPI document", () => {
  const path = join(PROJECT_DIR, CONTRACT_FILES.asyncApi);

  it("is what `npm run openapi` writes: run it after changing the event schemas", async () => {
    const file = await eventContractFile(PROJECT_DIR);

    expect(file.path).to.equal(CONTRACT_FILES.asyncApi);
    expect(readFileSync(path, "utf8") === file.text, `${file.path} is stale: run npm run openapi`).to.equal(true);
  });

  it("passes the AsyncAPI parser with neither an error nor a warning, its examples checked against their schemas", async () => {
    const { document, diagnostics } = await new Parser().parse(readFileSync(path, "utf8"));

    const problems = diagnostics
      .filter((diagnostic) => diagnostic.severity <= DiagnosticSeverity.Warning)
      .map((diagnostic) => `${diagnostic.code}: ${diagnostic.message} at ${diagnostic.path.join(".")}`);
    expect(problems).to.deep.equal([]);
    // The only remark left: 3.1.0 exists, and the brief asks for 3.0.
    expect(diagnostics.map((diagnostic) => diagnostic.code)).to.deep.equal(["asyncapi-latest-version"]);
    expect(
      document
        ?.allMessages()
        .all()
        .map((message) => message.name()),
    ).to.have.members(EVENT_TYPES);
  });
});
