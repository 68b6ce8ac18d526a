import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { type Route, routeKey, routes } from "../../api/routes";
import { OrdersApi, type OrdersApiArgs } from "../../infra";
import { API_FUNCTION_MAX_TIMEOUT_SECONDS } from "../../infra/aws-limits";
import { WORKFLOW_TIMEOUT_SECONDS } from "../../workflow/definition";
import {
  type Deployment,
  MockRecorder,
  type RecordedResource,
  deployStack,
  runComponents,
  runProgram,
  stackConfig,
} from "../support/pulumi-mocks";

const API = "aws:apigatewayv2/api:Api";
const AUTHORIZER = "aws:apigatewayv2/authorizer:Authorizer";
const ROUTE = "aws:apigatewayv2/route:Route";
const INTEGRATION = "aws:apigatewayv2/integration:Integration";
const STAGE = "aws:apigatewayv2/stage:Stage";
const PERMISSION = "aws:lambda/permission:Permission";
const FUNCTION = "aws:lambda/function:Function";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const USER_POOL = "aws:cognito/userPool:UserPool";
const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";
const DOMAIN_NAME = "aws:apigatewayv2/domainName:DomainName";
const API_MAPPING = "aws:apigatewayv2/apiMapping:ApiMapping";

/** A certificate in the dev stack's region, where a regional API Gateway domain name reads it. */
const REGIONAL_CERTIFICATE = "arn:aws:acm:eu-west-1:123456789012:certificate/9f8e7d6c-5b4a-4321-9876-543210fedcba";

/** What each stack's `Pulumi.<stack>.yaml` asks of the API (`functionTimeoutSeconds` defaults to 10). */
const stacks = [
  {
    stack: "dev",
    burstLimit: 50,
    rateLimit: 100,
    logRetentionDays: 7,
    corsAllowedOrigins: ["*"],
    functionTimeoutSeconds: 10,
  },
  {
    stack: "prod",
    burstLimit: 500,
    rateLimit: 1000,
    logRetentionDays: 90,
    corsAllowedOrigins: ["https://orders.example.com"],
    functionTimeoutSeconds: 10,
  },
];

function only(deployment: Deployment, type: string): RecordedResource {
  const [first, ...rest] = deployment.ofType(type);
  expect(rest, `more than one ${type}`).to.deep.equal([]);
  expect(first, `no ${type}`).to.not.equal(undefined);
  return first as RecordedResource;
}

function routeFor(deployment: Deployment, key: string): RecordedResource {
  const found = deployment.ofType(ROUTE).filter((route) => route.inputs["routeKey"] === key);
  expect(found, `routes for ${key}`).to.have.length(1);
  return found[0] as RecordedResource;
}

