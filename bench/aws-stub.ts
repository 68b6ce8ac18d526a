import { type IncomingMessage, type Server, type ServerResponse, createServer } from "node:http";
import type { AddressInfo } from "node:net";

/** A stand-in for every AWS endpoint the functions call, on loopback. */
export interface AwsStub {
  /** For `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  close(): Promise<void>;
}

const JSON_1_0 = "application/x-amz-json-1.0";

/** The smallest answer each JSON-protocol operation accepts as a success. */
function jsonAnswer(target: string): unknown {
  if (target === "AWSStepFunctions.StartSyncExecution") return { status: "SUCCEEDED" };
  if (target.endsWith(".Query") || target.endsWith(".Scan")) return { Items: [], Count: 0, ScannedCount: 0 };
  return {};
}

/** SNS speaks the query protocol: `<Action>Result` in XML, with the one field a caller checks. */
function queryAnswer(body: string): string {
  const action = new URLSearchParams(body).get("Action") ?? "Unknown";
  const result =
    action === "Subscribe"
      ? "<SubscriptionArn>arn:aws:sns:us-east-1:123456789012:stub:00000000-0000-4000-8000-000000000000</SubscriptionArn>"
      : "<MessageId>00000000-0000-4000-8000-000000000000</MessageId>";
  return (
    `<${action}Response xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><${action}Result>${result}</${action}Result>` +
    `<ResponseMetadata><RequestId>stub</RequestId></ResponseMetadata></${action}Response>`
  );
}

async function answer(request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const target = request.headers["x-amz-target"];
  if (typeof target === "string") {
    response.writeHead(200, { "content-type": JSON_1_0 }).end(JSON.stringify(jsonAnswer(target)));
  } else {
    response.writeHead(200, { "content-type": "text/xml" }).end(queryAnswer(Buffer.concat(chunks).toString("utf8")));
  }
}

/**
 * Answers every DynamoDB, Step Functions and SNS call with an empty success, so that a cold
 * function's first invocation goes through its SDK clients without a real service.
 */
export function startAwsStub(): Promise<AwsStub> {
  const server: Server = createServer((request, response) => void answer(request, response));
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        endpoint: `http://127.0.0.1:${port}`,
        close: () =>
          new Promise<void>((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
