import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { CUSTOMER_MAIL_EVENT_TYPES } from "../domain/mail";
import { EVENT_TYPE_ATTRIBUTE } from "../domain/events";
import { MAILER_TIMEOUT_SECONDS, MAIL_QUEUE, type orderMailer } from "../events/functions";
import { lambdaMemoryMb, logRetentionDays as logRetentionDaysRule } from "./aws-limits";
import { ArgsChecker, emailAddress } from "./component-args";
import { type DeployedTable, HandlerFunction } from "./handler-function";

const TYPE = "oms:infra:CustomerMail";

/**
 * How many mailers may run at once: Lambda's least for an SQS mapping. Mail is not urgent to the
 * second, and SES's sending rate (14 a second for a new production account) is the real limit.
 */
const MAILER_MAX_CONCURRENCY = 2;

/** What customers are mailed about, from whom, and with what. */
export interface CustomerMailArgs {
  /** The mailer function (`events/functions.ts`): its handler, grants and services. */
  mailer: typeof orderMailer;
  /** The deployed tables by logical name (`Data.tables`); every table the mailer is granted must be here. */
  tables: Readonly<Record<string, DeployedTable>>;
  /** The order-events topic the mail queue subscribes to (`Data.eventsTopicArn`). */
  eventsTopicArn: pulumi.Input<string>;
  /**
   * The address customer mail comes from (`oms:mailFrom`). The program creates its SES identity;
   * SES then mails it a link, and sends nothing as it until the link is followed.
   */
  mailFrom: pulumi.Input<string>;
  /**
   * While the account is in the SES sandbox, SES delivers only to verified addresses: these
   * (`oms:mailSandbox.recipients`) get an identity each, and so a verification link.
   * @default [] (the account is out of the sandbox)
   */
  sandboxRecipients?: readonly string[];
  /** Memory of the mailer, in MB (128 to 10240). */
  memoryMb: pulumi.Input<number>;
  /** How long the mailer's logs are kept, in days (a value CloudWatch Logs accepts). */
  logRetentionDays: pulumi.Input<number>;
  /** The stack's name: the mailer's business metrics go to `businessMetricsNamespace(stack)`. */
  stack: string;
}

/**
 * Customer mail for any number of customers, with no AWS resource per customer: the mail queue
 * takes the order events customers hear about from the topic (a filter policy on `type`), the
 * mailer function sends each once through SES as the stack's sender, and what keeps failing waits
 * in the dead-letter queue for an operator. The configuration set suppresses bounced and
 * complained-about addresses, so they are not mailed again.
 */
export class CustomerMail extends pulumi.ComponentResource {
  /** The mailer's function name: what `Alerting` watches. */
  public readonly mailerFunctionName: pulumi.Output<string>;
  /** The dead-letter queue's name: what `Alerting` watches (depth, age). */
  public readonly deadLetterQueueName: pulumi.Output<string>;
  /** The SES identity customer mail is sent as. */
  public readonly senderIdentityArn: pulumi.Output<string>;

  constructor(name: string, args: CustomerMailArgs, opts?: pulumi.ComponentResourceOptions) {
    const checker = new ArgsChecker(TYPE, name);
    const mailFrom = checker.input(args.mailFrom, emailAddress("mailFrom"));
    const sandboxRecipients = (args.sandboxRecipients ?? []).map((recipient, index) =>
      checker.value(recipient, emailAddress(`sandboxRecipients[${index}]`)),
    );
    const memoryMb = checker.input(args.memoryMb, lambdaMemoryMb("memoryMb"));
    const logRetentionDays = checker.input(args.logRetentionDays, logRetentionDaysRule("logRetentionDays"));
    super(TYPE, name, {}, opts);

    const sender = this.createIdentity(`${name}-mail-from`, mailFrom);
    sandboxRecipients.forEach((recipient, index) =>
      this.createIdentity(`${name}-sandbox-recipient-${index}`, recipient),
    );
    const configurationSet = this.createConfigurationSet(name, args.stack);
    const deadLetterQueue = this.createDeadLetterQueue(name);
    const queue = this.createQueue(name, deadLetterQueue);
    this.allowTopic(name, queue, args.eventsTopicArn);
    this.subscribe(name, queue, args.eventsTopicArn);
    const mailer = new HandlerFunction(
      `${name}-${args.mailer.functionName}`,
      {
        handler: args.mailer.handler,
        grants: args.mailer.grants,
        tables: args.tables,
        services: args.mailer.services,
        serviceArns: {
          mailIdentity: sender.arn,
          mailFrom,
          mailConfigurationSet: configurationSet.arn,
          mailConfigurationSetName: configurationSet.configurationSetName,
        },
        eventSources: { queueArns: [queue.arn] },
        memoryMb,
        timeoutSeconds: MAILER_TIMEOUT_SECONDS,
        logRetentionDays,
        stack: args.stack,
      },
      { parent: this },
    );
    this.createMapping(name, queue, mailer);

    this.mailerFunctionName = mailer.functionName;
    this.deadLetterQueueName = deadLetterQueue.name;
    this.senderIdentityArn = sender.arn;
    this.registerOutputs({
      mailerFunctionName: this.mailerFunctionName,
      deadLetterQueueName: this.deadLetterQueueName,
      senderIdentityArn: this.senderIdentityArn,
    });
  }

