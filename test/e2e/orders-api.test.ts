import { DeleteTableCommand, DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { routes } from "../../api/routes";
import type { LocalLog } from "../../local/gateway";
import { type LocalStack, localTableName, startLocalStack } from "../../local/local-stack";
import { type LocalTokens, localToken } from "../../local/sign-in";
import type { Mail } from "../../local/mailbox";
import { matchRoute } from "../../local/route-matching";
import { SEED_INVENTORY } from "../../local/seed-inventory";
import { ordersTable } from "../../storage/tables";

/** `GET /orders/{id}`'s answer without its timeline: the order as the other routes answer it. */
function withoutTimeline(body: unknown): unknown {
  const { timeline, ...order } = body as { timeline?: unknown };
  expect(timeline).to.be.an("array");
  return order;
}

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

interface Page {
  items: Order[];
  nextToken?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ORDER = { customerName: "Kamlesh", product: "MacBook Pro", quantity: 1 };

/** Collects what the stack logs instead of printing it between spec lines. */
function collectingLog(): LocalLog & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info: () => undefined, error: (line) => errors.push(line) };
}

function tokenFor(stack: LocalStack, email: string, admin = false): Promise<LocalTokens> {
  return localToken({
    ...stack,
    email,
    admin,
  });
}

interface Call {
  method?: string;
  token?: string;
  body?: unknown;
  rawBody?: string;
  headers?: Record<string, string>;
}

function call(stack: LocalStack, path: string, options: Call = {}): Promise<Response> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers["authorization"] = `Bearer ${options.token}`;
  const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  if (body !== undefined) headers["content-type"] ??= "application/json";
  return fetch(`${stack.url}${path}`, { method: options.method ?? "GET", headers, ...(body ? { body } : {}) });
}

