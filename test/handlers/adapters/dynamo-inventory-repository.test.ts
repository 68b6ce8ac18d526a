import { DynamoDBServiceException } from "@aws-sdk/client-dynamodb";
import { type DynamoDBDocumentClient, UpdateCommand } from "@aws-sdk/lib-dynamodb";
import { expect } from "chai";
import { TransientError } from "../../../domain/errors";
import {
  STOCK_WRITE_ATTEMPTS,
  dynamoInventoryRepository,
} from "../../../handlers/adapters/dynamo-inventory-repository";

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

    const stored = await dynamoInventoryRepository(client, TABLES).setStock("Headlight", 4, NOW);

    expect(stored).to.deep.equal({ itemId: "Headlight", quantity: 4, updatedAt: NOW.toISOString() });
    expect(sent).to.have.length(2);
  });

  it("gives up as transient (a 503) when every attempt meets a transaction", async () => {
    const { client, sent } = scripted([conflict]);

    const error = await dynamoInventoryRepository(client, TABLES)
      .setStock("Headlight", 4, NOW)
      .catch((e: unknown) => e);

    expect(error).to.be.instanceOf(TransientError);
    expect((error as Error).message).to.equal("DynamoDB: TransactionConflictException");
    expect(sent).to.have.length(STOCK_WRITE_ATTEMPTS);
  });

  for (const [what, reorderLevel] of [
    ["a reorder level", 2],
    ["a cleared reorder level", null],
  ] as const) {
    it(`stores ${what} in the same single write, with no condition`, async () => {
      const { client, sent } = scripted([item]);

      await dynamoInventoryRepository(client, TABLES).setStock("Headlight", 4, NOW, reorderLevel);

      expect(sent).to.have.length(1);
      expect(sent[0]).to.be.instanceOf(UpdateCommand);
      expect((sent[0] as UpdateCommand).input).to.not.have.property("ConditionExpression");
    });
  }
});
