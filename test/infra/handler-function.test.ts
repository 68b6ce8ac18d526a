import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { builtinModules } from "node:module";
import { routes } from "../../api/routes";
import { eventPublisher, orderMailer, reservationSweeper } from "../../events/functions";
import { SERVICE_ENV } from "../../handlers/adapters/from-environment";
import { placeOrder } from "../../handlers/place-order";
import { HandlerFunction, type HandlerFunctionArgs } from "../../infra";
import { AWS_REQUIRES_WILDCARD_ACTIONS, AWS_REQUIRES_WILDCARD_SID } from "../../infra/iam";
import { readStackConfigFile } from "../../local/stack-config-file";
import { BUSINESS_METRICS_SERVICE, businessMetricsNamespace } from "../../monitoring/alarms";
import type { ServiceGrant, TableGrant } from "../../storage/access";
import { idempotencyTable, tables } from "../../storage/tables";
import { workflowTasks } from "../../workflow/tasks";
import { type Deployment, MockRecorder, deployStack } from "../support/pulumi-mocks";

const FUNCTION = "aws:lambda/function:Function";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const TABLE = "aws:dynamodb/table:Table";
const TOPIC = "aws:sns/topic:Topic";
const TOPIC_POLICY = "aws:sns/topicPolicy:TopicPolicy";
const QUEUE = "aws:sqs/queue:Queue";
const QUEUE_POLICY = "aws:sqs/queuePolicy:QueuePolicy";
const STATE_MACHINE = "aws:sfn/stateMachine:StateMachine";
const EMAIL_IDENTITY = "aws:sesv2/emailIdentity:EmailIdentity";
const CONFIGURATION_SET = "aws:sesv2/configurationSet:ConfigurationSet";

/** What each stack's `Pulumi.<stack>.yaml` asks of the functions, and where their business metrics go. */
const stacks = ["dev", "prod"].map((stack) => {
  const { config } = readStackConfigFile(stack);
  return {
    stack,
    memoryMb: config.functionMemoryMb,
    logRetentionDays: config.logRetentionDays,
    mailFrom: config.mailFrom,
    metricsNamespace: businessMetricsNamespace(stack),
  };
});

/** The tables whose changes the event publisher reads and announces. */
const streamedTables = tables.filter((table) => table.streamed);

/** What Lambda reads for a function, and what else the function is told: ARNs and values of one deployment. */
interface Wiring {
  /** Change streams its mappings read. */
  readonly streams: readonly string[];
  /** Queues its mappings read. */
  readonly queues: readonly string[];
  /** Where its stream mappings send what they give up on. */
  readonly failureQueues: readonly string[];
  /** Environment variables that grant nothing. */
  readonly environment: Readonly<Record<string, string>>;
}

const UNWIRED: Wiring = { streams: [], queues: [], failureQueues: [], environment: {} };

/**
 * Every function the program deploys: one per route of `api/routes.ts`, one per task of
 * `workflow/tasks.ts`, and the event functions of `events/functions.ts`, with what invokes them.
 */
const handlerFunctions: readonly {
  readonly functionName: string;
  readonly handler: () => unknown;
  readonly grants: readonly TableGrant[];
  readonly services?: readonly ServiceGrant[];
  readonly wiring: (deployment: Deployment) => Wiring;
}[] = [
  ...[...routes, ...workflowTasks].map((fn) => ({ ...fn, wiring: () => UNWIRED })),
  {
    ...eventPublisher,
    wiring: (deployment) => ({
      ...UNWIRED,
      streams: streamedTables.map((table) => String(deployment.named(TABLE, `oms-${table.name}`).state["streamArn"])),
      failureQueues: [String(deployment.named(QUEUE, "oms-events-failed").state["arn"])],
      // Which table a stream record comes from: the publisher compares the record's ARN with these.
      environment: Object.fromEntries(
        streamedTables.map((table) => [
          table.envVar,
          String(deployment.named(TABLE, `oms-${table.name}`).state["name"]),
        ]),
      ),
    }),
  },
  {
    ...orderMailer,
    wiring: (deployment) => ({
      ...UNWIRED,
      queues: [String(deployment.named(QUEUE, "oms-customer-mail").state["arn"])],
    }),
  },
  // EventBridge Scheduler invokes it with a role of its own: its function's role reads nothing more.
  { ...reservationSweeper, wiring: () => UNWIRED },
];

