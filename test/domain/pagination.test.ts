import { expect } from "chai";
import { ValidationError } from "../../domain/errors";
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, parsePageRequest } from "../../domain/pagination";

describe("parsePageRequest", () => {
  it("defaults to the default page size, from the start", () => {
    expect(parsePageRequest(undefined)).to.deep.equal({ limit: DEFAULT_PAGE_SIZE });
  });

  it("reads limit and nextToken from the query string", () => {
    expect(parsePageRequest({ limit: "5", nextToken: "abc" })).to.deep.equal({ limit: 5, nextToken: "abc" });
  });

  for (const limit of ["0", String(MAX_PAGE_SIZE + 1), "-1", "2.5", "ten", ""]) {
    it(`refuses limit=${JSON.stringify(limit)}, naming limit`, () => {
      let error: unknown;
      try {
        parsePageRequest({ limit });
      } catch (caught) {
        error = caught;
      }
      expect(error).to.be.instanceOf(ValidationError);
      expect(error).to.include({ field: "limit", message: `limit must be an integer from 1 to ${MAX_PAGE_SIZE}` });
    });
  }

  it("refuses an empty nextToken, naming nextToken", () => {
    expect(() => parsePageRequest({ nextToken: "" }))
      .to.throw(ValidationError, "nextToken must not be empty")
      .with.property("field", "nextToken");
  });
});
