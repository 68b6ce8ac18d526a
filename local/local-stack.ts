import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import { DynamoDBDocumentClient } from "@aws-sdk/lib-dynamodb";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { createRemoteJWKSet } from "jose";
import { asyncApiDocument } from "../api/asyncapi-document";
import { openApiDocument } from "../api/openapi-document";
import { routes } from "../api/routes";
import { RESERVATION_LIFETIME_SECONDS, RESERVATION_SWEEP_INTERVAL_SECONDS } from "../domain/reservation";
import { reservationSweeper } from "../events/functions";
import { awsAdapters } from "../handlers/adapters/from-environment";
import { dynamoInventoryRepository } from "../handlers/adapters/dynamo-inventory-repository";
import type { InjectedAdapters } from "../handlers/http";
import { makeCheckInventory } from "../handlers/tasks/check-inventory";
import type { TaskHandler } from "../handlers/tasks/task";
import type { StackConfig } from "../infra/stack-config";
import { type TableDefinition, inventoryTable, ordersTable, reservationsTable, tables } from "../storage/tables";
import { State, type TaskState } from "../workflow/definition";
import { type WorkflowTask, workflowTasks } from "../workflow/tasks";
import { apiDocs } from "./api-docs";
import { type CognitoLocal, startCognitoLocal } from "./cognito-local";
import { corsPolicy } from "./cors";
import { type DynamoDbLocal, createTable, startDynamoDbLocal } from "./dynamodb-local";
import { type FaultProxy, startFaultProxy } from "./fault-proxy";
import { type Gateway, type GatewayRoute, type LocalLog, consoleLog, startGateway } from "./gateway";
import { runInvocation } from "./invocation";
import { jwtAuthorizer } from "./jwt-authorizer";
import { lambdaContext } from "./lambda-context";
import { LocalAlerting } from "./local-alerting";
import { type EventChain, startEventChain } from "./local-event-chain";
import { localOrderWorkflow } from "./local-order-workflow";
import { BUSINESS_METRICS_SERVICE } from "../monitoring/alarms";
import { LocalMetrics } from "./local-metrics";
import { Mailbox } from "./mailbox";
import { assertPortFree, freePort } from "./ports";
import { SEED_INVENTORY } from "./seed-inventory";
import { readStackConfigFile } from "./stack-config-file";
import { routeBucket } from "./token-bucket";
import { type LocalUserPool, cognitoClient, ensureUserPool } from "./user-pool";

/** Options for `startLocalStack`; each falls back to an environment variable, then a default. */
export interface LocalStackOptions {
  /** Port of the API on 127.0.0.1; 0 picks a free one. @default OMS_PORT, else 3000 */
  readonly port?: number;
  /** Whose `Pulumi.<stack>.yaml` to read. @default OMS_STACK, else "dev" */
  readonly stack?: string;
  /**
   * Where tables and users persist between runs. `null` keeps everything temporary even when
   * OMS_DATA_DIR is set. @default OMS_DATA_DIR, else temporary (deleted on stop)
   */
  readonly dataDir?: string | null;
  /** Replaces the stack's throttle, e.g. a tiny burst for a test. */
  readonly throttle?: StackConfig["throttle"];
  /** Where request lines and errors go. @default stdout and stderr */
  readonly log?: LocalLog;
  /** Where `Pulumi.<stack>.yaml` lives. @default the project root */
  readonly projectDir?: string;
  /**
   * How long a customer-mail message stays invisible after a receive, so that a spec sees
   * retries and the dead-letter queue in seconds. @default MAIL_QUEUE.visibilityTimeoutSeconds
   */
  readonly mailVisibilityTimeoutMs?: number;
  /**
   * How often the reservation sweeper runs, so that a spec sees stock come back in seconds.
   * @default RESERVATION_SWEEP_INTERVAL_SECONDS, as the cloud's schedule
   */
  readonly sweepIntervalMs?: number;
  /**
   * How long `CheckInventory`'s reservations last, for specs. It must outlast the workflow's
   * timeout, as the domain's does. @default RESERVATION_LIFETIME_SECONDS
   */
  readonly reservationLifetimeSeconds?: number;
  /** The order workflow's timeout, for specs. @default WORKFLOW_TIMEOUT_SECONDS, as deployed */
  readonly workflowTimeoutSeconds?: number;
  /** Faults to inject, for specs: none by default. */
  readonly faults?: LocalFaults;
}

