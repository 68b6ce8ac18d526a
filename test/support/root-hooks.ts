import { stopDynamoDbLocal } from "./dynamodb";

// The handlers log as they do in Lambda; the suite runs thousands of invocations, whose INFO lines
// would bury the report. Warnings and errors still show, and a spec that reads INFO sets it itself.
process.env["POWERTOOLS_LOG_LEVEL"] ??= "WARN";

/** Mocha root hooks: shared emulators stop once, after every spec. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopDynamoDbLocal();
  },
};