/**
 * What Lambda's event source mappings call with the function's role: the AWS Lambda Developer
 * Guide's execution-role permissions for DynamoDB streams ("Process DynamoDB records with Lambda")
 * and for SQS ("Using Lambda with Amazon SQS"), and sending to an on-failure SQS destination.
 */
const STREAM_READ_ACTIONS = ["dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"];
const QUEUE_CONSUME_ACTIONS = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes"];
const FAILURE_DESTINATION_ACTIONS = ["sqs:SendMessage"];
/** Listing streams names no resource type: it stands in the AwsRequiresWildcard statement. */
const STREAM_LISTING_ACTIONS = ["dynamodb:ListStreams"];

/** The statements a function's event sources add, in the order the policy lists them. */
function sourceStatements(wiring: Wiring): Statement[] {
  return (
    [
      [STREAM_READ_ACTIONS, wiring.streams],
      [QUEUE_CONSUME_ACTIONS, wiring.queues],
      [FAILURE_DESTINATION_ACTIONS, wiring.failureQueues],
    ] as const
  )
    .filter(([, arns]) => arns.length > 0)
    .map(([actions, arns]) => ({ Effect: "Allow", Action: [...actions], Resource: [...arns] }));
}

/**
 * What Lambda's active tracing needs the role to allow, on `Resource: "*"`: the AWS Lambda
 * Developer Guide ("Visualize Lambda function invocations using AWS X-Ray") has the role hold
 * `AWSXRayDaemonWriteAccess`, whose upload actions these are.
 */
const TRACE_UPLOAD_ACTIONS = ["xray:PutTraceSegments", "xray:PutTelemetryRecords"];

/**
 * Packages a bundle still `require`s: anything else is inside it. Node's own modules come with
 * Node, and the AWS SDK with the nodejs24.x runtime.
 */
