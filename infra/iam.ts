/**
 * X-Ray's write and sampling actions: what a traced Lambda function or state machine needs. X-Ray
 * supports no resource-level permissions for them, so IAM only accepts them on `Resource: "*"`.
 */
export const XRAY_TRACING_ACTIONS = [
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
] as const;

/**
 * What Step Functions needs to deliver a state machine's logs to CloudWatch Logs (a vended log
 * delivery, plus the log group's resource policy). These support no resource-level permissions:
 * IAM only accepts them on `Resource: "*"`.
 */
export const STATES_LOG_DELIVERY_ACTIONS = [
  "logs:CreateLogDelivery",
  "logs:GetLogDelivery",
  "logs:UpdateLogDelivery",
  "logs:DeleteLogDelivery",
  "logs:ListLogDeliveries",
  "logs:PutResourcePolicy",
  "logs:DescribeResourcePolicies",
  "logs:DescribeLogGroups",
] as const;

/**
 * What Lambda needs, besides reading the stream itself, to run a DynamoDB stream event source
 * mapping (Lambda Developer Guide, "Process DynamoDB records with Lambda": execution role
 * permissions). `ListStreams` names no resource type, so IAM only accepts it on `Resource: "*"`.
 */
export const STREAM_LISTING_ACTIONS = ["dynamodb:ListStreams"] as const;

/**
 * The only actions any OMS policy may allow on `Resource: "*"`: those AWS accepts on nothing else.
 * The infra specs and the policy pack check every policy against this one list.
 */
export const AWS_REQUIRES_WILDCARD_ACTIONS = [
  ...XRAY_TRACING_ACTIONS,
  ...STATES_LOG_DELIVERY_ACTIONS,
  ...STREAM_LISTING_ACTIONS,
] as const;

/** One of `AWS_REQUIRES_WILDCARD_ACTIONS`. */
export type AwsRequiresWildcardAction = (typeof AWS_REQUIRES_WILDCARD_ACTIONS)[number];

/** The `Sid` of the one statement per policy that allows `Resource: "*"`, so that a reviewer finds it at once. */
export const AWS_REQUIRES_WILDCARD_SID = "AwsRequiresWildcard";

/** An IAM policy statement allowing `Resource: "*"`: only ever built here, from the list above. */
export interface AwsRequiresWildcardStatement {
  readonly Sid: typeof AWS_REQUIRES_WILDCARD_SID;
  readonly Effect: "Allow";
  readonly Action: AwsRequiresWildcardAction[];
  readonly Resource: "*";
}

/**
 * The statement that allows `actions` on `Resource: "*"`, kept apart from a policy's scoped
 * statements so that no other action ever shares the wildcard.
 */
export function awsRequiresWildcardStatement(
  actions: readonly AwsRequiresWildcardAction[],
): AwsRequiresWildcardStatement {
  return { Sid: AWS_REQUIRES_WILDCARD_SID, Effect: "Allow", Action: [...actions], Resource: "*" };
}
