import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { type NewmanRunExecution, type NewmanRunOptions, type NewmanRunSummary, run } from "newman";
import { CONTRACT_FILES } from "../../api/contract-files";
import { FLOW_FOLDER, POSTMAN_FLOW, type PostmanCollection } from "../../api/postman-collection";
import type { PostmanEnvironment } from "../../api/postman-environment";
import { routes } from "../../api/routes";
import type { LocalLog } from "../../local/gateway";
import { type LocalStack, startLocalStack } from "../../local/local-stack";
import { DEFAULT_LOCAL_PASSWORD, type LocalTokens, localToken } from "../../local/sign-in";
import {
  LOCAL_POSTMAN_USERS,
  localPostmanEnvironment,
  writeLocalPostmanEnvironment,
} from "../../local/local-postman-environment";
import { matchRoute } from "../../local/route-matching";

const CUSTOMER = "postman-customer@example.com";
const ADMIN = "postman-admin@example.com";

function quietLog(): LocalLog & { errors: string[] } {
  const errors: string[] = [];
  return { errors, info: () => undefined, error: (line) => errors.push(line) };
}

/** One HTTP request a run sent: the flow's own, or a sign-in its collection script sent (no item). */
interface SentRequest {
  readonly item: string | undefined;
  readonly method: string;
  readonly url: URL;
  readonly status: number | undefined;
}

interface CollectionRun {
  readonly summary: NewmanRunSummary;
  readonly sent: readonly SentRequest[];
}

function runCollection(
  collection: PostmanCollection,
  environment: PostmanEnvironment,
  folder?: string,
): Promise<CollectionRun> {
  const sent: SentRequest[] = [];
  // postman-collection's types describe its SDK's objects; newman reads the v2.1 JSON itself as well.
  const options = {
    collection: structuredClone(collection) as unknown as NewmanRunOptions["collection"],
    environment: { ...environment, values: structuredClone([...environment.values]) },
  };
  return new Promise((resolve, reject) => {
    run(folder ? { ...options, folder } : options, (error, summary) =>
      error ? reject(error) : resolve({ summary, sent }),
    ).on("request", (_error: Error | null, args: NewmanRunExecution) => {
      sent.push({
        item: args.item?.name,
        method: args.request.method,
        url: new URL(args.request.url.toString()),
        status: args.response?.code,
      });
    });
  });
}

/** What went wrong in a run, readably: failed assertions and script errors, with their request. */
function failuresOf(summary: NewmanRunSummary): string[] {
  return summary.run.failures.map(
    (failure) => `${failure.source?.name ?? failure.at}: ${failure.error.test ?? ""} ${failure.error.message}`,
  );
}

function sentTo(collectionRun: CollectionRun, origin: string): SentRequest[] {
  return collectionRun.sent.filter((request) => request.url.origin === origin);
}

/** The route each of a run's API requests reached, by its method and path. */
function routesReached(requests: readonly SentRequest[]): string[] {
  return requests.map((request) => {
    const match = matchRoute(routes, request.method, request.url.pathname);
    return match ? match.route.functionName : `${request.method} ${request.url.pathname}`;
  });
}

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

/** The environment with some of its values replaced. */
function withValues(environment: PostmanEnvironment, values: Record<string, string>): PostmanEnvironment {
  return {
    ...environment,
    values: environment.values.map((entry) =>
      entry.key in values ? { ...entry, value: values[entry.key] ?? "" } : entry,
    ),
  };
}

/** The names of a folder's requests, or of every folder's but the flow's. */
function requestNames(collection: PostmanCollection, folder?: string): string[] {
  return collection.item
    .filter((entry) => (folder === undefined ? entry.name !== FLOW_FOLDER : entry.name === folder))
    .flatMap((entry) => entry.item.map((item) => item.name));
}

/** What a run sent, a sign-in to Cognito shown as such. */
function sequenceOf(collectionRun: CollectionRun, cognitoEndpoint: string): (string | undefined)[] {
  const cognito = new URL(cognitoEndpoint).origin;
  return collectionRun.sent.map((request) =>
    request.url.origin === cognito ? `sign-in ${request.method} ${request.status}` : request.item,
  );
}

