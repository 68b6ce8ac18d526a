/** A resource of the stack as a stack policy sees it: its outputs. */
export interface StackResource {
  readonly type: string;
  readonly name: string;
  readonly urn: string;
  readonly props: Readonly<Record<string, unknown>>;
}

/** A stack-wide violation, and the resource it is about. */
export interface StackViolation {
  readonly urn: string;
  readonly message: string;
}

const FUNCTION_TYPE = "aws:lambda/function:Function";
const ALARM_TYPE = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** The metric that counts a function's unhandled errors. */
const ERRORS_METRIC = { namespace: "AWS/Lambda", metricName: "Errors" } as const;

interface MetricSpec {
  readonly namespace?: unknown;
  readonly metricName?: unknown;
  readonly dimensions?: unknown;
}

/**
 * Every Lambda function has a CloudWatch alarm on its AWS/Lambda `Errors` metric (dimension
 * `FunctionName` = the function's name), either as the alarm's own metric or as one of its
 * metric-math queries: a function that fails unwatched fails silently.
 */
export function functionAlarmViolations(resources: readonly StackResource[]): StackViolation[] {
  const watched = new Set(
    resources.filter((resource) => resource.type === ALARM_TYPE).flatMap((alarm) => watchedFunctions(alarm.props)),
  );
  return resources
    .filter((resource) => resource.type === FUNCTION_TYPE && !watched.has(String(resource.props["name"])))
    .map((fn) => ({
      urn: fn.urn,
      message: `Lambda function "${String(fn.props["name"])}" has no alarm on its ${ERRORS_METRIC.namespace} ${ERRORS_METRIC.metricName} metric (dimension FunctionName)`,
    }));
}

/** The functions whose Errors metric an alarm reads. */
function watchedFunctions(alarm: Readonly<Record<string, unknown>>): string[] {
  const queries = Array.isArray(alarm["metricQueries"]) ? (alarm["metricQueries"] as { metric?: MetricSpec }[]) : [];
  const metrics: MetricSpec[] = [alarm, ...queries.map((query) => query.metric ?? {})];
  return metrics.flatMap((metric) => {
    const functionName = (metric.dimensions as { FunctionName?: unknown } | undefined)?.FunctionName;
    return metric.namespace === ERRORS_METRIC.namespace &&
      metric.metricName === ERRORS_METRIC.metricName &&
      typeof functionName === "string"
      ? [functionName]
      : [];
  });
}