/** What can be made to fail in a local stack. */
export interface LocalFaults {
  /**
   * Puts a `FaultProxy` between the functions and DynamoDB Local (their `AWS_ENDPOINT_URL_DYNAMODB`
   * names it), which the stack hands back as `dynamodbProxy` to take DynamoDB away and back.
   */
  readonly dynamodbProxy?: boolean;
  /**
   * Replaces a workflow task's function by what this builds from the real one, e.g. one that dies
   * after the real one wrote, or hangs. Its throws count as the function's errors.
   */
  readonly tasks?: Partial<Record<TaskState, (handler: TaskHandler) => TaskHandler>>;
}

/** A running local stack. */
export interface LocalStack {
  /** The API, e.g. `http://127.0.0.1:3000`. */
  readonly url: string;
  readonly userPoolId: string;
  readonly clientId: string;
  readonly cognitoEndpoint: string;
  readonly dynamodbEndpoint: string;
  readonly region: string;
  readonly stack: string;
  /** The stack's validated config (after any throttle override). */
  readonly config: StackConfig;
  /** The event path: streams, topic, mail queue and its DLQ, SES; pause, settle, redrive. */
  readonly events: EventChain;
  /** Between the functions and DynamoDB Local, when started with `faults.dynamodbProxy`. */
  readonly dynamodbProxy?: FaultProxy;
  /** Stops every emulator and child process, deletes temporary data, restores `process.env`. */
  stop(): Promise<void>;
}

/** Local tables, functions and alarms are named `oms-local-*`, where the cloud's carry the stack's names. */
const LOCAL_PREFIX = "oms-local";
const DEFAULT_PORT = 3000;
const DEFAULT_STACK = "dev";
const FALLBACK_REGION = "us-east-1";

/** The physical name of a table in the local stack. */
export function localTableName(table: Pick<TableDefinition, "name">): string {
  return `${LOCAL_PREFIX}-${table.name}`;
}

/** The handlers read their endpoints from `process.env`, which a process has only one of. */
let running = false;

interface Settings {
  readonly stack: string;
  readonly port: number;
  readonly dataDir: string | undefined;
  readonly config: StackConfig;
  readonly region: string;
  readonly log: LocalLog;
  readonly mailVisibilityTimeoutMs: number | undefined;
  readonly sweepIntervalMs: number;
  readonly reservationLifetimeSeconds: number;
  readonly workflowTimeoutSeconds: number | undefined;
  readonly faults: LocalFaults;
}

function portFromEnvironment(): number {
  const fromEnv = process.env["OMS_PORT"];
  if (fromEnv === undefined || fromEnv === "") return DEFAULT_PORT;
  const port = Number(fromEnv);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`OMS_PORT must be a port number, not "${fromEnv}"`);
  }
  return port;
}

function settingsOf(options: LocalStackOptions): Settings {
  const stack = options.stack ?? (process.env["OMS_STACK"] || DEFAULT_STACK);
  const stackFile = readStackConfigFile(stack, options.projectDir);
  return {
    stack,
    port: options.port ?? portFromEnvironment(),
    dataDir: options.dataDir === null ? undefined : (options.dataDir ?? (process.env["OMS_DATA_DIR"] || undefined)),
    config: options.throttle ? { ...stackFile.config, throttle: options.throttle } : stackFile.config,
    region: stackFile.region ?? FALLBACK_REGION,
    log: options.log ?? consoleLog,
    mailVisibilityTimeoutMs: options.mailVisibilityTimeoutMs,
    sweepIntervalMs: options.sweepIntervalMs ?? RESERVATION_SWEEP_INTERVAL_SECONDS * 1000,
    reservationLifetimeSeconds: options.reservationLifetimeSeconds ?? RESERVATION_LIFETIME_SECONDS,
    workflowTimeoutSeconds: options.workflowTimeoutSeconds,
    faults: options.faults ?? {},
  };
}

