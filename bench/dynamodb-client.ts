import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";

/** Capacity units DynamoDB reported, summed per command name (`UpdateCommand`, `QueryCommand`…). */
export type CapacityLog = Map<string, number[]>;

interface ConsumedCapacity {
  readonly CapacityUnits?: number;
}

function unitsOf(consumed: ConsumedCapacity | readonly ConsumedCapacity[] | undefined): number {
  const all = consumed === undefined ? [] : Array.isArray(consumed) ? consumed : [consumed as ConsumedCapacity];
  return all.reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

/** Every unit logged so far, whatever the command: the difference across a call is what the call consumed. */
export function loggedUnits(capacity: CapacityLog): number {
  return [...capacity.values()].flat().reduce((sum, units) => sum + units, 0);
}

/**
 * A document client on the local stack's DynamoDB Local, built as the handlers build theirs. With
 * `capacity`, every command asks for `ReturnConsumedCapacity: TOTAL` and the units it consumed,
 * indexes included, are logged under the command's name.
 */
export function documentClient(endpoint: string, region: string, capacity?: CapacityLog): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  if (capacity) {
    client.middlewareStack.add(
      (next, context) => async (args) => {
        (args.input as Record<string, unknown>)["ReturnConsumedCapacity"] = "TOTAL";
        const result = await next(args);
        const units = unitsOf((result.output as { ConsumedCapacity?: ConsumedCapacity }).ConsumedCapacity);
        const name = context.commandName ?? "unknown";
        capacity.set(name, [...(capacity.get(name) ?? []), units]);
        return result;
      },
      { step: "initialize", name: "benchConsumedCapacity" },
    );
  }
  return DynamoDBDocumentClient.from(client);
}
