import { DynamoDBServiceException, TransactionCanceledException } from "@aws-sdk/client-dynamodb";
import { expect } from "chai";
import { TransientError } from "../../../domain/errors";
import { classifyDynamoDbError, isConditionFailure } from "../../../handlers/adapters/dynamodb-errors";

/** An error as the SDK raises it for DynamoDB's answer `name` with HTTP status `status`. */
function answered(name: string, status: number): Error {
  return new DynamoDBServiceException({
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status, attempts: 3 },
    message: name,
  });
}

/** A network failure as Node raises it under the SDK: no answer, a `code`. */
function network(code: string): Error {
  return Object.assign(new Error(`connect ${code} 127.0.0.1:1`), { code, $metadata: { attempts: 3 } });
}

function canceled(code: string): Error {
  return new TransactionCanceledException({
    $metadata: { httpStatusCode: 400 },
    message: "Transaction cancelled",
    CancellationReasons: [{ Code: "None" }, { Code: code }],
  });
}

describe("classifyDynamoDbError", () => {
  const notNow: [string, Error, string][] = [
    [
      "throughput exceeded",
      answered("ProvisionedThroughputExceededException", 400),
      "ProvisionedThroughputExceededException",
    ],
    ["throttling", answered("ThrottlingException", 400), "ThrottlingException"],
    ["the account's request limit", answered("RequestLimitExceeded", 400), "RequestLimitExceeded"],
    ["any 429", answered("SomethingNew", 429), "SomethingNew"],
    ["an internal error", answered("InternalServerError", 500), "InternalServerError"],
    ["the service being unavailable", answered("ServiceUnavailable", 503), "ServiceUnavailable"],
    ["a transaction conflict", answered("TransactionConflictException", 400), "TransactionConflictException"],
    ["a transaction in progress", answered("TransactionInProgressException", 400), "TransactionInProgressException"],
    ["a transaction cancelled by a conflict", canceled("TransactionConflict"), "TransactionCanceledException"],
    ["a refused connection", network("ECONNREFUSED"), "ECONNREFUSED"],
    ["a reset connection", network("ECONNRESET"), "ECONNRESET"],
    ["a timed-out connection", network("ETIMEDOUT"), "ETIMEDOUT"],
    ["an unknown host", network("ENOTFOUND"), "ENOTFOUND"],
    [
      "the SDK's request timeout",
      Object.assign(new Error("socket timed out"), { name: "TimeoutError" }),
      "TimeoutError",
    ],
  ];
  for (const [what, error, named] of notNow) {
    it(`makes ${what} a TransientError naming it, with the SDK's error as cause`, () => {
      const classified = classifyDynamoDbError(error);

      expect(classified).to.be.instanceOf(TransientError);
      expect((classified as TransientError).message).to.equal(`DynamoDB: ${named}`);
      expect((classified as TransientError).cause).to.equal(error);
    });
  }

  const never: [string, unknown][] = [
    ["a failed condition", answered("ConditionalCheckFailedException", 400)],
    ["a transaction cancelled by a condition", canceled("ConditionalCheckFailed")],
    ["a bad request", answered("ValidationException", 400)],
    ["a missing table", answered("ResourceNotFoundException", 400)],
    ["a bug", new TypeError("x is undefined")],
    ["a thrown string", "boom"],
  ];
  for (const [what, error] of never) {
    it(`leaves ${what} as it is`, () => {
      expect(classifyDynamoDbError(error)).to.equal(error);
    });
  }
});

describe("isConditionFailure", () => {
  it("tells a failed condition, alone or in a transaction, from a conflict", () => {
    expect(isConditionFailure(answered("ConditionalCheckFailedException", 400))).to.equal(true);
    expect(isConditionFailure(canceled("ConditionalCheckFailed"))).to.equal(true);
    expect(isConditionFailure(canceled("TransactionConflict"))).to.equal(false);
  });
});
