import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { routes } from "../../api/routes";
import { BusinessMetric } from "../../domain/ports";
import { eventFunctions } from "../../events/functions";
import { OperationsDashboard } from "../../infra";
import {
  deadLetterQueueAgeAlarm,
  deadLetterQueueDepthAlarm,
  streamIteratorAgeAlarm,
  topicDeliveryFailuresAlarm,
} from "../../monitoring/alarms";
import type { DashboardBody, ExpressionLine, MetricLine, MetricWidget } from "../../monitoring/dashboard";
import { tables } from "../../storage/tables";
import { workflowTasks } from "../../workflow/tasks";
import { type Deployment, MockRecorder, ROOT_STACK, type RecordedResource, deployStack } from "../support/pulumi-mocks";

const DASHBOARD = "aws:cloudwatch/dashboard:Dashboard";
const FUNCTION = "aws:lambda/function:Function";
const TABLE = "aws:dynamodb/table:Table";
const API = "aws:apigatewayv2/api:Api";
const TOPIC = "aws:sns/topic:Topic";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

/** Every function the program deploys: one per route, one per workflow task, and the event functions. */
const functionNames = [...routes, ...workflowTasks, ...eventFunctions].map((handler) => handler.functionName);

/**
 * The value of `dimension` of every alarm on `metricName`: what Alerting watches with that rule,
 * which the dashboard must graph too.
 */
function alarmedValues(deployment: Deployment, namespace: string, metricName: string, dimension: string): unknown[] {
  return deployment
    .ofType(ALARM)
    .filter((alarm) => alarm.inputs["namespace"] === namespace && alarm.inputs["metricName"] === metricName)
    .map((alarm) => (alarm.inputs["dimensions"] as Record<string, unknown>)[dimension]);
}

function only(deployment: Deployment, type: string): RecordedResource {
  const all = deployment.ofType(type);
  expect(all, type).to.have.length(1);
  return all[0] as RecordedResource;
}

function graphs(body: DashboardBody): MetricWidget[] {
  return body.widgets.filter((widget): widget is MetricWidget => widget.type === "metric");
}

function graphTitled(body: DashboardBody, title: string): MetricWidget {
  const found = graphs(body).find((widget) => widget.properties.title === title);
  expect(found, `a graph titled ${title}`).to.not.equal(undefined);
  return found as MetricWidget;
}

function isMetricLine(line: MetricLine | ExpressionLine): line is MetricLine {
  return typeof line[0] === "string";
}

/** Every graphed metric named `metricName` in `namespace`, on any graph. */
function linesOf(body: DashboardBody, namespace: string, metricName: string): MetricLine[] {
  return graphs(body)
    .flatMap((widget) => widget.properties.metrics)
    .filter(isMetricLine)
    .filter((line) => line[0] === namespace && line[1] === metricName);
}

/** The value of `dimension` on each line. */
function dimensionValues(lines: readonly MetricLine[], dimension: string): unknown[] {
  return lines.map((line) => line[line.indexOf(dimension) + 1]);
}

