import { expect } from "chai";
import { BusinessMetric, type BusinessMetrics } from "../../../domain/ports";
import { countingDependencyUnavailable, withBusinessMetrics } from "../../../handlers/adapters/powertools-metrics";
import { type ApiHandler, type ApiHandlerFactory, SERVICE_UNAVAILABLE, json } from "../../../handlers/http";
import { LocalMetrics } from "../../../local/local-metrics";
import { lambdaContext } from "../../../local/lambda-context";
import { apiEvent } from "../../support/api-events";
import { stdoutLinesOf } from "../../support/stdout";

/** CloudWatch embedded-metric-format lines written to stdout while `run` runs, as metric names per line. */
async function emfOf(run: () => Promise<void>): Promise<string[][]> {
  return (await stdoutLinesOf(run))
    .map((line) => JSON.parse(line) as { _aws?: { CloudWatchMetrics: { Metrics: { Name: string }[] }[] } })
    .filter((line) => line._aws !== undefined)
    .map((line) => line._aws?.CloudWatchMetrics.flatMap((directive) => directive.Metrics.map((m) => m.Name)) ?? []);
}

const context = () =>
  lambdaContext({
    functionName: "update-order-status",
    memoryMb: 256,
    timeoutSeconds: 10,
    region: "us-east-1",
    accountId: "000000000000",
  });

/** A handler that counts two business metrics in one invocation. */
const counting =
  (metrics: BusinessMetrics): ApiHandler =>
  async () => {
    metrics.count(BusinessMetric.StatusChanges);
    metrics.count(BusinessMetric.NotificationFailures);
    return json(200, {});
  };

/** Powertools Metrics as Lambda runs it: namespace and service set, on-demand, not in dev mode. */
function cloudMetricsEnv(saved: NodeJS.ProcessEnv): void {
  beforeEach(() => {
    process.env["POWERTOOLS_METRICS_NAMESPACE"] = "oms-spec";
    process.env["POWERTOOLS_SERVICE_NAME"] = "oms";
    // Lambda sets it on on-demand functions; Powertools reports no cold start without it.
    process.env["AWS_LAMBDA_INITIALIZATION_TYPE"] = "on-demand";
    delete process.env["POWERTOOLS_DEV"];
    delete process.env["POWERTOOLS_METRICS_DISABLED"];
  });
  afterEach(() => {
    process.env = { ...saved };
  });
}

describe("withBusinessMetrics", () => {
  const saved = { ...process.env };
  cloudMetricsEnv(saved);

  it("publishes what an invocation counted as one EMF line, with the ColdStart metric on the first only", async () => {
    const event = apiEvent({ routeKey: "PATCH /orders/{id}" });

    const published = await emfOf(async () => {
      const handler = withBusinessMetrics(undefined, counting);
      await handler(event, context());
      await handler(event, context());
    });

    const counted = [BusinessMetric.StatusChanges, BusinessMetric.NotificationFailures];
    expect(published).to.deep.equal([["ColdStart"], counted, counted]);
  });

  it("counts into the counter it is given, and publishes nothing itself (the local stack's case)", async () => {
    const local = new LocalMetrics();

    const published = await emfOf(async () => {
      await withBusinessMetrics(local, counting)(apiEvent({ routeKey: "PATCH /orders/{id}" }), context());
    });

    expect(published).to.deep.equal([]);
    expect(local.snapshot()).to.deep.equal({ StatusChanges: 1, NotificationFailures: 1 });
  });
});

describe("countingDependencyUnavailable", () => {
  const saved = { ...process.env };
  cloudMetricsEnv(saved);
  const event = apiEvent({ routeKey: "PATCH /orders/{id}" });
  const unavailable = () => json(SERVICE_UNAVAILABLE, { message: "not now" });

  it("publishes a route's 503 in the route's own EMF line, once, when the route counts business metrics too", async () => {
    const countingRoute: ApiHandlerFactory = (adapters = {}) =>
      withBusinessMetrics(adapters.metrics, (metrics) => async () => {
        metrics.count(BusinessMetric.StatusChanges);
        return unavailable();
      });

    const published = await emfOf(async () => {
      await countingDependencyUnavailable(countingRoute)()(event, context());
    });

    expect(published).to.deep.equal([
      ["ColdStart"],
      [BusinessMetric.StatusChanges, BusinessMetric.DependencyUnavailable],
    ]);
  });

  it("publishes a 503 of a route that counts nothing itself, and nothing for its other answers", async () => {
    const answers = [unavailable(), json(200, {})];
    const plainRoute: ApiHandlerFactory = () => async () => answers.shift() ?? json(500);

    const published = await emfOf(async () => {
      const handler = countingDependencyUnavailable(plainRoute)();
      await handler(event, context());
      await handler(event, context());
    });

    expect(published).to.deep.equal([["ColdStart"], [BusinessMetric.DependencyUnavailable]]);
  });

  it("counts into the local stack's counter when it is given one", async () => {
    const local = new LocalMetrics();
    const plainRoute: ApiHandlerFactory = () => async () => unavailable();

    await countingDependencyUnavailable(plainRoute)({ metrics: local })(event, context());

    expect(local.snapshot()).to.deep.equal({ DependencyUnavailable: 1 });
  });
});
