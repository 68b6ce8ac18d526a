import { expect } from "chai";
import { httpHandler, json } from "../../handlers/http";
import { lambdaContext } from "../../local/lambda-context";
import { apiEvent, claimsFor } from "../support/api-events";
import { stdoutLinesOf } from "../support/stdout";

/** Lines written to stdout while `run` runs: where the Powertools logger writes INFO. */
async function stdoutOf(run: () => Promise<void>): Promise<Record<string, unknown>[]> {
  return (await stdoutLinesOf(run)).map((line) => JSON.parse(line) as Record<string, unknown>);
}

const context = (functionName: string) =>
  lambdaContext({ functionName, memoryMb: 256, timeoutSeconds: 10, region: "us-east-1", accountId: "000000000000" });

describe("httpHandler", () => {
  // The suite runs handlers at WARN (test/support/root-hooks.ts); these specs read their INFO lines.
  let level: string | undefined;
  before(() => {
    level = process.env["POWERTOOLS_LOG_LEVEL"];
    process.env["POWERTOOLS_LOG_LEVEL"] = "INFO";
  });
  after(() => {
    if (level === undefined) delete process.env["POWERTOOLS_LOG_LEVEL"];
    else process.env["POWERTOOLS_LOG_LEVEL"] = level;
  });

  it("logs with the Lambda context and the request's keys, and drops the keys an invocation added", async () => {
    // Arrange: a route that adds a key on its first request only.
    const first = context("get-order");
    const second = context("get-order");

    // Act
    const logged = await stdoutOf(async () => {
      const handler = httpHandler(async (event, log) => {
        if (event.routeKey === "GET /first") log.appendKeys({ orderId: "order-1" });
        log.info("handled");
        return json(200, {});
      });
      await handler(apiEvent({ routeKey: "GET /first", claims: claimsFor("alice") }), first);
      await handler(apiEvent({ routeKey: "GET /second", claims: claimsFor("bob") }), second);
    });

    // Assert
    expect(logged).to.have.length(2);
    expect(logged[0]).to.include({
      function_name: "get-order",
      function_request_id: first.awsRequestId,
      routeKey: "GET /first",
      userId: "alice",
      orderId: "order-1",
    });
    expect(logged[1]).to.include({ function_request_id: second.awsRequestId, routeKey: "GET /second", userId: "bob" });
    expect(logged[1]).not.to.have.property("orderId");
  });
});
