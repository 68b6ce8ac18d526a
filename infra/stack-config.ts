import * as v from "valibot";
import { type AlarmThresholdKey, DEFAULT_ALARM_THRESHOLDS } from "../monitoring/alarms";
import {
  API_FUNCTION_MAX_TIMEOUT_SECONDS,
  apiThrottle,
  cognitoDomainPrefix,
  lambdaMemoryMb,
  lambdaTimeoutSeconds,
  logRetentionDays,
  wafRateLimit,
} from "./aws-limits";
import { emailAddress, nonEmpty, positiveInteger } from "./component-args";

const positiveNumber = (key: string) =>
  v.pipe(v.number(`${key} must be a number`), v.gtValue(0, `${key} must be greater than 0`));

/** A stack's threshold for the alarms whose rule names `key`, the rule's default when the stack sets none. */
const threshold = <TSchema extends v.GenericSchema<number>>(key: AlarmThresholdKey, schema: TSchema) =>
  v.optional(schema, () => DEFAULT_ALARM_THRESHOLDS[key]);

const url = (key: string) => v.pipe(v.string(`${key} must be a URL`), v.url(`${key} must be a URL`));

/** An SES identity's ARN: `arn:aws:ses:<region>:<account>:identity/<verified address or domain>`. */
const SES_IDENTITY_ARN = /^arn:aws[a-z-]*:ses:[a-z0-9-]+:\d{12}:identity\/[^\s/]+$/;

/** The region an SES identity ARN names. */
export function sesIdentityRegion(arn: string): string {
  return arn.split(":")[3] ?? "";
}

/** The address of a sender written `no-reply@example.com` or `Name <no-reply@example.com>`. */
function senderAddress(from: string): string {
  return /<([^<>]+)>$/.exec(from.trim())?.[1] ?? from.trim();
}

/**
 * Whether SES lets the identity of `arn` send as `address`: an address identity covers itself, a
 * domain identity every address of the domain and of its subdomains ("Creating and verifying
 * identities in Amazon SES").
 */
function identityCovers(arn: string, address: string): boolean {
  const identity = arn.slice(arn.indexOf(":identity/") + ":identity/".length).toLowerCase();
  const lowerAddress = address.toLowerCase();
  if (identity.includes("@")) {
    return lowerAddress === identity;
  }
  const domain = lowerAddress.slice(lowerAddress.lastIndexOf("@") + 1);
  return domain === identity || domain.endsWith(`.${identity}`);
}

/**
 * Cognito's mail sent through SES (`EmailSendingAccount: DEVELOPER`) as a verified SES identity:
 * its ARN, the sender (an address of that identity, optionally with a name) and where replies go.
 */
export function userPoolEmail(field: string) {
  const email = v.pipe(v.string(), v.email());
  return v.pipe(
    v.strictObject(
      {
        sesIdentityArn: v.pipe(
          v.string(`${field}.sesIdentityArn must be an SES identity ARN`),
          v.regex(
            SES_IDENTITY_ARN,
            `${field}.sesIdentityArn must be an SES identity ARN: arn:aws:ses:<region>:<account>:identity/<address or domain>`,
          ),
        ),
        from: v.pipe(
          v.string(`${field}.from must be an e-mail address`),
          v.check(
            (from) => v.is(email, senderAddress(from)),
            `${field}.from must be an e-mail address, alone or as Name <address>`,
          ),
        ),
        replyTo: v.optional(
          v.pipe(
            v.string(`${field}.replyTo must be an e-mail address`),
            v.email(`${field}.replyTo must be an e-mail address`),
          ),
        ),
      },
      `${field} must be an object with sesIdentityArn, from and, optionally, replyTo`,
    ),
    v.forward(
      v.partialCheck(
        [["sesIdentityArn"], ["from"]],
        // Only when both are well formed: otherwise their own messages say what is wrong.
        (input) =>
          !SES_IDENTITY_ARN.test(input.sesIdentityArn) ||
          !v.is(email, senderAddress(input.from)) ||
          identityCovers(input.sesIdentityArn, senderAddress(input.from)),
        `${field}.from must be an address of the SES identity that ${field}.sesIdentityArn names`,
      ),
      ["from"],
    ),
  );
}

/**
 * The `oms:*` keys of a stack's config (`Pulumi.<stack>.yaml`). `index.ts` reads them through this
 * schema for `pulumi up`, and the local stack reads the same file through it for `npm start`.
 */
