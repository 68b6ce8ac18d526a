import { type Server, createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { expect } from "chai";
import { type NewmanRunOptions, type NewmanRunSummary, run } from "newman";
import { openApiDocument } from "../../api/openapi-document";
import {
  FLOW_FOLDER,
  type FlowStep,
  POSTMAN_FLOW,
  type PostmanCollection,
  type PostmanItem,
  TOKEN_VARIABLES,
  postmanCollection,
} from "../../api/postman-collection";
import { postmanEnvironment } from "../../api/postman-environment";
import { routeKey, routes } from "../../api/routes";

const document = openApiDocument();

function itemsOf(collection: PostmanCollection, folder?: string): PostmanItem[] {
  return collection.item
    .filter((entry) => folder === undefined || entry.name === folder)
    .flatMap((entry) => entry.item);
}

/** The converter's requests: one per operation, in the folders after the flow's. */
function operationItemsOf(collection: PostmanCollection): PostmanItem[] {
  return collection.item.filter((folder) => folder.name !== FLOW_FOLDER).flatMap((folder) => folder.item);
}

/** The route key a request calls, e.g. `GET /orders/{id}`. */
function routeKeyOf(item: PostmanItem): string {
  return `${item.request.method} /${item.request.url.path.map((segment) => segment.replace(/^:(.+)$/, "{$1}")).join("/")}`;
}

function tokenOf(item: PostmanItem): string {
  return item.request.auth.type === "bearer" ? item.request.auth.bearer[0].value : item.request.auth.type;
}

function itemNamed(collection: PostmanCollection, name: string): PostmanItem {
  const item = itemsOf(collection).find((candidate) => candidate.name === name);
  if (!item) throw new Error(`No request named ${name}`);
  return item;
}

function testsOf(item: PostmanItem): string {
  return item.event.find((event) => event.listen === "test")?.script.exec.join("\n") ?? "";
}

async function expectRejection(promise: Promise<unknown>, message: string): Promise<void> {
  const outcome = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(outcome).to.be.instanceOf(Error);
  expect((outcome as Error).message).to.equal(message);
}

function bodyOf(item: PostmanItem): unknown {
  return item.request.body ? JSON.parse(item.request.body.raw) : undefined;
}

describe("postmanCollection", () => {
  let collection: PostmanCollection;

  before(async () => {
    collection = await postmanCollection(document);
  });

  it("is a Postman v2.1 collection named after the API", () => {
    expect(collection.info.name).to.equal("OMS");
    expect(collection.info.schema).to.equal("https://schema.getpostman.com/json/collection/v2.1.0/collection.json");
  });

  it("holds the flow's requests first, in order, then the converter's folders: one per tag", () => {
    expect(collection.item.map((folder) => folder.name)).to.deep.equal([
      FLOW_FOLDER,
      ...document.tags.map((tag) => tag.name),
    ]);
    expect(itemsOf(collection, FLOW_FOLDER).map((item) => item.name)).to.deep.equal(
      POSTMAN_FLOW.map((step) => step.name),
    );
    for (const folder of collection.item.filter((entry) => entry.name !== FLOW_FOLDER)) {
      expect(folder.item.map((item) => item.request.url.path[0])).to.deep.equal(folder.item.map(() => folder.name));
    }
  });

  it("holds one request per route of the route table, named by its summary: a new route needs no flow step", () => {
    const requests = operationItemsOf(collection).map((item) => [routeKeyOf(item), item.name]);

    expect([...requests].sort()).to.deep.equal(routes.map((route) => [routeKey(route), route.summary]).sort());
  });

  it("keeps the contract's example answers beside each operation's request, one per status", () => {
    const answers = operationItemsOf(collection).map((item) => [
      routeKeyOf(item),
      (item.response ?? []).map((response) => String((response as { code: number }).code)),
    ]);

    expect(answers).to.deep.equal(
      operationItemsOf(collection).map((item) => {
        const route = routes.find((candidate) => routeKey(candidate) === routeKeyOf(item));
        const operation = document.paths[route?.path ?? ""]?.[route?.method.toLowerCase() as "get"];
        return [routeKeyOf(item), Object.keys(operation?.responses ?? {})];
      }),
    );
  });

  it("sends each request to its route, path parameters in Postman's :name form with the flow's values", () => {
    const request = itemNamed(collection, "Read the order").request;

    expect(request.method).to.equal("GET");
    expect(request.url.host).to.deep.equal(["{{baseUrl}}"]);
    expect(request.url.path).to.deep.equal(["orders", ":id"]);
    expect(request.url.variable?.map(({ key, value }) => [key, value])).to.deep.equal([["id", "{{orderId}}"]]);
    expect(
      itemNamed(collection, "Stock the ordered item (admin)").request.url.variable?.map(({ key, value }) => [
        key,
        value,
      ]),
    ).to.deep.equal([["itemId", "{{product}}"]]);
  });

  it("sends the contract's path parameter examples in the operations' own requests", () => {
    const values = operationItemsOf(collection).flatMap((item) =>
      (item.request.url.variable ?? []).map((variable) => [variable.key, variable.value]),
    );
    const examples = Object.values(document.paths).flatMap((pathItem) =>
      Object.values(pathItem).flatMap((operation) =>
        (operation.parameters ?? []).flatMap((parameter) =>
          "in" in parameter && parameter.in === "path" ? [[parameter.name, parameter.example]] : [],
        ),
      ),
    );

    expect(values).to.have.deep.members(examples);
  });

  it("sends the operation's example body, with the signed-in user's e-mail where OMS mails it", () => {
    expect(bodyOf(itemNamed(collection, "Place an order"))).to.deep.equal({
      customerName: "Kamlesh",
      product: "MacBook Pro",
      quantity: 1,
    });
    expect(bodyOf(itemNamed(collection, "Ship the order (admin)"))).to.deep.equal(
      routes.find((route) => route.functionName === "update-order-status")?.body?.example,
    );
    expect(bodyOf(itemNamed(collection, "Stock the ordered item (admin)"))).to.deep.equal(
      routes.find((route) => route.functionName === "set-stock")?.body?.example,
    );
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

  it("sends a fresh Idempotency-Key with each order: in the flow always, in the operation's request when switched on", () => {
    const keyed = new Set(routes.filter((route) => route.idempotencyKey).map(routeKey));
    const keys = itemsOf(collection).flatMap((item) =>
      item.request.header.filter((header) => header.key === "Idempotency-Key").map((header) => [item, header] as const),
    );

    expect(keys.map(([item]) => routeKeyOf(item))).to.deep.equal(
      itemsOf(collection)
        .map(routeKeyOf)
        .filter((key) => keyed.has(key)),
    );
    expect(keys.map(([item, header]) => [item.name, header.value, header.disabled === true])).to.deep.equal(
      keys.map(([item]) => [item.name, "{{$guid}}", !itemsOf(collection, FLOW_FOLDER).includes(item)]),
    );
  });

  it("sends the admin's ID token to admin-only routes, the user's elsewhere, and none to the 401 check", () => {
    const adminOnly = new Set(routes.filter((route) => route.adminOnly).map(routeKey));
    const expected = (item: PostmanItem): string => {
      const as = POSTMAN_FLOW.find((step) => step.name === item.name)?.as;
      if (as === "anonymous") return "noauth";
      return `{{${TOKEN_VARIABLES[as ?? (adminOnly.has(routeKeyOf(item)) ? "admin" : "user")]}}}`;
    };

    expect(itemsOf(collection).map((item) => [item.name, tokenOf(item)])).to.deep.equal(
      itemsOf(collection).map((item) => [item.name, expected(item)]),
    );
    expect(tokenOf(itemNamed(collection, "Refused: no token"))).to.equal("noauth");
    expect(tokenOf(itemNamed(collection, "Refused: a customer changing a status"))).to.equal("{{idToken}}");
  });

  it("sends only the signed-in user's e-mail, never an example's: OMS e-mails the address it is given", () => {
    const bodies = itemsOf(collection).map((item) => item.request.body?.raw ?? "");

    expect(bodies.filter((body) => /@example\.com/.test(body))).to.deep.equal([]);
    expect(bodies.filter((body) => body.includes('"{{email}}"'))).to.have.length.greaterThan(0);
  });

  it("tests the status code of every request, and the body's keys and types (or its media type) when it has one", () => {
    const tests = itemsOf(collection).map((item) => [
      item.name,
      /pm\.test\("Status code is [^"]+"/.test(testsOf(item)),
      /body is [\w ]+: its keys and their types/.test(testsOf(item)) ||
        /body is text\/csv/.test(testsOf(item)) ||
        testsOf(item).includes("has no body"),
    ]);

    expect(tests).to.deep.equal(itemsOf(collection).map((item) => [item.name, true, true]));
    expect(testsOf(itemNamed(collection, "Delete it"))).to.contain('pm.expect(body.status).to.equal("CANCELLED");');
  });

  it("checks each operation's own request against every non-5xx status the contract gives it", () => {
    const statuses = operationItemsOf(collection).map((item) => [
      routeKeyOf(item),
      /Status code is one the contract gives: ([\d, ]+)"/.exec(testsOf(item))?.[1],
    ]);

    expect(statuses).to.deep.equal(
      operationItemsOf(collection).map((item) => {
        const route = routes.find((candidate) => routeKey(candidate) === routeKeyOf(item));
        const operation = document.paths[route?.path ?? ""]?.[route?.method.toLowerCase() as "get"];
        return [
          routeKeyOf(item),
          Object.keys(operation?.responses ?? {})
            .filter((status) => Number(status) < 500)
            .join(", "),
        ];
      }),
    );
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

  it("builds a flow that leaves routes out: the operations' own requests cover them", async () => {
    const flow = POSTMAN_FLOW.filter((step) => step.operationId === "get-user");

    const built = await postmanCollection(document, flow);

    expect(itemsOf(built, FLOW_FOLDER).map((item) => item.name)).to.deep.equal(["Read my profile"]);
    expect(operationItemsOf(built).map(routeKeyOf)).to.deep.equal(operationItemsOf(collection).map(routeKeyOf));
  });

  it("refuses a step that gives a path parameter no value", async () => {
    const flow: FlowStep[] = POSTMAN_FLOW.map((step) =>
      step.name === "Delete it" ? { name: step.name, operationId: step.operationId, expect: step.expect } : step,
    );

    await expectRejection(postmanCollection(document, flow), "Delete it: give the path parameter id a value");
  });

  it("refuses a step expecting a status the contract does not give", async () => {
    const flow: FlowStep[] = POSTMAN_FLOW.map((step) =>
      step.name === "Delete it" ? { ...step, expect: [{ status: 418 }] } : step,
    );

    await expectRejection(postmanCollection(document, flow), "delete-order never answers 418");
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
  async function runItem(name: string, variables: Record<string, string> = {}): Promise<NewmanRunSummary> {
    const collection = await postmanCollection(document);
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
        items: [{ product: "MacBook Pro", quantity: 1 }],
        status: "PLACED",
        createdAt: "2025-08-01T07:47:40.000Z",
        timeline: [{ at: "2025-08-01T07:47:40.000Z", by: "u", event: "placed" }],
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

  const getOrderSummary = routes.find((route) => route.functionName === "get-order")?.summary ?? "";

  it("pass an operation's own request that gets a refusal the contract gives it", async () => {
    answer = { status: 404, body: { message: "Order not found" } };

    const summary = await runItem(getOrderSummary);

    expect(failedTests(summary)).to.deep.equal([]);
    expect(summary.run.stats.assertions).to.include({ total: 2, failed: 0 });
  });

  it("fail an operation's own request that gets a bug's 500", async () => {
    answer = { status: 500, body: { message: "Internal Server Error" } };

    const summary = await runItem(getOrderSummary);

    expect(failedTests(summary)).to.have.length(1);
    expect(failedTests(summary)[0]).to.match(/^Status code is one the contract gives: /);
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
