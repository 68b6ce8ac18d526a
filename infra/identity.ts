import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { ADMIN_GROUP } from "../domain/caller";
import { PASSWORD_POLICY } from "../domain/password-policy";
import { cognitoDomainPrefix } from "./aws-limits";
import { ArgsChecker, nonEmpty } from "./component-args";
import { sesIdentityRegion, userPoolEmail } from "./stack-config";

const TYPE = "oms:infra:Identity";

/** What the hosted UI asks for: an ID token carrying the user's e-mail, which the handlers read. */
const OAUTH_SCOPES = ["openid", "email", "profile"] as const;

/** The SES identity the user pool's mail is sent as. */
export interface UserPoolEmail {
  /** ARN of a verified SES identity, an address or a domain, in the user pool's region (Cognito's `SourceArn`). */
  readonly sesIdentityArn: string;
  /** The sender: an address of that identity, alone or as `Name <address>`. */
  readonly from: string;
  /** Where replies go, when not to `from`. */
  readonly replyTo?: string;
}

/** How people sign in to OMS. */
export interface IdentityArgs {
  /** Prefix of the hosted UI domain, `<prefix>.auth.<region>.amazoncognito.com`; unique across AWS. */
  authDomainPrefix: pulumi.Input<string>;
  /** Where the hosted UI may send users back to after sign-in; the first is the login URL's `redirect_uri`. */
  callbackUrls: pulumi.Input<string[]>;
  /**
   * Keep the users: the pool gets deletion protection, `protect` and `retainOnDelete`.
   * @default false
   */
  protectData?: boolean;
  /**
   * Send the pool's mail (sign-up codes, password resets, invitations) through SES as this identity.
   * @default Cognito's own sender, which stops after 50 e-mails a day per account
   */
  userPoolEmail?: UserPoolEmail;
}

/**
 * A Cognito user pool where people sign in with their e-mail address, the app client the API's JWT
 * authorizer trusts, the hosted UI domain, and the `admin` group whose members manage every order.
 */
export class Identity extends pulumi.ComponentResource {
  /** The user pool's id. */
  public readonly userPoolId: pulumi.Output<string>;
  /** The user pool's ARN. */
  public readonly userPoolArn: pulumi.Output<string>;
  /** The app client's id: the audience of the tokens the API accepts. */
  public readonly clientId: pulumi.Output<string>;
  /** The `iss` of the pool's tokens, `https://cognito-idp.<region>.amazonaws.com/<poolId>`. */
  public readonly issuerUrl: pulumi.Output<string>;
  /** The hosted UI's sign-in page, redirecting to the first callback URL with an authorization code. */
  public readonly hostedUiLoginUrl: pulumi.Output<string>;

  constructor(name: string, args: IdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const authDomainPrefix = checker.input(args.authDomainPrefix, cognitoDomainPrefix("authDomainPrefix"));
    const callbackUrls = checker.input(args.callbackUrls, nonEmpty("callbackUrls", v.string()));
    const protectData = args.protectData ?? false;
    const email = args.userPoolEmail && checker.value(args.userPoolEmail, userPoolEmailIn(aws.config.region));
    super(TYPE, name, {}, opts);

    const pool = this.createUserPool(name, protectData, emailConfiguration(email));
    const client = this.createClient(name, pool, callbackUrls);
    const domain = this.createDomain(name, pool, authDomainPrefix);
    this.createAdminGroup(name, pool);
    const region = aws.getRegionOutput({}, { parent: this }).region;

    this.userPoolId = pool.id;
    this.userPoolArn = pool.arn;
    this.clientId = client.id;
    this.issuerUrl = pulumi.interpolate`https://cognito-idp.${region}.amazonaws.com/${pool.id}`;
    this.hostedUiLoginUrl = pulumi
      .all([domain.domain, region, client.id, callbackUrls])
      .apply(([prefix, regionName, clientId, urls]) => loginUrl(prefix, regionName, clientId, urls[0] ?? ""));
    this.registerOutputs({
      userPoolId: this.userPoolId,
      userPoolArn: this.userPoolArn,
      clientId: this.clientId,
      issuerUrl: this.issuerUrl,
      hostedUiLoginUrl: this.hostedUiLoginUrl,
    });
  }

