import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { mkdtempSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { type Route, routes } from "../../api/routes";
import type { ApiHandler, ApiResult } from "../../handlers/http";
import { ordersTable } from "../../storage/tables";
import { apiEvent, claimsFor } from "../support/api-events";
import { dynamoDbLocal, freshTable } from "../support/dynamodb";

/** Serializes a route's factory exactly as `aws.lambda.CallbackFunction` does before `pulumi up` uploads it. */
function serialize(route: Route): Promise<pulumi.runtime.SerializedFunction> {
  return pulumi.runtime.serializeFunction(route.handler, {
    serialize: () => true,
    exportName: "handler",
    isFactoryFunction: true,
    allowSecrets: true,
  });
}

/** Package names a serialized closure `require`s at run time. */
function requiredPackages(text: string): string[] {
  const names = [...text.matchAll(/require\("([^"]+)"\)/g)].map(([, specifier = ""]) =>
    specifier.startsWith("@") ? specifier.split("/").slice(0, 2).join("/") : (specifier.split("/")[0] ?? ""),
  );
  return [...new Set(names)].filter((name) => !builtinModules.includes(name) && !name.startsWith("node:")).sort();
}

describe("Handlers as `pulumi up` packages them", function () {
  this.timeout(120_000);
  const packaged = new Map<string, string>();

  before(async () => {
    for (const route of routes) {
      packaged.set(route.functionName, (await serialize(route)).text);
    }
  });

  for (const route of routes) {
    it(`serializes ${route.functionName}'s closure, requiring only valibot and the AWS SDK`, () => {
      const text = packaged.get(route.functionName) ?? "";

      expect(text).to.include("exports.handler");
      for (const name of requiredPackages(text)) {
        expect(name).to.match(/^(valibot|@aws-sdk\/[a-z-]+)$/);
      }
    });
  }

  describe("the packaged code, loaded as Lambda loads it", () => {
    const saved = { ...process.env };
    let dir: string;
    const handlers = new Map<string, ApiHandler>();

    before(async () => {
      const { endpoint } = await dynamoDbLocal();
      const tableName = await freshTable(ordersTable);
      Object.assign(process.env, {
        [ordersTable.envVar]: tableName,
        AWS_ENDPOINT_URL_DYNAMODB: endpoint,
        AWS_REGION: "us-east-1",
        AWS_ACCESS_KEY_ID: "local",
        AWS_SECRET_ACCESS_KEY: "local",
      });
      dir = mkdtempSync(join(tmpdir(), "oms-packaged-"));
      for (const [name, text] of packaged) {
        mkdirSync(join(dir, name));
        writeFileSync(join(dir, name, "__index.js"), text);
        symlinkSync(resolve("node_modules"), join(dir, name, "node_modules"), "dir");
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        handlers.set(name, (require(join(dir, name, "__index.js")) as { handler: ApiHandler }).handler);
      }
    });

    after(() => {
      process.env = saved;
      rmSync(dir, { recursive: true, force: true });
    });

    function call(name: string, event: Parameters<ApiHandler>[0]): Promise<ApiResult> {
      const handler = handlers.get(name);
      if (!handler) throw new Error(`no packaged handler ${name}`);
      return handler(event);
    }

    it("creates, reads, lists and deletes an order, with the domain's errors intact", async () => {
      const alice = claimsFor("alice");
      const created = await call(
        "create-order",
        apiEvent({
          routeKey: "POST /orders",
          claims: alice,
          body: JSON.stringify({ customerName: "Kamlesh", product: "MacBook Pro", quantity: 1 }),
        }),
      );
      expect(created.statusCode).to.equal(201);
      const { OrderId: id } = JSON.parse(created.body ?? "{}") as { OrderId: string };

      const read = await call(
        "get-order",
        apiEvent({ routeKey: "GET /orders/{id}", pathParameters: { id }, claims: alice }),
      );
      const listed = await call("list-orders", apiEvent({ routeKey: "GET /orders", claims: alice }));
      const deleted = await call(
        "delete-order",
        apiEvent({ routeKey: "DELETE /orders/{id}", pathParameters: { id }, claims: alice }),
      );
      const missing = await call("create-order", apiEvent({ routeKey: "POST /orders", claims: alice, body: "{}" }));
      const invalid = await call(
        "create-order",
        apiEvent({ routeKey: "POST /orders", claims: alice, body: '{"customerName":"K","product":"P","quantity":0}' }),
      );
      const foreign = await call(
        "get-order",
        apiEvent({ routeKey: "GET /orders/{id}", pathParameters: { id }, claims: claimsFor("bob") }),
      );

      expect(JSON.parse(read.body ?? "{}")).to.include({ OrderId: id, quantity: 1 });
      expect((JSON.parse(listed.body ?? "{}") as { items: unknown[] }).items).to.have.length(1);
      expect(deleted.statusCode).to.equal(204);
      expect([missing.statusCode, JSON.parse(missing.body ?? "{}")]).to.deep.equal([
        400,
        {
          message: "Missing required fields",
          missingFields: ["customerName", "product", "quantity"],
          requiredFields: ["customerName", "product", "quantity"],
        },
      ]);
      expect([invalid.statusCode, JSON.parse(invalid.body ?? "{}")]).to.deep.equal([
        400,
        { message: "quantity must be a positive integer", field: "quantity" },
      ]);
      expect(foreign.statusCode).to.equal(404);
    });
  });
});
