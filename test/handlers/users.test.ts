import { expect } from "chai";
import type { UserProfile } from "../../domain/user";
import type { ApiResult } from "../../handlers/http";
import { apiEvent, claimsFor, bodyOf } from "../support/api-events";
import { type OrderSystem, orderSystem } from "../support/order-system";

const alice = claimsFor("alice");
const bob = claimsFor("bob");

describe("user handlers on DynamoDB Local", function () {
  this.timeout(30_000);
  let system: OrderSystem;

  beforeEach(async () => {
    system = await orderSystem({ now: () => new Date("2026-11-27T10:00:00.000Z") });
  });

  const create = (claims: Record<string, string>, body: unknown) =>
    system.api.createUser(apiEvent({ routeKey: "POST /users", claims, body: JSON.stringify(body) }));
  const update = (claims: Record<string, string>, body: unknown) =>
    system.api.updateUser(apiEvent({ routeKey: "PUT /users/me", claims, body: JSON.stringify(body) }));
  const read = (claims: Record<string, string>) => system.api.getUser(apiEvent({ routeKey: "GET /users/me", claims }));

  it("creates the caller's profile with 201, order mail on, and nothing else per customer", async () => {
    const result = await create(alice, { name: "Alice", email: "Alice@Example.com", userId: "mallory" });

    expect(result.statusCode).to.equal(201);
    expect(bodyOf(result)).to.deep.equal({
      userId: "alice",
      name: "Alice",
      email: "alice@example.com",
      orderMail: true,
      createdAt: "2026-11-27T10:00:00.000Z",
      updatedAt: "2026-11-27T10:00:00.000Z",
    });
    expect(bodyOf(await read(alice))).to.deep.equal(bodyOf(result));
    expect(await system.users.get("alice")).to.deep.equal(bodyOf(result));
  });

  it("answers 409 to a second profile and keeps the first", async () => {
    const first = await create(alice, { name: "Alice", email: "alice@example.com" });

    const again = await create(alice, { name: "Alice", email: "other@example.com" });

    expect(again.statusCode).to.equal(409);
    expect(bodyOf(again)).to.deep.equal({ message: "A profile already exists for this user" });
    expect(bodyOf(await read(alice))).to.deep.equal(bodyOf(first));
  });

  it("lets two users give the same address: order mail goes to an order's owner, not to an address", async () => {
    await create(alice, { name: "Alice", email: "shared@example.com" });

    const result = await create(bob, { name: "Bob", email: "shared@example.com" });

    expect(result.statusCode).to.equal(201);
  });

  const orderMailSwitches: [string, boolean[], boolean][] = [
    ["turns order mail off", [false], false],
    ["turns order mail back on", [false, true], true],
    ["keeps order mail off when it is turned off twice", [false, false], false],
  ];
  for (const [what, switches, expected] of orderMailSwitches) {
    it(`${what}, and shows it`, async () => {
      await create(alice, { name: "Alice", email: "alice@example.com" });

      const results = [];
      for (const orderMail of switches) results.push(await update(alice, { orderMail }));

      expect(results.map((result) => result.statusCode)).to.deep.equal(switches.map(() => 200));
      expect(bodyOf(results.at(-1) as ApiResult)).to.include({ orderMail: expected, name: "Alice" });
      expect(bodyOf(await read(alice))).to.include({ orderMail: expected });
    });
  }

  it("changes the e-mail, keeping whether order mail is on", async () => {
    await create(alice, { name: "Alice", email: "old@example.com" });
    await update(alice, { orderMail: false });

    const result = await update(alice, { email: "new@example.com" });

    expect(result.statusCode).to.equal(200);
    expect(bodyOf(result)).to.include({ name: "Alice", email: "new@example.com", orderMail: false });
    expect(await system.users.get("alice")).to.include({ email: "new@example.com", orderMail: false });
  });

  it("stores no update of a profile that changed after it was read (PUT /users/me answers 409), keeping the other change", async () => {
    await create(alice, { name: "Alice", email: "alice@example.com" });
    const read = await system.users.get("alice");
    const other = { ...(read as UserProfile), name: "Alice Liddell", updatedAt: "2026-11-27T10:00:05.000Z" };
    await system.users.update(other, (read as UserProfile).updatedAt);

    const stale = await system.users.update(
      { ...(read as UserProfile), orderMail: false },
      (read as UserProfile).updatedAt,
    );

    expect(stale).to.equal(false);
    expect(await system.users.get("alice")).to.deep.equal(other);
  });

  it("answers 404 before the profile exists", async () => {
    expect((await read(alice)).statusCode).to.equal(404);
    expect((await update(alice, { name: "A" })).statusCode).to.equal(404);
  });

  it("answers 400 naming the field for a bad profile or a bad change", async () => {
    const missing = await create(alice, { name: "Alice" });
    const badEmail = await create(alice, { name: "Alice", email: "alice" });
    await create(alice, { name: "Alice", email: "alice@example.com" });
    const badSwitch = await update(alice, { orderMail: "no" });
    const nothing = await update(alice, { nickname: "Al" });

    expect(bodyOf(missing)).to.deep.equal({
      message: "Missing required fields",
      missingFields: ["email"],
      requiredFields: ["name", "email"],
    });
    expect(bodyOf(badEmail)).to.deep.equal({ message: "email must be an e-mail address", field: "email" });
    expect(bodyOf(badSwitch)).to.deep.equal({ message: "orderMail must be true or false", field: "orderMail" });
    expect(bodyOf(nothing)).to.deep.equal({ message: "body must change name, email or orderMail", field: "body" });
  });
});

