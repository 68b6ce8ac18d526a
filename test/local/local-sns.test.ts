import { expect } from "chai";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConflictError } from "../../domain/errors";
import { LOCAL_NOTIFICATIONS_TOPIC_ARN, LocalSns } from "../../local/local-sns";
import { Mailbox } from "../../local/mailbox";

const NOW = new Date("2026-11-27T10:00:00.000Z");

function forUser(userId: string) {
  return { userId: { DataType: "String", StringValue: userId } };
}

describe("LocalSns", () => {
  let mailbox: Mailbox;
  let sns: LocalSns;

  beforeEach(() => {
    mailbox = new Mailbox(() => NOW);
    sns = new LocalSns(mailbox);
  });

  it("delivers a published message only to the subscriptions whose filter policy lets it through", async () => {
    await sns.subscribe("alice@example.com", "alice");
    await sns.subscribe("bob@example.com", "bob");

    await sns.publish({ Subject: "For Alice", Message: "Hello Alice", MessageAttributes: forUser("alice") });

    expect(mailbox.list()).to.deep.equal([
      { to: "alice@example.com", subject: "For Alice", body: "Hello Alice", sentAt: NOW.toISOString() },
    ]);
  });

  it("delivers a message without the recipient attribute to nobody", async () => {
    await sns.subscribe("alice@example.com", "alice");

    await sns.publish({ Subject: "For everyone", Message: "Hello" });

    expect(mailbox.list()).to.deep.equal([]);
  });

  it("sends a notification to its user's address, as the status update publishes it", async () => {
    await sns.subscribe("alice@example.com", "alice");

    await sns.notify({ userId: "alice", subject: "Your order 1 is SHIPPED", message: "It ships." });

    expect(mailbox.list("alice@example.com").map((mail) => [mail.subject, mail.body])).to.deep.equal([
      ["Your order 1 is SHIPPED", "It ships."],
    ]);
  });

  it("answers a subscription of the same address for the same user with the same ARN, once in the topic's ARN", async () => {
    const first = await sns.subscribe("alice@example.com", "alice");

    const second = await sns.subscribe("alice@example.com", "alice");

    expect(second).to.equal(first);
    expect(first.startsWith(`${LOCAL_NOTIFICATIONS_TOPIC_ARN}:`)).to.equal(true);
    expect(sns.list()).to.have.length(1);
  });

  it("refuses to subscribe an address that already receives another user's mail", async () => {
    await sns.subscribe("shared@example.com", "alice");

    const refusal = await sns.subscribe("shared@example.com", "bob").then(
      () => undefined,
      (error: unknown) => error,
    );

    expect(refusal).to.be.instanceOf(ConflictError);
    expect((refusal as ConflictError).message).to.equal(
      "This e-mail address already receives another user's order mail",
    );
  });

  it("stops delivering to a subscription once it is unsubscribed", async () => {
    const old = await sns.subscribe("alice@example.com", "alice");
    await sns.subscribe("alice@new.example.com", "alice");

    await sns.unsubscribe(old);
    await sns.notify({ userId: "alice", subject: "s", message: "m" });

    expect(mailbox.list().map((mail) => mail.to)).to.deep.equal(["alice@new.example.com"]);
  });

  describe("with a file", () => {
    let dir: string;

    beforeEach(() => {
      dir = mkdtempSync(join(tmpdir(), "oms-sns-"));
    });

    afterEach(() => {
      rmSync(dir, { recursive: true, force: true });
    });

    it("keeps its subscriptions across restarts", async () => {
      const file = join(dir, "sns.json");
      const arn = await new LocalSns(mailbox, file).subscribe("alice@example.com", "alice");

      const restarted = new LocalSns(mailbox, file);
      await restarted.notify({ userId: "alice", subject: "s", message: "m" });

      expect(restarted.list()).to.deep.equal([
        { arn, email: "alice@example.com", filterPolicy: { userId: ["alice"] } },
      ]);
      expect(mailbox.list().map((mail) => mail.to)).to.deep.equal(["alice@example.com"]);
      expect(JSON.parse(readFileSync(file, "utf8"))).to.deep.equal(restarted.list());
    });
  });
});
