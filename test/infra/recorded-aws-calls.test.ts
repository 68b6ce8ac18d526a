import { expect } from "chai";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { routes } from "../../api/routes";
import { eventFunctions } from "../../events/functions";
import { type InvocationTarget, ORDER_WORKFLOW_STATE_MACHINE } from "../../local/invocation";
import { GRANT_JUSTIFICATIONS, type GrantJustification } from "../../storage/grant-justifications";
import { ordersTable } from "../../storage/tables";
import { workflowTasks } from "../../workflow/tasks";
import { type RecordedCall, loadedSpecFiles, recording, targetName } from "../support/aws-call-recording";
import { DeployedRoles, grantCovers, simulate } from "../support/aws-role-simulation";
import { PROJECT_ROOT, deployStack } from "../support/pulumi-mocks";

/**
 * Runs after every other spec (the root hook in aws-call-recording.ts moves it last) and checks
 * what they made the handlers do against the roles each stack deploys.
 */

const STACKS = readdirSync(PROJECT_ROOT)
  .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
  .filter((stack): stack is string => stack !== undefined);

/** The specs that run handlers: only when all of them ran can every function be expected to have called AWS. */
const PRODUCER_DIRECTORIES = ["handlers", "workflow", "e2e"].map((directory) => join(PROJECT_ROOT, "test", directory));
const PRODUCER_SPECS = PRODUCER_DIRECTORIES.flatMap((directory) =>
  readdirSync(directory)
    .filter((file) => file.endsWith(".test.ts"))
    .map((file) => join(directory, file)),
);

/** Every function the program deploys, and the state machine, grouped by the code they run. */
const FUNCTIONS: readonly { readonly target: InvocationTarget; readonly code: unknown }[] = [
  ...routes.map((route) => ({ target: fn(route.functionName), code: route.handler })),
  ...workflowTasks.map((task) => ({ target: fn(task.functionName), code: task.handler })),
  ...eventFunctions.map((eventFunction) => ({
    target: fn(eventFunction.functionName),
    code: eventFunction.handler,
  })),
  { target: ORDER_WORKFLOW_STATE_MACHINE, code: ORDER_WORKFLOW_STATE_MACHINE },
];

function fn(functionName: string): InvocationTarget {
  return { kind: "function", functionName };
}

/** Every principal running the same code as `target`: a call one of them makes, any of them can make. */
function sharingCode(target: InvocationTarget): InvocationTarget[] {
  const code = FUNCTIONS.find((candidate) => targetName(candidate.target) === targetName(target))?.code;
  if (code === undefined) throw new Error(`${targetName(target)} is no function of api/routes.ts or workflow/tasks.ts`);
  return FUNCTIONS.filter((candidate) => candidate.code === code).map((candidate) => candidate.target);
}

function describeCall(call: RecordedCall): string {
  const context = Object.entries(call.context).map(([key, value]) => ` (${key}=${value})`);
  return `${call.action}${context.join("")} via ${call.via}`;
}

function describeResource({ resource }: RecordedCall): string {
  switch (resource.kind) {
    case "table":
      return `table ${resource.table}${resource.index === undefined ? "" : ` index ${resource.index}`}`;
    case "topic":
    case "stateMachine":
    case "configurationSet":
      return `${resource.kind} ${resource.localName}`;
    case "senderIdentity":
      return `sender identity ${resource.address}`;
    case "function":
      return `function ${resource.functionName}`;
    case "unknown":
      return resource.description;
  }
}

function justifies(justification: GrantJustification, principal: string, action: string, label: string): boolean {
  return (
    (justification.principals === "every function"
      ? principal !== targetName(ORDER_WORKFLOW_STATE_MACHINE)
      : justification.principals.includes(principal)) &&
    justification.action === action &&
    justification.resource === label
  );
}

