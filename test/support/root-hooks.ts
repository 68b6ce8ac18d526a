import { stopDynamoDbLocal } from "./dynamodb";

/** Mocha root hooks: shared emulators stop once, after every spec. */
export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopDynamoDbLocal();
  },
};
