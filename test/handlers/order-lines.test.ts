import { expect } from "chai";
import { ScanCommand } from "@aws-sdk/lib-dynamodb";
import type { Money } from "../../domain/money";
import { ORDER_LIMITS, type Order } from "../../domain/order";
import type { ApiResult } from "../../handlers/http";
import { apiEvent, claimsFor, bodyOf } from "../support/api-events";
import {
  type OrderSystem,
  orderSystem,
  type SteppingClock,
  sequentialIds,
  steppingClock,
} from "../support/order-system";

const alice = claimsFor("alice");
const admin = claimsFor("root", ["admin"]);

interface Line {
  readonly product: string;
  readonly quantity: number;
}

describe("orders of several lines, on DynamoDB Local", function () {
  this.timeout(90_000);
  let system: OrderSystem;
  let clock: SteppingClock;

  beforeEach(async () => {
    clock = steppingClock();
    system = await orderSystem({ newId: sequentialIds(), now: clock.now });
  });

  /** Sets an item's stock (and price, when given) through `PUT /inventory/{itemId}`, as an admin does. */
  async function stock(itemId: string, quantity: number, unitPrice?: Money | null): Promise<void> {
    const result = await system.api.setStock(
      apiEvent({
        routeKey: "PUT /inventory/{itemId}",
        path: `/inventory/${encodeURIComponent(itemId)}`,
        pathParameters: { itemId },
        claims: admin,
        body: JSON.stringify({ quantity, ...(unitPrice === undefined ? {} : { unitPrice }) }),
      }),
    );
    expect(result.statusCode, result.body).to.equal(200);
  }

  function place(body: unknown, claims = alice): Promise<ApiResult> {
    return system.api.placeOrder(apiEvent({ routeKey: "POST /orders", claims, body: JSON.stringify(body) }));
  }

  function getOrder(id: string): Promise<ApiResult> {
    return system.api.getOrder(
      apiEvent({ routeKey: "GET /orders/{id}", path: `/orders/${id}`, pathParameters: { id }, claims: alice }),
    );
  }

  async function freeUnits(itemId: string): Promise<number> {
    return (await system.stockOf(itemId))?.["quantity"] as number;
  }

  /** Reservations still held: none once every placement has answered. */
  async function reservationsHeld(): Promise<Record<string, unknown>[]> {
    const { Items = [] } = await system.client.send(new ScanCommand({ TableName: system.tables.reservations }));
    return Items;
  }

  /** Every stored order, read through the repository, all pages. */
  async function storedOrders(): Promise<Order[]> {
    const all: Order[] = [];
    let nextToken: string | undefined;
    do {
      const page = await system.orders.list(undefined, { limit: 100, ...(nextToken ? { nextToken } : {}) });
      all.push(...page.items);
      nextToken = page.nextToken;
    } while (nextToken);
    return all;
  }

  describe("the original API's body", () => {
    it("still places the seed order with 201, with product and quantity as before, plus its line and total", async () => {
      const price = { amount: 249_900, currency: "EUR" };
      await stock("MacBook Pro", 10, price);
      const placedAt = new Date(clock.current() + 1000).toISOString();

      const result = await place({ customerName: "Kamlesh", product: "MacBook Pro", quantity: 1 });

      expect(result.statusCode).to.equal(201);
      expect(bodyOf(result)).to.deep.equal({
        OrderId: "00000000-0000-4000-8000-000000000001",
        ownerId: "alice",
        customerName: "Kamlesh",
        product: "MacBook Pro",
        quantity: 1,
        items: [{ product: "MacBook Pro", quantity: 1, unitPrice: price, lineTotal: price }],
        total: price,
        status: "PLACED",
        createdAt: placedAt,
      });
      expect(await freeUnits("MacBook Pro")).to.equal(9);
    });

    it("answers the original API's missing-fields 400 exactly as before, and reserves nothing", async () => {
      await stock("MacBook Pro", 10);

      const result = await place({ customerName: "Kamlesh" });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({
        message: "Missing required fields",
        missingFields: ["product", "quantity"],
        requiredFields: ["customerName", "product", "quantity"],
      });
      expect(await freeUnits("MacBook Pro")).to.equal(10);
    });

    it("keeps a one-line order's 409 body exactly {message, product, available}", async () => {
      await stock("Headlight", 2);

      const result = await place({ customerName: "K", product: "Headlight", quantity: 3 });

      expect(result.statusCode).to.equal(409);
      expect(bodyOf(result)).to.deep.equal({ message: "Item out of stock", product: "Headlight", available: 2 });
    });
  });

  describe("items", () => {
    it(`places ORDER_LIMITS.maxLines (${ORDER_LIMITS.maxLines}) lines at once, taking every line's units`, async () => {
      const lines = Array.from({ length: ORDER_LIMITS.maxLines }, (_, index) => ({
        product: `Part ${index}`,
        quantity: index + 1,
      }));
      for (const line of lines) await stock(line.product, line.quantity + 1);

      const result = await place({ customerName: "K", items: lines });

      expect(result.statusCode, result.body).to.equal(201);
      const order = bodyOf<Order>(result);
      expect(order.items).to.deep.equal(lines);
      expect(order).not.to.have.any.keys("product", "quantity", "total");
      for (const line of lines) expect(await freeUnits(line.product), line.product).to.equal(1);
      expect(await reservationsHeld()).to.deep.equal([]);
    });

    it(`refuses ${ORDER_LIMITS.maxLines + 1} lines with 400 naming items, and reserves nothing`, async () => {
      const lines = Array.from({ length: ORDER_LIMITS.maxLines + 1 }, (_, index) => ({
        product: `Part ${index}`,
        quantity: 1,
      }));
      for (const line of lines) await stock(line.product, 5);

      const result = await place({ customerName: "K", items: lines });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({
        message: `items must hold 1 to ${ORDER_LIMITS.maxLines} lines`,
        field: "items",
      });
      for (const line of lines) expect(await freeUnits(line.product), line.product).to.equal(5);
    });

    it("refuses an empty list of lines with 400 naming items", async () => {
      const result = await place({ customerName: "K", items: [] });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({
        message: `items must hold 1 to ${ORDER_LIMITS.maxLines} lines`,
        field: "items",
      });
    });

    it("refuses a product given on two lines with 400 naming the second line's product", async () => {
      await stock("Headlight", 5);
      await stock("Wiper", 5);

      const result = await place({
        customerName: "K",
        items: [
          { product: "Headlight", quantity: 1 },
          { product: "Wiper", quantity: 1 },
          { product: "Headlight", quantity: 2 },
        ],
      });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({
        message: 'product "Headlight" is already on line 1: give each product once, with its whole quantity',
        field: "items.2.product",
      });
      expect(await freeUnits("Headlight")).to.equal(5);
    });

    it("refuses product and quantity given beside items with 400 naming product", async () => {
      await stock("Headlight", 5);

      const result = await place({
        customerName: "K",
        product: "Headlight",
        quantity: 1,
        items: [{ product: "Headlight", quantity: 1 }],
      });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({
        message: "product must not be given with items: put it on a line",
        field: "product",
      });
    });

    it("names a wrong quantity by its line", async () => {
      await stock("Headlight", 5);
      await stock("Wiper", 5);

      const result = await place({
        customerName: "K",
        items: [
          { product: "Headlight", quantity: 1 },
          { product: "Wiper", quantity: 0 },
        ],
      });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({
        message: "quantity must be a positive integer",
        field: "items.1.quantity",
      });
    });

    it("answers 400 naming items.N.product for an unknown product on line N, and takes nothing from the others", async () => {
      await stock("Headlight", 5);
      await stock("Wiper", 5);
      const items = [
        { product: "Headlight", quantity: 1 },
        { product: "Wiper", quantity: 1 },
        { product: "Flux capacitor", quantity: 1 },
      ];

      const result = await place({ customerName: "K", items });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({
        message: 'product "Flux capacitor" is not in the inventory',
        field: `items.${items.length - 1}.product`,
      });
      expect(await freeUnits("Headlight")).to.equal(5);
      expect(await freeUnits("Wiper")).to.equal(5);
      expect(await reservationsHeld()).to.deep.equal([]);
    });

    it("answers 409 listing exactly the short lines, and takes no unit on any line", async () => {
      const free = { Headlight: 5, Wiper: 1, Mirror: 8, Bulb: 0 };
      for (const [item, units] of Object.entries(free)) await stock(item, units);
      const items = [
        { product: "Headlight", quantity: 2 },
        { product: "Wiper", quantity: 3 },
        { product: "Mirror", quantity: 8 },
        { product: "Bulb", quantity: 1 },
      ];
      const short = items
        .filter((line) => line.quantity > free[line.product as keyof typeof free])
        .map((line) => ({ ...line, available: free[line.product as keyof typeof free] }));

      const result = await place({ customerName: "K", items });

      expect(result.statusCode).to.equal(409);
      const [first] = short;
      expect(bodyOf(result)).to.deep.equal({
        message: "Item out of stock",
        product: first?.product,
        available: first?.available,
        lines: short.map(({ product, quantity, available }) => ({ product, requested: quantity, available })),
      });
      for (const [item, units] of Object.entries(free)) expect(await freeUnits(item), item).to.equal(units);
      expect(await reservationsHeld()).to.deep.equal([]);
      expect(await storedOrders()).to.deep.equal([]);
      expect(system.metrics.snapshot()).to.deep.equal({ OrdersRefused: 1 });
    });

    it("answers an order of one line given as items like the original API: product and quantity, no lines in a 409", async () => {
      await stock("Headlight", 4);

      const placed = await place({ customerName: "K", items: [{ product: "Headlight", quantity: 1 }] });
      const refused = await place({ customerName: "K", items: [{ product: "Headlight", quantity: 9 }] });

      expect(placed.statusCode).to.equal(201);
      expect(bodyOf(placed)).to.include({ product: "Headlight", quantity: 1 });
      expect(refused.statusCode).to.equal(409);
      expect(bodyOf(refused)).to.deep.equal({ message: "Item out of stock", product: "Headlight", available: 3 });
    });
  });

  describe("prices", () => {
    const eur = (amount: number): Money => ({ amount, currency: "EUR" });

    it("stores each line's unit price and line total, and the order's total", async () => {
      const prices = { Headlight: eur(4999), Wiper: eur(1250), Mirror: eur(7) };
      for (const [item, price] of Object.entries(prices)) await stock(item, 10, price);
      const items = [
        { product: "Wiper", quantity: 3 },
        { product: "Headlight", quantity: 2 },
        { product: "Mirror", quantity: 10 },
      ];
      const priced = items.map((line) => {
        const unitPrice = prices[line.product as keyof typeof prices];
        return { ...line, unitPrice, lineTotal: eur(unitPrice.amount * line.quantity) };
      });

      const result = await place({ customerName: "K", items });

      expect(result.statusCode).to.equal(201);
      const order = bodyOf<Order>(result);
      expect(order.items).to.deep.equal(priced);
      expect(order.total).to.deep.equal(eur(priced.reduce((sum, line) => sum + line.lineTotal.amount, 0)));
      const { timeline: _timeline, ...stored } = bodyOf<Order & { timeline: unknown }>(await getOrder(order.OrderId));
      expect(stored).to.deep.equal(order);
    });

    it("keeps a placed order's prices when the item's price changes afterwards; new orders take the new price", async () => {
      await stock("Headlight", 10, eur(4999));
      const before = bodyOf<Order>(await place({ customerName: "K", product: "Headlight", quantity: 2 }));

      await stock("Headlight", 10, eur(5999));
      const after = bodyOf<Order>(await place({ customerName: "K", product: "Headlight", quantity: 2 }));

      const { timeline: _timeline, ...reread } = bodyOf<Order & { timeline: unknown }>(await getOrder(before.OrderId));
      expect(reread).to.deep.equal(before);
      expect(reread.items).to.deep.equal([
        { product: "Headlight", quantity: 2, unitPrice: eur(4999), lineTotal: eur(4999 * 2) },
      ]);
      expect(reread.total).to.deep.equal(eur(4999 * 2));
      expect(after.total).to.deep.equal(eur(5999 * 2));
    });

    it("prices an item whose price was cleared at nothing, and gives the order no total", async () => {
      await stock("Headlight", 10, eur(4999));
      await stock("Wiper", 10, eur(1250));
      await stock("Wiper", 10, null);

      const result = await place({
        customerName: "K",
        items: [
          { product: "Headlight", quantity: 1 },
          { product: "Wiper", quantity: 1 },
        ],
      });

      const order = bodyOf<Order>(result);
      expect(order.items).to.deep.equal([
        { product: "Headlight", quantity: 1, unitPrice: eur(4999), lineTotal: eur(4999) },
        { product: "Wiper", quantity: 1 },
      ]);
      expect(order).not.to.have.property("total");
    });

    it("gives an order priced in two currencies line totals but no total", async () => {
      await stock("Headlight", 10, eur(4999));
      await stock("Wiper", 10, { amount: 1500, currency: "JPY" });

      const result = await place({
        customerName: "K",
        items: [
          { product: "Headlight", quantity: 2 },
          { product: "Wiper", quantity: 3 },
        ],
      });

      const order = bodyOf<Order>(result);
      expect(order.items.map((line) => line.lineTotal)).to.deep.equal([
        eur(4999 * 2),
        { amount: 1500 * 3, currency: "JPY" },
      ]);
      expect(order).not.to.have.property("total");
    });
  });

  describe("concurrent orders racing for the same items", () => {
    it("never sells a unit twice: per item, units sold + free units = the initial stock", async () => {
      const initial: Record<string, number> = { Alpha: 17, Bravo: 12, Charlie: 20, Delta: 9, Echo: 14 };
      const products = Object.keys(initial);
      const orderCount = 20;
      const linesPerOrder = 3;
      for (const [item, units] of Object.entries(initial)) await stock(item, units);
      // Each order takes three different items, starting at a different one and in a different
      // order, so that every pair of orders overlaps on some item in some other line order.
      const orders: Line[][] = Array.from({ length: orderCount }, (_, n) =>
        Array.from({ length: linesPerOrder }, (_, line) => ({
          product: products[(n + line * (1 + (n % 2))) % products.length] as string,
          quantity: 1 + ((n + line) % 3),
        })),
      );
      for (const lines of orders) expect(new Set(lines.map((line) => line.product)).size).to.equal(linesPerOrder);
      const demand = (item: string) =>
        orders.flat().reduce((sum, line) => sum + (line.product === item ? line.quantity : 0), 0);
      // Otherwise the race proves nothing: every order could be served.
      expect(products.some((item) => demand(item) > (initial[item] as number))).to.equal(true);

      const results = await Promise.all(orders.map((items) => place({ customerName: "K", items })));

      const statuses = results.map((result) => result.statusCode ?? 0);
      expect(
        statuses.filter((status) => ![201, 409, 503].includes(status)),
        statuses.join(","),
      ).to.deep.equal([]);
      const answeredPlaced = results
        .filter((result) => result.statusCode === 201)
        .map((result) => bodyOf<Order>(result).OrderId)
        .sort();
      const stored = await storedOrders();
      expect(stored.map((order) => order.OrderId).sort()).to.deep.equal(answeredPlaced);
      expect(stored.length).to.be.greaterThan(0);
      expect(await reservationsHeld()).to.deep.equal([]);
      for (const item of products) {
        const sold = stored
          .flatMap((order) => order.items)
          .reduce((sum, line) => sum + (line.product === item ? line.quantity : 0), 0);
        const books = await system.stockOf(item);
        const free = books?.["quantity"] as number;
        expect(free, item).to.be.at.least(0);
        expect(sold + free, item).to.equal(initial[item]);
        expect(books?.["committed"], item).to.equal(sold);
      }
      for (const result of results.filter((r) => r.statusCode === 409)) {
        const { lines } = bodyOf<{ lines: { requested: number; available: number }[] }>(result);
        expect(lines).to.have.length.greaterThan(0);
        for (const line of lines) expect(line.available).to.be.within(0, line.requested - 1);
      }
    });
  });
});
