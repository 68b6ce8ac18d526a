import { expect } from "chai";
import { type Caller, ownerScope } from "../../domain/caller";

const alice: Caller = { userId: "alice", isAdmin: false };
const admin: Caller = { userId: "root", isAdmin: true };

describe("ownerScope", () => {
  it("scopes a customer to their own orders, and an admin to every owner's", () => {
    expect(ownerScope(alice)).to.equal("alice");
    expect(ownerScope(admin)).to.equal(undefined);
  });
});
