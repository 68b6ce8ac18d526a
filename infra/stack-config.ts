import * as v from "valibot";
import { type AlarmThresholdKey, DEFAULT_ALARM_THRESHOLDS } from "../monitoring/alarms";

/** Retention values CloudWatch Logs accepts, in days. */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const positiveInteger = (key: string) =>
  v.pipe(
    v.number(`${key} must be a number`),
    v.integer(`${key} must be a positive integer`),
    v.minValue(1, `${key} must be a positive integer`),
  );

const positiveNumber = (key: string) =>
  v.pipe(v.number(`${key} must be a number`), v.gtValue(0, `${key} must be greater than 0`));

/** A stack's threshold for the alarms whose rule names `key`, the rule's default when the stack sets none. */
const threshold = <TSchema extends v.GenericSchema<number>>(key: AlarmThresholdKey, schema: TSchema) =>
  v.optional(schema, () => DEFAULT_ALARM_THRESHOLDS[key]);

/** AWS WAF's bounds for a rate-based rule's limit, in requests per evaluation window. */
export const WAF_RATE_LIMIT = { min: 10, max: 2_000_000_000 } as const;

const url = (key: string) => v.pipe(v.string(`${key} must be a URL`), v.url(`${key} must be a URL`));

/**
 * The `oms:*` keys of a stack's config (`Pulumi.<stack>.yaml`). `index.ts` reads them through this
 * schema for `pulumi up`, and the local stack reads the same file through it for `npm start`.
 */
export const StackConfigSchema = v.object({
  /** Who receives operational alarms. */
  alertEmail: v.pipe(v.string("alertEmail must be an e-mail address"), v.email("alertEmail must be an e-mail address")),
  /** API Gateway stage throttling, applied to every route. */
  throttle: v.object(
    {
      burstLimit: positiveInteger("throttle.burstLimit"),
      rateLimit: positiveInteger("throttle.rateLimit"),
    },
    "throttle must be an object with burstLimit and rateLimit",
  ),
  /** How long function and access logs are kept. */
  logRetentionDays: v.picklist(LOG_RETENTION_DAYS, `logRetentionDays must be one of ${LOG_RETENTION_DAYS.join(", ")}`),
  /** Origins browsers may call the API from; `*` allows any. */
  corsAllowedOrigins: v.array(
    v.union([v.literal("*"), url("corsAllowedOrigins[]")], "corsAllowedOrigins[] must be a URL or *"),
    "corsAllowedOrigins must be a list",
  ),
  /** Production data protection: point-in-time recovery, deletion protection, `protect` and `retainOnDelete`. */
  protectData: v.boolean("protectData must be true or false"),
  /** Prefix of the Cognito hosted UI domain (`<prefix>.auth.<region>.amazoncognito.com`); globally unique. */
  authDomainPrefix: v.pipe(
    v.string("authDomainPrefix must be a string"),
    v.regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, "authDomainPrefix must be lowercase letters, digits and hyphens"),
  ),
  /** Where the hosted UI may send users back to after sign-in. */
  callbackUrls: v.pipe(
    v.array(url("callbackUrls[]"), "callbackUrls must be a list"),
    v.minLength(1, "callbackUrls must not be empty"),
  ),
  /** Memory of every function, in MB. */
  functionMemoryMb: v.optional(
    v.pipe(
      positiveInteger("functionMemoryMb"),
      v.minValue(128, "functionMemoryMb must be at least 128"),
      v.maxValue(10240, "functionMemoryMb must be at most 10240"),
    ),
    256,
  ),
  /** Timeout of every API function, in seconds; API Gateway gives up after 30. */
  functionTimeoutSeconds: v.optional(
    v.pipe(positiveInteger("functionTimeoutSeconds"), v.maxValue(29, "functionTimeoutSeconds must be at most 29")),
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
        rateLimitPer5Minutes: v.optional(
          v.pipe(
            positiveInteger("edge.rateLimitPer5Minutes"),
            v.minValue(WAF_RATE_LIMIT.min, `edge.rateLimitPer5Minutes must be at least ${WAF_RATE_LIMIT.min}`),
            v.maxValue(WAF_RATE_LIMIT.max, `edge.rateLimitPer5Minutes must be at most ${WAF_RATE_LIMIT.max}`),
          ),
          2000,
        ),
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
