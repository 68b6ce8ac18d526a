import { expect } from "chai";
import { Mailbox } from "../../local/mailbox";

describe("Mailbox", () => {
  it("lists the mails to one address, oldest first, matching the address case-insensitively", () => {
    const mailbox = new Mailbox(() => new Date("2026-01-01T00:00:00Z"));
    mailbox.send({ to: "alice@example.com", subject: "1", body: "a" });
    mailbox.send({ to: "bob@example.com", subject: "2", body: "b" });
    mailbox.send({ to: "Alice@Example.com", subject: "3", body: "c" });

    const mails = mailbox.list("alice@example.com");

    expect(mails.map((mail) => mail.subject)).to.deep.equal(["1", "3"]);
    expect(mails[0]).to.deep.equal({
      to: "alice@example.com",
      subject: "1",
      body: "a",
      sentAt: "2026-01-01T00:00:00.000Z",
    });
  });

  it("lists every mail when no address is given", () => {
    const mailbox = new Mailbox();
    mailbox.send({ to: "a@example.com", subject: "1", body: "" });
    mailbox.send({ to: "b@example.com", subject: "2", body: "" });

    expect(mailbox.list().map((mail) => mail.to)).to.deep.equal(["a@example.com", "b@example.com"]);
  });
});
