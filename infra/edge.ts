import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as v from "valibot";
import { wafRateLimit } from "./aws-limits";
import { ArgsChecker } from "./component-args";

const TYPE = "oms:infra:Edge";

/** A host name of OMS's own, served with an ACM certificate for it. */
export interface CustomDomain {
  /** The host name, e.g. `api.orders.example.com`. */
  readonly domainName: string;
  /** The ACM certificate covering it, in the region that serves it (us-east-1 for CloudFront). */
  readonly certificateArn: string;
}

/** CloudFront's managed cache policy "CachingDisabled": every request goes to the API. */
export const CACHING_DISABLED_POLICY_ID = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";

/**
 * CloudFront's managed origin request policy "AllViewerExceptHostHeader": every header, cookie and
 * query string, `Authorization` included (allowed because caching is disabled), but not `Host`,
 * which API Gateway needs to be its own execute-api host name.
 */
export const ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY_ID = "b689b0a8-53d0-40ab-baf2-68738e2966ac";

/** Where CloudFront reads web ACLs and certificates, whatever the stack's region. */
export const CLOUDFRONT_REGION = "us-east-1";

/** Every method the API serves, and CORS preflights. */
const ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"];

/** The origin's id inside the distribution. */
const ORIGIN_ID = "orders-api";

/**
 * The error codes CloudFront would cache, each given a custom error response with an error caching
 * minimum TTL of 0. AWS's "How CloudFront processes HTTP 4xx and 5xx status codes from your origin"
 * (section "HTTP 4xx and 5xx status codes that CloudFront caches") lists 404, 405, 414 and 500-504
 * as always cached, for 10 s by default whatever the cache policy or `Cache-Control` say, and
 * 400, 403, 412 and 415 as cached when the origin sends `Cache-Control: max-age` or `s-maxage`.
 * A custom error response accepts only 400, 403, 404, 405, 414, 416 and 500-504 ("Create a custom
 * error page for specific HTTP status codes"), so 412 and 415 cannot be listed: OMS's handlers
 * send no `Cache-Control`, so CloudFront never caches them. 416 is left out: CloudFront never caches it.
 */
export const CACHEABLE_ERROR_CODES = [400, 403, 404, 405, 414, 500, 501, 502, 503, 504] as const;

/** The AWS managed rule groups the web ACL applies after the rate limit, in this order. */
export const MANAGED_RULE_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] as const;

/** What the edge serves and how hard it limits each client. */
export interface EdgeArgs {
  /** The API's execute-api host name: CloudFront's origin. */
  originDomainName: pulumi.Input<string>;
  /** Requests one client IP may make in 5 minutes before WAF blocks it (10 to 2,000,000,000). */
  rateLimitPer5Minutes: pulumi.Input<number>;
  /** Serve this host name instead of CloudFront's; its certificate must be in us-east-1. */
  customDomain?: CustomDomain;
}

/**
 * CloudFront and AWS WAF in front of the orders API. An HTTP API cannot have a web ACL of its
 * own (only REST APIs and CloudFront can), so CloudFront carries one: a rate limit per client IP,
 * then AWS's common rule set and known bad inputs. CloudFront caches nothing and forwards every
 * method and header but `Host`, so the API behaves as when called directly.
 *
 * The execute-api URL stays reachable, because it is CloudFront's origin: with
 * `disableExecuteApiEndpoint`, API Gateway would refuse CloudFront too. Whoever calls it directly
 * skips WAF but still needs a valid token and meets the stage's throttling. Closing that door
 * would take a regional API Gateway custom domain as CloudFront's origin and then
 * `disableExecuteApiEndpoint: true`, after which only this component's `url` answers.
 */
export class Edge extends pulumi.ComponentResource {
  /** The URL clients should use: `https://<customDomain or the distribution's domain>/`. */
  public readonly url: pulumi.Output<string>;
  /** The distribution's own domain name, where the custom domain's DNS record must point. */
  public readonly distributionDomainName: pulumi.Output<string>;
  /** The distribution's id: the `DistributionId` dimension of its metrics. */
  public readonly distributionId: pulumi.Output<string>;
  /** The web ACL's ARN. */
  public readonly webAclArn: pulumi.Output<string>;

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const rateLimit = checker.input(args.rateLimitPer5Minutes, wafRateLimit("rateLimitPer5Minutes"));
    const customDomain =
      args.customDomain &&
      checker.value(
        args.customDomain,
        v.custom<CustomDomain>(
          (domain) => (domain as CustomDomain).certificateArn.split(":")[3] === CLOUDFRONT_REGION,
          `customDomain.certificateArn must be a certificate in ${CLOUDFRONT_REGION}, where CloudFront reads certificates`,
        ),
      );
    super(TYPE, name, {}, opts);