describe("OperationsDashboard", () => {
  for (const stack of ["dev", "prod"]) {
    describe(`on the ${stack} stack`, () => {
      let deployment: Deployment;
      let body: DashboardBody;

      before(async () => {
        deployment = await deployStack(stack);
        body = JSON.parse(String(only(deployment, DASHBOARD).inputs["dashboardBody"])) as DashboardBody;
      });

      it(`is one dashboard named oms-${stack}, exported as dashboardName`, () => {
        const dashboard = only(deployment, DASHBOARD);

        expect(dashboard.inputs["dashboardName"]).to.equal(`oms-${stack}`);
        expect(deployment.outputs["dashboardName"]).to.equal(`oms-${stack}`);
      });

      it("belongs to Alerting, aliased to the root stack where it was first deployed, and owns the dashboard", () => {
        const component = deployment.optionsOf("oms:infra:OperationsDashboard", "oms");

        const dashboard = deployment.optionsOf(DASHBOARD, "oms-operations");

        expect(component.parent).to.equal("oms:infra:Alerting::oms");
        expect(component.aliases).to.deep.equal([{ parent: ROOT_STACK }]);
        expect(dashboard.parent).to.equal("oms:infra:OperationsDashboard::oms");
      });

      it("reads every graph's metrics in the stack's region", () => {
        const regions = new Set(graphs(body).map((widget) => widget.properties.region));

        expect([...regions]).to.deep.equal(["eu-west-1"]);
      });

      it("graphs the API's requests, 4xx and 5xx, their share of requests, and latency p50 and p99", () => {
        const apiId = only(deployment, API).id;

        const requests = graphTitled(body, "Requests, 4xx and 5xx");
        const rates = graphTitled(body, "4xx (throttled 429s included) and 5xx, % of requests");
        const latency = graphTitled(body, "Latency p50 and p99, integration p99 (ms)");

        expect(requests.properties).to.deep.include({ stat: "Sum", period: 60 });
        expect(requests.properties.metrics).to.deep.equal([
          ["AWS/ApiGateway", "Count", "ApiId", apiId, { label: "api requests" }],
          ["AWS/ApiGateway", "4xx", "ApiId", apiId, { label: "api 4xx" }],
          ["AWS/ApiGateway", "5xx", "ApiId", apiId, { label: "api 5xx" }],
        ]);
        expect(rates.properties.metrics).to.deep.equal([
          ["AWS/ApiGateway", "Count", "ApiId", apiId, { id: "count0", visible: false }],
          ["AWS/ApiGateway", "4xx", "ApiId", apiId, { id: "client0", visible: false }],
          ["AWS/ApiGateway", "5xx", "ApiId", apiId, { id: "server0", visible: false }],
          [{ expression: "100 * client0 / count0", label: "api 4xx %", id: "clientrate0" }],
          [{ expression: "100 * server0 / count0", label: "api 5xx %", id: "serverrate0" }],
        ]);
        expect(latency.properties.metrics).to.deep.equal([
          ["AWS/ApiGateway", "Latency", "ApiId", apiId, { label: "api p50", stat: "p50" }],
          ["AWS/ApiGateway", "Latency", "ApiId", apiId, { label: "api p99", stat: "p99" }],
          ["AWS/ApiGateway", "IntegrationLatency", "ApiId", apiId, { label: "api integration p99", stat: "p99" }],
        ]);
      });

      for (const metricName of ["Errors", "Throttles", "Duration", "ConcurrentExecutions"]) {
        it(`graphs every function's ${metricName}, labelled with its function name`, () => {
          const deployed = functionNames.map((name) => deployment.named(FUNCTION, `oms-${name}`).state["name"]);

          const lines = linesOf(body, "AWS/Lambda", metricName);

          expect(dimensionValues(lines, "FunctionName")).to.deep.equal(deployed);
          expect(lines.map((line) => line[4])).to.deep.equal(functionNames.map((label) => ({ label })));
        });
      }

      it("graphs the order workflow's executions started, succeeded, failed, timed out and throttled", () => {
        const stateMachineArn = deployment.named(STATE_MACHINE, "oms-order-workflow").state["arn"];

        const executions = graphTitled(body, "Executions: started, succeeded, failed, timed out, throttled");

        expect(executions.properties.metrics).to.deep.equal(
          [
            "ExecutionsStarted",
            "ExecutionsSucceeded",
            "ExecutionsFailed",
            "ExecutionsTimedOut",
            "ExecutionThrottled",
          ].map((metricName) => [
            "AWS/States",
            metricName,
            "StateMachineArn",
            stateMachineArn,
            { label: `order-workflow ${metricName}` },
          ]),
        );
      });

      for (const metricName of [
        "ConsumedReadCapacityUnits",
        "ConsumedWriteCapacityUnits",
        "ReadThrottleEvents",
        "WriteThrottleEvents",
      ]) {
        it(`graphs every table's ${metricName}`, () => {
          const deployed = tables.map((table) => deployment.named(TABLE, `oms-${table.name}`).state["name"]);

          const lines = linesOf(body, "AWS/DynamoDB", metricName);

          expect(dimensionValues(lines, "TableName")).to.deep.equal(deployed);
        });
      }

      it(`graphs the business metrics of OMS/${stack}: orders placed and refused, status changes, notification failures`, () => {
        const business = graphTitled(body, "Orders placed and refused, status changes, e-mails not sent");

        // Every business metric of the domain, a new one included, in the order the domain lists them.
        expect(business.properties.metrics).to.deep.equal(
          Object.values(BusinessMetric).map((metricName) => [
            `OMS/${stack}`,
            metricName,
            "service",
            "oms",
            { label: metricName },
          ]),
        );
      });

      it("graphs the order events the events topic published, delivered to its subscribers and failed to deliver, over the delivery alarm's period", () => {
        const topicName = deployment.named(TOPIC, "oms-order-events").state["name"];

        const events = graphTitled(body, "Order events: published, delivered to subscribers, failed");

        expect(events.properties).to.deep.include({ stat: "Sum", period: topicDeliveryFailuresAlarm.periodSeconds });
        expect(events.properties.metrics).to.deep.equal([
          ["AWS/SNS", "NumberOfMessagesPublished", "TopicName", topicName, { label: "order-events published" }],
          ["AWS/SNS", "NumberOfNotificationsDelivered", "TopicName", topicName, { label: "order-events delivered" }],
          ["AWS/SNS", "NumberOfNotificationsFailed", "TopicName", topicName, { label: "order-events failed" }],
        ]);
      });

      const watchedGraphs = [
        {
          title: "Stream readers' iterator age, highest (ms)",
          rule: streamIteratorAgeAlarm,
          dimension: "FunctionName",
        },
        { title: "Dead-letter queues: messages waiting", rule: deadLetterQueueDepthAlarm, dimension: "QueueName" },
        {
          title: "Dead-letter queues: oldest message's age (s)",
          rule: deadLetterQueueAgeAlarm,
          dimension: "QueueName",
        },
      ];
      for (const { title, rule, dimension } of watchedGraphs) {
        it(`graphs ${rule.metricName} of every ${dimension} Alerting alarms on, with the alarm's statistic and period`, () => {
          const alarmed = alarmedValues(deployment, rule.namespace, rule.metricName, dimension);

          const graph = graphTitled(body, title);

          expect(alarmed, `no ${rule.metricName} alarm: nothing to compare with`).to.not.deep.equal([]);
          expect(graph.properties).to.deep.include({ stat: rule.statistic, period: rule.periodSeconds });
          expect(dimensionValues(graph.properties.metrics.filter(isMetricLine), dimension)).to.have.members(alarmed);
          expect(graph.properties.metrics.filter(isMetricLine).map((line) => line.slice(0, 3))).to.deep.equal(
            alarmed.map(() => [rule.namespace, rule.metricName, dimension]),
          );
        });
      }

      it("labels each dead-letter queue and stream reader with the logical name Alerting gives its alarms", () => {
        const labels = (title: string) =>
          graphTitled(body, title)
            .properties.metrics.filter(isMetricLine)
            .map((line) => (line[4] as { label: string }).label);
        const alarmNames = deployment.ofType(ALARM).map((alarm) => alarm.name);

        for (const { title, rule } of watchedGraphs) {
          expect(alarmNames, title).to.include.members(labels(title).map((label) => `oms-${label}-${rule.suffix}`));
        }
      });

      it("heads each section and lays the widgets out on the 24-column grid without overlaps", () => {
        const headings = body.widgets.filter((widget) => widget.type === "text").map((widget) => widget.properties);
        const cells = new Set<string>();
        const overlaps: string[] = [];

        for (const widget of body.widgets) {
          expect(widget.x + widget.width).to.be.at.most(24);
          for (let column = widget.x; column < widget.x + widget.width; column += 1) {
            for (let row = widget.y; row < widget.y + widget.height; row += 1) {
              const cell = `${column},${row}`;
              if (cells.has(cell)) overlaps.push(cell);
              cells.add(cell);
            }
          }
        }

        expect(headings).to.deep.equal([
          { markdown: "## API" },
          { markdown: "## Functions" },
          { markdown: "## Order workflow" },
          { markdown: "## DynamoDB" },
          { markdown: "## Events and customer mail" },
          { markdown: `## Business (OMS/${stack})` },
        ]);
        expect(overlaps).to.deep.equal([]);
      });
    });
  }

  describe("args", () => {
    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    it("refuses a stack name that would not make a CloudWatch namespace, naming the component and the field", () => {
      const construct = () =>
        new OperationsDashboard("oms", {
          functions: {},
          stateMachines: {},
          apis: {},
          tables: {},
          topics: {},
          stack: "a/b",
        });

      expect(construct)
        .to.throw(pulumi.RunError)
        .with.property(
          "message",
          'OperationsDashboard "oms": stack must be a stack name of 1 to 100 letters, digits, hyphens, underscores and periods',
        );
    });
  });
});