describe("The Postman collection, run by newman on the local stack", function () {
  this.timeout(90_000);
  const log = quietLog();
  const collection = JSON.parse(
    readFileSync(join(__dirname, "..", "..", CONTRACT_FILES.postmanCollection), "utf8"),
  ) as PostmanCollection;
  let stack: LocalStack;
  let customer: LocalTokens;
  let admin: LocalTokens;
  let environment: PostmanEnvironment;
  const runs: CollectionRun[] = [];

  before(async () => {
    stack = await startLocalStack({ port: 0, stack: "dev", dataDir: null, log });
    customer = await localToken({ ...stack, email: CUSTOMER });
    admin = await localToken({ ...stack, email: ADMIN, admin: true });
    environment = localPostmanEnvironment(stack, {
      email: CUSTOMER,
      password: DEFAULT_LOCAL_PASSWORD,
      adminEmail: ADMIN,
      adminPassword: DEFAULT_LOCAL_PASSWORD,
    });
    runs.push(await runCollection(collection, environment));
    runs.push(await runCollection(collection, environment));
  });

  after(async () => {
    await stack?.stop();
  });

  for (const [index, name] of ["first", "second"].entries()) {
    describe(`its ${name} run against the same stack`, () => {
      it("passes every assertion, with no script error", () => {
        const { summary } = runs[index] as CollectionRun;

        expect(failuresOf(summary)).to.deep.equal([]);
        expect(summary.run.stats.assertions.failed).to.equal(0);
        expect(summary.run.stats.assertions.total).to.be.greaterThan(POSTMAN_FLOW.length * 2);
      });

      it("runs every request of the flow, in order, then each operation's own", () => {
        const api = sentTo(runs[index] as CollectionRun, new URL(stack.url).origin);

        expect(api.map((request) => request.item)).to.deep.equal([
          ...POSTMAN_FLOW.map((step) => step.name),
          ...requestNames(collection),
        ]);
      });

      it("reaches every route of the route table", () => {
        const reached = routesReached(sentTo(runs[index] as CollectionRun, new URL(stack.url).origin));

        expect(reached.slice(0, POSTMAN_FLOW.length)).to.deep.equal(POSTMAN_FLOW.map((step) => step.operationId));
        expect([...new Set(reached.slice(POSTMAN_FLOW.length))].sort()).to.deep.equal(
          routes.map((route) => route.functionName).sort(),
        );
      });

      it("signs the customer and the admin in through Cognito once each, before their first request", () => {
        const collectionRun = runs[index] as CollectionRun;
        const values = collectionRun.summary.environment.toObject(false, false) as Record<string, string>;
        const firstAdminStep = POSTMAN_FLOW.findIndex((step) => {
          const route = routes.find((candidate) => candidate.functionName === step.operationId);
          return (step.as ?? (route?.adminOnly ? "admin" : "user")) === "admin";
        });
        const names = POSTMAN_FLOW.map((step) => step.name);

        const sequence = sequenceOf(collectionRun, stack.cognitoEndpoint);

        expect(sequence.slice(0, firstAdminStep + 3)).to.deep.equal([
          "sign-in POST 200",
          ...names.slice(0, firstAdminStep),
          "sign-in POST 200",
          names[firstAdminStep],
        ]);
        expect(sequence.filter((entry) => entry?.startsWith("sign-in"))).to.have.length(2);
        expect(claimsOf(values["idToken"] ?? "")).to.include({ sub: customer.sub, token_use: "id" });
        expect(claimsOf(values["adminIdToken"] ?? "")["cognito:groups"]).to.deep.equal(["admin"]);
      });
    });
  }

  it("answers the first run's profile with 201 and the second's with 409", () => {
    const statuses = runs.map((collectionRun) => sentTo(collectionRun, new URL(stack.url).origin)[0]?.status);

    expect(statuses).to.deep.equal([201, 409]);
  });

  it("signs in again for an expired token, and keeps a token that is still good", async () => {
    const expired = [{ alg: "none" }, { email: CUSTOMER, exp: Math.floor(Date.now() / 1000) - 60 }]
      .map((part) => Buffer.from(JSON.stringify(part)).toString("base64url"))
      .concat("")
      .join(".");

    // The inventory folder: a customer's request first, then an admin's.
    const inventory = await runCollection(
      collection,
      withValues(environment, { idToken: expired, adminIdToken: admin.idToken }),
      "inventory",
    );

    expect(failuresOf(inventory.summary)).to.deep.equal([]);
    expect(sequenceOf(inventory, stack.cognitoEndpoint)).to.deep.equal([
      "sign-in POST 200",
      ...requestNames(collection, "inventory"),
    ]);
  });

  it("signs in again when the token is another user's", async () => {
    const users = await runCollection(collection, withValues(environment, { idToken: admin.idToken }), "users");

    expect(failuresOf(users.summary)).to.deep.equal([]);
    expect(sequenceOf(users, stack.cognitoEndpoint)[0]).to.equal("sign-in POST 200");
    const values = users.summary.environment.toObject(false, false) as Record<string, string>;
    expect(claimsOf(values["idToken"] ?? "")["sub"]).to.equal(customer.sub);
  });

  it("logs no function error on the stack", () => {
    expect(log.errors).to.deep.equal([]);
  });

  describe("writeLocalPostmanEnvironment", () => {
    let directory: string;

    beforeEach(() => {
      directory = mkdtempSync(join(tmpdir(), "oms-postman-"));
    });

    afterEach(() => {
      rmSync(directory, { recursive: true, force: true });
    });

    it("writes the stack's environment and creates its users, the admin in the admin group", async () => {
      const file = join(directory, "local.postman_environment.json");
      const warnings: string[] = [];

      const written = await writeLocalPostmanEnvironment(stack, { file, warn: (line) => warnings.push(line) });

      expect(written).to.equal(file);
      expect(JSON.parse(readFileSync(file, "utf8"))).to.deep.equal(localPostmanEnvironment(stack));
      expect(warnings).to.deep.equal([]);
      const admin = await localToken({
        ...stack,
        email: LOCAL_POSTMAN_USERS.adminEmail,
        password: LOCAL_POSTMAN_USERS.adminPassword,
      });
      expect(claimsOf(admin.idToken)["cognito:groups"]).to.deep.equal(["admin"]);
    });
  });
});
