import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { type NewmanRunOptions, type NewmanRunSummary, run } from "newman";
import { openApiDocument } from "../../api/openapi-document";
import {
  type FlowStep,
  POSTMAN_FLOW,
  type PostmanCollection,
  type PostmanItem,
  postmanCollection,
} from "../../api/postman";
import { postmanEnvironment } from "../../local/postman-environment";

const document = openApiDocument();

function itemsOf(collection: PostmanCollection): PostmanItem[] {
  return collection.item.flatMap((folder) => folder.item);
}

function itemNamed(collection: PostmanCollection, name: string): PostmanItem {
  const item = itemsOf(collection).find((candidate) => candidate.name === name);
  if (!item) throw new Error(`No request named ${name}`);
  return item;
}

function testsOf(item: PostmanItem): string {
  return item.event.find((event) => event.listen === "test")?.script.exec.join("\n") ?? "";
}

function bodyOf(item: PostmanItem): unknown {
  return item.request.body ? JSON.parse(item.request.body.raw) : undefined;
}

describe("postmanCollection", () => {
  const collection = postmanCollection(document);

  it("is a Postman v2.1 collection named after the API", () => {
    expect(collection.info.name).to.equal("OMS");
    expect(collection.info.schema).to.equal("https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
  });

  it("holds the flow's requests in order, in one folder per resource", () => {
    expect(collection.item.map((folder) => folder.name)).to.deep.equal(["users", "inventory", "orders"]);
    expect(itemsOf(collection).map((item) => item.name)).to.deep.equal(POSTMAN_FLOW.map((step) => step.name));
    for (const folder of collection.item) {
      const resources = folder.item.map((item) => item.request.url.path[0]);
      expect(resources).to.deep.equal(folder.item.map(() => folder.name));
    }
  });

  it("sends each request to its route, path parameters in Postman's :name form with the flow's values", () => {
    expect(itemNamed(collection, "Read the order").request).to.deep.include({
      method: "GET",
      url: {
        raw: "{{baseUrl}}/orders/:id",
        host: ["{{baseUrl}}"],
        path: ["orders", ":id"],
        variable: [{ key: "id", value: "{{orderId}}", description: "The order's `OrderId`" }],
      },
    });
    expect(itemNamed(collection, "Stock the ordered item (admin)").request.url.variable).to.deep.equal([
      { key: "itemId", value: "{{product}}", description: "The item's `itemId` (the product's name), URL-encoded" },
    ]);
  });

  it("sends the operation's example body, with the signed-in user's e-mail where OMS mails it", () => {
    expect(bodyOf(itemNamed(collection, "Place an order"))).to.deep.equal({
      customerName: "Kamlesh",
      product: "MacBook Pro",
      quantity: 1,
    });
    expect(bodyOf(itemNamed(collection, "Ship the order (admin)"))).to.deep.equal({ status: "shipped" });
    expect(bodyOf(itemNamed(collection, "Stock the ordered item (admin)"))).to.deep.equal({ quantity: 4 });
    expect(bodyOf(itemNamed(collection, "Create my profile"))).to.deep.equal({ name: "Dinesh", email: "{{email}}" });
    expect(bodyOf(itemNamed(collection, "Deliver it through the original API (admin)"))).to.deep.equal({
      orderId: "{{orderId}}",
      userId: "{{userId}}",
      status: "delivered",
    });
    expect(bodyOf(itemNamed(collection, "Refused: an order without product and quantity"))).to.deep.equal({
      customerName: "Kamlesh",
    });
    expect(itemNamed(collection, "Place an order").request.header).to.deep.include({
      key: "Content-Type",
      value: "application/json",
    });
  });

  it("orders the item it stocks: the place-order example's product", () => {
    expect(collection.variable.find((variable) => variable.key === "product")?.value).to.equal("MacBook Pro");
  });

  it("sends a fresh Idempotency-Key with each order", () => {
    const keys = itemsOf(collection).map((item) => [
      item.name,
      item.request.header.find((header) => header.key === "Idempotency-Key")?.value,
    ]);

    expect(keys.filter(([, key]) => key !== undefined)).to.deep.equal([
      ["Place an order", "{{$guid}}"],
      ["Place another order", "{{$guid}}"],
      ["Refused: an order without product and quantity", "{{$guid}}"],
    ]);
  });

  it("sends the admin's ID token to admin-only routes, the user's elsewhere, and none to the 401 check", () => {
    const tokens = itemsOf(collection).map((item) => [
      item.name,
      item.request.auth.type === "bearer" ? item.request.auth.bearer[0].value : item.request.auth.type,
    ]);

    expect(tokens).to.deep.equal([
      ["Create my profile", "{{idToken}}"],
      ["Read my profile", "{{idToken}}"],
      ["Change my profile", "{{idToken}}"],
      ["List the inventory", "{{idToken}}"],
      ["Stock the ordered item (admin)", "{{adminIdToken}}"],
      ["Place an order", "{{idToken}}"],
      ["Read the order", "{{idToken}}"],
      ["List my orders", "{{idToken}}"],
      ["Ship the order (admin)", "{{adminIdToken}}"],
      ["Deliver it through the original API (admin)", "{{adminIdToken}}"],
      ["Place another order", "{{idToken}}"],
      ["Delete it", "{{idToken}}"],
      ["Refused: an order without product and quantity", "{{idToken}}"],
      ["Refused: an order that does not exist", "{{idToken}}"],
      ["Refused: a customer changing a status", "{{idToken}}"],
      ["Refused: no token", "noauth"],
    ]);
  });

  it("tests the status code of every request, and the body's keys and types when it has one", () => {
    const tests = itemsOf(collection).map((item) => [
      item.name,
      /pm\.test\("Status code is [\d or]+"/.test(testsOf(item)),
      /body is \w+: its keys and their types/.test(testsOf(item)) || testsOf(item).includes("has no body"),
    ]);

    expect(tests).to.deep.equal(POSTMAN_FLOW.map((step) => [step.name, true, true]));
    expect(testsOf(itemNamed(collection, "Delete it"))).to.contain('pm.expect(pm.response.text()).to.equal("");');
  });

  it("checks refusals against the contract's exact example", () => {
    expect(testsOf(itemNamed(collection, "Refused: an order without product and quantity"))).to.contain(
      'pm.expect(pm.response.json()).to.eql({"message":"Missing required fields","missingFields":["product","quantity"],"requiredFields":["customerName","product","quantity"]});',
    );
    expect(testsOf(itemNamed(collection, "Refused: no token"))).to.contain(
      'pm.expect(pm.response.json()).to.eql({"message":"Unauthorized"});',
    );
  });

  it("signs in with Cognito's InitiateAuth in a collection pre-request script", () => {
    const script = collection.event.find((event) => event.listen === "prerequest")?.script.exec.join("\n") ?? "";

    expect(script).to.contain('"X-Amz-Target": "AWSCognitoIdentityProviderService.InitiateAuth"');
    expect(script).to.contain('"Content-Type": "application/x-amz-json-1.1"');
    expect(script).to.contain('AuthFlow: "USER_PASSWORD_AUTH"');
    expect(script).to.contain('ClientId: pm.variables.get("clientId")');
    expect(script).to.contain("AuthParameters: { USERNAME: email, PASSWORD: password }");
    expect(script).to.contain("pm.environment.set(tokenVariable, answer.AuthenticationResult.IdToken);");
  });

  it("refuses a flow that leaves a route out", () => {
    const flow = POSTMAN_FLOW.filter((step) => step.operationId !== "delete-order");

    expect(() => postmanCollection(document, flow)).to.throw("The Postman flow never calls delete-order");
  });

  it("refuses a step that gives a path parameter no value", () => {
    const flow: FlowStep[] = POSTMAN_FLOW.map((step) =>
      step.name === "Delete it" ? { name: step.name, operationId: step.operationId, expect: step.expect } : step,
    );

    expect(() => postmanCollection(document, flow)).to.throw("Delete it: give the path parameter id a value");
  });

  it("refuses a step expecting a status the contract does not give", () => {
    const flow: FlowStep[] = POSTMAN_FLOW.map((step) =>
      step.name === "Delete it" ? { ...step, expect: [{ status: 418 }] } : step,
    );

    expect(() => postmanCollection(document, flow)).to.throw("delete-order never answers 418");
  });
});

describe("The collection's shape tests, run by newman", () => {
  let server: Server;
  let baseUrl: string;
  let answer: { status: number; body: unknown };

  before(async () => {
    server = createServer((_request, response) => {
      response.writeHead(answer.status, { "content-type": "application/json" });
      response.end(JSON.stringify(answer.body));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    await new Promise((resolve) => server.close(resolve));
  });

  /** Runs one request of the collection against the fake API, with a token the sign-in script keeps. */
  function runItem(name: string, variables: Record<string, string> = {}): Promise<NewmanRunSummary> {
    const collection = postmanCollection(document);
    const variable = collection.variable.map((entry) => ({ ...entry, value: variables[entry.key] ?? entry.value }));
    const token = [{ alg: "none" }, { email: "alice@example.com", exp: Math.floor(Date.now() / 1000) + 3600 }]
      .map((part) => Buffer.from(JSON.stringify(part)).toString("base64url"))
      .concat("")
      .join(".");
    const environment = postmanEnvironment(
      "fake",
      { baseUrl, cognitoEndpoint: `${baseUrl}/cognito`, clientId: "client", region: "eu-west-1" },
      { email: "alice@example.com", password: "p", adminEmail: "admin@example.com", adminPassword: "p" },
    );
    const values = environment.values.map((value) => (value.key === "idToken" ? { ...value, value: token } : value));
    return new Promise((resolve, reject) => {
      run(
        {
          // postman-collection's types describe its SDK's objects; newman reads the v2.1 JSON itself as well.
          collection: {
            ...collection,
            variable,
            item: [{ name: "one", description: "", item: [itemNamed(collection, name)] }],
          } as unknown as NewmanRunOptions["collection"],
          environment: { ...environment, values },
        },
        (error, summary) => (error ? reject(error) : resolve(summary)),
      );
    });
  }

  function failedTests(summary: NewmanRunSummary): string[] {
    return summary.run.failures.map((failure) => failure.error.test);
  }

  it("pass a body of the contract's shape", async () => {
    answer = {
      status: 200,
      body: {
        OrderId: "994dd3bc-a43a-4342-b07b-3f5829e3c046",
        ownerId: "u",
        customerName: "Kamlesh",
        product: "MacBook Pro",
        quantity: 1,
        status: "PLACED",
        createdAt: "2025-08-01T07:47:40.000Z",
      },
    };

    const summary = await runItem("Read the order", {
      orderId: "994dd3bc-a43a-4342-b07b-3f5829e3c046",
      userId: "u",
    });

    expect(failedTests(summary)).to.deep.equal([]);
    expect(summary.run.stats.assertions).to.include({ total: 3, failed: 0 });
  });

  it("fail a body that lacks a required key or has one of the wrong type", async () => {
    answer = { status: 200, body: { items: [{ OrderId: "994dd3bc-a43a-4342-b07b-3f5829e3c046", quantity: "1" }] } };

    const summary = await runItem("List my orders");

    expect(failedTests(summary)).to.deep.equal([
      "The 200 body is ListOrdersResponse: its keys and their types",
      "The 200 body lists {{orderId}}",
    ]);
    expect(summary.run.failures[0]?.error.message).to.contain("ownerId");
  });

  it("fail an error body with a key the contract does not list", async () => {
    answer = { status: 404, body: { message: "Order not found", stack: "at get-order.ts:12" } };

    const summary = await runItem("Refused: an order that does not exist");

    expect(failedTests(summary)).to.deep.equal([
      "The 404 body is Error: its keys and their types",
      "The 404 body is exactly the contract's example",
    ]);
  });

  it("fail another status", async () => {
    answer = { status: 500, body: { message: "Internal Server Error" } };

    const summary = await runItem("Refused: an order that does not exist");

    expect(failedTests(summary)).to.deep.equal([
      "Status code is 404",
      "The 404 body is exactly the contract's example",
    ]);
  });
});
