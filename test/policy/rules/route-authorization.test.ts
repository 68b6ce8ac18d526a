import { expect } from "chai";
import { routeAuthorizationViolations } from "../../../policy/rules/route-authorization";

const ROUTE = "aws:apigatewayv2/route:Route";

describe("routeAuthorizationViolations", () => {
  const cases: { what: string; type: string; props: Record<string, unknown>; violations: string[] }[] = [
    {
      what: "a route behind the JWT authorizer",
      type: ROUTE,
      props: { routeKey: "POST /orders", authorizationType: "JWT", authorizerId: "oms-jwt-id" },
      violations: [],
    },
    {
      what: "a route behind a Lambda authorizer",
      type: ROUTE,
      props: { routeKey: "GET /orders", authorizationType: "CUSTOM", authorizerId: "oms-lambda-authorizer-id" },
      violations: [],
    },
    {
      what: "a route signed with IAM",
      type: ROUTE,
      props: { routeKey: "GET /inventory", authorizationType: "AWS_IAM" },
      violations: [],
    },
    {
      what: "a CORS preflight route without authorization",
      type: ROUTE,
      props: { routeKey: "OPTIONS /orders", authorizationType: "NONE" },
      violations: [],
    },
    {
      what: "a route with authorizationType NONE",
      type: ROUTE,
      props: { routeKey: "GET /orders/{id}", authorizationType: "NONE" },
      violations: [
        'Route "GET /orders/{id}" has authorizationType NONE; every route but OPTIONS (CORS preflight) must use JWT, CUSTOM or AWS_IAM',
      ],
    },
    {
      what: "a route that leaves authorizationType to its default",
      type: ROUTE,
      props: { routeKey: "DELETE /orders/{id}" },
      violations: [
        'Route "DELETE /orders/{id}" has authorizationType NONE; every route but OPTIONS (CORS preflight) must use JWT, CUSTOM or AWS_IAM',
      ],
    },
    {
      what: "a catch-all route without authorization",
      type: ROUTE,
      props: { routeKey: "$default" },
      violations: [
        'Route "$default" has authorizationType NONE; every route but OPTIONS (CORS preflight) must use JWT, CUSTOM or AWS_IAM',
      ],
    },
    {
      what: "an ANY route, which also answers OPTIONS, without authorization",
      type: ROUTE,
      props: { routeKey: "ANY /orders" },
      violations: [
        'Route "ANY /orders" has authorizationType NONE; every route but OPTIONS (CORS preflight) must use JWT, CUSTOM or AWS_IAM',
      ],
    },
    { what: "another kind of resource", type: "aws:apigatewayv2/integration:Integration", props: {}, violations: [] },
  ];

  for (const { what, type, props, violations } of cases) {
    it(`reports ${violations.length === 0 ? "nothing" : violations.length} for ${what}`, () => {
      expect(routeAuthorizationViolations(type, props)).to.deep.equal(violations);
    });
  }
});
