import { expect } from "chai";
import type { LocalLog } from "../../local/gateway";
import { type LocalStack, startLocalStack } from "../../local/local-stack";
import { SEED_INVENTORY } from "../../local/seed-inventory";
import { type LocalTokens, localToken } from "../../local/sign-in";

interface Item {
  itemId: string;
  quantity: number;
  reorderLevel?: number;
  updatedAt: string;
}

interface ItemPage {
  items: Item[];
  nextToken?: string;
}

describe("Low stock on the local stack", function () {
  this.timeout(60_000);
  const errors: string[] = [];
  const log: LocalLog = { info: () => undefined, error: (line) => errors.push(line) };
  let stack: LocalStack;
  let admin: LocalTokens;
  let customer: LocalTokens;

  function signIn(email: string, isAdmin = false): Promise<LocalTokens> {
    return localToken({
      ...stack,
      email,
      admin: isAdmin,
    });
  }

  function setStock(itemId: string, body: unknown, token = admin.idToken): Promise<Response> {
    return fetch(`${stack.url}/inventory/${encodeURIComponent(itemId)}`, {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  }

  function list(query: string): Promise<Response> {
    return fetch(`${stack.url}/inventory?${query}`, { headers: { authorization: `Bearer ${customer.idToken}` } });
  }

  /** Every low-stock item, following `nextToken` through pages of `limit` items read. */
  async function lowStock(limit: number): Promise<{ items: string[]; pages: ItemPage[] }> {
    const pages: ItemPage[] = [];
    let nextToken: string | undefined;
    do {
      const response = await list(
        `lowStock=true&limit=${limit}${nextToken ? `&nextToken=${encodeURIComponent(nextToken)}` : ""}`,
      );
      expect(response.status).to.equal(200);
      const page = (await response.json()) as ItemPage;
      pages.push(page);
      nextToken = page.nextToken;
    } while (nextToken);
    return { items: pages.flatMap((page) => page.items.map((item) => item.itemId)), pages };
  }

  before(async () => {
    stack = await startLocalStack({ port: 0, stack: "dev", dataDir: null, log });
    admin = await signIn("admin@example.com", true);
    customer = await signIn("carol@example.com");
  });

  after(async () => {
    await stack?.stop();
  });

  afterEach(() => {
    expect(errors).to.deep.equal([]);
  });

  it("lists no item as low before any has a reorder level", async () => {
    const response = await list("lowStock=true");

    expect(response.status).to.equal(200);
    expect(((await response.json()) as ItemPage).items).to.deep.equal([]);
  });

  it("sets reorder levels with the stock and lists, through every page, the items at or below theirs", async () => {
    // Each seeded item gets a level: the odd ones their own stock (low), the even ones one less (not).
    const low: string[] = [];
    for (const [i, item] of SEED_INVENTORY.entries()) {
      const reorderLevel = i % 2 === 0 ? item.quantity : item.quantity - 1;
      if (reorderLevel === item.quantity) low.push(item.itemId);
      const response = await setStock(item.itemId, { quantity: item.quantity, reorderLevel });
      expect(response.status).to.equal(200);
      expect(await response.json()).to.deep.include({ itemId: item.itemId, quantity: item.quantity, reorderLevel });
    }

    const { items, pages } = await lowStock(1);

    expect([...items].sort()).to.deep.equal([...low].sort());
    // Pages are filtered after they are read: those holding only other items come back empty.
    expect(pages.some((page) => page.items.length === 0 && page.nextToken !== undefined)).to.equal(true);
  });

  it("keeps the level on a restock that names none, and drops the item once restocked above it", async () => {
    const [item] = SEED_INVENTORY;
    if (!item) throw new Error("the seed has no items");

    const response = await setStock(item.itemId, { quantity: item.quantity + 1 });

    expect(await response.json()).to.deep.include({ reorderLevel: item.quantity });
    expect((await lowStock(100)).items).to.not.include(item.itemId);
  });

  it("answers 400 naming lowStock for a value other than true or false", async () => {
    const response = await list("lowStock=maybe");

    expect(response.status).to.equal(400);
    expect(await response.json()).to.deep.equal({ message: "lowStock must be true or false", field: "lowStock" });
  });

  it("refuses a customer who sets a reorder level: 403", async () => {
    const response = await setStock("Headlight", { quantity: 4, reorderLevel: 1 }, customer.idToken);

    expect(response.status).to.equal(403);
  });
});
