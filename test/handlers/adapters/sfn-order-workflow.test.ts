import { type SFNClient, SFNServiceException, StateMachineDoesNotExist } from "@aws-sdk/client-sfn";
import { expect } from "chai";
import { TransientError } from "../../../domain/errors";
import type { Order } from "../../../domain/order";
import { sfnOrderWorkflow } from "../../../handlers/adapters/sfn-order-workflow";

const order: Order = {
  OrderId: "994dd3bc-a43a-4342-b07b-3f5829e3c046",
  ownerId: "alice",
  customerName: "Kamlesh",
  product: "Headlight",
  quantity: 1,
  items: [{ product: "Headlight", quantity: 1 }],
  status: "PLACED",
  createdAt: "2026-11-27T10:00:00.000Z",
};

/** An SFN client whose every call fails with `error`, as the SDK would after its own retries. */
function failingWith(error: unknown): SFNClient {
  return {
    send: () => Promise.reject(error),
  } as unknown as SFNClient;
}

function answered(name: string, status: number): Error {
  return new SFNServiceException({
    name,
    $fault: status >= 500 ? "server" : "client",
    $metadata: { httpStatusCode: status, attempts: 3 },
    message: name,
  });
}

function network(code: string): Error {
  return Object.assign(new Error(`${code} states.us-east-1.amazonaws.com`), { code, $metadata: { attempts: 3 } });
}

async function failureOf(error: unknown): Promise<unknown> {
  return sfnOrderWorkflow(failingWith(error), "arn:aws:states:us-east-1:000000000000:stateMachine:orders")
    .place(order)
    .then(
      () => expect.fail("place should have failed"),
      (failure: unknown) => failure,
    );
}

describe("sfnOrderWorkflow", () => {
  const notStarted: [string, Error, string][] = [
    ["a throttled StartSyncExecution", answered("ThrottlingException", 400), "ThrottlingException"],
    ["a throttled KMS key", answered("KmsThrottlingException", 400), "KmsThrottlingException"],
    ["any 429", answered("TooManyRequests", 429), "TooManyRequests"],
    ["Step Functions' own fault", answered("InternalFailure", 500), "InternalFailure"],
    ["Step Functions unavailable", answered("ServiceUnavailable", 503), "ServiceUnavailable"],
    ["a refused connection", network("ECONNREFUSED"), "ECONNREFUSED"],
    ["an unknown host", network("ENOTFOUND"), "ENOTFOUND"],
  ];
  for (const [what, error, named] of notStarted) {
    it(`fails ${what}, which ran no execution, with a TransientError`, async () => {
      const failure = await failureOf(error);

      expect(failure).to.be.instanceOf(TransientError);
      expect((failure as TransientError).message).to.equal(`Step Functions: ${named}`);
      expect((failure as TransientError).cause).to.equal(error);
    });
  }

  const unknownOutcome: [string, unknown][] = [
    ["a connection reset after sending", network("ECONNRESET")],
    ["a timeout after sending", Object.assign(new Error("socket timed out"), { name: "TimeoutError" })],
    [
      "a missing state machine",
      new StateMachineDoesNotExist({ $metadata: { httpStatusCode: 400 }, message: "State machine does not exist" }),
    ],
  ];
  for (const [what, error] of unknownOutcome) {
    it(`lets ${what} escape as it is: the order's fate is unknown, or it is a bug`, async () => {
      expect(await failureOf(error)).to.equal(error);
    });
  }
});
