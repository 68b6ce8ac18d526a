import { expect } from "chai";
import { MissingFieldsError, ValidationError } from "../../domain/errors";
import { USER_LIMITS, parseNewUser, parseUserChanges } from "../../domain/user";

describe("user profiles", () => {
  it("keeps name and a normalised e-mail, dropping anything else", () => {
    expect(parseNewUser({ name: " Dinesh ", email: " Dinesh@Example.COM ", userId: "someone-else" })).to.deep.equal({
      name: "Dinesh",
      email: "dinesh@example.com",
    });
  });

  it("reports absent fields together", () => {
    expect(() => parseNewUser({}))
      .to.throw(MissingFieldsError)
      .that.deep.includes({ missingFields: ["name", "email"], requiredFields: ["name", "email"] });
  });

  it("refuses an address that is not one, naming email", () => {
    expect(() => parseNewUser({ name: "D", email: "not-an-address" }))
      .to.throw(ValidationError, "email must be an e-mail address")
      .that.includes({ field: "email" });
  });

  it("refuses an over-long name, naming name", () => {
    expect(() => parseNewUser({ name: "n".repeat(USER_LIMITS.nameLength + 1), email: "d@example.com" }))
      .to.throw(ValidationError, `name must be at most ${USER_LIMITS.nameLength} characters`)
      .that.includes({ field: "name" });
  });

  it("updates name, e-mail or order mail, and refuses an update of none", () => {
    expect(parseUserChanges({ email: "new@example.com" })).to.deep.equal({ email: "new@example.com" });
    expect(parseUserChanges({ orderMail: false })).to.deep.equal({ orderMail: false });
    expect(() => parseUserChanges({ nickname: "x" }))
      .to.throw(ValidationError, "body must change name, email or orderMail")
      .that.includes({ field: "body" });
  });

  it("refuses an orderMail that is not a boolean, naming orderMail", () => {
    expect(() => parseUserChanges({ orderMail: "off" }))
      .to.throw(ValidationError, "orderMail must be true or false")
      .that.includes({ field: "orderMail" });
  });
});
