import { expect } from "chai";
import {
  DEFAULT_PROTECTED_STACKS,
  stackOfUrn,
  tableProtectionViolations,
} from "../../../policy/rules/table-protection";

const TABLE = "aws:dynamodb/table:Table";
const PROTECTED = { pointInTimeRecovery: { enabled: true }, deletionProtectionEnabled: true };
const UNPROTECTED = { pointInTimeRecovery: { enabled: false }, deletionProtectionEnabled: false };
const PITR_MISSING =
  "A DynamoDB table of the prod stack must have point-in-time recovery (pointInTimeRecovery.enabled: true)";
const DELETION_PROTECTION_MISSING =
  "A DynamoDB table of the prod stack must have deletion protection (deletionProtectionEnabled: true)";

describe("tableProtectionViolations", () => {
  it("protects the prod stack unless configured otherwise", () => {
    expect(DEFAULT_PROTECTED_STACKS).to.deep.equal(["prod"]);
  });

  const cases: {
    what: string;
    type: string;
    props: Record<string, unknown>;
    stack: string;
    violations: string[];
  }[] = [
    { what: "a protected prod table", type: TABLE, props: PROTECTED, stack: "prod", violations: [] },
    { what: "an unprotected dev table", type: TABLE, props: UNPROTECTED, stack: "dev", violations: [] },
    {
      what: "an unprotected prod table",
      type: TABLE,
      props: UNPROTECTED,
      stack: "prod",
      violations: [PITR_MISSING, DELETION_PROTECTION_MISSING],
    },
    {
      what: "a prod table that sets neither (both default to off)",
      type: TABLE,
      props: { billingMode: "PAY_PER_REQUEST" },
      stack: "prod",
      violations: [PITR_MISSING, DELETION_PROTECTION_MISSING],
    },
    {
      what: "a prod table with deletion protection but no point-in-time recovery",
      type: TABLE,
      props: { ...PROTECTED, pointInTimeRecovery: { enabled: false } },
      stack: "prod",
      violations: [PITR_MISSING],
    },
    {
      what: "a prod table with point-in-time recovery that can be deleted",
      type: TABLE,
      props: { ...PROTECTED, deletionProtectionEnabled: false },
      stack: "prod",
      violations: [DELETION_PROTECTION_MISSING],
    },
    { what: "another kind of resource in prod", type: "aws:sns/topic:Topic", props: {}, stack: "prod", violations: [] },
  ];

  for (const { what, type, props, stack, violations } of cases) {
    it(`reports ${violations.length === 0 ? "nothing" : violations.length} for ${what}`, () => {
      expect(tableProtectionViolations(type, props, stack, DEFAULT_PROTECTED_STACKS)).to.deep.equal(violations);
    });
  }

  it("protects whichever stacks it is given", () => {
    expect(tableProtectionViolations(TABLE, UNPROTECTED, "staging", ["staging", "prod"])).to.deep.equal([
      "A DynamoDB table of the staging stack must have point-in-time recovery (pointInTimeRecovery.enabled: true)",
      "A DynamoDB table of the staging stack must have deletion protection (deletionProtectionEnabled: true)",
    ]);
    expect(tableProtectionViolations(TABLE, UNPROTECTED, "prod", ["staging"])).to.deep.equal([]);
  });
});

describe("stackOfUrn", () => {
  it("reads the stack from a resource's URN, parents included", () => {
    expect(stackOfUrn("urn:pulumi:prod::oms::oms:infra:OrdersApi$aws:dynamodb/table:Table::oms-orders")).to.equal(
      "prod",
    );
  });

  it("refuses what is not a URN", () => {
    expect(() => stackOfUrn("oms-orders")).to.throw(Error, "Not a resource URN: oms-orders");
  });
});
