import { expect } from "chai";
import { type StackResource, functionAlarmViolations } from "../../../policy/rules/function-alarms";

function fn(name: string): StackResource {
  return {
    type: "aws:lambda/function:Function",
    name: name.replace(/-[0-9a-f]{7}$/, ""),
    urn: `urn:pulumi:dev::oms::aws:lambda/function:Function::${name}`,
    props: { name, runtime: "nodejs24.x" },
  };
}

function alarm(name: string, props: Record<string, unknown>): StackResource {
  return {
    type: "aws:cloudwatch/metricAlarm:MetricAlarm",
    name,
    urn: `urn:pulumi:dev::oms::aws:cloudwatch/metricAlarm:MetricAlarm::${name}`,
    props,
  };
}

function errorsAlarm(functionName: string): StackResource {
  return alarm(`${functionName}-errors`, {
    namespace: "AWS/Lambda",
    metricName: "Errors",
    dimensions: { FunctionName: functionName },
  });
}

const PLACE_ORDER = "oms-place-order-1a2b3c4";
const GET_ORDER = "oms-get-order-5d6e7f8";

function unwatched(name: string): { urn: string; message: string } {
  return {
    urn: `urn:pulumi:dev::oms::aws:lambda/function:Function::${name}`,
    message: `Lambda function "${name}" has no alarm on its AWS/Lambda Errors metric (dimension FunctionName)`,
  };
}

describe("functionAlarmViolations", () => {
  const cases: { what: string; resources: StackResource[]; violations: { urn: string; message: string }[] }[] = [
    {
      what: "every function with its Errors alarm",
      resources: [fn(PLACE_ORDER), fn(GET_ORDER), errorsAlarm(GET_ORDER), errorsAlarm(PLACE_ORDER)],
      violations: [],
    },
    {
      what: "a function watched through a metric-math query (an error rate)",
      resources: [
        fn(PLACE_ORDER),
        alarm("place-order-error-rate", {
          metricQueries: [
            {
              id: "errors",
              metric: { namespace: "AWS/Lambda", metricName: "Errors", dimensions: { FunctionName: PLACE_ORDER } },
            },
            {
              id: "invocations",
              metric: { namespace: "AWS/Lambda", metricName: "Invocations", dimensions: { FunctionName: PLACE_ORDER } },
            },
            { id: "rate", expression: "errors / invocations * 100", returnData: true },
          ],
        }),
      ],
      violations: [],
    },
    { what: "no functions at all", resources: [errorsAlarm(PLACE_ORDER)], violations: [] },
    {
      what: "a function without any alarm",
      resources: [fn(PLACE_ORDER), fn(GET_ORDER), errorsAlarm(PLACE_ORDER)],
      violations: [unwatched(GET_ORDER)],
    },
    {
      what: "a function whose only alarm watches Throttles",
      resources: [
        fn(PLACE_ORDER),
        alarm("throttles", {
          namespace: "AWS/Lambda",
          metricName: "Throttles",
          dimensions: { FunctionName: PLACE_ORDER },
        }),
      ],
      violations: [unwatched(PLACE_ORDER)],
    },
    {
      what: "a function whose Errors alarm reads another namespace",
      resources: [
        fn(PLACE_ORDER),
        alarm("custom-errors", {
          namespace: "OMS/dev",
          metricName: "Errors",
          dimensions: { FunctionName: PLACE_ORDER },
        }),
      ],
      violations: [unwatched(PLACE_ORDER)],
    },
    {
      what: "a function whose Errors alarm watches another function",
      resources: [fn(PLACE_ORDER), errorsAlarm(GET_ORDER)],
      violations: [unwatched(PLACE_ORDER)],
    },
    {
      what: "a function whose Errors alarm watches every function (no dimension)",
      resources: [fn(PLACE_ORDER), alarm("all-errors", { namespace: "AWS/Lambda", metricName: "Errors" })],
      violations: [unwatched(PLACE_ORDER)],
    },
  ];

  for (const { what, resources, violations } of cases) {
    it(`reports ${violations.length === 0 ? "nothing" : violations.length} for ${what}`, () => {
      expect(functionAlarmViolations(resources)).to.deep.equal(violations);
    });
  }
});
