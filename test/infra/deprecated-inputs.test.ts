import { expect } from "chai";
import { deployStack } from "../support/pulumi-mocks";
import {
  type InputFinding,
  ProviderInputChecker,
  describeFinding,
  isAwsProviderType,
} from "../support/provider-deprecations";

/** The stacks `pulumi up` runs on, each with its own config (prod adds the edge). */
const STACKS = ["dev", "prod"];

const TABLE = "aws:dynamodb/table:Table";
/** A resource type the provider deprecates as a whole, for the spec that proves the checker sees it. */
const DEPRECATED_BUCKET = "aws:s3/bucketV2:BucketV2";

/**
 * The budget for building the compiler program over the provider's declarations: it is built once
 * per run, and must not weigh on `npm test` (measured 1.8–5 s on this 2-core machine, shared).
 */
const BUILD_BUDGET_MS = 20_000;

describe("Inputs sent to the AWS provider", () => {
  let checker: ProviderInputChecker;

  before(async () => {
    const types = new Set([TABLE, DEPRECATED_BUCKET]);
    // One at a time: the mocks and the program's config are global to the Pulumi runtime.
    for (const stack of STACKS) {
      const deployment = await deployStack(stack);
      deployment.resources.filter((r) => isAwsProviderType(r.type)).forEach((r) => types.add(r.type));
    }
    checker = new ProviderInputChecker(types);
  });

  describe("the checker", () => {
    it(`builds its compiler program over the provider's declarations within ${BUILD_BUDGET_MS / 1000} s`, () => {
      expect(checker.buildMs).to.be.below(BUILD_BUDGET_MS);
    });

    it("reports a GSI hashKey as deprecated, with the provider's message", () => {
      const resource = {
        type: TABLE,
        name: "synthetic",
        inputs: { globalSecondaryIndexes: [{ name: "x", hashKey: "a", projectionType: "ALL" }] },
      };

      const findings = checker.check(resource);

      expect(findings).to.deep.equal([
        {
          kind: "deprecated",
          type: TABLE,
          name: "synthetic",
          path: "globalSecondaryIndexes[0].hashKey",
          message: "hash_key is deprecated. Use keySchema instead.",
        },
      ] satisfies InputFinding[]);
    });

    it("reports a resource type the provider deprecates, and its deprecated inputs", () => {
      const resource = { type: DEPRECATED_BUCKET, name: "synthetic", inputs: { acl: "private" } };

      const findings = checker.check(resource).map(describeFinding);

      expect(findings).to.deep.equal([
        `${DEPRECATED_BUCKET} (synthetic) is deprecated: s3.BucketV2 has been deprecated in favor of s3.Bucket`,
        `${DEPRECATED_BUCKET}.acl (synthetic) is deprecated: acl is deprecated. Use the aws.s3.BucketAcl resource instead.`,
      ]);
    });

    it("reports an input key the Args type does not declare, at the top and inside a nested block", () => {
      const resource = {
        type: TABLE,
        name: "synthetic",
        inputs: {
          hashkey: "pk",
          globalSecondaryIndexes: [{ name: "x", projectionType: "ALL", projection: "KEYS_ONLY" }],
        },
      };

      const findings = checker.check(resource).map((f) => `${f.kind} ${f.path}`);

      expect(findings).to.deep.equal(["undeclared hashkey", "undeclared globalSecondaryIndexes[0].projection"]);
    });

    it("accepts any key of a map, and skips Pulumi's own __ keys", () => {
      const resource = {
        type: TABLE,
        name: "synthetic",
        inputs: { tags: { "cost centre": "oms" }, __defaults: ["billingMode"] },
      };

      const findings = checker.check(resource);

      expect(findings).to.deep.equal([]);
    });
  });

  for (const stack of STACKS) {
    describe(`on the ${stack} stack`, () => {
      /** Every finding of one kind over every resource the provider would receive. */
      async function findingsOf(kind: InputFinding["kind"]): Promise<string[]> {
        const deployment = await deployStack(stack);
        return deployment.resources
          .filter((resource) => isAwsProviderType(resource.type))
          .flatMap((resource) => checker.check(resource))
          .filter((finding) => finding.kind === kind)
          .map(describeFinding);
      }

      it("sets no input, and uses no resource type, that the AWS provider marks deprecated", async () => {
        const deprecated = await findingsOf("deprecated");

        expect(deprecated).to.deep.equal([]);
      });

      it("sets only inputs the AWS provider declares", async () => {
        const undeclared = await findingsOf("undeclared");

        expect(undeclared).to.deep.equal([]);
      });
    });
  }
});
