import { expect } from "chai";
import { mkdtempSync, rmSync } from "node:fs";
import { type Server, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type LocalStack, startLocalStack } from "../../local/local-stack";
import { localToken } from "../../local/sign-in";
import { freePort } from "../../local/ports";

const quiet = { info: () => undefined, error: () => undefined };

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a rejection");
}

function signIn(stack: LocalStack, email: string) {
  return localToken({
    ...stack,
    email,
  });
}

function send(stack: LocalStack, token: string, path: string, method = "GET", body?: unknown): Promise<Response> {
  return fetch(`${stack.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

async function headlightsInStock(stack: LocalStack, token: string): Promise<number | undefined> {
  const { items } = (await (await send(stack, token, "/inventory")).json()) as {
    items: { itemId: string; quantity: number }[];
  };
  return items.find((item) => item.itemId === "Headlight")?.quantity;
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

describe("startLocalStack", function () {
  this.timeout(60_000);

  it("refuses a taken port with a message a person can act on, before starting anything", async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(port, "127.0.0.1", resolve));

    const error = await rejection(startLocalStack({ port, dataDir: null, log: quiet })).finally(
      () => new Promise((resolve) => blocker.close(resolve)),
    );

    expect(error.message).to.equal(
      `Port ${port} (the local API) is already in use: stop what uses it, or pick another port`,
    );
  });

  it("refuses a stack without a config file", async () => {
    const error = await rejection(startLocalStack({ port: 0, stack: "nowhere", dataDir: null, log: quiet }));

    expect(error.message).to.match(/^Stack "nowhere" has no config file: .*Pulumi\.nowhere\.yaml cannot be read$/);
  });

  describe("with a data directory", () => {
    let dataDir: string;
    let stack: LocalStack | undefined;

    before(() => {
      dataDir = mkdtempSync(join(tmpdir(), "oms-data-"));
    });

    afterEach(async () => {
      await stack?.stop();
      stack = undefined;
    });

    after(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });

    it("keeps the user pool, the users, the orders, the stock and the change streams' positions across restarts (no mail twice), and leaves nothing running", async () => {
      const headlight = { customerName: "Dave", product: "Headlight", quantity: 1 };
      stack = await startLocalStack({ port: 0, dataDir, log: quiet });
      const first = stack;
      const dave = await signIn(first, "dave@example.com");
      const profile = await send(first, dave.idToken, "/users", "POST", { name: "Dave", email: "dave@example.com" });
      const created = await send(first, dave.idToken, "/orders", "POST", headlight);
      const order = (await created.json()) as { OrderId: string };
      await first.events.settled();
      await first.stop();
      const stillAnswering = await Promise.all([first.url, first.dynamodbEndpoint, first.cognitoEndpoint].map(answers));

      stack = await startLocalStack({ port: 0, dataDir, log: quiet });
      const again = await signIn(stack, "dave@example.com");
      const read = await send(stack, again.idToken, `/orders/${order.OrderId}`);
      const inStock = await headlightsInStock(stack, again.idToken);
      const next = (await (await send(stack, again.idToken, "/orders", "POST", headlight)).json()) as {
        OrderId: string;
      };
      await stack.events.settled();
      const mail = (await (await fetch(`${stack.url}/_local/mail?to=dave%40example.com`)).json()) as {
        subject: string;
      }[];

      expect([profile.status, created.status]).to.deep.equal([201, 201]);
      expect(stillAnswering).to.deep.equal([false, false, false]);
      expect([stack.userPoolId, stack.clientId]).to.deep.equal([first.userPoolId, first.clientId]);
      expect(again.sub).to.equal(dave.sub);
      expect(read.status).to.equal(200);
      expect(inStock).to.equal(3);
      expect(mail.map((m) => m.subject)).to.deep.equal([`Your order ${next.OrderId} is placed`]);
    });

    it("refuses a second stack in the same process: the handlers' endpoints live in process.env", async () => {
      stack = await startLocalStack({ port: 0, dataDir, log: quiet });

      const error = await rejection(startLocalStack({ port: 0, dataDir: null, log: quiet }));

      expect(error.message).to.equal("A local stack already runs in this process: stop it first");
    });
  });
});
