import * as v from "valibot";
import { integerBetween, oneOf, positiveInteger } from "./component-args";

/**
 * AWS's limits on the values OMS configures, each written once as a rule whose messages name the
 * field: the stack config (`stack-config.ts`) and the components' arg checks both use them.
 */

/** Retention values CloudWatch Logs accepts, in days (PutRetentionPolicy). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** How long CloudWatch Logs keeps a log group's events. */
export function logRetentionDays(field: string) {
  return oneOf(field, LOG_RETENTION_DAYS);
}

/** Lambda's memory setting, in MB. */
export const LAMBDA_MEMORY_MB = { min: 128, max: 10240 } as const;

/** A Lambda function's memory, in MB. */
export function lambdaMemoryMb(field: string) {
  return integerBetween(field, LAMBDA_MEMORY_MB.min, LAMBDA_MEMORY_MB.max);
}

/** Lambda's longest timeout, in seconds. */
export const LAMBDA_MAX_TIMEOUT_SECONDS = 900;

/**
 * API Gateway's integration timeout is 30 s, so an API function must give up before it: a longer
 * one would only be cut off with API Gateway's own 503.
 */
export const API_FUNCTION_MAX_TIMEOUT_SECONDS = 29;

/** A Lambda function's timeout, in seconds, at most `max` (Lambda's own limit unless the caller waits less). */
export function lambdaTimeoutSeconds(field: string, max: number = LAMBDA_MAX_TIMEOUT_SECONDS) {
  return integerBetween(field, 1, Math.min(max, LAMBDA_MAX_TIMEOUT_SECONDS));
}

/** AWS WAF's bounds for a rate-based rule's limit, in requests per evaluation window. */
export const WAF_RATE_LIMIT = { min: 10, max: 2_000_000_000 } as const;

/** A WAF rate-based rule's limit. */
export function wafRateLimit(field: string) {
  return integerBetween(field, WAF_RATE_LIMIT.min, WAF_RATE_LIMIT.max);
}

/** Cognito's rule for a hosted UI domain prefix: lowercase letters, digits and inner hyphens, 1 to 63. */
export function cognitoDomainPrefix(field: string) {
  return v.pipe(
    v.string(`${field} must be a string`),
    v.regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, `${field} must be lowercase letters, digits and hyphens`),
  );
}

/** API Gateway's throttling of a route: how many requests may arrive at once, and per second sustained. */
export function apiThrottle(field: string) {
  return v.object(
    {
      burstLimit: positiveInteger(`${field}.burstLimit`),
      rateLimit: positiveInteger(`${field}.rateLimit`),
    },
    `${field} must be an object with burstLimit and rateLimit`,
  );
}