  private createUserPool(
    name: string,
    protectData: boolean,
    emailConfiguration: aws.types.input.cognito.UserPoolEmailConfiguration,
  ): aws.cognito.UserPool {
    return new aws.cognito.UserPool(
      `${name}-users`,
      {
        usernameAttributes: ["email"],
        autoVerifiedAttributes: ["email"],
        passwordPolicy: { ...PASSWORD_POLICY, temporaryPasswordValidityDays: 7 },
        accountRecoverySetting: { recoveryMechanisms: [{ name: "verified_email", priority: 1 }] },
        deletionProtection: protectData ? "ACTIVE" : "INACTIVE",
        emailConfiguration,
      },
      { parent: this, ...(protectData ? { protect: true, retainOnDelete: true } : {}) },
    );
  }

  private createClient(
    name: string,
    pool: aws.cognito.UserPool,
    callbackUrls: pulumi.Input<string[]>,
  ): aws.cognito.UserPoolClient {
    return new aws.cognito.UserPoolClient(
      `${name}-web`,
      {
        userPoolId: pool.id,
        // A browser or CLI cannot keep a secret; PKCE protects the code flow instead.
        generateSecret: false,
        explicitAuthFlows: ["ALLOW_USER_PASSWORD_AUTH", "ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
        allowedOauthFlows: ["code"],
        allowedOauthScopes: [...OAUTH_SCOPES],
        allowedOauthFlowsUserPoolClient: true,
        callbackUrls,
        supportedIdentityProviders: ["COGNITO"],
        preventUserExistenceErrors: "ENABLED",
      },
      { parent: this },
    );
  }

  private createDomain(
    name: string,
    pool: aws.cognito.UserPool,
    authDomainPrefix: pulumi.Input<string>,
  ): aws.cognito.UserPoolDomain {
    return new aws.cognito.UserPoolDomain(
      `${name}-auth`,
      { domain: authDomainPrefix, userPoolId: pool.id },
      { parent: this },
    );
  }

  private createAdminGroup(name: string, pool: aws.cognito.UserPool): aws.cognito.UserGroup {
    return new aws.cognito.UserGroup(
      `${name}-${ADMIN_GROUP}`,
      { name: ADMIN_GROUP, userPoolId: pool.id, description: "Manage every order, not only their own" },
      { parent: this },
    );
  }
}

/**
 * `userPoolEmail`'s rule, and Cognito's: the identity is in the pool's region, which is the stack's
 * `aws:region` (or AWS_REGION). AWS accepts a few legacy alternate regions too ("Email settings for
 * Amazon Cognito user pools"); OMS keeps mail in the pool's region. When the region comes from a
 * profile instead, `region` is unknown here and Cognito's own refusal at `pulumi up` is the check.
 */
function userPoolEmailIn(region: string | undefined) {
  const rule = userPoolEmail("userPoolEmail");
  if (region === undefined) {
    return rule;
  }
  return v.pipe(
    rule,
    v.check(
      (email) => sesIdentityRegion(email.sesIdentityArn) === region,
      `userPoolEmail.sesIdentityArn must be an SES identity in ${region}, the user pool's region`,
    ),
  );
}

/**
 * Cognito's own sender without `email`; with it, SES as that identity (`DEVELOPER`). Cognito then
 * sends through its service-linked role (AWSServiceRoleForAmazonCognitoIdpEmailService), so the
 * identity needs no sending authorization policy ("Authorizing Amazon Cognito to send Amazon SES
 * email on your behalf").
 */
function emailConfiguration(email: UserPoolEmail | undefined): aws.types.input.cognito.UserPoolEmailConfiguration {
  if (email === undefined) {
    return { emailSendingAccount: "COGNITO_DEFAULT" };
  }
  return {
    emailSendingAccount: "DEVELOPER",
    sourceArn: email.sesIdentityArn,
    fromEmailAddress: email.from,
    ...(email.replyTo === undefined ? {} : { replyToEmailAddress: email.replyTo }),
  };
}

/** The hosted UI's sign-in page for the authorization code flow (`scope=openid+email+profile`, `redirect_uri` encoded). */
function loginUrl(domainPrefix: string, region: string, clientId: string, redirectUri: string): string {
  const query = new URLSearchParams({
    client_id: clientId,
    response_type: "code",
    scope: OAUTH_SCOPES.join(" "),
    redirect_uri: redirectUri,
  });
  return `https://${domainPrefix}.auth.${region}.amazoncognito.com/login?${query.toString()}`;
}
