import { expect } from "chai";
import type { Order } from "../../domain/order";
import { ORDER_CSV_COLUMNS, ordersCsv } from "../../domain/order-csv";
import { MAX_PAGE_SIZE } from "../../domain/pagination";
import { EXPORT_FILENAME, NEXT_TOKEN_HEADER } from "../../handlers/export-orders";
import type { ApiResult } from "../../handlers/http";
import { apiEvent, claimsFor } from "../support/api-events";
import {
  type OrderSystem,
  orderSystem,
  type SteppingClock,
  sequentialIds,
  steppingClock,
} from "../support/order-system";

const alice = claimsFor("alice");
const bob = claimsFor("bob");
const admin = claimsFor("root", ["admin"]);

const EUR_1999 = { amount: 1999, currency: "EUR" };

describe("GET /orders/export on DynamoDB Local", function () {
  this.timeout(60_000);
  let system: OrderSystem;
  let clock: SteppingClock;

  beforeEach(async () => {
    clock = steppingClock();
    system = await orderSystem({ newId: sequentialIds(), now: clock.now });
    await system.inventory.setStock("Headlight", { quantity: 10, unitPrice: EUR_1999 }, new Date());
    await system.inventory.setStock("Wiper", { quantity: 10 }, new Date());
  });

  /** The export, invoked as Lambda invokes export-orders: its AWS calls are checked against that function's role. */
  function exportAs(claims: Record<string, string>, query?: Record<string, string>): Promise<ApiResult> {
    return system.api.exportOrders(apiEvent({ routeKey: "GET /orders/export", claims, ...(query ? { query } : {}) }));
  }

  async function placed(claims: Record<string, string>, body: Record<string, unknown>): Promise<Order> {
    const result = await system.api.placeOrder(
      apiEvent({ routeKey: "POST /orders", claims, body: JSON.stringify({ customerName: claims["sub"], ...body }) }),
    );
    expect(result.statusCode).to.equal(201);
    const { OrderId } = JSON.parse(result.body ?? "{}") as Order;
    const stored = await system.orders.get(OrderId);
    if (!stored) throw new Error(`Order ${OrderId} was not stored`);
    return stored;
  }

  it("answers an admin 200 with every order as CSV, one row per line, newest first, to save as a file", async () => {
    const first = await placed(alice, { product: "Headlight", quantity: 2 });
    const second = await placed(bob, {
      items: [
        { product: "Wiper", quantity: 1 },
        { product: "Headlight", quantity: 1 },
      ],
    });

    const result = await exportAs(admin);

    expect(result.statusCode).to.equal(200);
    expect(result.headers).to.deep.equal({
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${EXPORT_FILENAME}"`,
    });
    expect(result.body).to.equal(ordersCsv([second, first]));
    expect(result.body?.split("\r\n")).to.have.length(1 + 3 + 1);
    expect(result.body).to.include(",alice,alice,Headlight,2,19.99,39.98,39.98,EUR,");
    expect(result.body).to.include(",bob,bob,Wiper,1,,,,,");
  });

  it("exports the selection the query names, as GET /orders reads it", async () => {
    await placed(alice, { product: "Headlight", quantity: 1 });
    const wipers = await placed(bob, { product: "Wiper", quantity: 1 });

    const result = await exportAs(admin, { product: "Wiper" });

    expect(result.statusCode).to.equal(200);
    expect(result.body).to.equal(ordersCsv([wipers]));
  });

  it("exports one customer's orders, named by their user id or their profile's e-mail", async () => {
    const ofAlice = await placed(alice, { product: "Headlight", quantity: 1 });
    await placed(bob, { product: "Wiper", quantity: 1 });
    const profile = await system.api.createUser(
      apiEvent({
        routeKey: "POST /users",
        claims: alice,
        body: JSON.stringify({ name: "Alice", email: "alice@example.com" }),
      }),
    );
    expect(profile.statusCode).to.equal(201);

    const byId = await exportAs(admin, { customer: ofAlice.ownerId });
    const byEmail = await exportAs(admin, { customer: "Alice@Example.com" });

    expect(byId.body).to.equal(ordersCsv([ofAlice]));
    expect(byEmail.body).to.equal(ordersCsv([ofAlice]));
  });

  it("answers only the header for a selection that matches nothing", async () => {
    await placed(alice, { product: "Headlight", quantity: 1 });

    const result = await exportAs(admin, { status: "delivered" });

    expect(result.statusCode).to.equal(200);
    expect(result.body).to.equal(`${ORDER_CSV_COLUMNS.join(",")}\r\n`);
  });

  it("pages like GET /orders: the next page's token in x-next-token, none on the last page", async () => {
    const oldest = await placed(alice, { product: "Headlight", quantity: 1 });
    const middle = await placed(bob, { product: "Wiper", quantity: 1 });
    const newest = await placed(alice, { product: "Wiper", quantity: 2 });

    const bodies: string[] = [];
    let nextToken: string | undefined;
    do {
      const result = await exportAs(admin, { limit: "2", ...(nextToken ? { nextToken } : {}) });
      expect(result.statusCode).to.equal(200);
      bodies.push(result.body ?? "");
      nextToken = result.headers?.[NEXT_TOKEN_HEADER] as string | undefined;
    } while (nextToken);

    expect(bodies).to.deep.equal([ordersCsv([newest, middle]), ordersCsv([oldest])]);
  });

  it("refuses a customer with 403", async () => {
    const result = await exportAs(alice);

    expect(result.statusCode).to.equal(403);
    expect(result.headers).to.include({ "content-type": "application/json" });
    expect(JSON.parse(result.body ?? "null")).to.deep.equal({ message: "Forbidden" });
  });

  it("answers 401 when the authorizer passed no subject", async () => {
    const result = await exportAs({});

    expect(result.statusCode).to.equal(401);
  });

  const badQueries: [string, Record<string, string>, string, string][] = [
    ["an unknown status", { status: "LOST" }, "status", "status must be one of PLACED, SHIPPED, DELIVERED, CANCELLED"],
    [
      "two filters at once",
      { status: "PLACED", product: "Wiper" },
      "product",
      "filter by one of status, customer, product at a time (with from and to as you like)",
    ],
    [
      "a date that is none",
      { from: "yesterday" },
      "from",
      "from must be a day (2026-12-01) or an ISO 8601 instant (2026-12-01T09:30:00Z)",
    ],
    [
      "a range that ends before it starts",
      { from: "2026-12-02", to: "2026-12-01" },
      "to",
      "to must not be before from",
    ],
    [
      "a page too large",
      { limit: String(MAX_PAGE_SIZE + 1) },
      "limit",
      `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`,
    ],
  ];
  for (const [what, query, field, message] of badQueries) {
    it(`answers 400 naming ${field} for ${what}`, async () => {
      const result = await exportAs(admin, query);

      expect(result.statusCode).to.equal(400);
      expect(JSON.parse(result.body ?? "null")).to.deep.equal({ message, field });
    });
  }
});
