import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ADMIN_GROUP } from "../../domain/caller";
import { Identity, type IdentityArgs } from "../../infra";
import type { UserPoolEmail } from "../../infra/identity";
import {
  type Deployment,
  MockRecorder,
  type RecordedResource,
  deployStack,
  runProgram,
  stackConfig,
} from "../support/pulumi-mocks";
import { rejectionOf } from "../support/stack-config";

const USER_POOL = "aws:cognito/userPool:UserPool";
const CLIENT = "aws:cognito/userPoolClient:UserPoolClient";
const DOMAIN = "aws:cognito/userPoolDomain:UserPoolDomain";
const GROUP = "aws:cognito/userGroup:UserGroup";

/** What each stack's `Pulumi.<stack>.yaml` asks of sign-in. */
const stacks = [
  {
    stack: "dev",
    authDomainPrefix: "oms-dev-orders",
    callbackUrl: "http://localhost:3000/callback",
    encodedCallbackUrl: "http%3A%2F%2Flocalhost%3A3000%2Fcallback",
    protectData: false,
    sendsThroughSes: false,
  },
  {
    stack: "prod",
    authDomainPrefix: "oms-prod-orders",
    callbackUrl: "https://orders.example.com/callback",
    encodedCallbackUrl: "https%3A%2F%2Forders.example.com%2Fcallback",
    protectData: true,
    sendsThroughSes: true,
  },
];

/** An SES domain identity in the stacks' region, eu-west-1. */
const SES_IDENTITY = "arn:aws:ses:eu-west-1:123456789012:identity/orders.example.com";

/** The `oms:userPoolEmail` a stack's `Pulumi.<stack>.yaml` sets, if any. */
function configuredUserPoolEmail(stack: string): UserPoolEmail | undefined {
  const text = stackConfig(stack)["oms:userPoolEmail"];
  return text === undefined ? undefined : (JSON.parse(text) as UserPoolEmail);
}

function only(deployment: Deployment, type: string): RecordedResource {
  const all = deployment.ofType(type);
  expect(all, type).to.have.length(1);
  return all[0] as RecordedResource;
}

