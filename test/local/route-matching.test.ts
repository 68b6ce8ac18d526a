import { expect } from "chai";
import { routes } from "../../api/routes";
import { matchRoute } from "../../local/route-matching";

describe("matchRoute", () => {
  it("matches a static path to its route, without path parameters", () => {
    const match = matchRoute(routes, "POST", "/orders");

    expect(match?.route.functionName).to.equal("place-order");
    expect(match?.pathParameters).to.deep.equal({});
  });

  it("tells GET and POST on the same path apart", () => {
    expect(matchRoute(routes, "GET", "/orders")?.route.functionName).to.equal("list-orders");
  });

  it("captures a path parameter from a template", () => {
    const match = matchRoute(routes, "DELETE", "/orders/0f8fad5b-d9cb-469f-a165-70867728950e");

    expect(match?.route.functionName).to.equal("delete-order");
    expect(match?.pathParameters).to.deep.equal({ id: "0f8fad5b-d9cb-469f-a165-70867728950e" });
  });

  it("decodes a percent-encoded path parameter", () => {
    expect(matchRoute(routes, "GET", "/orders/a%20b")?.pathParameters).to.deep.equal({ id: "a b" });
  });

  const misses: [string, string, string][] = [
    ["a method the path has no route for", "PATCH", "/orders"],
    ["an unknown path", "GET", "/customers"],
    ["a trailing slash", "GET", "/orders/"],
    ["an extra segment", "GET", "/orders/1/items"],
    ["the root", "GET", "/"],
  ];
  for (const [what, method, path] of misses) {
    it(`finds nothing for ${what}`, () => {
      expect(matchRoute(routes, method, path)).to.equal(undefined);
    });
  }

  it("prefers a static segment over a parameter, and a parameter over a greedy one", () => {
    const table = [
      { method: "GET" as const, path: "/files/{proxy+}" },
      { method: "GET" as const, path: "/files/{name}" },
      { method: "GET" as const, path: "/files/latest" },
    ];

    expect(matchRoute(table, "GET", "/files/latest")?.route.path).to.equal("/files/latest");
    expect(matchRoute(table, "GET", "/files/report")?.route.path).to.equal("/files/{name}");
    expect(matchRoute(table, "GET", "/files/a/b")?.pathParameters).to.deep.equal({ proxy: "a/b" });
  });
});
