import { expect } from "chai";
import type { Order } from "../../domain/order";
import { INDEX_FILTERS } from "../../domain/order-search";
import { ORDER_STATUSES } from "../../domain/order-status";
import type { ApiResult } from "../../handlers/http";
import { ORDER_INDEX_SHARDS, orderShard } from "../../storage/tables";
import { apiEvent, claimsFor, bodyOf } from "../support/api-events";
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

/** More orders than a page holds, in every shard of the admin's indexes several times over. */
const ORDER_COUNT = ORDER_INDEX_SHARDS * 4 - 2;
/** A page size that divides neither the orders nor the shards. */
const PAGE_LIMIT = 7;

const DAY = 24 * 60 * 60 * 1000;

const idsOf = (orders: readonly Order[]) => orders.map((order) => order.OrderId);

/** Newest first, as every search answers. */
const newestFirst = (orders: readonly Order[]) => [...orders].sort((a, b) => b.createdAt.localeCompare(a.createdAt));

describe("GET /orders searches on DynamoDB Local", function () {
  this.timeout(120_000);
  let system: OrderSystem;
  let clock: SteppingClock;

  beforeEach(async () => {
    clock = steppingClock();
    const sequential = sequentialIds();
    system = await orderSystem({
      // The first hex digit picks the shard: ids cycle through all sixteen, so orders land in every shard.
      newId: () => {
        const id = sequential();
        return `${(Number.parseInt(id.slice(-12), 10) % 16).toString(16)}${id.slice(1)}`;
      },
      now: clock.now,
    });
    for (const item of ["Headlight", "Wiper", "Mirror"]) {
      await system.inventory.setStock(item, { quantity: 1000 }, new Date());
    }
  });

  async function place(
    claims: Record<string, string>,
    items: { product: string; quantity: number }[] = [{ product: "Headlight", quantity: 1 }],
  ): Promise<Order> {
    const result = await system.api.placeOrder(
      apiEvent({ routeKey: "POST /orders", claims, body: JSON.stringify({ customerName: claims["sub"], items }) }),
    );
    expect(result.statusCode, result.body).to.equal(201);
    return bodyOf<Order>(result);
  }

  async function move(order: Order, status: string): Promise<void> {
    const result = await system.api.updateOrderStatus(
      apiEvent({
        routeKey: "PATCH /orders/{id}",
        path: `/orders/${order.OrderId}`,
        pathParameters: { id: order.OrderId },
        claims: admin,
        body: JSON.stringify({ status }),
      }),
    );
    expect(result.statusCode, result.body).to.equal(200);
  }

  async function cancelByOwner(order: Order): Promise<void> {
    const result = await system.api.deleteOrder(
      apiEvent({
        routeKey: "DELETE /orders/{id}",
        path: `/orders/${order.OrderId}`,
        pathParameters: { id: order.OrderId },
        claims: claimsFor(order.ownerId),
      }),
    );
    expect(result.statusCode, result.body).to.equal(200);
  }

  function search(claims: Record<string, string>, query: Record<string, string>): Promise<ApiResult> {
    return system.api.listOrders(apiEvent({ routeKey: "GET /orders", claims, query }));
  }

  /** Every page of a search, following `nextToken` until there is none. */
  async function pagesOf(
    claims: Record<string, string>,
    query: Record<string, string>,
    limit = PAGE_LIMIT,
  ): Promise<Order[][]> {
    const pages: Order[][] = [];
    let nextToken: string | undefined;
    do {
      const result = await search(claims, { ...query, limit: String(limit), ...(nextToken ? { nextToken } : {}) });
      expect(result.statusCode, result.body).to.equal(200);
      const page = bodyOf<{ items: Order[]; nextToken?: string }>(result);
      pages.push(page.items);
      nextToken = page.nextToken;
      expect(pages.length, "pages").to.be.at.most(100);
    } while (nextToken);
    return pages;
  }

  /** Asserts that the pages hold exactly `expected`, in order, every page full but the last. */
  function expectPaged(pages: Order[][], expected: readonly Order[], limit = PAGE_LIMIT): void {
    expect(idsOf(pages.flat())).to.deep.equal(idsOf(expected));
    for (const page of pages.slice(0, -1)) expect(page).to.have.length(limit);
  }

  async function placeMany(count: number, claimsOf: (n: number) => Record<string, string>): Promise<Order[]> {
    const orders: Order[] = [];
    for (let n = 0; n < count; n++) orders.push(await place(claimsOf(n)));
    return orders;
  }

  describe("an admin without filters", () => {
    it(`lists all ${ORDER_COUNT} orders newest first, ${PAGE_LIMIT} a page over ${ORDER_INDEX_SHARDS} shards, with no duplicate or gap`, async () => {
      const orders = await placeMany(ORDER_COUNT, (n) => (n % 3 === 0 ? bob : alice));
      expect(new Set(orders.map((order) => orderShard(order.OrderId))).size).to.equal(ORDER_INDEX_SHARDS);

      const pages = await pagesOf(admin, {});

      expectPaged(pages, newestFirst(orders));
      expect(pages.length).to.be.at.least(Math.ceil(ORDER_COUNT / PAGE_LIMIT));
    });
  });

  describe("status", () => {
    it("lists the orders in that status, newest first, across pages, and no longer those moved out of it", async () => {
      const orders = await placeMany(ORDER_COUNT, (n) => (n % 2 === 0 ? alice : bob));
      const shipped = orders.filter((_, n) => n % 3 === 0);
      const cancelled = orders.filter((_, n) => n % 3 === 1 && n % 2 === 0);
      for (const order of shipped) await move(order, "SHIPPED");
      // Half by an admin's PATCH, half by the owner's DELETE: both move the order's index entries.
      for (const [n, order] of cancelled.entries()) {
        if (n % 2 === 0) await move(order, "CANCELLED");
        else await cancelByOwner(order);
      }
      const stillPlaced = orders.filter((order) => !shipped.includes(order) && !cancelled.includes(order));

      const limit = 3;
      expectPaged(await pagesOf(admin, { status: "SHIPPED" }, limit), newestFirst(shipped), limit);
      expectPaged(await pagesOf(admin, { status: "cancelled" }, limit), newestFirst(cancelled), limit);
      expectPaged(await pagesOf(admin, { status: "PLACED" }), newestFirst(stillPlaced));
      expectPaged(await pagesOf(admin, { status: "DELIVERED" }), []);
    });

    it("answers 400 naming status for one that does not exist", async () => {
      const result = await search(admin, { status: "LOST" });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({
        message: `status must be one of ${ORDER_STATUSES.join(", ")}`,
        field: "status",
      });
    });
  });

  describe("customer", () => {
    async function profile(claims: Record<string, string>, email: string): Promise<void> {
      const result = await system.api.createUser(
        apiEvent({ routeKey: "POST /users", claims, body: JSON.stringify({ name: claims["sub"], email }) }),
      );
      expect(result.statusCode, result.body).to.equal(201);
    }

    it("lists one customer's orders by user id, newest first, across pages", async () => {
      const orders = await placeMany(ORDER_COUNT, (n) => (n % 3 === 0 ? bob : alice));
      const alices = orders.filter((order) => order.ownerId === "alice");

      expectPaged(await pagesOf(admin, { customer: "alice" }), newestFirst(alices));
    });

    it("lists one customer's orders by their profile's e-mail address, in any case", async () => {
      await profile(alice, "Alice.Smith@Example.com");
      await profile(bob, "bob@example.org");
      const orders = await placeMany(12, (n) => (n % 2 === 0 ? bob : alice));
      const alices = orders.filter((order) => order.ownerId === "alice");
      const limit = 4;

      for (const customer of ["alice.smith@example.com", "ALICE.SMITH@example.COM"]) {
        expectPaged(await pagesOf(admin, { customer }, limit), newestFirst(alices), limit);
      }
    });

    it("finds nothing for an e-mail address no profile has, or a user without orders", async () => {
      await profile(alice, "alice@example.org");
      await place(alice);

      for (const customer of ["nobody@example.org", "carol"]) {
        const result = await search(admin, { customer });

        expect(result.statusCode).to.equal(200);
        expect(bodyOf(result)).to.deep.equal({ items: [] });
      }
    });
  });

  describe("product", () => {
    it("lists the orders with a line of that product, whatever the line, newest first, across pages", async () => {
      const baskets = [
        [{ product: "Wiper", quantity: 1 }],
        [
          { product: "Headlight", quantity: 2 },
          { product: "Wiper", quantity: 1 },
        ],
        [{ product: "Headlight", quantity: 1 }],
        [
          { product: "Mirror", quantity: 1 },
          { product: "Headlight", quantity: 1 },
          { product: "Wiper", quantity: 4 },
        ],
      ];
      const orders: Order[] = [];
      for (let n = 0; n < ORDER_COUNT; n++) {
        orders.push(await place(n % 2 === 0 ? alice : bob, baskets[n % baskets.length]));
      }
      await move(orders[1] as Order, "CANCELLED");
      const withProduct = (product: string) =>
        newestFirst(orders.filter((order) => order.items.some((line) => line.product === product)));
      const limit = 4;

      for (const product of ["Wiper", "Headlight", "Mirror"]) {
        const pages = await pagesOf(admin, { product }, limit);
        const expected = withProduct(product);

        expectPaged(pages, expected, limit);
        // Each order as it is now, not as its line was indexed.
        const stored = await Promise.all(expected.map((order) => system.orders.get(order.OrderId)));
        expect(pages.flat()).to.deep.equal(stored);
      }
      expectPaged(await pagesOf(admin, { product: "Bulb" }), []);
    });
  });

  describe("from and to", () => {
    /** Orders on three days, `perDay` a day, the clock set to each day's morning. */
    async function threeDays(perDay: number): Promise<Order[][]> {
      const days: Order[][] = [];
      for (let day = 0; day < 3; day++) {
        clock.set(Date.parse("2026-12-01T08:00:00.000Z") + day * DAY);
        days.push(await placeMany(perDay, (n) => (n % 2 === 0 ? alice : bob)));
      }
      return days;
    }

    it("narrows an admin's listing to the days between, both included", async () => {
      const [first = [], second = [], third = []] = await threeDays(5);

      const cases: [Record<string, string>, Order[]][] = [
        [{ from: "2026-12-02", to: "2026-12-02" }, second],
        [{ from: "2026-12-02" }, [...second, ...third]],
        [{ to: "2026-12-01" }, first],
        [{ from: "2026-12-04" }, []],
      ];
      for (const [query, expected] of cases) {
        expectPaged(await pagesOf(admin, query, 3), newestFirst(expected), 3);
      }
    });

    it("takes instants as bounds, both included", async () => {
      const orders = (await threeDays(4)).flat();
      const from = orders[2] as Order;
      const to = orders[8] as Order;

      const pages = await pagesOf(admin, { from: from.createdAt, to: to.createdAt }, 3);

      expectPaged(pages, newestFirst(orders.slice(2, 9)), 3);
    });

    it("narrows a filter too: status, customer, product", async () => {
      const [first = [], second = [], third = []] = await threeDays(6);
      const shipped = [...second, ...third].filter((_, n) => n % 2 === 1);
      for (const order of shipped) await move(order, "SHIPPED");

      const limit = 2;
      expectPaged(
        await pagesOf(admin, { status: "SHIPPED", from: "2026-12-03" }, limit),
        newestFirst(shipped.filter((order) => third.includes(order))),
        limit,
      );
      expectPaged(
        await pagesOf(admin, { customer: "bob", to: "2026-12-02" }, limit),
        newestFirst([...first, ...second].filter((order) => order.ownerId === "bob")),
        limit,
      );
      expectPaged(
        await pagesOf(admin, { product: "Headlight", from: "2026-12-02", to: "2026-12-02" }, limit),
        newestFirst(second),
        limit,
      );
    });

    it("answers 400 naming the bound at fault", async () => {
      const notADate = (field: string) =>
        `${field} must be a day (2026-12-01) or an ISO 8601 instant (2026-12-01T09:30:00Z)`;
      const cases: [Record<string, string>, string, string][] = [
        [{ from: "yesterday" }, "from", notADate("from")],
        [{ to: "2026-02-30" }, "to", notADate("to")],
        [{ from: "2026-12-02", to: "2026-12-01" }, "to", "to must not be before from"],
      ];
      for (const [query, field, message] of cases) {
        const result = await search(admin, query);

        expect(result.statusCode, JSON.stringify(query)).to.equal(400);
        expect(bodyOf(result)).to.deep.equal({ message, field });
      }
    });
  });

  describe("a customer", () => {
    it("sees only their own orders, newest first, and may narrow them with from and to", async () => {
      clock.set(Date.parse("2026-12-01T08:00:00.000Z"));
      const early = await placeMany(6, (n) => (n % 2 === 0 ? alice : bob));
      clock.set(clock.current() + DAY);
      const late = await placeMany(6, (n) => (n % 2 === 0 ? alice : bob));
      const alices = (orders: Order[]) => orders.filter((order) => order.ownerId === "alice");

      expectPaged(await pagesOf(alice, {}, 2), newestFirst(alices([...early, ...late])), 2);
      expectPaged(await pagesOf(alice, { from: "2026-12-02" }, 2), newestFirst(alices(late)), 2);
      expectPaged(await pagesOf(alice, { to: "2026-12-01" }, 2), newestFirst(alices(early)), 2);
    });

    const adminFilters: Record<string, string>[] = [
      { status: "PLACED" },
      { customer: "bob" },
      { customer: "alice" },
      { product: "Headlight" },
    ];
    for (const query of adminFilters) {
      it(`is refused ${JSON.stringify(query)} with 403`, async () => {
        await place(alice);
        await place(bob);

        const result = await search(alice, query);

        expect(result.statusCode).to.equal(403);
        expect(bodyOf(result)).to.deep.equal({ message: "Forbidden" });
      });
    }
  });

  it("refuses two index filters at once with 400 naming the second", async () => {
    const result = await search(admin, { status: "PLACED", product: "Headlight" });

    expect(result.statusCode).to.equal(400);
    expect(bodyOf(result)).to.deep.equal({
      message: `filter by one of ${INDEX_FILTERS.join(", ")} at a time (with from and to as you like)`,
      field: "product",
    });
  });

  it("refuses a nextToken made for another search", async () => {
    await placeMany(4, () => alice);
    const { nextToken } = bodyOf<{ nextToken: string }>(await search(admin, { customer: "alice", limit: "1" }));

    const result = await search(admin, { customer: "bob", nextToken });

    expect(result.statusCode).to.equal(400);
    expect(bodyOf(result)).to.deep.equal({ message: "nextToken is invalid", field: "nextToken" });
  });
});