describe("Identity", () => {
  for (const expected of stacks) {
    describe(`on the ${expected.stack} stack`, () => {
      let deployment: Deployment;

      before(async () => {
        deployment = await deployStack(expected.stack);
      });

      it("signs people in with their verified e-mail and a strong password", () => {
        const pool = only(deployment, USER_POOL);

        expect(pool.inputs).to.deep.include({
          usernameAttributes: ["email"],
          autoVerifiedAttributes: ["email"],
          passwordPolicy: {
            minimumLength: 12,
            requireLowercase: true,
            requireUppercase: true,
            requireNumbers: true,
            requireSymbols: true,
            temporaryPasswordValidityDays: 7,
          },
          accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
        });
      });

      if (expected.protectData) {
        it("protects the user pool from deletion, in AWS and in Pulumi", () => {
          const pool = only(deployment, USER_POOL);

          expect(pool.inputs["deletionProtection"]).to.equal("ACTIVE");
          expect(deployment.optionsOf(USER_POOL, pool.name)).to.deep.include({ protect: true, retainOnDelete: true });
        });
      } else {
        it("lets the user pool be deleted with the stack", () => {
          const pool = only(deployment, USER_POOL);

          expect(pool.inputs["deletionProtection"]).to.equal("INACTIVE");
          expect(deployment.optionsOf(USER_POOL, pool.name)).to.deep.equal({
            dependsOn: [],
            parent: "oms:infra:Identity::oms",
            aliases: [],
          });
        });
      }

      if (expected.sendsThroughSes) {
        it("sends the pool's mail through SES as the identity its config names, past Cognito's 50 a day", () => {
          const configured = configuredUserPoolEmail(expected.stack);

          const pool = only(deployment, USER_POOL);

          expect(configured, "oms:userPoolEmail").to.not.equal(undefined);
          expect(pool.inputs["emailConfiguration"]).to.deep.equal({
            emailSendingAccount: "DEVELOPER",
            sourceArn: configured?.sesIdentityArn,
            fromEmailAddress: configured?.from,
            ...(configured?.replyTo === undefined ? {} : { replyToEmailAddress: configured.replyTo }),
          });
        });
      } else {
        it("keeps Cognito's own sender: the stack sets no oms:userPoolEmail", () => {
          const pool = only(deployment, USER_POOL);

          expect(configuredUserPoolEmail(expected.stack)).to.equal(undefined);
          expect(pool.inputs["emailConfiguration"]).to.deep.equal({ emailSendingAccount: "COGNITO_DEFAULT" });
        });
      }

      it("has a public app client for password, SRP and the hosted UI's code flow, without a secret", () => {
        const pool = only(deployment, USER_POOL);

        const client = only(deployment, CLIENT);

        expect(client.inputs).to.deep.equal({
          userPoolId: pool.id,
          generateSecret: false,
          explicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
          allowedOauthFlows: ["code"],
          allowedOauthScopes: ["openid", "email", "profile"],
          allowedOauthFlowsUserPoolClient: true,
          callbackUrls: [expected.callbackUrl],
          supportedIdentityProviders: ["COGNITO"],
          preventUserExistenceErrors: "ENABLED",
        });
      });

      it(`serves the hosted UI at ${expected.authDomainPrefix}`, () => {
        const domain = only(deployment, DOMAIN);

        expect(domain.inputs).to.deep.equal({
          domain: expected.authDomainPrefix,
          userPoolId: only(deployment, USER_POOL).id,
        });
      });

      it("has the admin group the handlers check", () => {
        const group = only(deployment, GROUP);

        expect(group.inputs).to.deep.include({ name: ADMIN_GROUP, userPoolId: only(deployment, USER_POOL).id });
      });

      it("exports the pool, the client and a hosted UI login URL that returns to the first callback URL", () => {
        const pool = only(deployment, USER_POOL);
        const client = only(deployment, CLIENT);

        expect(deployment.outputs["userPoolId"]).to.equal(pool.id);
        expect(deployment.outputs["userPoolClientId"]).to.equal(client.id);
        expect(deployment.outputs["hostedUiLoginUrl"]).to.equal(
          `https://${expected.authDomainPrefix}.auth.eu-west-1.amazoncognito.com/login?client_id=${client.id}` +
            `&response_type=code&scope=openid+email+profile&redirect_uri=${expected.encodedCallbackUrl}`,
        );
      });
    });
  }

  describe("with an SES identity in oms:userPoolEmail", () => {
    it("fails at preview, before creating anything, when the identity's ARN is not an SES identity's, naming the key", async () => {
      const config = {
        ...stackConfig("prod"),
        "oms:userPoolEmail": JSON.stringify({
          sesIdentityArn: "arn:aws:sns:eu-west-1:123456789012:orders.example.com",
          from: "no-reply@orders.example.com",
        }),
      };
      const recorder = new MockRecorder("eu-west-1");

      const error = await rejectionOf(runProgram("prod", config, recorder));

      expect(error).to.be.an.instanceOf(pulumi.RunError);
      expect(error.message).to.equal(
        'Stack "prod" has invalid config:\n  oms:userPoolEmail.sesIdentityArn: userPoolEmail.sesIdentityArn must be' +
          " an SES identity ARN: arn:aws:ses:<region>:<account>:identity/<address or domain>",
      );
      expect(recorder.resources.map((resource) => resource.type)).to.deep.equal(["pulumi:pulumi:Stack"]);
    });
  });

  describe("args", () => {
    const valid: IdentityArgs = { authDomainPrefix: "oms-test", callbackUrls: ["http://localhost:3000/callback"] };

    let recorder: MockRecorder;
    let savedConfig: Record<string, string>;

    before(async () => {
      recorder = new MockRecorder("eu-west-1");
      await pulumi.runtime.setMocks(recorder, "oms", "test");
      savedConfig = pulumi.runtime.allConfig();
      // The region the stack's default provider creates the pool in.
      pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1" });
    });

    after(() => {
      pulumi.runtime.setAllConfig(savedConfig);
    });

    it("sends as the SES identity, with the reply-to address it is given", async () => {
      const userPoolEmail: UserPoolEmail = {
        sesIdentityArn: SES_IDENTITY,
        from: "OMS <no-reply@mail.orders.example.com>",
        replyTo: "help@example.com",
      };

      const identity = new Identity("oms", { ...valid, userPoolEmail });
      await new Promise((resolve) => identity.userPoolArn.apply(resolve));

      const pool = recorder.resources.find((resource) => resource.type === USER_POOL);
      expect(pool?.inputs["emailConfiguration"]).to.deep.equal({
        emailSendingAccount: "DEVELOPER",
        sourceArn: SES_IDENTITY,
        fromEmailAddress: "OMS <no-reply@mail.orders.example.com>",
        replyToEmailAddress: "help@example.com",
      });
    });

    const cases: { change: Partial<IdentityArgs>; message: string }[] = [
      { change: { callbackUrls: [] }, message: 'Identity "oms": callbackUrls must not be empty' },
      {
        change: { authDomainPrefix: "OMS_Orders" },
        message: 'Identity "oms": authDomainPrefix must be lowercase letters, digits and hyphens',
      },
      {
        change: { userPoolEmail: { sesIdentityArn: "orders.example.com", from: "no-reply@orders.example.com" } },
        message:
          'Identity "oms": userPoolEmail.sesIdentityArn must be an SES identity ARN: arn:aws:ses:<region>:<account>:identity/<address or domain>',
      },
      {
        change: { userPoolEmail: { sesIdentityArn: SES_IDENTITY, from: "OMS <no-reply@example.net>" } },
        message:
          'Identity "oms": userPoolEmail.from must be an address of the SES identity that userPoolEmail.sesIdentityArn names',
      },
      {
        change: {
          userPoolEmail: {
            sesIdentityArn: "arn:aws:ses:us-east-1:123456789012:identity/orders.example.com",
            from: "no-reply@orders.example.com",
          },
        },
        message:
          'Identity "oms": userPoolEmail.sesIdentityArn must be an SES identity in eu-west-1, the user pool\'s region',
      },
    ];
    for (const { change, message } of cases) {
      it(`refuses ${JSON.stringify(change)}, naming the component and the field`, () => {
        const args = { ...valid, ...change };

        const construct = () => new Identity("oms", args);

        expect(construct).to.throw(pulumi.RunError).with.property("message", message);
      });
    }
  });
});
