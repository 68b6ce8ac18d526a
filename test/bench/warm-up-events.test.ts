import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { unmarshall } from "@aws-sdk/util-dynamodb";
import { expect } from "chai";
import * as v from "valibot";
import { type Route, routes } from "../../api/routes";
import type { DynamoDBStreamEvent, SQSEvent } from "aws-lambda";
import {
  ORDER_WRITTEN,
  WORKFLOW_INPUT,
  routeWarmUpEvent,
  taskWarmUpEvent,
  warmUpEvent,
} from "../../bench/warm-up-events";
import { EventType, OmsEventSchema, eventFromChange } from "../../domain/events";
import { isCustomerMailEvent } from "../../domain/mail";
import { eventPublisher, orderMailer, reservationSweeper } from "../../events/functions";
import { streamTableName } from "../../handlers/publish-events";
import { ordersTable } from "../../storage/tables";
import { ADMIN_GROUP } from "../../domain/caller";
import type { ApiEvent } from "../../handlers/http";
import { matchRoute } from "../../local/route-matching";
import { workflowTasks } from "../../workflow/tasks";

function only<T>(items: readonly T[], what: string): T {
  const [item] = items;
  if (item === undefined) throw new Error(`the route table has no ${what}`);
  return item;
}

describe("warmUpEvent", () => {
  for (const route of routes) {
    it(`sends ${route.functionName} a request for ${route.method} ${route.path} that the gateway routes to it`, async () => {
      const event = (await warmUpEvent(route.functionName)) as ApiEvent;

      const match = matchRoute(routes, event.requestContext.http.method, event.rawPath);

      expect(match?.route).to.equal(route);
      expect(event.pathParameters ?? {}).to.deep.equal(match?.pathParameters);
      expect(event.body === undefined ? undefined : JSON.parse(event.body)).to.deep.equal(route.body?.example);
      expect(String(event.requestContext.authorizer.jwt.claims["cognito:groups"] ?? "")).to.equal(
        route.adminOnly ? `[${ADMIN_GROUP}]` : "",
      );
    });
  }

  for (const task of workflowTasks) {
    it(`gives ${task.functionName} what its state ${task.state} makes of the workflow's input, every path resolved`, async () => {
      const event = await warmUpEvent(task.functionName);

      expect(event).to.be.an("object");
      expect(Object.keys(event as object)).to.have.length.greaterThan(0);
      expect(JSON.stringify(event)).to.not.match(/\.\$"|"\$\.|"\$\$\./);
    });
  }

  it(`gives ${eventPublisher.functionName} one INSERT of the workflow's order from the stream of the orders table it is told`, async () => {
    const environment = { [ordersTable.envVar]: "oms-orders-1234567" };

    const event = (await warmUpEvent(eventPublisher.functionName, environment)) as DynamoDBStreamEvent;

    const [record] = event.Records;
    expect(event.Records).to.have.length(1);
    expect(streamTableName(record?.eventSourceARN ?? "")).to.equal("oms-orders-1234567");
    expect(record?.eventName).to.equal("INSERT");
    expect(unmarshall((record?.dynamodb?.NewImage ?? {}) as Record<string, AttributeValue>)).to.deep.equal(
      ORDER_WRITTEN.after,
    );
  });

  it(`gives ${orderMailer.functionName} one raw message: the OrderPlaced event that order's write makes`, async () => {
    const event = (await warmUpEvent(orderMailer.functionName)) as SQSEvent;

    const bodies = event.Records.map((record) => v.parse(OmsEventSchema, JSON.parse(record.body)));
    expect(bodies).to.deep.equal([eventFromChange(ORDER_WRITTEN)]);
    expect(bodies.every(isCustomerMailEvent)).to.equal(true);
    expect(bodies.map((body) => (body.type === EventType.OrderPlaced ? body.data.order : body.type))).to.deep.equal([
      WORKFLOW_INPUT.order,
    ]);
  });

  it(`gives ${reservationSweeper.functionName} EventBridge Scheduler's default notification`, async () => {
    const event = (await warmUpEvent(reservationSweeper.functionName)) as Record<string, unknown>;

    expect(event["source"]).to.equal("aws.scheduler");
    expect(event["detail-type"]).to.equal("Scheduled Event");
  });

  it("refuses a route whose body example its own schema rejects, naming the function", () => {
    const route: Route = {
      ...only(
        routes.filter((candidate) => candidate.body),
        "route with a body",
      ),
      functionName: "scratch",
      body: { schema: v.object({ quantity: v.number() }), example: { quantity: "four" } },
    };

    expect(() => routeWarmUpEvent(route)).to.throw(
      Error,
      "No warm-up event for scratch: its body.example does not pass its body.schema",
    );
  });

  it("refuses a route whose query string needs a parameter the route table gives no example of, naming the function", () => {
    const route: Route = {
      ...only(routes, "route"),
      functionName: "scratch",
      query: v.object({ since: v.string() }),
    };

    expect(() => routeWarmUpEvent(route)).to.throw(
      Error,
      "No warm-up event for scratch: its query schema requires a parameter, and the route table gives no example",
    );
  });

  it("refuses a task whose state the workflow does not have, naming the function", async () => {
    const task = { ...only(workflowTasks, "workflow task"), functionName: "scratch" };

    const deriving = taskWarmUpEvent({ ...task, state: "NoSuchState" as typeof task.state });

    await deriving.then(
      () => expect.fail("an event was derived"),
      (error: unknown) =>
        expect(String(error)).to.equal("Error: No warm-up event for scratch: the workflow has no state NoSuchState"),
    );
  });

  it("refuses a name that is neither a route's function, a workflow task's nor an event function", async () => {
    await warmUpEvent("scratch").then(
      () => expect.fail("an event was derived"),
      (error: unknown) =>
        expect(String(error)).to.equal(
          "Error: No warm-up event for scratch: it is neither a route's function, a workflow task's nor an event function",
        ),
    );
  });
});
