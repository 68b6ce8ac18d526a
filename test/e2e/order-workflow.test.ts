import { expect } from "chai";
import { STATUS_UPDATED_MESSAGE } from "../../domain/order";
import { ORDER_MAIL_DEFAULT } from "../../domain/user";
import type { LocalLog } from "../../local/gateway";
import { type LocalStack, startLocalStack } from "../../local/local-stack";
import { type LocalTokens, localToken } from "../../local/sign-in";
import type { Mail } from "../../local/mailbox";

interface Order {
  OrderId: string;
  ownerId: string;
  customerName: string;
  product: string;
  quantity: number;
  status: string;
  createdAt: string;
  updatedAt?: string;
}

interface Item {
  itemId: string;
  quantity: number;
  updatedAt: string;
}

interface Profile {
  userId: string;
  name: string;
  email: string;
  orderMail: boolean;
  createdAt: string;
  updatedAt: string;
}

/** A signed-in user and the name they order under. */
interface Customer {
  readonly name: string;
  readonly email: string;
  readonly tokens: LocalTokens;
}

interface Call {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * What the stock and the orders must add up to: stock as seeded or last set, minus every order
 * placed, plus every order whose units came back; and the orders that still exist.
 */
class Ledger {
  readonly stock = new Map<string, number>([
    ["Headlight", 4],
    ["Seatbelt", 3],
    ["coolant", 2],
    ["MacBook Pro", 10],
  ]);
  readonly orders = new Map<string, Order>();

  set(itemId: string, quantity: number): void {
    this.stock.set(itemId, quantity);
  }

  placed(order: Order): void {
    if (this.orders.has(order.OrderId)) return;
    this.orders.set(order.OrderId, order);
    this.add(order.product, -order.quantity);
  }

  changed(order: Order): void {
    const before = this.orders.get(order.OrderId);
    if (before?.status === "PLACED" && order.status === "CANCELLED") this.add(order.product, order.quantity);
    this.orders.set(order.OrderId, order);
  }