describe("inventory handlers on DynamoDB Local", function () {
  this.timeout(30_000);
  let system: OrderSystem;
  const admin = claimsFor("root", ["admin"]);

  beforeEach(async () => {
    system = await orderSystem({ now: () => new Date("2026-11-27T10:00:00.000Z") });
    await system.inventory.setStock("Seatbelt", { quantity: 3 }, new Date("2026-11-27T09:00:00.000Z"));
    await system.inventory.setStock("Headlight", { quantity: 4 }, new Date("2026-11-27T09:00:00.000Z"));
  });

  const setStock = (claims: Record<string, string>, itemId: string, body: unknown) =>
    system.api.setStock(
      apiEvent({
        routeKey: "PUT /inventory/{itemId}",
        path: `/inventory/${encodeURIComponent(itemId)}`,
        pathParameters: { itemId },
        claims,
        body: JSON.stringify(body),
      }),
    );

  it("lists items and their stock to any signed-in user, by name", async () => {
    const result = await system.api.listInventory(apiEvent({ routeKey: "GET /inventory", claims: alice }));

    expect(bodyOf(result)).to.deep.equal({
      items: [
        { itemId: "Headlight", quantity: 4, updatedAt: "2026-11-27T09:00:00.000Z" },
        { itemId: "Seatbelt", quantity: 3, updatedAt: "2026-11-27T09:00:00.000Z" },
      ],
    });
  });

  it("lets an admin set stock, adding a new item", async () => {
    const result = await setStock(admin, "MacBook Pro", { quantity: 10 });

    expect(result.statusCode).to.equal(200);
    expect(bodyOf(result)).to.deep.equal({
      itemId: "MacBook Pro",
      quantity: 10,
      updatedAt: "2026-11-27T10:00:00.000Z",
    });
  });

  it("refuses anyone but an admin with 403", async () => {
    const result = await setStock(alice, "Seatbelt", { quantity: 99 });

    expect(result.statusCode).to.equal(403);
    expect(await system.stockOf("Seatbelt")).to.deep.include({ quantity: 3 });
  });

  it("answers 400 naming quantity for negative stock", async () => {
    const result = await setStock(admin, "Seatbelt", { quantity: -1 });

    expect(bodyOf(result)).to.deep.equal({ message: "quantity must not be negative", field: "quantity" });
  });

  describe("reorder levels and low stock", () => {
    const listInventory = (query?: Record<string, string>) =>
      system.api.listInventory(apiEvent({ routeKey: "GET /inventory", claims: alice, ...(query ? { query } : {}) }));
    const itemIds = (result: ApiResult) => bodyOf<{ items: { itemId: string }[] }>(result).items.map((i) => i.itemId);

    it("lets an admin set a reorder level with the stock, and shows it", async () => {
      const result = await setStock(admin, "Seatbelt", { quantity: 3, reorderLevel: 5 });

      expect(bodyOf(result)).to.deep.equal({
        itemId: "Seatbelt",
        quantity: 3,
        reorderLevel: 5,
        updatedAt: "2026-11-27T10:00:00.000Z",
      });
      expect(await system.stockOf("Seatbelt")).to.deep.include({ quantity: 3, reorderLevel: 5 });
    });

    it("keeps the level when a later set names none, and clears it for null", async () => {
      await setStock(admin, "Seatbelt", { quantity: 3, reorderLevel: 5 });

      const kept = await setStock(admin, "Seatbelt", { quantity: 8 });
      const cleared = await setStock(admin, "Seatbelt", { quantity: 8, reorderLevel: null });

      expect(bodyOf(kept)).to.deep.include({ quantity: 8, reorderLevel: 5 });
      expect(bodyOf(cleared)).to.not.have.property("reorderLevel");
      expect(await system.stockOf("Seatbelt")).to.not.have.property("reorderLevel");
    });

    it("answers 400 naming reorderLevel for a negative level, changing nothing", async () => {
      const result = await setStock(admin, "Seatbelt", { quantity: 9, reorderLevel: -1 });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({ message: "reorderLevel must not be negative", field: "reorderLevel" });
      expect(await system.stockOf("Seatbelt")).to.deep.include({ quantity: 3 });
    });

    it("lists with lowStock=true only items at or below their level, never those without one", async () => {
      await setStock(admin, "Seatbelt", { quantity: 3, reorderLevel: 3 }); // at its level
      await setStock(admin, "Headlight", { quantity: 4, reorderLevel: 3 }); // above it
      await setStock(admin, "coolant", { quantity: 1, reorderLevel: 2 }); // below it
      await setStock(admin, "MacBook Pro", { quantity: 0 }); // no level

      const result = await listInventory({ lowStock: "true" });

      expect(result.statusCode).to.equal(200);
      expect(itemIds(result)).to.deep.equal(["Seatbelt", "coolant"].sort((a, b) => a.localeCompare(b)));
    });

    it("judges low stock by free units: a reservation can make an item low", async () => {
      await setStock(admin, "Headlight", { quantity: 4, reorderLevel: 2 });
      const before = itemIds(await listInventory({ lowStock: "true" }));

      await system.inventory.reserve(
        "order-1",
        [{ product: "Headlight", quantity: 2 }],
        new Date("2026-11-27T10:00:00.000Z"),
      );

      expect(before).to.deep.equal([]);
      expect(itemIds(await listInventory({ lowStock: "true" }))).to.deep.equal(["Headlight"]);
    });

    it("lists every item for lowStock=false, as without it", async () => {
      await setStock(admin, "Seatbelt", { quantity: 3, reorderLevel: 3 });

      const filtered = await listInventory({ lowStock: "false" });
      const unfiltered = await listInventory();

      expect(itemIds(filtered)).to.deep.equal(["Headlight", "Seatbelt"]);
      expect(bodyOf(filtered)).to.deep.equal(bodyOf(unfiltered));
    });

    it("answers 400 naming lowStock for any other value", async () => {
      const result = await listInventory({ lowStock: "yes" });

      expect(result.statusCode).to.equal(400);
      expect(bodyOf(result)).to.deep.equal({ message: "lowStock must be true or false", field: "lowStock" });
    });

    it("pages low stock through short and empty pages that still carry a nextToken", async () => {
      // One low item among three: with limit 1 each page reads one item, so the pages holding the
      // others come back empty, yet with a token to go on.
      await setStock(admin, "coolant", { quantity: 1, reorderLevel: 2 });
      const pages: { items: { itemId: string }[]; nextToken?: string }[] = [];
      let nextToken: string | undefined;

      do {
        const result = await listInventory({ lowStock: "true", limit: "1", ...(nextToken ? { nextToken } : {}) });
        expect(result.statusCode).to.equal(200);
        const page = bodyOf<{ items: { itemId: string }[]; nextToken?: string }>(result);
        pages.push(page);
        nextToken = page.nextToken;
      } while (nextToken);

      expect(pages.flatMap((page) => page.items.map((item) => item.itemId))).to.deep.equal(["coolant"]);
      expect(pages.filter((page) => page.items.length === 0 && page.nextToken !== undefined)).to.have.length.at.least(
        2,
      );
    });
  });
});
