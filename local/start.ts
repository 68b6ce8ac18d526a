import { RESERVATION_SWEEP_INTERVAL_SECONDS } from "../domain/reservation";
import { type LocalStack, startLocalStack } from "./local-stack";
import { writeLocalPostmanEnvironment } from "./local-postman-environment";

function describeReady(stack: LocalStack): string {
  const dataDir = process.env["OMS_DATA_DIR"];
  return [
    `OMS local stack "${stack.stack}" is ready`,
    `  API:         ${stack.url}`,
    `  API docs:    ${stack.url}/docs (try it out with a token; the document: ${stack.url}/openapi.json)`,
    `  User pool:   ${stack.userPoolId}`,
    `  App client:  ${stack.clientId}`,
    `  Cognito:     ${stack.cognitoEndpoint}`,
    `  DynamoDB:    ${stack.dynamodbEndpoint}`,
    `  Data:        ${dataDir ? dataDir : "temporary (set OMS_DATA_DIR to keep it)"}`,
    `  Mailbox:     GET ${stack.url}/_local/mail?to=<email> (order and alarm mail; no token needed)`,
    `  Alarm mail:  ${stack.url}/_local/mail?to=${encodeURIComponent(stack.config.alertEmail)}`,
    `  Events:      GET ${stack.url}/_local/events[?type=OrderPlaced] (what the order-events topic took, newest last)`,
    `  Metrics:     GET ${stack.url}/_local/metrics (business metrics; ReservationsReleased counts what the reservation sweeper, every ${RESERVATION_SWEEP_INTERVAL_SECONDS} s, gave back)`,
    "",
    "Get a token:  TOKEN=$(npm run -s token -- --email you@example.com [--admin])",
    `Profile:      curl -X POST -H "Authorization: Bearer $TOKEN" -H "content-type: application/json" -d '{"name":"You","email":"you@example.com"}' ${stack.url}/users`,
    `Then:         curl -H "Authorization: Bearer $TOKEN" ${stack.url}/inventory`,
    "Stop with Ctrl-C.",
  ].join("\n");
}

/** `npm start`: runs the local stack until SIGINT or SIGTERM, then stops every child process. */
async function main(): Promise<void> {
  let stack: LocalStack | undefined;
  let signalled = false;
  const stop = (reason: string) => {
    if (signalled) return;
    signalled = true;
    console.error(`${reason}: stopping the local stack`);
    // While starting, the stack is not ours to stop yet; startup notices the signal when it ends.
    if (stack) void stack.stop().finally(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  // `npm start` runs us under `sh -c`, which dies of SIGTERM without passing it on: losing our
  // parent is the same request to stop, and the only way to leave no Java process behind.
  const parent = process.ppid;
  setInterval(() => {
    if (process.ppid !== parent) stop("Parent process exited");
  }, 500).unref();

  try {
    stack = await startLocalStack();
  } catch (error) {
    console.error(`The local stack could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (signalled) {
    await stack.stop();
    process.exit(0);
  }
  const postmanEnvironment = await writeLocalPostmanEnvironment(stack);
  console.log(describeReady(stack));
  console.log(`Postman:      import api/ and pick the environment ${postmanEnvironment}`);
}

void main();