  /** An e-mail address identity: SES mails it a verification link, and it is usable once followed. */
  private createIdentity(resourceName: string, address: pulumi.Input<string>): aws.sesv2.EmailIdentity {
    return new aws.sesv2.EmailIdentity(resourceName, { emailIdentity: address }, { parent: this });
  }

  /**
   * Bounces and complaints add the address to the configuration set's suppression list, and SES
   * then refuses to send to it (the mailer treats that as final, not as something to retry).
   */
  private createConfigurationSet(name: string, stack: string): aws.sesv2.ConfigurationSet {
    return new aws.sesv2.ConfigurationSet(
      `${name}-customer-mail`,
      {
        // SES needs a name, unique in the account and region: the stack's keeps stacks apart.
        configurationSetName: `${name}-${stack}-customer-mail`,
        suppressionOptions: { suppressedReasons: ["BOUNCE", "COMPLAINT"] },
        reputationOptions: { reputationMetricsEnabled: true },
        sendingOptions: { sendingEnabled: true },
      },
      { parent: this },
    );
  }

  private createDeadLetterQueue(name: string): aws.sqs.Queue {
    return new aws.sqs.Queue(
      `${name}-customer-mail-dlq`,
      { messageRetentionSeconds: MAIL_QUEUE.retentionDays * 24 * 60 * 60, sqsManagedSseEnabled: true },
      { parent: this },
    );
  }

  /**
   * A message not acknowledged within the visibility timeout comes back; after `maxReceiveCount`
   * receives it moves to the dead-letter queue. The timeout outlasts the mailer's, so one message
   * is never mailed by two invocations at once.
   */
  private createQueue(name: string, deadLetterQueue: aws.sqs.Queue): aws.sqs.Queue {
    return new aws.sqs.Queue(
      `${name}-customer-mail`,
      {
        visibilityTimeoutSeconds: MAIL_QUEUE.visibilityTimeoutSeconds,
        messageRetentionSeconds: MAIL_QUEUE.retentionDays * 24 * 60 * 60,
        sqsManagedSseEnabled: true,
        redrivePolicy: pulumi.jsonStringify({
          deadLetterTargetArn: deadLetterQueue.arn,
          maxReceiveCount: MAIL_QUEUE.maxReceiveCount,
        }),
      },
      { parent: this },
    );
  }

  /** The topic, and only it, may send to the queue (SNS Developer Guide, "Fanout to Amazon SQS queues"). */
  private allowTopic(name: string, queue: aws.sqs.Queue, topicArn: pulumi.Input<string>): aws.sqs.QueuePolicy {
    return new aws.sqs.QueuePolicy(
      `${name}-customer-mail`,
      {
        queueUrl: queue.url,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Service: "sns.amazonaws.com" },
              Action: "sqs:SendMessage",
              Resource: queue.arn,
              Condition: { ArnEquals: { "aws:SourceArn": topicArn } },
            },
          ],
        }),
      },
      { parent: this },
    );
  }

  /**
   * Only the events customers are mailed about, as they were published (raw delivery: the body is
   * the event), with no confirmation to wait for: an SQS subscription in the same account is
   * confirmed by SNS itself.
   */
  private subscribe(name: string, queue: aws.sqs.Queue, topicArn: pulumi.Input<string>): aws.sns.TopicSubscription {
    return new aws.sns.TopicSubscription(
      `${name}-customer-mail`,
      {
        topic: topicArn,
        protocol: "sqs",
        endpoint: queue.arn,
        rawMessageDelivery: true,
        filterPolicyScope: "MessageAttributes",
        filterPolicy: JSON.stringify({ [EVENT_TYPE_ATTRIBUTE]: [...CUSTOMER_MAIL_EVENT_TYPES] }),
      },
      { parent: this },
    );
  }

  /** The queue to the mailer, ten messages at a time, each failed message reported on its own. */
  private createMapping(name: string, queue: aws.sqs.Queue, mailer: HandlerFunction): aws.lambda.EventSourceMapping {
    return new aws.lambda.EventSourceMapping(
      `${name}-customer-mail`,
      {
        eventSourceArn: queue.arn,
        functionName: mailer.functionArn,
        batchSize: 10,
        functionResponseTypes: ["ReportBatchItemFailures"],
        scalingConfig: { maximumConcurrency: MAILER_MAX_CONCURRENCY },
      },
      { parent: this },
    );
  }
}
