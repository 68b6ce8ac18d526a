import type { PolicyResource, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { functionAlarmViolations } from "./rules/function-alarms";
import { iamWildcardViolations } from "./rules/iam-wildcards";
import { routeAuthorizationViolations } from "./rules/route-authorization";
import { DEFAULT_PROTECTED_STACKS, stackOfUrn, tableProtectionViolations } from "./rules/table-protection";

/** The config of `dynamodb-protected`: which stacks' tables must keep their data. */
export interface TableProtectionConfig {
  /** @default ["prod"] */
  readonly protectedStacks?: readonly string[];
}

/** No identity policy grants a wildcard action or resource beyond what AWS itself requires. */
export const iamNoWildcards: ResourceValidationPolicy = {
  name: "iam-no-wildcards",
  description:
    'IAM policies name every action and resource; "*" only for actions AWS defines no resource type for (X-Ray, CloudWatch Logs delivery).',
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const message of iamWildcardViolations(args.type, args.props)) {
      reportViolation(message);
    }
  },
};

/** The tables of protected stacks have point-in-time recovery and deletion protection. */
export const dynamodbProtected: ResourceValidationPolicy = {
  name: "dynamodb-protected",
  description: "DynamoDB tables of protected stacks (prod) have point-in-time recovery and deletion protection.",
  enforcementLevel: "mandatory",
  configSchema: {
    properties: {
      protectedStacks: { type: "array", items: { type: "string" }, default: [...DEFAULT_PROTECTED_STACKS] },
    },
  },
  validateResource: (args, reportViolation) => {
    const { protectedStacks = DEFAULT_PROTECTED_STACKS } = args.getConfig<TableProtectionConfig>();
    for (const message of tableProtectionViolations(args.type, args.props, stackOfUrn(args.urn), protectedStacks)) {
      reportViolation(message);
    }
  },
};

/** Every function is watched by an alarm on its Errors metric. */
export const lambdaErrorsAlarm: StackValidationPolicy = {
  name: "lambda-errors-alarm",
  description: "Every Lambda function has a CloudWatch alarm on its AWS/Lambda Errors metric.",
  enforcementLevel: "mandatory",
  validateStack: (args, reportViolation) => {
    const resources = args.resources.map(({ type, name, urn, props }: PolicyResource) => ({ type, name, urn, props }));
    for (const { urn, message } of functionAlarmViolations(resources)) {
      reportViolation(message, urn);
    }
  },
};

/** Every API route checks its caller, except CORS preflight. */
export const apiRoutesAuthorized: ResourceValidationPolicy = {
  name: "api-routes-authorized",
  description: "Every API Gateway v2 route has an authorizer, except OPTIONS routes (CORS preflight).",
  enforcementLevel: "mandatory",
  validateResource: (args, reportViolation) => {
    for (const message of routeAuthorizationViolations(args.type, args.props)) {
      reportViolation(message);
    }
  },
};

/** Every policy of the OMS pack, in the order `pulumi preview` reports them. */
export const policies = [iamNoWildcards, dynamodbProtected, lambdaErrorsAlarm, apiRoutesAuthorized] as const;