describe("OrdersApi", () => {
  for (const expected of stacks) {
    describe(`on the ${expected.stack} stack`, () => {
      let deployment: Deployment;

      before(async () => {
        deployment = await deployStack(expected.stack);
      });

      it("serves exactly the routes of api/routes.ts, each behind the JWT authorizer", () => {
        const authorizer = only(deployment, AUTHORIZER);

        const served = deployment.ofType(ROUTE);

        expect(served.map((route) => route.inputs["routeKey"]).sort()).to.deep.equal(routes.map(routeKey).sort());
        for (const route of served) {
          expect(route.inputs).to.deep.include({ authorizationType: "JWT", authorizerId: authorizer.id });
        }
      });

      it("has no OPTIONS route, so that preflight requests are answered by the CORS config without a token", () => {
        const keys = deployment.ofType(ROUTE).map((route) => String(route.inputs["routeKey"]));

        expect(keys.filter((key) => key.startsWith("OPTIONS ") || key === "$default")).to.deep.equal([]);
      });

      it("integrates each route with its own function, as a Lambda proxy with payload format 2.0", () => {
        const invoked = new Set<unknown>();

        for (const route of routes) {
          const target = String(routeFor(deployment, routeKey(route)).inputs["target"]);
          const integration = deployment.withId(INTEGRATION, target.replace(/^integrations\//, ""));
          const fn = deployment.named(FUNCTION, `oms-${route.functionName}`);

          expect(target).to.match(/^integrations\//);
          expect(integration.inputs).to.deep.include({
            integrationType: "AWS_PROXY",
            payloadFormatVersion: "2.0",
            integrationUri: fn.state["invokeArn"],
          });
          invoked.add(integration.inputs["integrationUri"]);
        }
        expect(invoked.size).to.equal(routes.length);
      });

      it("lets API Gateway invoke each function for its own method and path only, path parameters as wildcards", () => {
        const executionArn = String(only(deployment, API).state["executionArn"]);

        for (const route of routes) {
          const fn = deployment.named(FUNCTION, `oms-${route.functionName}`);
          const permissions = deployment.ofType(PERMISSION).filter((p) => p.inputs["function"] === fn.state["name"]);
          const path = route.path.replace(/\{[^}]+\}/g, "*");

          expect(permissions.map((permission) => permission.inputs)).to.deep.equal([
            {
              action: "lambda:InvokeFunction",
              function: fn.state["name"],
              principal: "apigateway.amazonaws.com",
              sourceArn: `${executionArn}/*/${route.method}${path}`,
            },
          ]);
        }
        expect(deployment.named(PERMISSION, "oms-get-order").inputs["sourceArn"]).to.equal(
          `${executionArn}/*/GET/orders/*`,
        );
      });

      it(`gives each function its route's timeout, else the stack's ${expected.functionTimeoutSeconds} s`, () => {
        for (const route of routes) {
          expect(
            deployment.named(FUNCTION, `oms-${route.functionName}`).inputs["timeout"],
            route.functionName,
          ).to.equal(route.timeoutSeconds ?? expected.functionTimeoutSeconds);
        }
      });

      it("lets every function that waits for the workflow outlast it, and still answer before API Gateway gives up", () => {
        const waiting = routes.filter((route) => route.services?.includes("orderWorkflow:start"));

        expect(waiting, "routes that start the workflow").to.not.deep.equal([]);
        for (const route of waiting) {
          const timeout = deployment.named(FUNCTION, `oms-${route.functionName}`).inputs["timeout"];
          expect(timeout, route.functionName).to.be.above(WORKFLOW_TIMEOUT_SECONDS);
          expect(timeout, route.functionName).to.be.at.most(API_FUNCTION_MAX_TIMEOUT_SECONDS);
        }
      });

      it(`throttles each route of the $default stage at a burst of ${expected.burstLimit} and ${expected.rateLimit} requests a second`, () => {
        const stage = only(deployment, STAGE);

        expect(stage.inputs).to.deep.include({ apiId: only(deployment, API).id, name: "$default", autoDeploy: true });
        expect(stage.inputs["defaultRouteSettings"]).to.deep.equal({
          throttlingBurstLimit: expected.burstLimit,
          throttlingRateLimit: expected.rateLimit,
        });
      });

      it(`writes JSON access logs to a log group kept ${expected.logRetentionDays} days`, () => {
        const settings = only(deployment, STAGE).inputs["accessLogSettings"] as Record<string, string>;

        const logGroup = deployment
          .ofType(LOG_GROUP)
          .find((group) => group.state["arn"] === settings["destinationArn"]);

        expect(logGroup?.inputs["retentionInDays"]).to.equal(expected.logRetentionDays);
        const format = JSON.parse(settings["format"] ?? "") as Record<string, string>;
        // One JSON object of $context variables: a request can be found by its id, and a refused token says why.
        expect(Object.values(format).every((value) => /^\$context\.[A-Za-z.]+$/.test(value))).to.equal(true);
        expect(Object.values(format)).to.include.members(["$context.requestId", "$context.authorizer.error"]);
      });

      it("keeps the execute-api endpoint enabled, stated explicitly: CloudFront's origin where the edge is on", () => {
        expect(only(deployment, API).inputs["disableExecuteApiEndpoint"]).to.equal(false);
      });

      it("gives API Gateway no custom domain when the stack sets none", () => {
        expect(deployment.ofType(DOMAIN_NAME)).to.deep.equal([]);
        expect(deployment.ofType(API_MAPPING)).to.deep.equal([]);
      });

      it("allows the stack's origins, the routes' methods plus OPTIONS, and the headers the API reads", () => {
        const api = only(deployment, API);

        const cors = api.inputs["corsConfiguration"] as Record<string, string[]>;

        expect(api.inputs["protocolType"]).to.equal("HTTP");
        expect(cors["allowOrigins"]).to.deep.equal(expected.corsAllowedOrigins);
        expect(cors["allowMethods"]).to.have.members([...new Set(routes.map((route) => route.method)), "OPTIONS"]);
        expect(cors["allowHeaders"]).to.include.members(["authorization", "content-type"]);
        expect(cors["allowHeaders"]?.includes("idempotency-key")).to.equal(
          routes.some((route) => route.idempotencyKey),
        );
      });

      it("lets browsers read the Location of what a POST created, and Retry-After", () => {
        const cors = only(deployment, API).inputs["corsConfiguration"] as Record<string, string[]>;

        expect(cors["exposeHeaders"]).to.include.members(["location", "retry-after"]);
      });

      it("accepts only tokens the user pool issued to the app client", () => {
        const pool = only(deployment, USER_POOL);
        const client = only(deployment, CLIENT);

        const authorizer = only(deployment, AUTHORIZER);

        expect(authorizer.inputs).to.deep.equal({
          apiId: only(deployment, API).id,
          authorizerType: "JWT",
          identitySources: ["$request.header.Authorization"],
          jwtConfiguration: {
            issuer: `https://cognito-idp.eu-west-1.amazonaws.com/${pool.id}`,
            audiences: [client.id],
          },
        });
      });
    });
  }

  describe("on the dev stack with a custom domain", () => {
    let deployment: Deployment;

    before(async () => {
      const config = {
        ...stackConfig("dev"),
        "oms:customDomain": JSON.stringify({
          domainName: "api.dev.orders.example.com",
          certificateArn: REGIONAL_CERTIFICATE,
        }),
      };
      deployment = await runProgram("dev", config);
    });

    it("serves the domain as a regional API Gateway domain name with its certificate and TLS 1.2 at least", () => {
      const domain = only(deployment, DOMAIN_NAME);

      expect(domain.inputs).to.deep.equal({
        domainName: "api.dev.orders.example.com",
        domainNameConfiguration: {
          certificateArn: REGIONAL_CERTIFICATE,
          endpointType: "REGIONAL",
          securityPolicy: "TLS_1_2",
        },
      });
    });

    it("maps the domain's root to the API's $default stage", () => {
      const mapping = only(deployment, API_MAPPING);

      expect(mapping.inputs).to.deep.equal({
        apiId: only(deployment, API).id,
        domainName: only(deployment, DOMAIN_NAME).id,
        stage: only(deployment, STAGE).id,
      });
    });

    it("exports the domain as apiUrl, and API Gateway's regional domain as where its DNS record must point", () => {
      const domain = only(deployment, DOMAIN_NAME);

      expect(deployment.outputs["apiUrl"]).to.equal("https://api.dev.orders.example.com/");
      expect(deployment.outputs["customDomainTarget"]).to.equal(
        (domain.state["domainNameConfiguration"] as Record<string, unknown>)["targetDomainName"],
      );
      expect(deployment.outputs["customDomainTarget"]).to.match(/\.execute-api\.eu-west-1\.amazonaws\.com$/);
    });
  });

  describe("given one route", () => {
    const route = routes.find((candidate) => candidate.services === undefined) as Route;
    let deployment: Deployment;

    before(async () => {
      deployment = await runComponents(() => {
        new OrdersApi("one", {
          routes: [route],
          tables: Object.fromEntries(
            route.grants.map(({ table }) => [
              table.name,
              { name: table.name, arn: `arn:aws:dynamodb:eu-west-1:123456789012:table/${table.name}` },
            ]),
          ),
          issuerUrl: "https://cognito-idp.eu-west-1.amazonaws.com/pool",
          clientId: "client",
          throttle: { burstLimit: 5, rateLimit: 10 },
          corsAllowedOrigins: ["*"],
          logRetentionDays: 7,
          functionMemoryMb: 256,
          functionTimeoutSeconds: 10,
          orderWorkflowArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
          stack: "test",
        });
      });
    });

    it("serves that route alone, with one function, integration and permission for it", () => {
      expect(deployment.ofType(ROUTE).map((served) => served.inputs["routeKey"])).to.deep.equal([routeKey(route)]);
      expect(deployment.ofType(FUNCTION).map((fn) => fn.name)).to.deep.equal([`one-${route.functionName}`]);
      expect(deployment.ofType(INTEGRATION)).to.have.length(1);
      expect(deployment.ofType(PERMISSION)).to.have.length(1);
    });
  });

  describe("args", () => {
    const valid: OrdersApiArgs = {
      routes,
      tables: {},
      issuerUrl: "https://cognito-idp.eu-west-1.amazonaws.com/pool",
      clientId: "client",
      throttle: { burstLimit: 50, rateLimit: 100 },
      corsAllowedOrigins: ["*"],
      logRetentionDays: 7,
      functionMemoryMb: 256,
      functionTimeoutSeconds: 10,
      orderWorkflowArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
      stack: "dev",
    };

    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    const cases: { change: Partial<OrdersApiArgs>; message: string }[] = [
      {
        change: { routes: [] },
        message: 'OrdersApi "oms": routes must not be empty',
      },
      {
        change: { throttle: { burstLimit: 0, rateLimit: 100 } },
        message: 'OrdersApi "oms": throttle.burstLimit must be a positive integer',
      },
      {
        change: { throttle: { burstLimit: 50, rateLimit: 2.5 } },
        message: 'OrdersApi "oms": throttle.rateLimit must be a positive integer',
      },
      {
        change: { corsAllowedOrigins: [] },
        message: 'OrdersApi "oms": corsAllowedOrigins must not be empty',
      },
      {
        change: { logRetentionDays: 10 },
        message: `OrdersApi "oms": logRetentionDays must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653`,
      },
      {
        change: { functionTimeoutSeconds: 30 },
        message: 'OrdersApi "oms": functionTimeoutSeconds must be an integer from 1 to 29',
      },
      {
        change: { functionMemoryMb: 64 },
        message: 'OrdersApi "oms": functionMemoryMb must be an integer from 128 to 10240',
      },
    ];
    for (const { change, message } of cases) {
      it(`refuses ${JSON.stringify(change)}, naming the component and the field`, () => {
        const args = { ...valid, ...change };

        const construct = () => new OrdersApi("oms", args);

        expect(construct).to.throw(pulumi.RunError).with.property("message", message);
      });
    }
  });
});
