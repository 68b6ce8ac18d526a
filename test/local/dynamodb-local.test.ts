import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
} from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { randomUUID } from "node:crypto";
import { STREAM_SPECIFICATION, createTable } from "../../local/dynamodb-local";
import { idempotencyTable, ordersTable, tables } from "../../storage/tables";
import { dynamoDbLocal } from "../support/dynamodb";

describe("createTable", function () {
  this.timeout(30_000);
  let client: DynamoDBClient;

  before(async () => {
    const { endpoint } = await dynamoDbLocal();
    client = new DynamoDBClient({
      endpoint,
      region: "us-east-1",
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
  });

  after(() => {
    client.destroy();
  });

  it("creates the table's keys and indexes, billed on demand", async () => {
    const name = `test-orders-${randomUUID()}`;

    await createTable(client, ordersTable, name);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.KeySchema).to.deep.equal([{ AttributeName: "OrderId", KeyType: "HASH" }]);
    expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName).sort()).to.deep.equal(
      Object.values(ordersTable.indexes)
        .map((index) => index.name)
        .sort(),
    );
    expect(Table?.BillingModeSummary?.BillingMode).to.equal("PAY_PER_REQUEST");
  });

  it("enables TTL on the attribute the definition names", async () => {
    const name = `test-idempotency-${randomUUID()}`;

    await createTable(client, idempotencyTable, name);

    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(TimeToLiveDescription).to.deep.equal({ TimeToLiveStatus: "ENABLED", AttributeName: "expiration" });
  });

  it("keeps an existing table, TTL included, when asked again (a persisted stack restarting)", async () => {
    const name = `test-idempotency-${randomUUID()}`;
    await createTable(client, idempotencyTable, name);

    await createTable(client, idempotencyTable, name);

    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(TimeToLiveDescription).to.deep.equal({ TimeToLiveStatus: "ENABLED", AttributeName: "expiration" });
  });

  it("leaves TTL off for a table without a TTL attribute", async () => {
    const name = `test-orders-${randomUUID()}`;

    await createTable(client, ordersTable, name);

    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: name }));
    expect(TimeToLiveDescription?.TimeToLiveStatus).to.equal("DISABLED");
  });

  for (const definition of tables) {
    const streamed = definition.streamed === true;
    it(`gives the ${definition.name} table ${streamed ? "a stream of both images of each change" : "no stream"}, as its definition says`, async () => {
      const name = `test-${definition.name}-${randomUUID()}`;

      await createTable(client, definition, name);

      const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
      expect(Table?.StreamSpecification).to.deep.equal(streamed ? STREAM_SPECIFICATION : undefined);
    });
  }

  it("turns the stream on for a kept streamed table that has none (data from before tables were streamed)", async () => {
    const name = `test-orders-${randomUUID()}`;
    await client.send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: "PAY_PER_REQUEST",
        AttributeDefinitions: [{ AttributeName: ordersTable.partitionKey.name, AttributeType: "S" }],
        KeySchema: [{ AttributeName: ordersTable.partitionKey.name, KeyType: "HASH" }],
      }),
    );

    await createTable(client, ordersTable, name);

    const { Table } = await client.send(new DescribeTableCommand({ TableName: name }));
    expect(Table?.StreamSpecification).to.deep.equal(STREAM_SPECIFICATION);
  });
});
