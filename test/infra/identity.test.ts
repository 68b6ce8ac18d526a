import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { ADMIN_GROUP } from "../../domain/caller";
import { Identity, type IdentityArgs } from "../../infra";
import { type Deployment, MockRecorder, type RecordedResource, deployStack } from "../support/pulumi-mocks";

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
  },
  {
    stack: "prod",
    authDomainPrefix: "oms-prod-orders",
    callbackUrl: "https://orders.example.com/callback",
    encodedCallbackUrl: "https%3A%2F%2Forders.example.com%2Fcallback",
    protectData: true,
  },
];

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

  describe("args", () => {
    const valid: IdentityArgs = { authDomainPrefix: "oms-test", callbackUrls: ["http://localhost:3000/callback"] };

    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    const cases: { change: Partial<IdentityArgs>; message: string }[] = [
      { change: { callbackUrls: [] }, message: 'Identity "oms": callbackUrls must not be empty' },
      {
        change: { authDomainPrefix: "OMS_Orders" },
        message: 'Identity "oms": authDomainPrefix must be lowercase letters, digits and hyphens',
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
