import { expect } from "chai";
import { DEFAULT_LOCAL_PASSWORD, passwordProblems } from "../../local/sign-in";

describe("passwordProblems", () => {
  it("finds nothing wrong with the documented local default password", () => {
    expect(passwordProblems(DEFAULT_LOCAL_PASSWORD)).to.deep.equal([]);
  });

  const cases: [string, string, string[]][] = [
    ["a short password", "Aa1!aaaa", ["at least 12 characters"]],
    ["no uppercase", "aaaaaaaaaa1!", ["an uppercase letter"]],
    ["no lowercase", "AAAAAAAAAA1!", ["a lowercase letter"]],
    ["no number", "Aaaaaaaaaaa!", ["a number"]],
    ["no symbol", "Aaaaaaaaaaa1", ["a symbol"]],
    ["everything", "", ["at least 12 characters", "an uppercase letter", "a lowercase letter", "a number", "a symbol"]],
  ];
  for (const [what, password, problems] of cases) {
    it(`names what is missing from ${what}`, () => {
      expect(passwordProblems(password)).to.deep.equal(problems);
    });
  }
});
