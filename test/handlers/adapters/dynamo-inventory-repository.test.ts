import { DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import {
  type DynamoDBDocumentClient,
  GetCommand,
  ScanCommand,
  TransactWriteCommand,
  UpdateCommand,
} from "@aws-sdk/lib-dynamodb";
import { expect } from "chai";
import { TransientError } from "../../../domain/errors";
import type { Money } from "../../../domain/money";
import { priceOrder } from "../../../domain/order";
import type { InventoryRepository } from "../../../domain/ports";
import {
  STOCK_WRITE_ATTEMPTS,
  dynamoInventoryRepository,
} from "../../../handlers/adapters/dynamo-inventory-repository";
import { dynamoOrderRepository } from "../../../handlers/adapters/dynamo-order-repository";
import { documentClient, freshStockTables } from "../../support/dynamodb";

const NOW = new Date("2026-11-27T10:00:00.000Z");
const TABLES = { inventory: "inventory", reservations: "reservations", orders: "orders" };

/** What DynamoDB answers a plain write on an item a transaction holds at that instant. */
const conflict = () =>
  new DynamoDBServiceException({
    name: "TransactionConflictException",
    $fault: "client",
    $metadata: { httpStatusCode: 400 },
    message: "Transaction is ongoing for the item",
  });

/** A client that answers each send with the next of `answers`, and records how many it got. */
function scripted(answers: readonly (() => unknown)[]) {
  const sent: unknown[] = [];
  const client = {
    send: async (command: unknown) => {
      const answer = answers[sent.length] ?? answers[answers.length - 1];
      sent.push(command);
      const value = answer?.();
      if (value instanceof Error) throw value;
      return value;
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, sent };
}

describe("dynamoInventoryRepository.setStock", () => {
  const item = () => ({ Attributes: { itemId: "Headlight", quantity: 4, committed: 1, updatedAt: NOW.toISOString() } });

  it("writes the same absolute set again when a reservation's transaction held the item", async () => {
    const { client, sent } = scripted([conflict, item]);

    const stored = await dynamoInventoryRepository(client, TABLES).setStock("Headlight", { quantity: 4 }, NOW);

    expect(stored).to.deep.equal({ itemId: "Headlight", quantity: 4, updatedAt: NOW.toISOString() });
    expect(sent).to.have.length(2);
  });

  it("gives up as transient (a 503) when every attempt meets a transaction", async () => {
    const { client, sent } = scripted([conflict]);

    const error = await dynamoInventoryRepository(client, TABLES)
      .setStock("Headlight", { quantity: 4 }, NOW)
      .catch((e: unknown) => e);

    expect(error).to.be.instanceOf(TransientError);
    expect((error as Error).message).to.equal("DynamoDB: TransactionConflictException");
    expect(sent).to.have.length(STOCK_WRITE_ATTEMPTS);
  });

  for (const [what, setting] of [
    ["a reorder level", { reorderLevel: 2 }],
    ["a cleared reorder level", { reorderLevel: null }],
    ["a unit price", { unitPrice: { amount: 1999, currency: "EUR" } }],
    ["a cleared unit price", { unitPrice: null }],
  ] as const) {
    it(`stores ${what} in the same single write, with no condition`, async () => {
      const { client, sent } = scripted([item]);

      await dynamoInventoryRepository(client, TABLES).setStock("Headlight", { quantity: 4, ...setting }, NOW);

      expect(sent).to.have.length(1);
      expect(sent[0]).to.be.instanceOf(UpdateCommand);
      expect((sent[0] as UpdateCommand).input).to.not.have.property("ConditionExpression");
    });
  }
});

describe("dynamoInventoryRepository on DynamoDB Local", function () {
  this.timeout(60_000);
  const EUR = (amount: number): Money => ({ amount, currency: "EUR" });
  const ORDER_ID = "00000000-0000-4000-8000-000000000001";
  let client: DynamoDBDocumentClient;
  let tables: Awaited<ReturnType<typeof freshStockTables>>;
  let inventory: InventoryRepository;

  beforeEach(async () => {
    client = await documentClient();
    tables = await freshStockTables();
    inventory = dynamoInventoryRepository(client, tables);
  });

  /** An item's books and price as stored. */
  async function stored(itemId: string) {
    const { Item } = await client.send(new GetCommand({ TableName: tables.inventory, Key: { itemId } }));
    return { quantity: Item?.["quantity"], committed: Item?.["committed"], unitPrice: Item?.["unitPrice"] };
  }

  /** Every reservation held, by item. */
  async function reservations() {
    const { Items = [] } = await client.send(new ScanCommand({ TableName: tables.reservations }));
    return Items.sort((a, b) => String(a["itemId"]).localeCompare(String(b["itemId"])));
  }

  /**
   * A client that runs `meanwhile` just before each of the first `times` transactions it sends,
   * as another writer would between the repository's read and its write, and counts them.
   */
  function interleaving(meanwhile: () => Promise<unknown>, times = 1) {
    let transactions = 0;
    const wrapped = {
      send: async (command: unknown) => {
        if (command instanceof TransactWriteCommand) {
          transactions += 1;
          if (transactions <= times) await meanwhile();
        }
        return client.send(command as Parameters<DynamoDBDocumentClient["send"]>[0]);
      },
    } as unknown as DynamoDBDocumentClient;
    return { client: wrapped, transactions: () => transactions };
  }

  describe("setStock", () => {
    it("stores a unit price given with the stock", async () => {
      const item = await inventory.setStock("Headlight", { quantity: 4, unitPrice: EUR(1999) }, NOW);

      expect(item).to.deep.equal({
        itemId: "Headlight",
        quantity: 4,
        unitPrice: EUR(1999),
        updatedAt: NOW.toISOString(),
      });
      expect(await stored("Headlight")).to.deep.equal({ quantity: 4, committed: 0, unitPrice: EUR(1999) });
    });

    it("keeps the unit price and the reorder level when a restock does not name them", async () => {
      await inventory.setStock("Headlight", { quantity: 4, reorderLevel: 2, unitPrice: EUR(1999) }, NOW);

      const item = await inventory.setStock("Headlight", { quantity: 9 }, NOW);

      expect(item).to.deep.equal({
        itemId: "Headlight",
        quantity: 9,
        reorderLevel: 2,
        unitPrice: EUR(1999),
        updatedAt: NOW.toISOString(),
      });
    });

    it("clears the unit price set to null, and keeps the reorder level", async () => {
      await inventory.setStock("Headlight", { quantity: 4, reorderLevel: 2, unitPrice: EUR(1999) }, NOW);

      const item = await inventory.setStock("Headlight", { quantity: 4, unitPrice: null }, NOW);

      expect(item).to.deep.equal({ itemId: "Headlight", quantity: 4, reorderLevel: 2, updatedAt: NOW.toISOString() });
      expect(await stored("Headlight")).to.deep.equal({ quantity: 4, committed: 0, unitPrice: undefined });
    });
  });

  describe("reserve", () => {
    beforeEach(async () => {
      await inventory.setStock("Headlight", { quantity: 4, unitPrice: EUR(4999) }, NOW);
      await inventory.setStock("Wiper", { quantity: 1 }, NOW);
      await inventory.setStock("Mirror", { quantity: 9, unitPrice: EUR(2500) }, NOW);
    });

    it("takes every line at once, each held in its own reservation at its price, and reports the prices in line order", async () => {
      const decision = await inventory.reserve(
        ORDER_ID,
        [
          { product: "Mirror", quantity: 2 },
          { product: "Wiper", quantity: 1 },
          { product: "Headlight", quantity: 3 },
        ],
        NOW,
      );

      expect(decision).to.deep.equal({ result: "Available", prices: [EUR(2500), null, EUR(4999)] });
      expect(await stored("Mirror")).to.deep.include({ quantity: 7, committed: 2 });
      expect(await stored("Wiper")).to.deep.include({ quantity: 0, committed: 1 });
      expect(await stored("Headlight")).to.deep.include({ quantity: 1, committed: 3 });
      expect(
        (await reservations()).map(({ itemId, quantity, unitPrice }) => ({ itemId, quantity, unitPrice })),
      ).to.deep.equal([
        { itemId: "Headlight", quantity: 3, unitPrice: EUR(4999) },
        { itemId: "Mirror", quantity: 2, unitPrice: EUR(2500) },
        { itemId: "Wiper", quantity: 1, unitPrice: undefined },
      ]);
    });

    it("takes nothing on any line when one is short, and reports every short line with what is free", async () => {
      const decision = await inventory.reserve(
        ORDER_ID,
        [
          { product: "Headlight", quantity: 5 },
          { product: "Mirror", quantity: 2 },
          { product: "Wiper", quantity: 2 },
        ],
        NOW,
      );

      expect(decision).to.deep.equal({
        result: "OutOfStock",
        shortLines: [
          { product: "Headlight", requested: 5, available: 4 },
          { product: "Wiper", requested: 2, available: 1 },
        ],
      });
      expect(await stored("Headlight")).to.deep.include({ quantity: 4, committed: 0 });
      expect(await stored("Mirror")).to.deep.include({ quantity: 9, committed: 0 });
      expect(await stored("Wiper")).to.deep.include({ quantity: 1, committed: 0 });
      expect(await reservations()).to.deep.equal([]);
    });

    it("takes nothing when a line names an item it does not have, and names that product and its line", async () => {
      const decision = await inventory.reserve(
        ORDER_ID,
        [
          { product: "Mirror", quantity: 1 },
          { product: "Seatbelt", quantity: 1 },
        ],
        NOW,
      );

      expect(decision).to.deep.equal({
        result: "UnknownProduct",
        product: "Seatbelt",
        cause: JSON.stringify({ product: "Seatbelt", line: 1 }),
      });
      expect(await stored("Mirror")).to.deep.include({ quantity: 9, committed: 0 });
      expect(await reservations()).to.deep.equal([]);
    });

    it("reads again when a price changes between its read and its write, and reports the new price", async () => {
      const racing = interleaving(() => inventory.setStock("Mirror", { quantity: 9, unitPrice: EUR(2700) }, NOW));

      const decision = await dynamoInventoryRepository(racing.client, tables).reserve(
        ORDER_ID,
        [
          { product: "Headlight", quantity: 1 },
          { product: "Mirror", quantity: 2 },
        ],
        NOW,
      );

      expect(racing.transactions()).to.equal(2);
      expect(decision).to.deep.equal({ result: "Available", prices: [EUR(4999), EUR(2700)] });
      expect(await stored("Mirror")).to.deep.equal({ quantity: 7, committed: 2, unitPrice: EUR(2700) });
      expect(await stored("Headlight")).to.deep.include({ quantity: 3, committed: 1 });
      expect((await reservations()).map((reservation) => reservation["unitPrice"])).to.deep.equal([
        EUR(4999),
        EUR(2700),
      ]);
    });

    it(`gives up as transient, taking nothing, when the price changes before each of ${STOCK_WRITE_ATTEMPTS} attempts`, async () => {
      let price = 2500;
      const racing = interleaving(
        () => inventory.setStock("Mirror", { quantity: 9, unitPrice: EUR(++price) }, NOW),
        STOCK_WRITE_ATTEMPTS,
      );

      const error = await dynamoInventoryRepository(racing.client, tables)
        .reserve(ORDER_ID, [{ product: "Mirror", quantity: 2 }], NOW)
        .catch((e: unknown) => e);

      expect(error).to.be.instanceOf(TransientError);
      expect((error as Error).message).to.equal(
        `Stock of order ${ORDER_ID}'s items kept changing during the reservation`,
      );
      expect(racing.transactions()).to.equal(STOCK_WRITE_ATTEMPTS);
      expect(await stored("Mirror")).to.deep.include({ quantity: 9, committed: 0 });
      expect(await reservations()).to.deep.equal([]);
    });

    it("reserved again for the same order (a retried task), takes nothing more and reports the prices it reserved at", async () => {
      const lines = [
        { product: "Headlight", quantity: 3 },
        { product: "Wiper", quantity: 1 },
      ];
      await inventory.reserve(ORDER_ID, lines, NOW);
      await inventory.setStock("Headlight", { quantity: 1, unitPrice: EUR(5999) }, NOW);

      const again = await inventory.reserve(ORDER_ID, lines, NOW);

      expect(again).to.deep.equal({ result: "Available", prices: [EUR(4999), null] });
      expect(await stored("Headlight")).to.deep.include({ quantity: 1, committed: 3 });
      expect(await stored("Wiper")).to.deep.include({ quantity: 0, committed: 1 });
      expect(await reservations()).to.have.length(2);
    });

    it("reserved again for an order already written, takes nothing more and reports the prices it was placed at", async () => {
      const lines = [
        { product: "Headlight", quantity: 3 },
        { product: "Wiper", quantity: 1 },
      ];
      await inventory.reserve(ORDER_ID, lines, NOW);
      // Written as CreateOrder writes it: priced at what the reservation reported.
      const order = priceOrder(
        {
          OrderId: ORDER_ID,
          ownerId: "alice",
          customerName: "Alice",
          items: lines,
          status: "PLACED",
          createdAt: NOW.toISOString(),
        },
        [EUR(4999), null],
      );
      await dynamoOrderRepository(client, tables).createReserved(order);
      // Stock and price moved on since: neither changes what this order holds.
      await inventory.setStock("Headlight", { quantity: 1, unitPrice: EUR(5999) }, NOW);

      const again = await inventory.reserve(ORDER_ID, lines, NOW);

      expect(again).to.deep.equal({ result: "Available", prices: [EUR(4999), null] });
      expect(await stored("Headlight")).to.deep.include({ quantity: 1, committed: 3 });
      expect(await stored("Wiper")).to.deep.include({ quantity: 0, committed: 1 });
      expect(await reservations()).to.deep.equal([]);
    });
  });
});
