import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { routeKey, routes } from "../../api/routes";
import { OrdersApi, type OrdersApiArgs } from "../../infra";
import { idempotencyTable, ordersTable, tables } from "../../storage/tables";
import {
  type Deployment,
  MockRecorder,
  type RecordedResource,
  deployStack,
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
const TABLE = "aws:dynamodb/table:Table";
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
    protectData: false,
    functionTimeoutSeconds: 10,
  },
  {
    stack: "prod",
    burstLimit: 500,
    rateLimit: 1000,
    logRetentionDays: 90,
    corsAllowedOrigins: ["https://orders.example.com"],
    protectData: true,
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

      it(`gives place-order 28 s, to outlast the 25 s workflow it waits for, and every other route's function the stack's ${expected.functionTimeoutSeconds} s`, () => {
        const timeouts = Object.fromEntries(
          routes.map((route) => [
            route.functionName,
            deployment.named(FUNCTION, `oms-${route.functionName}`).inputs["timeout"],
          ]),
        );

        expect(timeouts).to.deep.equal({
          "place-order": 28,
          "list-orders": expected.functionTimeoutSeconds,
          "get-order": expected.functionTimeoutSeconds,
          "delete-order": expected.functionTimeoutSeconds,
          "update-order-status": expected.functionTimeoutSeconds,
          "update-order-status-legacy": expected.functionTimeoutSeconds,
          "create-user": expected.functionTimeoutSeconds,
          "get-user": expected.functionTimeoutSeconds,
          "update-user": expected.functionTimeoutSeconds,
          "list-inventory": expected.functionTimeoutSeconds,
          "set-stock": expected.functionTimeoutSeconds,
        });
      });

      it(`throttles the $default stage at a burst of ${expected.burstLimit} and ${expected.rateLimit} requests a second`, () => {
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
        expect(JSON.parse(settings["format"] ?? "")).to.deep.equal({
          requestId: "$context.requestId",
          ip: "$context.identity.sourceIp",
          requestTime: "$context.requestTime",
          httpMethod: "$context.httpMethod",
          routeKey: "$context.routeKey",
          status: "$context.status",
          protocol: "$context.protocol",
          responseLength: "$context.responseLength",
          integrationErrorMessage: "$context.integrationErrorMessage",
          authorizerError: "$context.authorizer.error",
        });
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

        expect(api.inputs["protocolType"]).to.equal("HTTP");
        expect(api.inputs["corsConfiguration"]).to.deep.equal({
          allowOrigins: expected.corsAllowedOrigins,
          allowMethods: ["POST", "GET", "DELETE", "PATCH", "PUT", "OPTIONS"],
          allowHeaders: ["authorization", "content-type", "idempotency-key"],
          maxAge: 3600,
        });
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

      it("creates one on-demand table per definition in storage/tables.ts, encrypted at rest as stated explicitly", () => {
        const created = deployment.ofType(TABLE);

        expect(created.map((table) => table.name).sort()).to.deep.equal(tables.map((t) => `oms-${t.name}`).sort());
        for (const table of created) {
          expect(table.inputs).to.deep.include({
            billingMode: "PAY_PER_REQUEST",
            serverSideEncryption: { enabled: true },
          });
        }
      });

      it("keys the orders table by OrderId, with the byOwner and newest indexes projecting every attribute", () => {
        const orders = deployment.named(TABLE, `oms-${ordersTable.name}`);

        expect(orders.inputs["hashKey"]).to.equal("OrderId");
        expect(orders.inputs["rangeKey"]).to.equal(undefined);
        expect(orders.inputs["attributes"]).to.deep.equal([
          { name: "OrderId", type: "S" },
          { name: "ownerId", type: "S" },
          { name: "createdAt", type: "S" },
          { name: "kind", type: "S" },
        ]);
        expect(orders.inputs["globalSecondaryIndexes"]).to.deep.equal([
          { name: "byOwner", hashKey: "ownerId", rangeKey: "createdAt", projectionType: "ALL" },
          { name: "newest", hashKey: "kind", rangeKey: "createdAt", projectionType: "ALL" },
        ]);
      });

      it("lets DynamoDB delete idempotency records once their expiration has passed, and nothing from other tables", () => {
        const withTtl = deployment.ofType(TABLE).filter((table) => table.inputs["ttl"] !== undefined);

        expect(withTtl.map((table) => [table.name, table.inputs["ttl"]])).to.deep.equal([
          [`oms-${idempotencyTable.name}`, { attributeName: "expiration", enabled: true }],
        ]);
      });

      if (expected.protectData) {
        it("protects every table: point-in-time recovery, deletion protection, protect and retainOnDelete", () => {
          for (const table of deployment.ofType(TABLE)) {
            expect(table.inputs).to.deep.include({
              pointInTimeRecovery: { enabled: true },
              deletionProtectionEnabled: true,
            });
            expect(deployment.optionsOf(TABLE, table.name)).to.deep.include({ protect: true, retainOnDelete: true });
          }
        });
      } else {
        it("leaves every table unprotected, so that the stack can be torn down", () => {
          for (const table of deployment.ofType(TABLE)) {
            expect(table.inputs).to.deep.include({
              pointInTimeRecovery: { enabled: false },
              deletionProtectionEnabled: false,
            });
            expect(deployment.optionsOf(TABLE, table.name)).to.deep.equal({
              dependsOn: [],
              parent: "oms:infra:OrdersApi::oms",
              aliases: [],
            });
          }
        });
      }
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

  describe("args", () => {
    const valid: OrdersApiArgs = {
      issuerUrl: "https://cognito-idp.eu-west-1.amazonaws.com/pool",
      clientId: "client",
      throttle: { burstLimit: 50, rateLimit: 100 },
      corsAllowedOrigins: ["*"],
      logRetentionDays: 7,
      functionMemoryMb: 256,
      functionTimeoutSeconds: 10,
      orderWorkflowArn: "arn:aws:states:eu-west-1:123456789012:stateMachine:orders",
      notificationsTopicArn: "arn:aws:sns:eu-west-1:123456789012:order-notifications",
      stack: "dev",
    };

    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    const cases: { change: Partial<OrdersApiArgs>; message: string }[] = [
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
