import { expect } from "chai";
import type { ApiResult } from "../../handlers/http";
import { apiEvent, claimsFor } from "../support/api-events";
import { type OrderSystem, orderSystem } from "../support/order-system";

const alice = claimsFor("alice");
const bob = claimsFor("bob");

function bodyOf<T = Record<string, unknown>>(result: ApiResult): T {
  return JSON.parse(result.body ?? "null") as T;
}

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

  it("creates the caller's profile with 201 and subscribes its e-mail to the caller's order mail only", async () => {
    const result = await create(alice, { name: "Alice", email: "Alice@Example.com", userId: "mallory" });

    expect(result.statusCode).to.equal(201);
    expect(bodyOf(result)).to.deep.equal({
      userId: "alice",
      name: "Alice",
      email: "alice@example.com",
      createdAt: "2026-11-27T10:00:00.000Z",
      updatedAt: "2026-11-27T10:00:00.000Z",
    });
    expect(system.sns.list().map(({ email, filterPolicy }) => ({ email, filterPolicy }))).to.deep.equal([
      { email: "alice@example.com", filterPolicy: { userId: ["alice"] } },
    ]);
    expect(bodyOf(await read(alice))).to.deep.equal(bodyOf(result));
  });

  it("answers 409 to a second profile and leaves one subscription", async () => {
    await create(alice, { name: "Alice", email: "alice@example.com" });

    const again = await create(alice, { name: "Alice", email: "other@example.com" });

    expect(again.statusCode).to.equal(409);
    expect(bodyOf(again)).to.deep.equal({ message: "A profile already exists for this user" });
    expect(system.sns.list().map((s) => s.email)).to.deep.equal(["alice@example.com"]);
  });

  it("answers 409 when another user's profile already receives mail at that address", async () => {
    await create(alice, { name: "Alice", email: "shared@example.com" });

    const result = await create(bob, { name: "Bob", email: "shared@example.com" });

    expect(result.statusCode).to.equal(409);
    expect(bodyOf(await read(bob))).to.deep.equal({ message: "User not found" });
  });

  it("moves the subscription when the e-mail changes", async () => {
    await create(alice, { name: "Alice", email: "old@example.com" });

    const result = await update(alice, { email: "new@example.com" });
    await system.sns.notify({ userId: "alice", subject: "s", message: "m" });

    expect(result.statusCode).to.equal(200);
    expect(bodyOf(result)).to.include({ name: "Alice", email: "new@example.com" });
    expect(system.sns.list().map((s) => s.email)).to.deep.equal(["new@example.com"]);
    expect(system.mailbox.list().map((mail) => mail.to)).to.deep.equal(["new@example.com"]);
  });

  it("keeps the subscription when only the name changes", async () => {
    await create(alice, { name: "Alice", email: "alice@example.com" });
    const [before] = system.sns.list();

    await update(alice, { name: "Alice Liddell" });

    expect(system.sns.list()).to.deep.equal([before]);
    expect(bodyOf(await read(alice))).to.include({ name: "Alice Liddell" });
  });

  it("answers 404 before the profile exists", async () => {
    expect((await read(alice)).statusCode).to.equal(404);
    expect((await update(alice, { name: "A" })).statusCode).to.equal(404);
  });

  it("answers 400 naming the field for a bad profile", async () => {
    const missing = await create(alice, { name: "Alice" });
    const badEmail = await create(alice, { name: "Alice", email: "alice" });

    expect(bodyOf(missing)).to.deep.equal({
      message: "Missing required fields",
      missingFields: ["email"],
      requiredFields: ["name", "email"],
    });
    expect(bodyOf(badEmail)).to.deep.equal({ message: "email must be an e-mail address", field: "email" });
    expect(system.sns.list()).to.deep.equal([]);
  });
});

describe("inventory handlers on DynamoDB Local", function () {
  this.timeout(30_000);
  let system: OrderSystem;
  const admin = claimsFor("root", ["admin"]);

  beforeEach(async () => {
    system = await orderSystem({ now: () => new Date("2026-11-27T10:00:00.000Z") });
    await system.inventory.setStock("Seatbelt", 3, new Date("2026-11-27T09:00:00.000Z"));
    await system.inventory.setStock("Headlight", 4, new Date("2026-11-27T09:00:00.000Z"));
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
});
