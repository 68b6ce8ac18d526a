import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Constructing the pack serves it to the Pulumi CLI: this file is the pack's entry point and nothing imports it.
new PolicyPack("oms", {
  description:
    "OMS's own rules: least-privilege IAM, protected data in prod, an alarm per function, authorized routes.",
  enforcementLevel: "mandatory",
  policies: [...policies],
});