describe("The AWS calls the handlers made in this run", function () {
  let complete = false;

  before(function () {
    const loaded = loadedSpecFiles(this.test?.parent ?? (this as unknown as Mocha.Suite));
    complete = PRODUCER_SPECS.every((spec) => loaded.includes(spec));
    const { calls, unattributed } = recording();
    const made = calls.reduce((total, { count }) => total + count, 0);
    console.log(`      ${made} calls by functions (${calls.length} distinct), ${unattributed} by specs themselves`);
    for (const { call, count } of calls) {
      console.log(`        ${targetName(call.caller)}: ${describeCall(call)} on ${describeResource(call)} (${count}x)`);
    }
    if (calls.length === 0) {
      console.log(
        "      No function called AWS in this run: run it with the specs under test/handlers, test/workflow and test/e2e",
      );
      this.skip();
    }
  });

  it("include at least one by every function the program deploys, and by the state machine", function () {
    if (!complete) {
      console.log("      (only checked when every spec under test/handlers, test/workflow and test/e2e runs)");
      this.skip();
    }
    const callers = new Set(recording().calls.flatMap(({ call }) => sharingCode(call.caller).map(targetName)));

    expect(FUNCTIONS.map(({ target }) => targetName(target)).filter((name) => !callers.has(name))).to.deep.equal([]);
  });

  for (const stack of STACKS) {
    describe(`against the roles the ${stack} stack deploys`, () => {
      let roles: DeployedRoles;

      before(async () => {
        roles = new DeployedRoles(await deployStack(stack));
      });

      it("would be refused, as IAM refuses it, if the role lacked the grant (get-order: PutItem on orders)", async () => {
        const getOrder = routes.find((route) => route.functionName === "get-order");
        const granted = getOrder?.grants.flatMap((grant) => grant.actions) ?? [];
        const call: RecordedCall = {
          caller: fn("get-order"),
          action: "dynamodb:PutItem",
          resource: { kind: "table", table: ordersTable.name },
          context: {},
          via: "this spec",
        };

        const answer = await simulate(roles.roleOf(call.caller), call, roles.arnOf(call.resource));

        expect(granted).not.to.include(call.action);
        expect(answer).to.equal("ImplicitlyDenied");
      });

      it("are each allowed by the identity policy of every role that runs the caller's code", async () => {
        const refused: string[] = [];
        for (const { call } of recording().calls) {
          for (const principal of sharingCode(call.caller)) {
            const arn = roles.arnOf(call.resource);
            const answer = await simulate(roles.roleOf(principal), call, arn);
            if (answer !== "Allowed") {
              refused.push(`${targetName(principal)}: ${describeCall(call)} on ${arn}: ${answer}`);
            }
          }
        }

        expect(refused).to.deep.equal([]);
      });

      it("use every grant, or storage/grant-justifications.ts says why not", function () {
        if (!complete) {
          console.log("      (only checked when every spec under test/handlers, test/workflow and test/e2e runs)");
          this.skip();
        }
        const used = new Set<GrantJustification>();
        const unjustified: string[] = [];
        const lines: string[] = [];
        for (const { target } of FUNCTIONS) {
          const principal = targetName(target);
          const calls = recording()
            .calls.map(({ call }) => call)
            .filter((call) => call.resource.kind !== "unknown")
            .filter((call) => sharingCode(call.caller).some((sharer) => targetName(sharer) === principal))
            .map((call) => ({ action: call.action, arn: roles.arnOf(call.resource) }));
          for (const grant of roles.grantsOf(target)) {
            if (calls.some(({ action, arn }) => grantCovers(grant, action, arn))) continue;
            const label = roles.labelOf(target, grant.resource);
            const justification = GRANT_JUSTIFICATIONS.find((j) => justifies(j, principal, grant.action, label));
            if (justification) used.add(justification);
            else unjustified.push(`${principal}: ${grant.action} on ${label}`);
            lines.push(`${principal} | ${grant.action} | ${label} | ${justification?.reason ?? "NOT JUSTIFIED"}`);
          }
        }
        console.log(
          ["      Grants no recorded call used (principal | action | resource | reason):", ...lines].join("\n        "),
        );

        expect(unjustified, "unused grants without a justification").to.deep.equal([]);
        expect(
          GRANT_JUSTIFICATIONS.filter((justification) => !used.has(justification)),
          "justifications for grants that are used, or that no policy has",
        ).to.deep.equal([]);
      });
    });
  }
});
