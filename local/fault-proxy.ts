import { type Server, type Socket, connect, createServer } from "node:net";

/** Options for `startFaultProxy`. */
export interface FaultProxyOptions {
  /** Where connections go while the proxy is up, e.g. DynamoDB Local's port on loopback. */
  readonly targetPort: number;
  /** @default "127.0.0.1" */
  readonly targetHost?: string;
  /** Port on loopback; 0 picks a free one. @default 0 */
  readonly port?: number;
}

/** A TCP proxy that can stand for a dependency gone unreachable, then come back on the same address. */
export interface FaultProxy {
  /** e.g. `http://127.0.0.1:40123`: what the clients are pointed at instead of the target. */
  readonly endpoint: string;
  readonly port: number;
  /** Whether connections go through now. */
  readonly isUp: boolean;
  /**
   * The dependency becomes unreachable: new connections are refused (`ECONNREFUSED`, as from a
   * host whose service is down), and every open one is cut (a request in flight may or may not
   * have reached the target: the client sees `ECONNRESET` either way, as on a real network).
   */
  down(): Promise<void>;
  /** Connections go through again, on the same port. */
  up(): Promise<void>;
  /** `down()`, then `up()` after `ms`; resolves once it is back. */
  downFor(ms: number): Promise<void>;
  /** Stops listening and cuts every connection. */
  close(): Promise<void>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    server.once("error", failed);
    server.listen(port, "127.0.0.1", () => {
      server.off("error", failed);
      const address = server.address();
      resolve(typeof address === "object" && address ? address.port : port);
    });
  });
}

function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => (server.listening ? server.close(() => resolve()) : resolve()));
}

/**
 * Starts a fault-injecting TCP proxy on loopback in front of `targetPort`. While up it pipes bytes
 * both ways untouched (HTTP keep-alive included), so that a client cannot tell it from the target.
 * The local stack puts one between the handlers and DynamoDB Local when started with
 * `faults: { dynamodbProxy: true }` (`AWS_ENDPOINT_URL_DYNAMODB` names the proxy).
 */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const targetHost = options.targetHost ?? "127.0.0.1";
  const open = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(options.targetPort, targetHost);
    for (const socket of [client, upstream]) {
      open.add(socket);
      socket.once("close", () => open.delete(socket));
      // A cut connection errors on both sides; the other side is destroyed with it.
      socket.on("error", () => undefined);
    }
    client.once("close", () => upstream.destroy());
    upstream.once("close", () => client.destroy());
    client.pipe(upstream);
    upstream.pipe(client);
  });
  const port = await listen(server, options.port ?? 0);
  let up = true;
  // Serializes down/up so that a spec toggling quickly never listens twice.
  let changing: Promise<unknown> = Promise.resolve();
  const change = (work: () => Promise<void>): Promise<void> => {
    const next = changing.then(work);
    changing = next.catch(() => undefined);
    return next;
  };

  const cutAll = () => {
    // `resetAndDestroy` sends an RST, so the client sees ECONNRESET rather than a clean end of stream.
    for (const socket of open) socket.resetAndDestroy();
    open.clear();
  };

  const proxy: FaultProxy = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    get isUp() {
      return up;
    },
    down: () =>
      change(async () => {
        if (!up) return;
        up = false;
        const closed = stopListening(server);
        cutAll();
        await closed;
      }),
    up: () =>
      change(async () => {
        if (up) return;
        await listen(server, port);
        up = true;
      }),
    async downFor(ms) {
      await proxy.down();
      await new Promise((resolve) => setTimeout(resolve, ms));
      await proxy.up();
    },
    close: () =>
      change(async () => {
        up = false;
        const closed = stopListening(server);
        cutAll();
        await closed;
      }),
  };
  return proxy;
}