    const webAcl = this.createWebAcl(name, rateLimit);
    const distribution = this.createDistribution(name, args.originDomainName, webAcl, customDomain);

    this.url = customDomain
      ? pulumi.output(`https://${customDomain.domainName}/`)
      : pulumi.interpolate`https://${distribution.domainName}/`;
    this.distributionDomainName = distribution.domainName;
    this.distributionId = distribution.id;
    this.webAclArn = webAcl.arn;
    this.registerOutputs({
      url: this.url,
      distributionDomainName: this.distributionDomainName,
      distributionId: this.distributionId,
      webAclArn: this.webAclArn,
    });
  }

  /**
   * A CloudFront web ACL lives in us-east-1 whatever the stack's region. The resource's own
   * `region` does that with the stack's provider and its credentials, where a second provider
   * would ignore the stack's `aws:` settings (profile, assumed role).
   */
  private createWebAcl(name: string, rateLimit: pulumi.Input<number>): aws.wafv2.WebAcl {
    const metricPrefix = `${name}-edge`;
    const managedRules = MANAGED_RULE_GROUPS.map((group, index) => ({
      name: group,
      priority: index + 1,
      // Each group's own actions (block) apply; `count` here would only watch.
      overrideAction: { none: {} },
      statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
      visibilityConfig: visibility(`${metricPrefix}-${group}`),
    }));
    return new aws.wafv2.WebAcl(
      `${name}-edge`,
      {
        region: CLOUDFRONT_REGION,
        scope: "CLOUDFRONT",
        description: "Rate limit per client IP, AWS common rule set and known bad inputs, in front of the orders API",
        defaultAction: { allow: {} },
        rules: [
          {
            name: "rate-limit-per-ip",
            priority: 0,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
            visibilityConfig: visibility(`${metricPrefix}-rate-limit-per-ip`),
          },
          ...managedRules,
        ],
        visibilityConfig: visibility(metricPrefix),
      },
      { parent: this },
    );
  }

  private createDistribution(
    name: string,
    originDomainName: pulumi.Input<string>,
    webAcl: aws.wafv2.WebAcl,
    customDomain: CustomDomain | undefined,
  ): aws.cloudfront.Distribution {
    return new aws.cloudfront.Distribution(
      `${name}-edge`,
      {
        enabled: true,
        comment: "Orders API behind AWS WAF",
        isIpv6Enabled: true,
        httpVersion: "http2and3",
        // North America and Europe only: the cheapest price class; other viewers reach the nearest of those.
        priceClass: "PriceClass_100",
        webAclId: webAcl.arn,
        ...(customDomain ? { aliases: [customDomain.domainName] } : {}),
        origins: [
          {
            originId: ORIGIN_ID,
            domainName: originDomainName,
            customOriginConfig: {
              httpPort: 80,
              httpsPort: 443,
              originProtocolPolicy: "https-only",
              originSslProtocols: ["TLSv1.2"],
              // place-order waits up to 28 s for the workflow; API Gateway itself gives up at 30.
              originReadTimeout: 30,
            },
          },
        ],
        defaultCacheBehavior: {
          targetOriginId: ORIGIN_ID,
          viewerProtocolPolicy: "https-only",
          allowedMethods: ALL_METHODS,
          cachedMethods: ["GET", "HEAD"],
          cachePolicyId: CACHING_DISABLED_POLICY_ID,
          originRequestPolicyId: ALL_VIEWER_EXCEPT_HOST_HEADER_POLICY_ID,
          compress: true,
        },
        // An answer may hold one caller's data or one request's fault, and the cache key holds
        // neither the token nor the query string: no error may be served to anyone else. Without a
        // response page path, CloudFront passes the API's own status and JSON body through.
        customErrorResponses: CACHEABLE_ERROR_CODES.map((errorCode) => ({ errorCode, errorCachingMinTtl: 0 })),
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: customDomain
          ? {
              acmCertificateArn: customDomain.certificateArn,
              sslSupportMethod: "sni-only",
              minimumProtocolVersion: "TLSv1.2_2021",
            }
          : { cloudfrontDefaultCertificate: true },
      },
      { parent: this },
    );
  }
}

/** CloudWatch metrics and sampled requests for a rule or the whole web ACL, under `metricName`. */
function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}