/** What to undo on stop, or when startup fails half-way: last started, first stopped. */
class Cleanups {
  private readonly steps: (() => Promise<void> | void)[] = [];

  constructor(private readonly log: LocalLog) {}

  add(step: () => Promise<void> | void): void {
    this.steps.push(step);
  }

  async run(): Promise<void> {
    for (const step of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        this.log.error(`Cleaning up the local stack failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}

/** Where each emulator keeps its data; only cognito-local needs a directory even when nothing persists. */
interface DataDirectories {
  /** cognito-local's working directory. */
  readonly cognito: string;
  /** DynamoDB Local's database directory; in memory when absent. */
  readonly dynamodb?: string;
  /** Where the change streams' positions are kept; from the start of each stream when absent. */
  readonly streamPositions?: string;
  /**
   * Where cognito-local's port is kept: it is in every token's issuer, so a token issued before a
   * restart verifies only if cognito-local comes back on the same port. A new port each run when absent.
   */
  readonly cognitoPort?: string;
}

function dataDirectories(dataDir: string | undefined, cleanups: Cleanups): DataDirectories {
  if (dataDir) {
    const root = resolve(dataDir);
    mkdirSync(join(root, "dynamodb"), { recursive: true });
    return {
      cognito: join(root, "cognito"),
      dynamodb: join(root, "dynamodb"),
      streamPositions: join(root, "stream-positions.json"),
      cognitoPort: join(root, "cognito-port"),
    };
  }
  const temporary = mkdtempSync(join(tmpdir(), "oms-local-"));
  cleanups.add(() => rmSync(temporary, { recursive: true, force: true }));
  return { cognito: temporary };
}

/**
 * The port cognito-local had in the previous run on this data directory, if it is free again;
 * else a new one, and tokens issued before no longer verify (their issuer names the old port).
 */
async function cognitoPort(directories: DataDirectories, log: LocalLog): Promise<number> {
  const file = directories.cognitoPort;
  const kept = file === undefined ? undefined : Number(readText(file)?.trim());
  if (kept !== undefined && Number.isInteger(kept) && kept > 0 && kept < 65536) {
    try {
      await assertPortFree(kept, "cognito-local");
      return kept;
    } catch {
      log.error(
        `cognito-local cannot have port ${kept} again (in use): tokens issued before this restart will not verify`,
      );
    }
  }
  const port = await freePort();
  if (file !== undefined) writeFileSync(file, `${port}\n`);
  return port;
}

function readText(file: string): string | undefined {
  try {
    return readFileSync(file, "utf8");
  } catch {
    return undefined;
  }
}

/** Both emulators, started side by side; whichever started is stopped again if the other fails. */
async function startEmulators(
  directories: DataDirectories,
  cleanups: Cleanups,
  log: LocalLog,
): Promise<{ dynamo: DynamoDbLocal; cognito: CognitoLocal }> {
  const [dynamo, cognito] = await Promise.allSettled([
    startDynamoDbLocal(directories.dynamodb ? { dataDir: directories.dynamodb } : {}),
    cognitoPort(directories, log).then((port) => startCognitoLocal({ workDir: directories.cognito, port })),
  ]);
  if (dynamo.status === "fulfilled") cleanups.add(() => dynamo.value.stop());
  if (cognito.status === "fulfilled") cleanups.add(() => cognito.value.stop());
  if (dynamo.status === "rejected") throw dynamo.reason;
  if (cognito.status === "rejected") throw cognito.reason;
  return { dynamo: dynamo.value, cognito: cognito.value };
}

/**
 * Creates every table, and stocks an empty inventory with the seed deployment's items; a persisted
 * inventory keeps the stock it had.
 */
async function prepareTables(endpoint: string, region: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region,
    credentials: { accessKeyId: "local", secretAccessKey: "local" },
  });
  try {
    for (const table of tables) await createTable(client, table, localTableName(table));
    const inventory = dynamoInventoryRepository(DynamoDBDocumentClient.from(client), {
      inventory: localTableName(inventoryTable),
      reservations: localTableName(reservationsTable),
      orders: localTableName(ordersTable),
    });
    if ((await inventory.list({ limit: 1 })).items.length === 0) {
      const now = new Date();
      for (const { itemId, quantity, unitPrice } of SEED_INVENTORY) {
        await inventory.setStock(itemId, { quantity, unitPrice }, now);
      }
    }
  } finally {
    client.destroy();
  }
}

async function setUpUserPool(endpoint: string, region: string): Promise<LocalUserPool> {
  const client = cognitoClient(endpoint, region);
  try {
    return await ensureUserPool(client);
  } finally {
    client.destroy();
  }
}

/** What a deployed function's environment says, pointed at the emulators. */
function handlerEnvironment(dynamodbEndpoint: string, region: string): Record<string, string | undefined> {
  return {
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    AWS_REGION: region,
    AWS_ACCESS_KEY_ID: "local",
    AWS_SECRET_ACCESS_KEY: "local",
    AWS_SESSION_TOKEN: undefined,
    AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: undefined,
    POWERTOOLS_SERVICE_NAME: BUSINESS_METRICS_SERVICE,
    ...Object.fromEntries(tables.map((table) => [table.envVar, localTableName(table)])),
  };
}

/** Sets environment variables and returns how to put the previous values back. */
function setEnvironment(values: Readonly<Record<string, string | undefined>>): () => void {
  const previous = Object.fromEntries(Object.keys(values).map((name) => [name, process.env[name]]));
  const apply = (next: Readonly<Record<string, string | undefined>>) => {
    for (const [name, value] of Object.entries(next)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
  apply(values);
  return () => apply(previous);
}

/** What stands in for the services no emulator serves: mail, CloudWatch alarms and Step Functions. */
interface LocalServices {
  readonly mailbox: Mailbox;
  readonly metrics: LocalMetrics;
  readonly alerting: LocalAlerting;
  readonly adapters: Pick<Required<InjectedAdapters>, "orderWorkflow" | "metrics">;
}

/**
 * A workflow task's function as Lambda runs it for Step Functions: it still throws (the workflow
 * retries or catches), and a throw is logged and counts in its `Errors` metric like any function's.
 */
function taskFunction(functionName: string, handler: TaskHandler, alerting: LocalAlerting, log: LocalLog) {
  return async (input: unknown): Promise<unknown> => {
    try {
      return await handler(input);
    } catch (error) {
      log.error(
        JSON.stringify({
          level: "ERROR",
          message: "Function failed",
          functionName,
          error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
        }),
      );
      alerting.recordError(functionName, error);
      throw error;
    }
  };
}

/**
 * A task's function, built by its factory as the cloud builds it, except `CheckInventory` when the
 * stack is given a shorter reservation lifetime (only a spec does): its repository then writes
 * deadlines that much closer.
 */
function taskHandler(task: WorkflowTask, lifetimeSeconds: number): TaskHandler {
  if (task.state !== State.CheckInventory || lifetimeSeconds === RESERVATION_LIFETIME_SECONDS) return task.handler();
  return makeCheckInventory({ inventory: awsAdapters().inventoryRepository(lifetimeSeconds) });
}

/**
 * One mailbox for customers and on-call alike, and the order workflow. The task functions start
 * cold here, so the environment must already point at the emulators.
 */
function startLocalServices(settings: Settings): LocalServices {
  const mailbox = new Mailbox();
  const alerting = new LocalAlerting({ alertEmail: settings.config.alertEmail, mailbox, alarmPrefix: LOCAL_PREFIX });
  const metrics = new LocalMetrics();
  const orderWorkflow = localOrderWorkflow({
    tasks: Object.fromEntries(
      workflowTasks.map((task) => {
        const handler = taskHandler(task, settings.reservationLifetimeSeconds);
        const faulty = settings.faults.tasks?.[task.state]?.(handler) ?? handler;
        return [task.state, taskFunction(task.functionName, faulty, alerting, settings.log)];
      }),
    ),
    ...(settings.workflowTimeoutSeconds === undefined ? {} : { timeoutSeconds: settings.workflowTimeoutSeconds }),
  });
  return { mailbox, alerting, metrics, adapters: { orderWorkflow, metrics } };
}

/** A running schedule of the reservation sweeper. */
interface SweepSchedule {
  /** Stops the timer and waits for a sweep under way. */
  stop(): Promise<void>;
}

/**
 * The sweeper's schedule offline (EventBridge Scheduler's `rate(…)` in the cloud): every
 * `intervalMs` one invocation of the sweeper's function, built once by its factory with the local
 * metrics (its `ReservationsReleased` shows at `/_local/metrics`), its AWS calls attributed to it,
 * and a throw logged and counted in its `Errors`. A sweep never starts while the last one runs.
 */
function startSweepSchedule(settings: Settings, services: LocalServices): SweepSchedule {
  const { functionName } = reservationSweeper;
  const sweep = reservationSweeper.handler({ metrics: services.metrics });
  let current: Promise<void> | undefined;
  const tick = () => {
    if (current) return;
    const context = lambdaContext({
      functionName: `${LOCAL_PREFIX}-${functionName}`,
      memoryMb: settings.config.functionMemoryMb,
      timeoutSeconds: settings.config.functionTimeoutSeconds,
      region: settings.region,
      accountId: "000000000000",
    });
    current = runInvocation({ kind: "function", functionName }, () => sweep({}, context))
      .then(
        () => undefined,
        (error: unknown) => {
          settings.log.error(
            JSON.stringify({
              level: "ERROR",
              message: "Function failed",
              functionName,
              error: error instanceof Error ? { name: error.name, message: error.message } : String(error),
            }),
          );
          services.alerting.recordError(functionName, error);
        },
      )
      .finally(() => (current = undefined));
  };
  const timer = setInterval(tick, settings.sweepIntervalMs);
  return {
    async stop() {
      clearInterval(timer);
      await current;
    },
  };
}

/** Like a cold start: each factory runs once, after its environment is in place, with the local adapters. */
function coldStart(adapters: InjectedAdapters): GatewayRoute[] {
  return routes.map((route) => ({
    method: route.method,
    path: route.path,
    functionName: route.functionName,
    ...(route.timeoutSeconds === undefined ? {} : { timeoutSeconds: route.timeoutSeconds }),
    invoke: route.handler(adapters),
  }));
}

function startApi(
  settings: Settings,
  cognitoEndpoint: string,
  pool: LocalUserPool,
  services: LocalServices,
  events: EventChain,
  dynamodbEndpoint: string,
): Promise<Gateway> {
  const { config, region } = settings;
  const issuer = `${cognitoEndpoint}/${pool.userPoolId}`;
  return startGateway(settings.port, {
    routes: coldStart(services.adapters),
    authorizer: jwtAuthorizer({
      issuer,
      audience: [pool.clientId],
      keys: createRemoteJWKSet(new URL(`${issuer}/.well-known/jwks.json`)),
    }),
    cors: corsPolicy(config.corsAllowedOrigins, routes),
    throttle: routeBucket(config.throttle),
    functionTimeoutSeconds: config.functionTimeoutSeconds,
    functionMemoryMb: config.functionMemoryMb,
    functionPrefix: LOCAL_PREFIX,
    alerting: services.alerting,
    mailbox: services.mailbox,
    topic: events.sns,
    metrics: services.metrics,
    localConfig: {
      ...pool,
      cognitoEndpoint,
      region,
      dynamodbEndpoint,
      tableNames: Object.fromEntries(tables.map((table) => [table.name, localTableName(table)])),
    },
    docs: apiDocs(openApiDocument(), asyncApiDocument()),
    log: settings.log,
  });
}

/**
 * Starts OMS on this machine: DynamoDB Local with every table (the inventory seeded), cognito-local
 * with the user pool, the order workflow's definition in a Step Functions emulator, the event path
 * from the tables' streams to customer mail in a mailbox (`startEventChain`), the reservation
 * sweeper on its schedule, and the API Gateway look-alike running the same handlers as the
 * cloud, configured by the same stack file, with the API's reference at `/docs`. Fails fast, and
 * leaves nothing running, when something is missing.
 */
export async function startLocalStack(options: LocalStackOptions = {}): Promise<LocalStack> {
  const settings = settingsOf(options);
  if (settings.port !== 0) await assertPortFree(settings.port, "the local API");
  if (running) throw new Error("A local stack already runs in this process: stop it first");
  running = true;
  const cleanups = new Cleanups(settings.log);
  cleanups.add(() => void (running = false));

  try {
    const directories = dataDirectories(settings.dataDir, cleanups);
    const { dynamo, cognito } = await startEmulators(directories, cleanups, settings.log);
    await prepareTables(dynamo.endpoint, settings.region);
    const pool = await setUpUserPool(cognito.endpoint, settings.region);
    const dynamodbProxy = settings.faults.dynamodbProxy
      ? await startFaultProxy({ targetPort: Number(new URL(dynamo.endpoint).port) })
      : undefined;
    if (dynamodbProxy) cleanups.add(() => dynamodbProxy.close());
    // The functions reach DynamoDB through the proxy when there is one; the stack's own readers
    // (the streams' event source mapping, the audit through /_local/config) never do.
    cleanups.add(setEnvironment(handlerEnvironment(dynamodbProxy?.endpoint ?? dynamo.endpoint, settings.region)));
    const services = startLocalServices(settings);
    const sweeps = startSweepSchedule(settings, services);
    cleanups.add(() => sweeps.stop());
    const events = await startEventChain({
      prefix: LOCAL_PREFIX,
      region: settings.region,
      dynamodbEndpoint: dynamo.endpoint,
      streamedTables: tables.filter((table) => table.streamed).map(localTableName),
      mailbox: services.mailbox,
      alerting: services.alerting,
      metrics: services.metrics,
      log: settings.log,
      mailFrom: settings.config.mailFrom,
      functionMemoryMb: settings.config.functionMemoryMb,
      functionTimeoutSeconds: settings.config.functionTimeoutSeconds,
      ...(settings.mailVisibilityTimeoutMs === undefined
        ? {}
        : { mailVisibilityTimeoutMs: settings.mailVisibilityTimeoutMs }),
      ...(directories.streamPositions ? { positionsFile: directories.streamPositions } : {}),
    });
    // Stopped before DynamoDB Local, so that no reader polls a database that is gone.
    cleanups.add(() => events.stop());
    const gateway = await startApi(settings, cognito.endpoint, pool, services, events, dynamo.endpoint);
    cleanups.add(() => gateway.close());

    let stopping: Promise<void> | undefined;
    return {
      url: gateway.url,
      userPoolId: pool.userPoolId,
      clientId: pool.clientId,
      cognitoEndpoint: cognito.endpoint,
      dynamodbEndpoint: dynamo.endpoint,
      region: settings.region,
      stack: settings.stack,
      config: settings.config,
      events,
      ...(dynamodbProxy ? { dynamodbProxy } : {}),
      stop: () => (stopping ??= cleanups.run()),
    };
  } catch (error) {
    await cleanups.run();
    throw error;
  }
}
