import { expect } from "chai";
import { EVENT_TYPE_ATTRIBUTE, EventType } from "../../domain/events";
import { MAIL_QUEUE } from "../../events/functions";
import type { LocalLog } from "../../local/gateway";
import { type LocalStack, startLocalStack } from "../../local/local-stack";
import type { Mail } from "../../local/mailbox";
import { type LocalTokens, localToken } from "../../local/sign-in";

interface Order {
  readonly OrderId: string;
}

interface PublishedEvent {
  readonly id: string;
  readonly type: string;
  readonly data: { readonly order?: Order };
}

/** A signed-in customer with a profile. */
interface Customer {
  readonly name: string;
  readonly email: string;
  readonly tokens: LocalTokens;
}

/** How many customers the spec of "any number of customers" signs up: five times SNS's 200 filter policies per topic. */
const CUSTOMERS = 1_000;

/** How many requests are in flight at once while customers sign up and order: enough to keep the 2 cores busy. */
const PARALLEL = 16;

/** A product only this spec orders, stocked for every customer. */
const PRODUCT = "Mail-spec widget";

/** Runs `work` on every item, at most `limit` at a time; results in the items' order. */
async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

describe("Order events and customer mail on the local stack", function () {
  this.timeout(180_000);
  const errors: string[] = [];
  const log: LocalLog = { info: () => undefined, error: (line) => errors.push(line) };
  let stack: LocalStack;
  let admin: LocalTokens;
  let customers = 0;

  before(async () => {
    // A short visibility timeout, so that a redelivery takes a fraction of a second instead of a minute.
    stack = await startLocalStack({
      port: 0,
      dataDir: null,
      log,
      throttle: { burstLimit: 10_000, rateLimit: 10_000 },
      mailVisibilityTimeoutMs: 200,
    });
    admin = await tokenFor("mail-admin@example.com", true);
    const stocked = await call("PUT", `/inventory/${encodeURIComponent(PRODUCT)}`, admin, { quantity: CUSTOMERS * 2 });
    expect(stocked.status).to.equal(200);
  });

  after(async () => {
    await stack?.stop();
  });

  function tokenFor(email: string, isAdmin = false): Promise<LocalTokens> {
    return localToken({
      ...stack,
      email,
      admin: isAdmin,
    });
  }

  function call(method: string, path: string, tokens?: LocalTokens, body?: unknown): Promise<Response> {
    return fetch(`${stack.url}${path}`, {
      method,
      headers: {
        ...(tokens ? { authorization: `Bearer ${tokens.idToken}` } : {}),
        ...(body === undefined ? {} : { "content-type": "application/json" }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  }

  /** A new customer, signed in, with a profile (order mail on, as for every new profile). */
  async function customer(): Promise<Customer> {
    customers += 1;
    const name = `Customer ${customers}`;
    const email = `customer-${customers}@example.com`;
    const tokens = await tokenFor(email);
    const profile = await call("POST", "/users", tokens, { name, email });
    expect(profile.status, await profile.clone().text()).to.equal(201);
    return { name, email, tokens };
  }

  async function placeOrder(who: Customer): Promise<Order> {
    const response = await call("POST", "/orders", who.tokens, {
      customerName: who.name,
      product: PRODUCT,
      quantity: 1,
    });
    expect(response.status, await response.clone().text()).to.equal(201);
    return (await response.json()) as Order;
  }

  async function mailTo(email: string): Promise<Mail[]> {
    return (await (await call("GET", `/_local/mail?to=${encodeURIComponent(email)}`)).json()) as Mail[];
  }

  async function published(type?: string): Promise<PublishedEvent[]> {
    const query = type === undefined ? "" : `?type=${encodeURIComponent(type)}`;
    return (await (await call("GET", `/_local/events${query}`)).json()) as PublishedEvent[];
  }

  function about(orderId: string) {
    return (mail: Mail) => mail.subject.includes(orderId);
  }

  it(`mails each of ${CUSTOMERS} customers exactly once about their own order, and nobody about anyone else's`, async () => {
    const started = performance.now();
    const ordered = await inParallel(Array.from({ length: CUSTOMERS }), PARALLEL, async () => {
      const who = await customer();
      return { who, order: await placeOrder(who) };
    });
    const placedAfter = performance.now() - started;
    await stack.events.settled(120_000);
    const settledAfter = performance.now() - started;

    const mails = (await (await call("GET", "/_local/mail")).json()) as Mail[];
    const placedEvents = await published(EventType.OrderPlaced);
    console.log(
      `      ${CUSTOMERS} customers signed up and ordered in ${(placedAfter / 1000).toFixed(1)} s; ` +
        `every mail out after ${(settledAfter / 1000).toFixed(1)} s`,
    );
    const orderIds = new Set(ordered.map(({ order }) => order.OrderId));
    for (const { who, order } of ordered) {
      const theirs = mails.filter((mail) => mail.to === who.email);
      expect(theirs.map((mail) => mail.subject)).to.deep.equal([`Your order ${order.OrderId} is placed`]);
      // Their mail names their order, and no other of this run's orders.
      const named = [...orderIds].filter((id) => theirs[0]?.body.includes(id));
      expect(named).to.deep.equal([order.OrderId]);
    }
    expect(mails.filter((mail) => mail.to.startsWith("customer-"))).to.have.length(CUSTOMERS);
    expect(placedEvents.filter((event) => orderIds.has(event.data.order?.OrderId ?? ""))).to.have.length(CUSTOMERS);
    expect(errors).to.deep.equal([]);
  });

  it("retries a mail SES refuses for now, and mails it once", async () => {
    const who = await customer();
    stack.events.ses.failTransiently(1);

    const order = await placeOrder(who);
    await stack.events.settled();

    expect((await mailTo(who.email)).filter(about(order.OrderId))).to.have.length(1);
    expect(stack.events.mailDeadLetterQueue.peek()).to.deep.equal([]);
  });

  it(`parks a message that is no event in the dead-letter queue after ${MAIL_QUEUE.maxReceiveCount} receives`, async () => {
    stack.events.mailQueue.send({
      body: "not an event",
      attributes: { [EVENT_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: EventType.OrderPlaced } },
    });

    await stack.events.settled();

    expect(stack.events.mailDeadLetterQueue.peek()).to.deep.equal([
      { body: "not an event", receiveCount: MAIL_QUEUE.maxReceiveCount },
    ]);
    stack.events.mailDeadLetterQueue.purge();
  });

  it("mails a message parked by an SES outage once it is redriven from the dead-letter queue", async () => {
    const who = await customer();
    stack.events.ses.failTransiently(MAIL_QUEUE.maxReceiveCount);
    const order = await placeOrder(who);
    await stack.events.settled();
    const parked = stack.events.mailDeadLetterQueue.peek().length;
    const before = (await mailTo(who.email)).filter(about(order.OrderId));

    const moved = stack.events.redriveMail();
    await stack.events.settled();

    expect([parked, before.length, moved]).to.deep.equal([1, 0, 1]);
    expect((await mailTo(who.email)).filter(about(order.OrderId))).to.have.length(1);
    expect(stack.events.mailDeadLetterQueue.peek()).to.deep.equal([]);
  });

  it("mails an event delivered twice only once", async () => {
    const who = await customer();
    const order = await placeOrder(who);
    await stack.events.settled();
    const event = (await published(EventType.OrderPlaced)).find((e) => e.data.order?.OrderId === order.OrderId);

    // SQS delivers at least once: the same event arrives again, as a new message.
    stack.events.mailQueue.send({
      body: JSON.stringify(event),
      attributes: { [EVENT_TYPE_ATTRIBUTE]: { DataType: "String", StringValue: EventType.OrderPlaced } },
    });
    await stack.events.settled();

    expect(event).to.not.equal(undefined);
    expect((await mailTo(who.email)).filter(about(order.OrderId))).to.have.length(1);
  });

  it("announces an order written while the publisher is down once it is back, and mails it once", async () => {
    const who = await customer();
    stack.events.streams.pause();
    let order: Order;
    try {
      order = await placeOrder(who);
      // Longer than the stream's polls and the mail queue's redeliveries: nothing may leak out meanwhile.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    } finally {
      stack.events.streams.resume();
    }
    const whileDown = (await published()).filter((e) => e.data.order?.OrderId === order.OrderId);
    const mailWhileDown = (await mailTo(who.email)).filter(about(order.OrderId));

    await stack.events.settled();

    expect([whileDown.length, mailWhileDown.length]).to.deep.equal([0, 0]);
    expect((await published()).filter((e) => e.data.order?.OrderId === order.OrderId).map((e) => e.type)).to.deep.equal(
      [EventType.OrderPlaced],
    );
    expect((await mailTo(who.email)).filter(about(order.OrderId))).to.have.length(1);
  });

  it("stops a customer's order mail when they turn it off, and mails again once it is on", async () => {
    const who = await customer();
    const off = await call("PUT", "/users/me", who.tokens, { orderMail: false });
    const quiet = await placeOrder(who);
    await stack.events.settled();
    const on = await call("PUT", "/users/me", who.tokens, { orderMail: true });
    const mailed = await placeOrder(who);
    await stack.events.settled();

    const mails = await mailTo(who.email);
    expect([off.status, on.status]).to.deep.equal([200, 200]);
    expect(mails.filter(about(quiet.OrderId))).to.deep.equal([]);
    expect(mails.filter(about(mailed.OrderId))).to.have.length(1);
    // The event still exists: only the mail is off.
    expect((await published(EventType.OrderPlaced)).some((e) => e.data.order?.OrderId === quiet.OrderId)).to.equal(
      true,
    );
  });
});
