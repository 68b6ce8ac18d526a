const ROUTE_TYPE = "aws:apigatewayv2/route:Route";

/** What API Gateway accepts as a caller's proof of identity; `NONE`, the default, lets anyone in. */
const AUTHORIZATION_TYPES: readonly string[] = ["JWT", "CUSTOM", "AWS_IAM"];

/**
 * Every HTTP API route checks who calls it, except `OPTIONS` routes: browsers send CORS preflight
 * requests without credentials, so an authorized preflight would fail every cross-origin call.
 */
export function routeAuthorizationViolations(type: string, props: Readonly<Record<string, unknown>>): string[] {
  if (type !== ROUTE_TYPE) {
    return [];
  }
  const routeKey = String(props["routeKey"]);
  const authorizationType = props["authorizationType"] ?? "NONE";
  if (routeKey.startsWith("OPTIONS ") || AUTHORIZATION_TYPES.includes(String(authorizationType))) {
    return [];
  }
  return [
    `Route "${routeKey}" has authorizationType ${String(authorizationType)}; every route but OPTIONS (CORS preflight) must use JWT, CUSTOM or AWS_IAM`,
  ];
}
