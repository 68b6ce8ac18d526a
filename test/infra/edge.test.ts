import * as pulumi from "@pulumi/pulumi";
import { expect } from "chai";
import { Edge, type EdgeArgs } from "../../infra";
import { CACHEABLE_ERROR_CODES } from "../../infra/edge";
import {
  type Deployment,
  MockRecorder,
  ROOT_STACK,
  type RecordedResource,
  deployStack,
  runProgram,
  stackConfig,
} from "../support/pulumi-mocks";

const API = "aws:apigatewayv2/api:Api";
const DOMAIN_NAME = "aws:apigatewayv2/domainName:DomainName";
const DISTRIBUTION = "aws:cloudfront/distribution:Distribution";
const WEB_ACL = "aws:wafv2/webAcl:WebAcl";

/** A certificate where CloudFront reads them. */
const EDGE_CERTIFICATE = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789";

function only(deployment: Deployment, type: string): RecordedResource {
  const all = deployment.ofType(type);
  expect(all, type).to.have.length(1);
  return all[0] as RecordedResource;
}

/** The distribution's inputs for an origin, and the viewer settings a custom domain changes. */
function expectedDistribution(
  origin: string,
  webAclArn: unknown,
  viewer: { aliases?: string[]; viewerCertificate: Record<string, unknown> },
) {
  return {
    enabled: true,
    comment: "Orders API behind AWS WAF",
    isIpv6Enabled: true,
    httpVersion: "http2and3",
    priceClass: "PriceClass_100",
    webAclId: webAclArn,
    ...(viewer.aliases ? { aliases: viewer.aliases } : {}),
    origins: [
      {
        originId: "orders-api",
        domainName: origin,
        customOriginConfig: {
          httpPort: 80,
          httpsPort: 443,
          originProtocolPolicy: "https-only",
          originSslProtocols: ["TLSv1.2"],
          originReadTimeout: 30,
        },
      },
    ],
    defaultCacheBehavior: {
      targetOriginId: "orders-api",
      viewerProtocolPolicy: "https-only",
      allowedMethods: ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"],
      cachedMethods: ["GET", "HEAD"],
      cachePolicyId: "4135ea2d-6df8-44a3-9df3-4b5a84be39ad",
      originRequestPolicyId: "b689b0a8-53d0-40ab-baf2-68738e2966ac",
      compress: true,
    },
    customErrorResponses: CACHEABLE_ERROR_CODES.map((errorCode) => ({ errorCode, errorCachingMinTtl: 0 })),
    restrictions: { geoRestriction: { restrictionType: "none" } },
    viewerCertificate: viewer.viewerCertificate,
  };
}

function visibility(metricName: string) {
  return { cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true };
}

