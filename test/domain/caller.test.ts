import { expect } from "chai";
import { type Caller, canAccessOrder, ownerScope } from "../../domain/caller";

const alice: Caller = { userId: "alice", isAdmin: false };
const admin: Caller = { userId: "root", isAdmin: true };

describe("order access", () => {
  it("lets owners see their own orders only", () => {
    expect(canAccessOrder(alice, { ownerId: "alice" })).to.equal(true);
    expect(canAccessOrder(alice, { ownerId: "bob" })).to.equal(false);
  });

  it("lets admins see every order", () => {
    expect(canAccessOrder(admin, { ownerId: "bob" })).to.equal(true);
  });

  it("scopes listing and deleting to the caller, or to every owner for an admin", () => {
    expect(ownerScope(alice)).to.equal("alice");
    expect(ownerScope(admin)).to.equal(undefined);
  });
});
