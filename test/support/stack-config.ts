import { expect } from "chai";

/** Every key a stack's config must set, valid: what specs change one key of. */
export const REQUIRED_STACK_CONFIG = {
  alertEmail: "oncall@example.com",
  mailFrom: "orders@orders.example.com",
  throttle: { burstLimit: 50, rateLimit: 100 },
  logRetentionDays: 7,
  corsAllowedOrigins: ["*"],
  protectData: false,
  authDomainPrefix: "oms-test",
  callbackUrls: ["http://localhost:3000/callback"],
};

/** The error a promise rejects with; fails when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    expect(error).to.be.an.instanceOf(Error);
    return error as Error;
  }
  throw new Error("Expected a rejection");
}