describe("Edge", () => {
  describe("on the prod stack", () => {
    let deployment: Deployment;

    before(async () => {
      deployment = await deployStack("prod");
    });

    it("puts CloudFront in front of the API's execute-api host: HTTPS only, nothing cached, every method, every header but Host", () => {
      const apiHost = new URL(String(only(deployment, API).state["apiEndpoint"])).host;
      const webAcl = only(deployment, WEB_ACL);

      const distribution = only(deployment, DISTRIBUTION);

      expect(apiHost).to.match(/\.execute-api\.eu-west-1\.amazonaws\.com$/);
      expect(distribution.inputs).to.deep.equal(
        expectedDistribution(apiHost, webAcl.state["arn"], {
          viewerCertificate: { cloudfrontDefaultCertificate: true },
        }),
      );
    });

    it("caches no error for anyone: every code CloudFront caches has a zero error caching TTL and no error page", () => {
      const distribution = only(deployment, DISTRIBUTION);

      const responses = distribution.inputs["customErrorResponses"] as Record<string, unknown>[] | undefined;

      for (const code of CACHEABLE_ERROR_CODES) {
        // Only the TTL: a responsePagePath or responseCode would replace the API's own JSON answer.
        expect(
          responses?.filter((response) => response["errorCode"] === code),
          `error ${code}`,
        ).to.deep.equal([{ errorCode: code, errorCachingMinTtl: 0 }]);
      }
    });

    it("filters it with a CloudFront web ACL in us-east-1: 2000 requests per client IP per 5 minutes, then AWS's common rule set and known bad inputs", () => {
      const webAcl = only(deployment, WEB_ACL);

      expect(webAcl.inputs).to.deep.equal({
        region: "us-east-1",
        scope: "CLOUDFRONT",
        description: "Rate limit per client IP, AWS common rule set and known bad inputs, in front of the orders API",
        defaultAction: { allow: {} },
        rules: [
          {
            name: "rate-limit-per-ip",
            priority: 0,
            action: { block: {} },
            statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 } },
            visibilityConfig: visibility("oms-edge-rate-limit-per-ip"),
          },
          {
            name: "AWSManagedRulesCommonRuleSet",
            priority: 1,
            overrideAction: { none: {} },
            statement: { managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesCommonRuleSet" } },
            visibilityConfig: visibility("oms-edge-AWSManagedRulesCommonRuleSet"),
          },
          {
            name: "AWSManagedRulesKnownBadInputsRuleSet",
            priority: 2,
            overrideAction: { none: {} },
            statement: {
              managedRuleGroupStatement: { vendorName: "AWS", name: "AWSManagedRulesKnownBadInputsRuleSet" },
            },
            visibilityConfig: visibility("oms-edge-AWSManagedRulesKnownBadInputsRuleSet"),
          },
        ],
        visibilityConfig: visibility("oms-edge"),
      });
    });

    it("exports CloudFront's URL as apiUrl", () => {
      const distribution = only(deployment, DISTRIBUTION);

      expect(deployment.outputs["apiUrl"]).to.equal(`https://${String(distribution.state["domainName"])}/`);
      expect(deployment.outputs["customDomainTarget"]).to.equal(undefined);
    });

    it("belongs to OrdersApi, aliased to the root stack where it was first deployed, and owns its web ACL and distribution", () => {
      const edge = deployment.optionsOf("oms:infra:Edge", "oms");

      const children = [WEB_ACL, DISTRIBUTION].map((type) => deployment.optionsOf(type, "oms-edge").parent);

      expect(edge.parent).to.equal("oms:infra:OrdersApi::oms");
      expect(edge.aliases).to.deep.equal([{ parent: ROOT_STACK }]);
      expect(children).to.deep.equal(["oms:infra:Edge::oms", "oms:infra:Edge::oms"]);
    });

    it("keeps the API's execute-api endpoint enabled: it is CloudFront's origin", () => {
      expect(only(deployment, API).inputs["disableExecuteApiEndpoint"]).to.equal(false);
    });
  });

  describe("on the dev stack", () => {
    it("has no CloudFront distribution and no web ACL: dev stays cheap", async () => {
      const deployment = await deployStack("dev");

      const edgeTypes = deployment.resources
        .map((resource) => resource.type)
        .filter(
          (type) => type === "oms:infra:Edge" || type.startsWith("aws:cloudfront/") || type.startsWith("aws:wafv2/"),
        );

      expect(edgeTypes).to.deep.equal([]);
    });
  });

  describe("on the prod stack with a custom domain", () => {
    let deployment: Deployment;

    before(async () => {
      const config = {
        ...stackConfig("prod"),
        "oms:customDomain": JSON.stringify({ domainName: "api.orders.example.com", certificateArn: EDGE_CERTIFICATE }),
      };
      deployment = await runProgram("prod", config);
    });

    it("serves the domain on CloudFront with its us-east-1 certificate, SNI and TLS 1.2 at least", () => {
      const apiHost = new URL(String(only(deployment, API).state["apiEndpoint"])).host;
      const webAcl = only(deployment, WEB_ACL);

      const distribution = only(deployment, DISTRIBUTION);

      expect(distribution.inputs).to.deep.equal(
        expectedDistribution(apiHost, webAcl.state["arn"], {
          aliases: ["api.orders.example.com"],
          viewerCertificate: {
            acmCertificateArn: EDGE_CERTIFICATE,
            sslSupportMethod: "sni-only",
            minimumProtocolVersion: "TLSv1.2_2021",
          },
        }),
      );
    });

    it("exports the domain as apiUrl, and the distribution as where its DNS record must point", () => {
      const distribution = only(deployment, DISTRIBUTION);

      expect(deployment.outputs["apiUrl"]).to.equal("https://api.orders.example.com/");
      expect(deployment.outputs["customDomainTarget"]).to.equal(distribution.state["domainName"]);
    });

    it("gives API Gateway no domain name of its own: CloudFront serves it", () => {
      expect(deployment.ofType(DOMAIN_NAME)).to.deep.equal([]);
    });
  });

  describe("args", () => {
    const valid: EdgeArgs = {
      originDomainName: "abc123.execute-api.eu-west-1.amazonaws.com",
      rateLimitPer5Minutes: 2000,
    };

    before(async () => {
      await pulumi.runtime.setMocks(new MockRecorder("eu-west-1"), "oms", "test");
    });

    const cases: { change: Partial<EdgeArgs>; message: string }[] = [
      {
        change: { rateLimitPer5Minutes: 5 },
        message: 'Edge "oms": rateLimitPer5Minutes must be an integer from 10 to 2000000000',
      },
      {
        change: {
          customDomain: {
            domainName: "api.orders.example.com",
            certificateArn: "arn:aws:acm:eu-west-1:123456789012:certificate/0a1b2c3d",
          },
        },
        message:
          'Edge "oms": customDomain.certificateArn must be a certificate in us-east-1, where CloudFront reads certificates',
      },
    ];
    for (const { change, message } of cases) {
      it(`refuses ${JSON.stringify(change)}, naming the component and the field`, () => {
        const args = { ...valid, ...change };

        const construct = () => new Edge("oms", args);

        expect(construct).to.throw(pulumi.RunError).with.property("message", message);
      });
    }
  });
});