export const StackConfigSchema = v.object({
  /** Who receives operational alarms. */
  alertEmail: emailAddress("alertEmail"),
  /**
   * The address customers' order mail comes from. The program creates its SES identity; SES mails
   * it a verification link and sends nothing as it until the link is followed.
   */
  mailFrom: emailAddress("mailFrom"),
  /**
   * The stack's SES account is in the sandbox (new accounts are), where SES delivers only to
   * verified addresses: each of `recipients` gets an identity, and so a verification link.
   */
  mailSandbox: v.optional(
    v.strictObject(
      { recipients: v.array(emailAddress("mailSandbox.recipients[]"), "mailSandbox.recipients must be a list") },
      "mailSandbox must be an object with recipients",
    ),
  ),
  /**
   * API Gateway throttling of each route on its own (the stage's default route settings): every
   * route key gets this burst and rate, so the API as a whole may take the sum. No whole-API cap
   * comes from here; the account's API Gateway quota per region, and in prod the edge's per-IP
   * WAF rule (`edge`), are the only limits on the total.
   */
  throttle: apiThrottle("throttle"),
  /** How long function and access logs are kept. */
  logRetentionDays: logRetentionDays("logRetentionDays"),
  /** Origins browsers may call the API from; `*` allows any. */
  corsAllowedOrigins: v.array(
    v.union([v.literal("*"), url("corsAllowedOrigins[]")], "corsAllowedOrigins[] must be a URL or *"),
    "corsAllowedOrigins must be a list",
  ),
  /** Production data protection: point-in-time recovery, deletion protection, `protect` and `retainOnDelete`. */
  protectData: v.boolean("protectData must be true or false"),
  /** Prefix of the Cognito hosted UI domain (`<prefix>.auth.<region>.amazoncognito.com`); globally unique. */
  authDomainPrefix: cognitoDomainPrefix("authDomainPrefix"),
  /** Where the hosted UI may send users back to after sign-in. */
  callbackUrls: nonEmpty("callbackUrls", url("callbackUrls[]")),
  /** Memory of every function, in MB. */
  functionMemoryMb: v.optional(lambdaMemoryMb("functionMemoryMb"), 256),
  /** Timeout of every API function, in seconds; API Gateway gives up after 30. */
  functionTimeoutSeconds: v.optional(
    lambdaTimeoutSeconds("functionTimeoutSeconds", API_FUNCTION_MAX_TIMEOUT_SECONDS),
    10,
  ),
  /** Alarm thresholds (`monitoring/alarms.ts`); each one left out keeps its default. */
  alarms: v.optional(
    v.strictObject(
      {
        apiP99LatencyMs: threshold("apiP99LatencyMs", positiveInteger("alarms.apiP99LatencyMs")),
        api5xxRatePercent: threshold(
          "api5xxRatePercent",
          v.pipe(
            positiveNumber("alarms.api5xxRatePercent"),
            v.maxValue(100, "alarms.api5xxRatePercent must be at most 100"),
          ),
        ),
        functionThrottles: threshold("functionThrottles", positiveInteger("alarms.functionThrottles")),
        dynamoDbThrottles: threshold("dynamoDbThrottles", positiveInteger("alarms.dynamoDbThrottles")),
        notificationFailures: threshold("notificationFailures", positiveInteger("alarms.notificationFailures")),
      },
      `alarms must be an object with only ${Object.keys(DEFAULT_ALARM_THRESHOLDS).join(", ")}`,
    ),
    {},
  ),
  /**
   * CloudFront and AWS WAF in front of the API (rate limit per client IP, AWS managed rules): worth
   * its cost in production, off by default.
   */
  edge: v.optional(
    v.strictObject(
      {
        enabled: v.boolean("edge.enabled must be true or false"),
        rateLimitPer5Minutes: v.optional(wafRateLimit("edge.rateLimitPer5Minutes"), 2000),
      },
      "edge must be an object with enabled and, optionally, rateLimitPer5Minutes",
    ),
    { enabled: false },
  ),
  /**
   * The host name clients call instead of AWS's: on CloudFront when `edge` is enabled (the
   * certificate must then be in us-east-1), else on API Gateway (a certificate in the stack's
   * region). Its DNS record is left to whoever owns the zone.
   */
  customDomain: v.optional(
    v.strictObject(
      {
        domainName: v.pipe(
          v.string("customDomain.domainName must be a host name"),
          v.regex(
            /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/,
            "customDomain.domainName must be a lowercase host name such as api.example.com",
          ),
        ),
        certificateArn: v.pipe(
          v.string("customDomain.certificateArn must be an ACM certificate ARN"),
          v.regex(
            /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/,
            "customDomain.certificateArn must be an ACM certificate ARN",
          ),
        ),
      },
      "customDomain must be an object with domainName and certificateArn",
    ),
  ),
  /**
   * Send Cognito's mail (sign-up codes, password resets, invitations) through SES as this verified
   * identity, in the stack's region, instead of Cognito's default sender, which stops after 50
   * e-mails a day per account. Unset: the default sender, enough for dev.
   */
  userPoolEmail: v.optional(userPoolEmail("userPoolEmail")),
});

/** A stack's validated config. */
export type StackConfig = v.InferOutput<typeof StackConfigSchema>;

/** Config keys live under this namespace: `oms:alertEmail`, `oms:throttle`... */
export const CONFIG_NAMESPACE = "oms";

/**
 * Validates raw config (keys without the namespace). Fails with every problem listed, each naming
 * its `oms:` key, so that a bad stack fails at preview rather than half-way through a deployment.
 */
export function parseStackConfig(raw: Readonly<Record<string, unknown>>, stack: string): StackConfig {
  const result = v.safeParse(StackConfigSchema, raw);
  if (result.success) {
    return result.output;
  }
  const problems = result.issues.map((issue) => {
    const path = v.getDotPath(issue);
    return `${CONFIG_NAMESPACE}:${path ?? "?"}: ${issue.message}`;
  });
  throw new Error(`Stack "${stack}" has invalid config:\n  ${problems.join("\n  ")}`);
}

/** The config keys the schema knows, so that readers can fetch exactly these. */
export const STACK_CONFIG_KEYS = Object.keys(StackConfigSchema.entries) as (keyof StackConfig)[];