function requiredOutsideTheRuntime(code: string): string[] {
  const required = [...code.matchAll(/require\("([^"]+)"\)/g)].map(([, specifier = ""]) => specifier);
  return [...new Set(required)].filter(
    (specifier) =>
      !specifier.startsWith("node:") && !builtinModules.includes(specifier) && !specifier.startsWith("@aws-sdk/"),
  );
}

interface Statement {
  readonly Sid?: string;
  readonly Effect: string;
  readonly Action: string | string[];
  readonly Resource: string | string[];
  readonly Principal?: unknown;
  readonly Condition?: unknown;
}

function statementsOf(document: unknown): Statement[] {
  return (JSON.parse(String(document)) as { Statement: Statement[] }).Statement;
}

/** A function's parts, found by the names `HandlerFunction` gives them. */
function partsOf(deployment: Deployment, functionName: string) {
  return {
    fn: deployment.named(FUNCTION, `oms-${functionName}`),
    role: deployment.named(ROLE, `oms-${functionName}-role`),
    policy: deployment.named(ROLE_POLICY, `oms-${functionName}-access`),
    logGroup: deployment.named(LOG_GROUP, `oms-${functionName}-logs`),
  };
}

/** The environment variables the program gives a function. */
function variablesOf(deployment: Deployment, functionName: string): Record<string, string> {
  const environment = partsOf(deployment, functionName).fn.inputs["environment"] as {
    variables?: Record<string, string>;
  };
  return environment.variables ?? {};
}

/**
 * What a service grant is on, by the resource its name starts with (`orderWorkflow:start` is on
 * the order workflow): the deployed resources' ARNs, the service whose actions it takes, and the
 * variables that name them (or what the adapter needs of them) to the handlers.
 */
function serviceResource(deployment: Deployment, service: ServiceGrant, mailFrom: string) {
  const resource = service.slice(0, service.indexOf(":"));
  switch (resource) {
    case "orderWorkflow": {
      const arn = String(deployment.named(STATE_MACHINE, "oms-order-workflow").state["arn"]);
      return { arns: [arn], service: "states", environment: { [SERVICE_ENV.orderWorkflowArn]: arn } };
    }
    case "events": {
      const arn = String(deployment.named(TOPIC, "oms-order-events").state["arn"]);
      return { arns: [arn], service: "sns", environment: { [SERVICE_ENV.eventsTopicArn]: arn } };
    }
    case "mail": {
      // SES authorizes SendEmail on the sender identity and on the configuration set it names.
      const configurationSet = deployment.named(CONFIGURATION_SET, "oms-customer-mail");
      return {
        arns: [
          String(deployment.named(EMAIL_IDENTITY, "oms-mail-from").state["arn"]),
          String(configurationSet.state["arn"]),
        ],
        service: "ses",
        environment: {
          [SERVICE_ENV.mailFrom]: mailFrom,
          [SERVICE_ENV.mailConfigurationSet]: String(configurationSet.state["configurationSetName"]),
        },
      };
    }
    default:
      throw new Error(`The spec does not know which deployed resource ${service} is on`);
  }
}

describe("HandlerFunction", () => {
  for (const expected of stacks) {
    describe(`on the ${expected.stack} stack`, () => {
      let deployment: Deployment;
      const table = (name: string) => deployment.named(TABLE, `oms-${name}`).state;

      before(async () => {
        deployment = await deployStack(expected.stack);
      });

      for (const handler of handlerFunctions) {
        it(`grants ${handler.functionName} its own log streams, each of its grants as one statement on exactly its table or indexes, each service on exactly its resources, what its event sources need on exactly them, and the wildcard-only actions apart`, () => {
          const { policy, role, logGroup } = partsOf(deployment, handler.functionName);
          const wiring = handler.wiring(deployment);
          const serviceCount = (handler.services ?? []).length;

          const statements = statementsOf(policy.inputs["policy"]);
          const services = statements.slice(1 + handler.grants.length, 1 + handler.grants.length + serviceCount);
          const sources = statements.slice(1 + handler.grants.length + serviceCount, -1);

          expect(policy.inputs["role"]).to.equal(role.id);
          expect(statements).to.have.length(
            1 + handler.grants.length + serviceCount + sourceStatements(wiring).length + 1,
          );
          expect(statements[0]).to.deep.equal({
            Effect: "Allow",
            Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
            Resource: [`${String(logGroup.state["arn"])}:*`],
          });
          expect(statements.slice(1, 1 + handler.grants.length)).to.deep.equal(
            handler.grants.map((grant) => {
              const arn = String(table(grant.table.name)["arn"]);
              return {
                Effect: "Allow",
                Action: [...grant.actions],
                Resource: grant.indexes ? grant.indexes.map((index) => `${arn}/index/${index.name}`) : [arn],
              };
            }),
          );
          for (const [index, service] of (handler.services ?? []).entries()) {
            const resource = serviceResource(deployment, service, expected.mailFrom);
            const statement = services[index];
            const actions = [statement?.Action ?? []].flat();

            expect(statement, service).to.deep.include({ Effect: "Allow", Resource: resource.arns });
            expect(actions, service).to.have.length.greaterThan(0);
            // Which actions exactly is what the handlers call: test/infra/recorded-aws-calls.test.ts checks that.
            expect(
              actions.filter((action) => !action.startsWith(`${resource.service}:`)),
              service,
            ).to.deep.equal([]);
          }
          expect(sources).to.deep.equal(sourceStatements(wiring));
          expect(statements.at(-1)).to.deep.include({
            Sid: AWS_REQUIRES_WILDCARD_SID,
            Effect: "Allow",
            Resource: "*",
          });
          expect(statements.at(-1)?.Action).to.include.members(TRACE_UPLOAD_ACTIONS);
          const listing = [statements.at(-1)?.Action ?? []].flat().filter((a) => STREAM_LISTING_ACTIONS.includes(a));
          expect(listing).to.deep.equal(wiring.streams.length > 0 ? STREAM_LISTING_ACTIONS : []);
        });
      }

      it("allows no wildcard action, and no wildcard resource but a function's own log streams and the AwsRequiresWildcard statements", () => {
        const logStreams = new Set(deployment.ofType(LOG_GROUP).map((group) => `${String(group.state["arn"])}:*`));
        const documents = [
          ...deployment.ofType(ROLE_POLICY).map((policy) => policy.inputs["policy"]),
          ...deployment.ofType(ROLE).map((role) => role.inputs["assumeRolePolicy"]),
          ...deployment.ofType(TOPIC_POLICY).map((policy) => policy.inputs["policy"]),
          ...deployment.ofType(QUEUE_POLICY).map((policy) => policy.inputs["policy"]),
        ];

        const statements = documents.flatMap(statementsOf);
        const scoped = statements.filter((statement) => statement.Sid !== AWS_REQUIRES_WILDCARD_SID);
        const actions = statements.flatMap((statement) => [statement.Action].flat());
        const resources = scoped.flatMap((statement) => (statement.Resource ? [statement.Resource].flat() : []));

        expect(statements.length).to.be.greaterThan(handlerFunctions.length * 2);
        expect(actions.filter((action) => action.includes("*"))).to.deep.equal([]);
        expect(resources.filter((resource) => resource.includes("*") && !logStreams.has(resource))).to.deep.equal([]);
      });

      it("allows Resource * only in one AwsRequiresWildcard statement per function policy, and only for the actions AWS accepts on nothing else", () => {
        const policies = handlerFunctions.map(({ functionName }) => partsOf(deployment, functionName).policy);

        for (const policy of policies) {
          const statements = statementsOf(policy.inputs["policy"]);
          const wildcard = statements.filter((statement) => statement.Sid === AWS_REQUIRES_WILDCARD_SID);
          const scopedActions = statements
            .filter((statement) => statement.Sid !== AWS_REQUIRES_WILDCARD_SID)
            .flatMap((statement) => [statement.Action].flat());

          expect(wildcard, policy.name).to.have.length(1);
          expect(wildcard[0]?.Resource, policy.name).to.equal("*");
          expect(AWS_REQUIRES_WILDCARD_ACTIONS, policy.name).to.include.members([wildcard[0]?.Action].flat());
          expect(
            scopedActions.filter((action) => (AWS_REQUIRES_WILDCARD_ACTIONS as readonly string[]).includes(action)),
            policy.name,
          ).to.deep.equal([]);
        }
      });

      it("gives each function's role exactly one policy, its own", () => {
        for (const handler of handlerFunctions) {
          const { role } = partsOf(deployment, handler.functionName);

          const policies = deployment.ofType(ROLE_POLICY).filter((policy) => policy.inputs["role"] === role.id);

          expect(policies.map((policy) => policy.name)).to.deep.equal([`oms-${handler.functionName}-access`]);
        }
      });

      it("traces every function with X-Ray (active tracing)", () => {
        const modes = handlerFunctions.map(
          (handler) => partsOf(deployment, handler.functionName).fn.inputs["tracingConfig"],
        );

        expect(modes).to.deep.equal(handlerFunctions.map(() => ({ mode: "Active" })));
      });

      it("attaches no managed policy to any role", () => {
        const iamTypes = new Set(deployment.resources.map((r) => r.type).filter((type) => type.startsWith("aws:iam/")));

        expect(deployment.ofType("aws:iam/rolePolicyAttachment:RolePolicyAttachment")).to.deep.equal([]);
        expect([...iamTypes].sort()).to.deep.equal([ROLE, ROLE_POLICY]);
        for (const role of deployment.ofType(ROLE)) {
          expect(role.inputs["managedPolicyArns"]).to.equal(undefined);
        }
      });

      it("lets only Lambda assume each function's role", () => {
        for (const handler of handlerFunctions) {
          const { role } = partsOf(deployment, handler.functionName);

          expect(statementsOf(role.inputs["assumeRolePolicy"])).to.deep.equal([
            { Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" },
          ]);
        }
      });

      it(`runs every function on nodejs24.x, arm64 and the stack's ${expected.memoryMb} MB, with its own role`, () => {
        const roles = new Set<unknown>();

        for (const handler of handlerFunctions) {
          const { fn, role } = partsOf(deployment, handler.functionName);

          expect(fn.inputs).to.deep.include({
            runtime: "nodejs24.x",
            architectures: ["arm64"],
            memorySize: expected.memoryMb,
            handler: "__index.handler",
            role: role.state["arn"],
          });
          roles.add(fn.inputs["role"]);
        }
        expect(roles.size).to.equal(handlerFunctions.length);
        expect(deployment.ofType(FUNCTION)).to.have.length(handlerFunctions.length);
      });

      it(`logs as JSON to the function's own log group, kept the stack's ${expected.logRetentionDays} days`, () => {
        for (const handler of handlerFunctions) {
          const { fn, logGroup } = partsOf(deployment, handler.functionName);

          expect(fn.inputs["loggingConfig"]).to.deep.equal({ logFormat: "JSON", logGroup: logGroup.state["name"] });
          expect(logGroup.inputs["retentionInDays"]).to.equal(expected.logRetentionDays);
        }
      });

      it(`names each granted table and service, what its wiring tells it, the business metrics' namespace ${expected.metricsNamespace} and service ${BUSINESS_METRICS_SERVICE}, and nothing else, in the environment variables the handlers read`, () => {
        for (const handler of handlerFunctions) {
          expect(variablesOf(deployment, handler.functionName), handler.functionName).to.deep.equal(
            Object.fromEntries([
              ...Object.entries(handler.wiring(deployment).environment),
              // Powertools Metrics reads its namespace and service from these (its documented variables).
              ["POWERTOOLS_METRICS_NAMESPACE", expected.metricsNamespace],
              ["POWERTOOLS_SERVICE_NAME", BUSINESS_METRICS_SERVICE],
              ...handler.grants.map((grant) => [grant.table.envVar, String(table(grant.table.name)["name"])]),
              ...(handler.services ?? []).flatMap((service) =>
                Object.entries(serviceResource(deployment, service, expected.mailFrom).environment),
              ),
            ]),
          );
        }
      });

      describe("each function's handler, built as at a cold start in that environment alone", () => {
        const saved = { ...process.env };
        const ours = [...tables.map((each) => each.envVar), ...Object.values(SERVICE_ENV)];

        afterEach(() => {
          process.env = { ...saved };
        });

        for (const handler of handlerFunctions) {
          it(`finds every variable ${handler.functionName}'s adapters read`, () => {
            const inherited = Object.fromEntries(Object.entries(saved).filter(([name]) => !ours.includes(name)));
            process.env = { ...inherited, AWS_REGION: "eu-west-1", ...variablesOf(deployment, handler.functionName) };

            const build = () => handler.handler();

            expect(build).to.not.throw();
          });

          it(`fails to build ${handler.functionName} without them, naming a missing one`, () => {
            process.env = Object.fromEntries(Object.entries(saved).filter(([name]) => !ours.includes(name)));

            const build = () => handler.handler();

            expect(build).to.throw(Error, /^Environment variable \w+ is not set$/);
          });
        }
      });

      it("is created after its role policy and log group, so that its first invocation can log and reach what it is granted", () => {
        for (const handler of handlerFunctions) {
          const { fn, policy, logGroup } = partsOf(deployment, handler.functionName);

          expect(deployment.optionsOf(FUNCTION, fn.name).dependsOn).to.have.members([
            `${ROLE_POLICY}::${policy.name}`,
            `${LOG_GROUP}::${logGroup.name}`,
          ]);
        }
      });

      it("uploads each function as one bundled file that requires nothing but Node's modules and the AWS SDK the runtime ships", async () => {
        for (const handler of handlerFunctions) {
          const code = partsOf(deployment, handler.functionName).fn.inputs["code"];

          expect(code).to.be.an.instanceOf(pulumi.asset.AssetArchive);
          const assets = await (code as pulumi.asset.AssetArchive).assets;
          const bundle = assets["__index.js"];

          expect(Object.keys(assets), handler.functionName).to.deep.equal(["__index.js"]);
          expect(bundle).to.be.an.instanceOf(pulumi.asset.StringAsset);
          expect(
            requiredOutsideTheRuntime(await (bundle as pulumi.asset.StringAsset).text),
            handler.functionName,
          ).to.deep.equal([]);
        }
      });
    });
  }

  describe("args", () => {
    const valid = (): HandlerFunctionArgs => ({
      handler: placeOrder,
      grants: [{ table: idempotencyTable, actions: ["dynamodb:PutItem"] }],
      tables: {
        idempotency: {
          name: "idempotency-table",
          arn: "arn:aws:dynamodb:eu-west-1:123456789012:table/idempotency-table",
        },
      },
      services: ["orderWorkflow:start"],
      serviceArns: { orderWorkflow: "arn:aws:states:eu-west-1:123456789012:stateMachine:orders" },
      memoryMb: 256,
      timeoutSeconds: 10,
      logRetentionDays: 7,
      stack: "dev",
    });

    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    const cases: { change: Partial<HandlerFunctionArgs>; message: string }[] = [
      {
        change: { tables: {} },
        message: 'HandlerFunction "oms-place-order": tables.idempotency is missing but is granted dynamodb:PutItem',
      },
      {
        change: { serviceArns: {} },
        message:
          'HandlerFunction "oms-place-order": serviceArns.orderWorkflow is missing but is granted orderWorkflow:start',
      },
      {
        change: { services: ["orderWorkflow:start", "events:publish"] },
        message: 'HandlerFunction "oms-place-order": serviceArns.eventsTopic is missing but is granted events:publish',
      },
      {
        // mail:send is on two resources and tells the mailer two values: each one is required.
        change: {
          services: ["mail:send"],
          serviceArns: { mailIdentity: "arn:aws:ses:eu-west-1:123456789012:identity/orders@example.com" },
        },
        message:
          'HandlerFunction "oms-place-order": serviceArns.mailConfigurationSet is missing but is granted mail:send',
      },
      {
        change: {
          services: ["mail:send"],
          serviceArns: {
            mailIdentity: "arn:aws:ses:eu-west-1:123456789012:identity/orders@example.com",
            mailConfigurationSet: "arn:aws:ses:eu-west-1:123456789012:configuration-set/oms",
            mailConfigurationSetName: "oms",
          },
        },
        message: 'HandlerFunction "oms-place-order": serviceArns.mailFrom is missing but is granted mail:send',
      },
      {
        change: { memoryMb: 100 },
        message: 'HandlerFunction "oms-place-order": memoryMb must be an integer from 128 to 10240',
      },
      {
        change: { timeoutSeconds: 901 },
        message: 'HandlerFunction "oms-place-order": timeoutSeconds must be an integer from 1 to 900',
      },
      {
        change: { stack: "org/dev" },
        message:
          'HandlerFunction "oms-place-order": stack must be a stack name of 1 to 100 letters, digits, hyphens, underscores and periods',
      },
    ];
    for (const { change, message } of cases) {
      it(`refuses ${Object.keys(change).join(", ")} = ${JSON.stringify(Object.values(change)[0])}, naming the component and the field`, () => {
        const args = { ...valid(), ...change };

        const construct = () => new HandlerFunction("oms-place-order", args);

        expect(construct).to.throw(pulumi.RunError).with.property("message", message);
      });
    }
  });
});