describe("Orders API on the local stack", function () {
  this.timeout(60_000);
  const log = collectingLog();
  let stack: LocalStack;
  let alice: LocalTokens;
  let bob: LocalTokens;
  let admin: LocalTokens;

  before(async () => {
    stack = await startLocalStack({ port: 0, stack: "dev", dataDir: null, log });
    alice = await tokenFor(stack, "alice@example.com");
    bob = await tokenFor(stack, "bob@example.com");
    admin = await tokenFor(stack, "admin@example.com", true);
    // The seed's 10 MacBooks would run out before the pagination specs are done.
    const restocked = await call(stack, `/inventory/${encodeURIComponent(ORDER.product)}`, {
      method: "PUT",
      token: admin.idToken,
      body: { quantity: 1000 },
    });
    expect(restocked.status).to.equal(200);
  });

  after(async () => {
    await stack?.stop();
  });

  async function create(token: string, order: object = ORDER): Promise<Order> {
    const response = await call(stack, "/orders", { method: "POST", token, body: order });
    expect(response.status).to.equal(201);
    return (await response.json()) as Order;
  }

  async function listAll(token: string, limit: number): Promise<{ items: Order[]; pages: number }> {
    const items: Order[] = [];
    let nextToken: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({ limit: String(limit), ...(nextToken ? { nextToken } : {}) });
      const response = await call(stack, `/orders?${query.toString()}`, { token });
      expect(response.status).to.equal(200);
      const page = (await response.json()) as Page;
      items.push(...page.items);
      nextToken = page.nextToken;
      pages++;
    } while (nextToken);
    return { items, pages };
  }

  describe("the JWT authorizer", () => {
    it("answers 401 Unauthorized without a token", async () => {
      const response = await call(stack, "/orders");

      expect(response.status).to.equal(401);
      expect(await response.text()).to.equal('{"message":"Unauthorized"}');
    });

    it("answers 401 Unauthorized to a token that is not a JWT", async () => {
      const response = await call(stack, "/orders", { token: "not-a-token" });

      expect(response.status).to.equal(401);
      expect(await response.text()).to.equal('{"message":"Unauthorized"}');
    });

    it("answers 401 Unauthorized to a token whose payload was altered", async () => {
      const [header, , signature] = alice.idToken.split(".");
      const forged = Buffer.from(JSON.stringify({ sub: bob.sub, "cognito:groups": ["admin"] })).toString("base64url");

      const response = await call(stack, "/orders", { token: `${header}.${forged}.${signature}` });

      expect(response.status).to.equal(401);
      expect(await response.text()).to.equal('{"message":"Unauthorized"}');
    });

    it("accepts the raw token without Bearer, as API Gateway does", async () => {
      const response = await call(stack, "/orders", { headers: { authorization: alice.idToken } });

      expect(response.status).to.equal(200);
    });

    it("answers an unknown route with 404 Not Found", async () => {
      const unknown = "/no-such-route";
      expect(matchRoute(routes, "GET", unknown), `a route serves GET ${unknown} now: pick another path`).to.equal(
        undefined,
      );

      const response = await call(stack, unknown, { token: alice.idToken });

      expect(response.status).to.equal(404);
      expect(await response.text()).to.equal('{"message":"Not Found"}');
    });

    it("answers a CORS preflight without a token", async () => {
      const response = await call(stack, "/orders", {
        method: "OPTIONS",
        headers: { origin: "http://localhost:5173", "access-control-request-method": "POST" },
      });

      expect(response.status).to.equal(204);
      expect(response.headers.get("access-control-allow-origin")).to.equal("*");
      expect(response.headers.get("access-control-allow-methods")).to.equal("POST,GET,DELETE,PATCH,PUT,OPTIONS");
    });
  });

  describe("POST /orders", () => {
    it("creates the order for the caller: 201, a generated id, the token's sub as owner, and its location", async () => {
      const before = new Date().toISOString();

      const response = await call(stack, "/orders", {
        method: "POST",
        token: alice.idToken,
        body: { ...ORDER, quantity: 2, OrderId: "chosen-by-client", ownerId: bob.sub, discount: 100 },
      });

      const order = (await response.json()) as Order;
      expect(response.status).to.equal(201);
      expect(response.headers.get("location")).to.equal(`/orders/${order.OrderId}`);
      expect(response.headers.get("apigw-requestid")).to.be.a("string");
      expect(order.OrderId).to.match(UUID);
      expect(order.createdAt >= before && order.createdAt <= new Date().toISOString()).to.equal(true);
      const { unitPrice } = SEED_INVENTORY.find((item) => item.itemId === "MacBook Pro") ?? {};
      const lineTotal = unitPrice && { amount: unitPrice.amount * 2, currency: unitPrice.currency };
      expect(order).to.deep.equal({
        OrderId: order.OrderId,
        ownerId: alice.sub,
        customerName: "Kamlesh",
        product: "MacBook Pro",
        quantity: 2,
        items: [{ product: "MacBook Pro", quantity: 2, unitPrice, lineTotal }],
        total: lineTotal,
        status: "PLACED",
        createdAt: order.createdAt,
      });
    });

    it("stores the order as answered, numbers as numbers, without the unknown fields", async () => {
      const created = await create(alice.idToken, { ...ORDER, discount: 100 });

      const response = await call(stack, `/orders/${created.OrderId}`, { token: alice.idToken });

      expect(response.status).to.equal(200);
      const { timeline, ...stored } = (await response.json()) as Order & { timeline: unknown[] };
      expect(stored).to.deep.equal(created);
      // The mailer may have recorded its mail by now; the order's own entry is what this asserts.
      expect(
        timeline.filter((entry) => !String((entry as { event?: unknown }).event).startsWith("mail")),
      ).to.deep.equal([{ at: created.createdAt, by: alice.sub, event: "placed" }]);
    });

    it("answers the original API's 400 when required fields are missing", async () => {
      const response = await call(stack, "/orders", {
        method: "POST",
        token: alice.idToken,
        body: { customerName: "Kamlesh" },
      });

      expect(response.status).to.equal(400);
      expect(await response.text()).to.equal(
        '{"message":"Missing required fields","missingFields":["product","quantity"],"requiredFields":["customerName","product","quantity"]}',
      );
    });

    const invalid: [string, Call, { message: string; field: string }][] = [
      [
        "a number as customerName",
        { body: { ...ORDER, customerName: 7 } },
        { message: "customerName must be a string", field: "customerName" },
      ],
      [
        "a string as quantity",
        { body: { ...ORDER, quantity: "2" } },
        { message: "quantity must be a number", field: "quantity" },
      ],
      [
        "quantity 0",
        { body: { ...ORDER, quantity: 0 } },
        { message: "quantity must be a positive integer", field: "quantity" },
      ],
      [
        "quantity -1",
        { body: { ...ORDER, quantity: -1 } },
        { message: "quantity must be a positive integer", field: "quantity" },
      ],
      [
        "quantity 1.5",
        { body: { ...ORDER, quantity: 1.5 } },
        { message: "quantity must be an integer", field: "quantity" },
      ],
      [
        "an over-long product",
        { body: { ...ORDER, product: "p".repeat(101) } },
        { message: "product must be at most 100 characters", field: "product" },
      ],
      [
        "a product the inventory does not carry",
        { body: { ...ORDER, product: "Desk" } },
        { message: 'product "Desk" is not in the inventory', field: "product" },
      ],
      ["a body that is not JSON", { rawBody: "{customerName:" }, { message: "body must be valid JSON", field: "body" }],
      [
        "a body over 16 KiB",
        { body: { ...ORDER, notes: "n".repeat(16 * 1024) } },
        { message: "body must be at most 16384 bytes", field: "body" },
      ],
    ];
    for (const [what, request, expected] of invalid) {
      it(`answers 400 naming the field for ${what}`, async () => {
        const response = await call(stack, "/orders", { method: "POST", token: alice.idToken, ...request });

        expect(response.status).to.equal(400);
        expect(await response.json()).to.deep.equal(expected);
      });
    }
  });

  describe("GET /orders", () => {
    it("walks the caller's orders newest first, page by page, none twice and none missed", async () => {
      const created: Order[] = [];
      for (let i = 1; i <= 7; i++) created.push(await create(bob.idToken, { ...ORDER, quantity: i }));

      const { items, pages } = await listAll(bob.idToken, 3);

      expect(pages).to.equal(3);
      expect(items.map((order) => order.OrderId)).to.deep.equal(created.map((order) => order.OrderId).reverse());
    });

    it("answers 400 to limit=0", async () => {
      const response = await call(stack, "/orders?limit=0", { token: alice.idToken });

      expect(response.status).to.equal(400);
      expect(await response.json()).to.deep.equal({
        message: "limit must be an integer from 1 to 100",
        field: "limit",
      });
    });

    it("lists every owner's orders to an admin", async () => {
      const ofAlice = await create(alice.idToken);
      const ofBob = await create(bob.idToken);

      const { items } = await listAll(admin.idToken, 100);

      const ids = items.map((order) => order.OrderId);
      expect(ids).to.include.members([ofAlice.OrderId, ofBob.OrderId]);
      expect(new Set(ids).size).to.equal(ids.length);
      expect(items.map((order) => order.createdAt)).to.deep.equal(
        items
          .map((order) => order.createdAt)
          .sort()
          .reverse(),
      );
    });
  });

  describe("GET and DELETE /orders/{id}", () => {
    let ofBob: Order;

    beforeEach(async () => {
      ofBob = await create(bob.idToken);
    });

    it("hides another user's order from alice: 404 to read it", async () => {
      const response = await call(stack, `/orders/${ofBob.OrderId}`, { token: alice.idToken });

      expect(response.status).to.equal(404);
      expect(await response.json()).to.deep.equal({ message: "Order not found" });
    });

    it("does not let alice delete another user's order: 404, and the order stays", async () => {
      const response = await call(stack, `/orders/${ofBob.OrderId}`, { method: "DELETE", token: alice.idToken });
      const stillThere = await call(stack, `/orders/${ofBob.OrderId}`, { token: bob.idToken });

      expect(response.status).to.equal(404);
      expect(stillThere.status).to.equal(200);
    });

    it("lets an admin read and delete (cancel) anyone's order, which stays for its owner", async () => {
      const read = await call(stack, `/orders/${ofBob.OrderId}`, { token: admin.idToken });
      const deleted = await call(stack, `/orders/${ofBob.OrderId}`, { method: "DELETE", token: admin.idToken });
      const kept = await call(stack, `/orders/${ofBob.OrderId}`, { token: bob.idToken });

      expect(read.status).to.equal(200);
      expect(withoutTimeline(await read.json())).to.deep.equal(ofBob);
      expect(deleted.status).to.equal(200);
      expect(kept.status).to.equal(200);
      expect(await kept.json()).to.deep.include({ OrderId: ofBob.OrderId, status: "CANCELLED" });
    });

    it("cancels the owner's order with 200 and the order; a second DELETE answers the same order", async () => {
      const deleted = await call(stack, `/orders/${ofBob.OrderId}`, { method: "DELETE", token: bob.idToken });
      const again = await call(stack, `/orders/${ofBob.OrderId}`, { method: "DELETE", token: bob.idToken });
      const read = await call(stack, `/orders/${ofBob.OrderId}`, { token: bob.idToken });

      const cancelled = (await deleted.json()) as Order;
      expect(deleted.status).to.equal(200);
      expect(cancelled).to.deep.equal({ ...ofBob, status: "CANCELLED", updatedAt: cancelled.updatedAt });
      expect(again.status).to.equal(200);
      expect(await again.json()).to.deep.equal(cancelled);
      expect(withoutTimeline(await read.json())).to.deep.equal(cancelled);
    });

    it("answers 404 to an id that is not a UUID", async () => {
      const response = await call(stack, "/orders/not-a-uuid", { token: bob.idToken });

      expect(response.status).to.equal(404);
      expect(await response.json()).to.deep.equal({ message: "Order not found" });
    });
  });

  // Last: it deletes the orders table from under the running stack.
  describe("when a function fails", () => {
    async function macBooksInStock(): Promise<number | undefined> {
      const response = await call(stack, "/inventory", { token: alice.idToken });
      const { items } = (await response.json()) as { items: { itemId: string; quantity: number }[] };
      return items.find((item) => item.itemId === ORDER.product)?.quantity;
    }

    // With the orders table gone, CheckInventory's reservation (conditioned on the order not being
    // written) fails: nothing is reserved, and the workflow fails before CreateOrder.
    it("answers a bare 500, leaves the stock as it was, logs each failed function without the token, and mails their alarms", async () => {
      const inStock = await macBooksInStock();
      const dynamodb = new DynamoDBClient({
        endpoint: stack.dynamodbEndpoint,
        region: stack.region,
        credentials: { accessKeyId: "local", secretAccessKey: "local" },
      });
      await dynamodb.send(new DeleteTableCommand({ TableName: localTableName(ordersTable) }));
      dynamodb.destroy();

      const response = await call(stack, "/orders", { method: "POST", token: alice.idToken, body: ORDER });
      const mailResponse = await call(stack, `/_local/mail?to=${encodeURIComponent(stack.config.alertEmail)}`);

      expect(response.status).to.equal(500);
      expect(await response.text()).to.equal('{"message":"Internal Server Error"}');
      expect(await macBooksInStock()).to.equal(inStock);
      const failures = log.errors.filter((line) => line.includes('"Function failed"'));
      expect(failures.map((line) => (JSON.parse(line) as { functionName: string }).functionName)).to.deep.equal([
        "check-inventory",
        "place-order",
      ]);
      expect(failures.join("\n")).to.not.include(alice.idToken);
      const mails = (await mailResponse.json()) as Mail[];
      expect(mails.map((mail) => [mail.to, mail.subject])).to.deep.equal([
        ["oms-dev-alerts@example.com", 'ALARM: "oms-local-check-inventory-errors"'],
        ["oms-dev-alerts@example.com", 'ALARM: "oms-local-place-order-errors"'],
      ]);
      expect(mails[0]?.body).to.include("Function: check-inventory").and.include("ResourceNotFoundException");
      expect(mails[1]?.body).to.include("Function: place-order");
    });
  });
});

describe("Orders API throttling on the local stack", function () {
  this.timeout(60_000);
  let stack: LocalStack;
  let carol: LocalTokens;

  before(async () => {
    stack = await startLocalStack({
      port: 0,
      stack: "dev",
      dataDir: null,
      throttle: { burstLimit: 5, rateLimit: 1 },
      log: collectingLog(),
    });
    carol = await tokenFor(stack, "carol@example.com");
  });

  after(async () => {
    await stack?.stop();
  });

  it("answers 429 Too Many Requests beyond the burst, and serves the rest", async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => call(stack, "/orders", { token: carol.idToken })),
    );

    const statuses = responses.map((response) => response.status);
    const throttled = responses.filter((response) => response.status === 429);
    expect(statuses.filter((status) => status !== 200 && status !== 429)).to.deep.equal([]);
    expect(statuses.filter((status) => status === 200).length).to.be.at.least(5);
    expect(throttled.length).to.be.at.least(1);
    expect(await Promise.all(throttled.map((response) => response.text()))).to.deep.equal(
      throttled.map(() => '{"message":"Too Many Requests"}'),
    );
  });
});
