import { expect } from "chai";
import { routeKey, routes } from "../../api/routes";
import { matchRoute } from "../../local/route-matching";

/** A route table of its own, so that the rules below hold whatever routes the API has. */
const table = [
  { method: "POST" as const, path: "/orders" },
  { method: "GET" as const, path: "/orders" },
  { method: "GET" as const, path: "/orders/{id}" },
  { method: "DELETE" as const, path: "/orders/{id}" },
];

/** A request path for `path` with each `{name}` or `{name+}` segment replaced by `value`. */
function requestPath(path: string, value: string): string {
  return path.replace(/\{[^}]+\}/g, encodeURIComponent(value));
}

describe("matchRoute", () => {
  it("matches a static path to its route, without path parameters", () => {
    const match = matchRoute(table, "POST", "/orders");

    expect(match?.route).to.equal(table[0]);
    expect(match?.pathParameters).to.deep.equal({});
  });

  it("tells GET and POST on the same path apart", () => {
    expect(matchRoute(table, "GET", "/orders")?.route).to.equal(table[1]);
  });

  it("captures a path parameter from a template", () => {
    const match = matchRoute(table, "DELETE", "/orders/0f8fad5b-d9cb-469f-a165-70867728950e");

    expect(match?.route).to.equal(table[3]);
    expect(match?.pathParameters).to.deep.equal({ id: "0f8fad5b-d9cb-469f-a165-70867728950e" });
  });

  it("decodes a percent-encoded path parameter", () => {
    expect(matchRoute(table, "GET", "/orders/a%20b")?.pathParameters).to.deep.equal({ id: "a b" });
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
      expect(matchRoute(table, method, path)).to.equal(undefined);
    });
  }

  it("prefers a static segment over a parameter, and a parameter over a greedy one", () => {
    const files = [
      { method: "GET" as const, path: "/files/{proxy+}" },
      { method: "GET" as const, path: "/files/{name}" },
      { method: "GET" as const, path: "/files/latest" },
    ];

    expect(matchRoute(files, "GET", "/files/latest")?.route.path).to.equal("/files/latest");
    expect(matchRoute(files, "GET", "/files/report")?.route.path).to.equal("/files/{name}");
    expect(matchRoute(files, "GET", "/files/a/b")?.pathParameters).to.deep.equal({ proxy: "a/b" });
  });

  describe("on the API's route table", () => {
    it("finds no two routes with the same method and path, so that each can be reached", () => {
      const keys = routes.map(routeKey);

      expect(keys.filter((key, index) => keys.indexOf(key) !== index)).to.deep.equal([]);
    });

    for (const route of routes) {
      it(`routes a request for ${routeKey(route)} to ${route.functionName}, with its path parameters`, () => {
        const value = "a value/no route names";

        const match = matchRoute(routes, route.method, requestPath(route.path, value));

        expect(match?.route).to.equal(route);
        expect(match?.pathParameters).to.deep.equal(
          Object.fromEntries([...route.path.matchAll(/\{([^}+]+)\+?\}/g)].map(([, name]) => [name, value])),
        );
      });
    }
  });
});