  private add(itemId: string, quantity: number): void {
    this.stock.set(itemId, (this.stock.get(itemId) ?? 0) + quantity);
  }
}

/** A timeline entry of the order's own changes, not one the mailer recorded (which comes when it comes). */
function isOrderEntry(entry: unknown): boolean {
  return !String((entry as { event?: unknown }).event).startsWith("mail");
}

describe("Users, inventory and the order workflow on the local stack", function () {
  this.timeout(60_000);
  const errors: string[] = [];
  const log: LocalLog = { info: () => undefined, error: (line) => errors.push(line) };
  const ledger = new Ledger();
  let stack: LocalStack;
  let alice: Customer;
  let bob: Customer;
  let admin: LocalTokens;

  async function signIn(name: string, email: string, isAdmin = false): Promise<Customer> {
    const tokens = await localToken({
      ...stack,
      email,
      admin: isAdmin,
    });
    return { name, email, tokens };
  }

  function call(path: string, options: Call = {}): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers["authorization"] = `Bearer ${options.token}`;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    return fetch(`${stack.url}${path}`, {
      method: options.method ?? "GET",
      headers,
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
  }

  async function createProfile(customer: Customer): Promise<Response> {
    return call("/users", {
      method: "POST",
      token: customer.tokens.idToken,
      body: { name: customer.name, email: customer.email },
    });
  }

  async function placeOrder(
    customer: Customer,
    product: string,
    quantity: number,
    headers: Record<string, string> = {},
  ): Promise<Response> {
    const response = await call("/orders", {
      method: "POST",
      token: customer.tokens.idToken,
      body: { customerName: customer.name, product, quantity },
      headers,
    });
    if (response.status === 201) ledger.placed((await response.clone().json()) as Order);
    return response;
  }

  async function placed(customer: Customer, product: string, quantity: number): Promise<Order> {
    const response = await placeOrder(customer, product, quantity);
    expect(response.status).to.equal(201);
    return (await response.json()) as Order;
  }

  async function setStock(itemId: string, quantity: number, token = admin.idToken): Promise<Response> {
    const response = await call(`/inventory/${encodeURIComponent(itemId)}`, {
      method: "PUT",
      token,
      body: { quantity },
    });
    if (response.status === 200) ledger.set(itemId, quantity);
    return response;
  }

  async function changeStatus(
    orderId: string,
    status: string,
    token = admin.idToken,
    shipment: Record<string, string> = {},
  ): Promise<Response> {
    const response = await call(`/orders/${orderId}`, { method: "PATCH", token, body: { status, ...shipment } });
    if (response.status === 200) ledger.changed((await response.clone().json()) as Order);
    return response;
  }

  /** DELETE cancels: the order stays, in the status it answers with. */
  async function deleteOrder(orderId: string, token: string): Promise<Response> {
    const response = await call(`/orders/${orderId}`, { method: "DELETE", token });
    if (response.status === 200) ledger.changed((await response.clone().json()) as Order);
    return response;
  }

  async function inventory(): Promise<Item[]> {
    const response = await call("/inventory?limit=100", { token: alice.tokens.idToken });
    expect(response.status).to.equal(200);
    const page = (await response.json()) as { items: Item[]; nextToken?: string };
    expect(page.nextToken).to.equal(undefined);
    return page.items;
  }

  async function inStock(itemId: string): Promise<number | undefined> {
    return (await inventory()).find((item) => item.itemId === itemId)?.quantity;
  }

  async function mailTo(email: string): Promise<Mail[]> {
    const response = await call(`/_local/mail?to=${encodeURIComponent(email)}`);
    return (await response.json()) as Mail[];
  }

  /**
   * The mail each of `emails` receives because of `action`, as "subject | first line": mail follows
   * the committed change through the stream, the topic and the queue, so it is read once all of
   * that has settled.
   */
  async function mailDuring(emails: readonly string[], action: () => Promise<void>): Promise<string[][]> {
    await stack.events.settled();
    const before = await Promise.all(emails.map(async (email) => (await mailTo(email)).length));
    await action();
    await stack.events.settled();
    return Promise.all(
      emails.map(async (email, i) =>
        (await mailTo(email)).slice(before[i]).map((mail) => `${mail.subject} | ${mail.body.split("\n")[0]}`),
      ),
    );
  }

  before(async () => {
    stack = await startLocalStack({ port: 0, stack: "dev", dataDir: null, log });
    alice = await signIn("Alice", "alice@example.com");
    bob = await signIn("Bob", "bob@example.com");
    admin = (await signIn("Admin", "admin@example.com", true)).tokens;
    expect((await createProfile(alice)).status).to.equal(201);
    expect((await createProfile(bob)).status).to.equal(201);
  });

  after(async () => {
    await stack?.stop();
  });

  describe("GET and PUT /inventory", () => {
    it("lists the seeded items and their stock to any signed-in user", async () => {
      const response = await call("/inventory", { token: bob.tokens.idToken });

      const page = (await response.json()) as { items: Item[] };
      expect(response.status).to.equal(200);
      expect(page.items.map(({ itemId, quantity }) => ({ itemId, quantity }))).to.deep.equal([
        { itemId: "coolant", quantity: 2 },
        { itemId: "Headlight", quantity: 4 },
        { itemId: "MacBook Pro", quantity: 10 },
        { itemId: "Seatbelt", quantity: 3 },
      ]);
      expect(page.items.every((item) => ISO_TIME.test(item.updatedAt))).to.equal(true);
    });

    it("refuses a customer who sets stock: 403 Forbidden, and the stock stays", async () => {
      const response = await setStock("Headlight", 1000, bob.tokens.idToken);

      expect(response.status).to.equal(403);
      expect(await response.text()).to.equal('{"message":"Forbidden"}');
      expect(await inStock("Headlight")).to.equal(4);
    });

    it("lets an admin set an item's stock, and add a new item", async () => {
      const restocked = await setStock("Headlight", 20);
      const added = await setStock("Wiper", 6);

      expect(restocked.status).to.equal(200);
      expect(await restocked.json()).to.deep.include({ itemId: "Headlight", quantity: 20 });
      expect(added.status).to.equal(200);
      expect(await added.json()).to.deep.include({ itemId: "Wiper", quantity: 6 });
      expect(await inStock("Headlight")).to.equal(20);
      expect(await inStock("Wiper")).to.equal(6);
    });

    it("answers 400 naming quantity for a negative stock", async () => {
      const response = await setStock("Headlight", -1);

      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.equal({ message: "quantity must not be negative", field: "quantity" });
    });
  });

  describe("POST, GET and PUT /users", () => {
    let erin: Customer;

    before(async () => {
      erin = await signIn("Erin", "erin@example.com");
    });

    it("creates the caller's profile under their sub: 201 with the profile and its location", async () => {
      const response = await createProfile(erin);

      const profile = (await response.json()) as Profile;
      expect(response.status).to.equal(201);
      expect(response.headers.get("location")).to.equal("/users/me");
      expect(profile).to.deep.equal({
        userId: erin.tokens.sub,
        name: "Erin",
        email: "erin@example.com",
        orderMail: ORDER_MAIL_DEFAULT,
        createdAt: profile.createdAt,
        updatedAt: profile.createdAt,
      });
      expect(profile.createdAt).to.match(ISO_TIME);
    });

    it("answers 409 to a second profile for the same user", async () => {
      const response = await createProfile(erin);

      expect(response.status).to.equal(409);
      expect(await response.json()).to.deep.equal({ message: "A profile already exists for this user" });
    });

    it("reads the caller's own profile, and 404 for a user without one", async () => {
      const frank = await signIn("Frank", "frank@example.com");

      const mine = await call("/users/me", { token: erin.tokens.idToken });
      const none = await call("/users/me", { token: frank.tokens.idToken });

      expect(mine.status).to.equal(200);
      expect(await mine.json()).to.deep.include({ userId: erin.tokens.sub, name: "Erin", email: "erin@example.com" });
      expect(none.status).to.equal(404);
      expect(await none.json()).to.deep.equal({ message: "User not found" });
    });

    it("moves the order mail to a changed e-mail address: later mail reaches the new address only", async () => {
      const changed = await call("/users/me", {
        method: "PUT",
        token: erin.tokens.idToken,
        body: { email: "erin@new.example.com" },
      });
      let order: Order | undefined;
      const [atOld, atNew] = await mailDuring(["erin@example.com", "erin@new.example.com"], async () => {
        order = await placed(erin, "Headlight", 1);
      });
      const read = await call("/users/me", { token: erin.tokens.idToken });

      expect(changed.status).to.equal(200);
      expect(await changed.json()).to.deep.include({ name: "Erin", email: "erin@new.example.com" });
      expect((await read.json()) as Profile).to.deep.include({ email: "erin@new.example.com" });
      expect(atOld).to.deep.equal([]);
      expect(atNew).to.deep.equal([
        `Your order ${order?.OrderId} is placed | Hello Erin, your order ${order?.OrderId} is placed.`,
      ]);
    });

    it("takes a profile whose address another user has: order mail needs no subscription per address", async () => {
      const frank = await signIn("Frank", "frank@example.com");

      const response = await call("/users", {
        method: "POST",
        token: frank.tokens.idToken,
        body: { name: "Frank", email: "alice@example.com" },
      });

      expect(response.status).to.equal(201);
    });

    const invalid: [string, string, unknown, unknown][] = [
      [
        "a malformed e-mail address",
        "POST",
        { name: "Erin", email: "not-an-address" },
        { message: "email must be an e-mail address", field: "email" },
      ],
      [
        "a missing e-mail address, in the original API's shape",
        "POST",
        { name: "Erin" },
        { message: "Missing required fields", missingFields: ["email"], requiredFields: ["name", "email"] },
      ],
      [
        "an empty body, in the original API's shape",
        "POST",
        {},
        { message: "Missing required fields", missingFields: ["name", "email"], requiredFields: ["name", "email"] },
      ],
      ["an empty name", "PUT", { name: "  " }, { message: "name must not be empty", field: "name" }],
      ["a change of nothing", "PUT", {}, { message: "body must change name, email or orderMail", field: "body" }],
    ];
    for (const [what, method, body, expected] of invalid) {
      it(`answers 400 to ${what}`, async () => {
        const path = method === "POST" ? "/users" : "/users/me";

        const response = await call(path, { method, token: erin.tokens.idToken, body });

        expect(response.status).to.equal(400);
        expect(await response.json()).to.deep.equal(expected);
      });
    }
  });

  describe("POST /orders", () => {
    it("places each customer's order and e-mails only its owner that it is placed", async () => {
      let ofAlice: Order | undefined;
      let ofBob: Order | undefined;

      const [toAlice, toBob] = await mailDuring([alice.email, bob.email], async () => {
        ofAlice = await placed(alice, "Headlight", 2);
        ofBob = await placed(bob, "MacBook Pro", 1);
      });

      expect(ofAlice).to.deep.include({
        ownerId: alice.tokens.sub,
        product: "Headlight",
        quantity: 2,
        status: "PLACED",
      });
      expect(ofBob).to.deep.include({ ownerId: bob.tokens.sub, product: "MacBook Pro", quantity: 1, status: "PLACED" });
      expect(toAlice).to.deep.equal([
        `Your order ${ofAlice?.OrderId} is placed | Hello Alice, your order ${ofAlice?.OrderId} is placed.`,
      ]);
      expect(toBob).to.deep.equal([
        `Your order ${ofBob?.OrderId} is placed | Hello Bob, your order ${ofBob?.OrderId} is placed.`,
      ]);
    });

    it("takes the ordered units from stock and stores the order as answered", async () => {
      const before = await inStock("MacBook Pro");

      const order = await placed(alice, "MacBook Pro", 3);
      const read = await call(`/orders/${order.OrderId}`, { token: alice.tokens.idToken });

      expect(await inStock("MacBook Pro")).to.equal((before ?? 0) - 3);
      const { timeline, ...stored } = (await read.json()) as Order & { timeline: unknown[] };
      expect(stored).to.deep.equal(order);
      // The mailer may have recorded its mail by now; the order's own entries are what this asserts.
      expect(timeline.filter(isOrderEntry)).to.deep.equal([
        { at: order.createdAt, by: order.ownerId, event: "placed" },
      ]);
    });

    it("answers 400 naming product for a product the inventory does not carry, and mails nobody", async () => {
      let response: Response | undefined;

      const [toAlice] = await mailDuring([alice.email], async () => {
        response = await placeOrder(alice, "Desk", 1);
      });

      expect(response?.status).to.equal(400);
      expect(await response?.text()).to.equal(
        '{"message":"product \\"Desk\\" is not in the inventory","field":"product"}',
      );
      expect(toAlice).to.deep.equal([]);
    });

    it("answers 409 with what is left when more units are ordered than are in stock, taking none", async () => {
      let response: Response | undefined;

      const [toBob] = await mailDuring([bob.email], async () => {
        response = await placeOrder(bob, "coolant", 3);
      });

      expect(response?.status).to.equal(409);
      expect(await response?.text()).to.equal('{"message":"Item out of stock","product":"coolant","available":2}');
      expect(await inStock("coolant")).to.equal(2);
      expect(toBob).to.deep.equal([]);
    });
  });

  describe("POST /orders with an Idempotency-Key", () => {
    it("places the order once for the same key and body: the same order, 201 both times, stock taken once", async () => {
      const before = await inStock("Wiper");
      const key = { "idempotency-key": "alice-wiper-1" };

      const first = await placeOrder(alice, "Wiper", 2, key);
      const retry = await placeOrder(alice, "Wiper", 2, key);
      await stack.events.settled();

      const [firstOrder, retriedOrder] = [(await first.json()) as Order, (await retry.json()) as Order];
      expect([first.status, retry.status]).to.deep.equal([201, 201]);
      expect(retriedOrder).to.deep.equal(firstOrder);
      expect(retry.headers.get("location")).to.equal(`/orders/${firstOrder.OrderId}`);
      expect(await inStock("Wiper")).to.equal((before ?? 0) - 2);
      expect((await mailTo(alice.email)).filter((mail) => mail.subject.includes(firstOrder.OrderId))).to.have.length(1);
    });

    it("answers 422 when the key comes back with another body", async () => {
      const key = { "idempotency-key": "alice-wiper-2" };
      await placeOrder(alice, "Wiper", 1, key);

      const response = await placeOrder(alice, "Wiper", 2, key);

      expect(response.status).to.equal(422);
      expect(await response.text()).to.equal(
        '{"message":"Idempotency-Key was already used with a different request body"}',
      );
    });

    it("keeps each user's keys apart: bob's order under alice's key is his own", async () => {
      const key = { "idempotency-key": "shared-key" };
      const ofAlice = (await (await placeOrder(alice, "Headlight", 1, key)).json()) as Order;

      const response = await placeOrder(bob, "Headlight", 1, key);

      const ofBob = (await response.json()) as Order;
      expect(response.status).to.equal(201);
      expect(ofBob.OrderId).to.not.equal(ofAlice.OrderId);
      expect(ofBob.ownerId).to.equal(bob.tokens.sub);
    });

    it("answers 400 naming Idempotency-Key for a key over 128 characters", async () => {
      const response = await placeOrder(alice, "Headlight", 1, { "idempotency-key": "k".repeat(129) });

      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.equal({
        message: "Idempotency-Key must be 1 to 128 visible ASCII characters",
        field: "Idempotency-Key",
      });
    });
  });

  describe("PATCH /orders/{id}, its PUT /orders alias, and DELETE", () => {
    let order: Order;

    beforeEach(async () => {
      order = await placed(alice, "Headlight", 1);
    });

    it("lets an admin ship an order: 200 with the order, and only its owner is mailed", async () => {
      let response: Response | undefined;

      const [toAlice, toBob, toAdmin] = await mailDuring([alice.email, bob.email, "admin@example.com"], async () => {
        response = await changeStatus(order.OrderId, "shipped");
      });

      const body = (await response?.json()) as Order & { message: string };
      expect(response?.status).to.equal(200);
      expect(body).to.deep.equal({
        ...order,
        status: "SHIPPED",
        updatedAt: body.updatedAt,
        message: STATUS_UPDATED_MESSAGE,
      });
      expect(body.updatedAt).to.match(ISO_TIME);
      expect(toAlice).to.deep.equal([
        `Your order ${order.OrderId} is SHIPPED | Hello Alice, your order ${order.OrderId} has moved from PLACED to SHIPPED.`,
      ]);
      expect(toBob).to.deep.equal([]);
      expect(toAdmin).to.deep.equal([]);
    });

    it("refuses a customer who changes a status, even of their own order: 403 Forbidden", async () => {
      const response = await changeStatus(order.OrderId, "shipped", alice.tokens.idToken);

      expect(response.status).to.equal(403);
      expect(await response.json()).to.deep.equal({ message: "Forbidden" });
    });

    it("answers 409 to a change the order-status machine forbids (SHIPPED to PLACED)", async () => {
      await changeStatus(order.OrderId, "SHIPPED");

      const response = await changeStatus(order.OrderId, "PLACED");

      expect(response.status).to.equal(409);
      expect(await response.json()).to.deep.equal({
        message: "Cannot change an order from SHIPPED to PLACED",
        status: "SHIPPED",
        requested: "PLACED",
      });
    });

    it("answers 404 to an order that does not exist", async () => {
      const response = await changeStatus("00000000-0000-4000-8000-000000000000", "SHIPPED");

      expect(response.status).to.equal(404);
      expect(await response.json()).to.deep.equal({ message: "Order not found" });
    });

    it("serves the original API's PUT /orders with orderId, userId and status, and 404 for another user's id", async () => {
      const wrongOwner = await call("/orders", {
        method: "PUT",
        token: admin.idToken,
        body: { orderId: order.OrderId, userId: bob.tokens.sub, status: "SHIPPED" },
      });
      const response = await call("/orders", {
        method: "PUT",
        token: admin.idToken,
        body: { orderId: order.OrderId, userId: alice.tokens.sub, status: "SHIPPED" },
      });

      const body = (await response.json()) as Order;
      ledger.changed(body);
      expect(wrongOwner.status).to.equal(404);
      expect(await wrongOwner.json()).to.deep.equal({ message: "Order not found" });
      expect(response.status).to.equal(200);
      expect(body).to.deep.include({ OrderId: order.OrderId, status: "SHIPPED" });
    });

    it("puts a cancelled order's units back in stock", async () => {
      const before = await inStock("Headlight");

      const response = await changeStatus(order.OrderId, "CANCELLED");

      expect(response.status).to.equal(200);
      expect(await inStock("Headlight")).to.equal((before ?? 0) + 1);
    });

    it("puts a cancelled order's units back in stock through the original API's PUT /orders too", async () => {
      const before = await inStock("Headlight");

      const response = await call("/orders", {
        method: "PUT",
        token: admin.idToken,
        body: { orderId: order.OrderId, userId: alice.tokens.sub, status: "CANCELLED" },
      });

      ledger.changed((await response.json()) as Order);
      expect(response.status).to.equal(200);
      expect(await inStock("Headlight")).to.equal((before ?? 0) + 1);
    });

    it("cancels a PLACED order its customer deletes: 200, the order kept CANCELLED, its units back in stock", async () => {
      const before = await inStock("Headlight");

      const response = await deleteOrder(order.OrderId, alice.tokens.idToken);
      const read = await call(`/orders/${order.OrderId}`, { token: alice.tokens.idToken });

      const body = (await response.json()) as Order;
      expect(response.status).to.equal(200);
      expect(body).to.deep.equal({ ...order, status: "CANCELLED", updatedAt: body.updatedAt });
      expect(body.updatedAt).to.match(ISO_TIME);
      const { timeline, ...stored } = (await read.json()) as Order & { timeline: { event: string; by: string }[] };
      expect(stored).to.deep.equal(body);
      expect(timeline.filter(isOrderEntry).map(({ event, by }) => ({ event, by }))).to.deep.equal([
        { event: "placed", by: order.ownerId },
        { event: "statusChanged", by: order.ownerId },
        { event: "stockReturned", by: order.ownerId },
      ]);
      expect(await inStock("Headlight")).to.equal((before ?? 0) + 1);
    });

    it("refuses to delete a SHIPPED order with 409 saying why, and keeps the stock: its units have left", async () => {
      await changeStatus(order.OrderId, "SHIPPED");
      const before = await inStock("Headlight");

      const response = await deleteOrder(order.OrderId, alice.tokens.idToken);

      expect(response.status).to.equal(409);
      expect(await response.json()).to.deep.equal({
        message: "The order is SHIPPED: its units have left, so it can no longer be cancelled or deleted",
        status: "SHIPPED",
        requested: "CANCELLED",
      });
      expect(await inStock("Headlight")).to.equal(before);
    });

    it("ships with a carrier and tracking number: stored, shown in the order and in the owner's mail", async () => {
      const shipment = { carrier: "DHL Express", trackingNumber: "JD014600006281230418" };
      await stack.events.settled();
      const mailed = (await mailTo(alice.email)).length;

      const response = await changeStatus(order.OrderId, "shipped", admin.idToken, shipment);
      await stack.events.settled();
      const read = await call(`/orders/${order.OrderId}`, { token: alice.tokens.idToken });
      const mail = (await mailTo(alice.email)).slice(mailed);

      expect(response.status).to.equal(200);
      expect(await read.json()).to.deep.include({ status: "SHIPPED", ...shipment });
      expect(mail).to.have.length(1);
      expect(mail[0]?.body.split("\n")).to.include.members([
        `Carrier:  ${shipment.carrier}`,
        `Tracking: ${shipment.trackingNumber}`,
      ]);
    });

    it("refuses a carrier with any status but SHIPPED: 400 naming the field", async () => {
      const response = await changeStatus(order.OrderId, "CANCELLED", admin.idToken, { carrier: "DHL" });

      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.equal({
        message: "carrier may only be given when the status is SHIPPED",
        field: "carrier",
      });
    });
  });

  describe("20 simultaneous orders for 3 units", () => {
    it("places exactly 3 and answers 409 to the other 17, leaving 0 in stock", async () => {
      expect((await setStock("Seatbelt", 3)).status).to.equal(200);

      const responses = await Promise.all(
        Array.from({ length: 20 }, (_, i) => placeOrder(i % 2 === 0 ? alice : bob, "Seatbelt", 1)),
      );

      const statuses = responses.map((response) => response.status);
      const refusals = await Promise.all(
        responses.filter((response) => response.status === 409).map((response) => response.text()),
      );
      expect(statuses.filter((status) => status === 201)).to.have.length(3);
      expect(refusals).to.deep.equal(
        Array.from({ length: 17 }, () => '{"message":"Item out of stock","product":"Seatbelt","available":0}'),
      );
      expect(await inStock("Seatbelt")).to.equal(0);
    });
  });

  // Last: it checks what every spec above did.
  describe("after all of the above", () => {
    it("has stock that adds up: seeded or set, minus what was ordered, plus what came back", async () => {
      const items = await inventory();

      expect(Object.fromEntries(items.map((item) => [item.itemId, item.quantity]))).to.deep.equal(
        Object.fromEntries(ledger.stock),
      );
    });

    it("lists to an admin exactly the orders that were placed (a DELETE keeps them), in their last status", async () => {
      const response = await call("/orders?limit=100", { token: admin.idToken });

      const page = (await response.json()) as { items: Order[]; nextToken?: string };
      expect(page.nextToken).to.equal(undefined);
      const statuses = (orders: Iterable<Order>) =>
        Object.fromEntries(
          [...orders].map((o) => [o.OrderId, o.status] as const).sort(([a], [b]) => a.localeCompare(b)),
        );
      expect(statuses(page.items)).to.deep.equal(statuses(ledger.orders.values()));
    });

    it("logged no failure", () => {
      expect(errors).to.deep.equal([]);
    });
  });
});
