/**
 * Everything that holds state or identity and must outlive a redeploy of the functions: the table, the bus
 * and its archive, the schema registry, the schedule group, dead-letter queues, secrets and the SES
 * configuration set. Stateless stacks receive these as props.
 */
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventschemas from 'aws-cdk-lib/aws-eventschemas';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as ses from 'aws-cdk-lib/aws-ses';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { loadEventCatalogue } from '../../events-schema/catalogue';
import type { AuroraConfig } from '../config';

export interface StatefulStackProps extends StackProps {
  readonly config: AuroraConfig;
}

/** The secrets every stage has; names are `<stage>/aurora/<key>`. */
export const SECRET_KEYS = [
  'messenger-app-secret',
  'messenger-page-token',
  'messenger-verify-token',
  'otp-signing-key',
  'session-signing-key',
] as const;
export type SecretKey = (typeof SECRET_KEYS)[number];

/** An encrypted, TLS-only queue that keeps what could not be delivered for 14 days, for inspection and redrive. */
export function deadLetterQueue(scope: Construct, id: string, queueName: string): sqs.Queue {
  const queue = new sqs.Queue(scope, id, {
    queueName,
    retentionPeriod: Duration.days(14),
    encryption: sqs.QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions::AwsSolutions-SQS3',
    reason: 'This queue is itself a dead-letter queue; it needs none of its own.',
  });
  return queue;
}

/** How a rule hands an event to its target: retried for an hour, then kept in `deadLetterQueue`. */
export interface RuleTargetDelivery {
  readonly retryAttempts: number;
  readonly maxEventAge: Duration;
  readonly deadLetterQueue: sqs.IQueue;
}

/**
 * A stack's dead-letter queue for its rules' targets, `<Name>RuleTargetDlq` named
 * `aurora-<stage>-<name>-rule-targets-dlq`, and the delivery that ends there. Owned by the stack whose rules
 * use it, not by the stateful stack: the queue policy grants `sqs:SendMessage` to the rule's ARN, so a queue
 * here would make the stateful stack depend on the rule's stack, which already depends on it. The
 * observability stack alarms on each of them.
 */
export function ruleTargetDeadLetters(
  scope: Construct,
  stage: string,
  name: string,
): { readonly queue: sqs.Queue; readonly delivery: RuleTargetDelivery } {
  const queue = deadLetterQueue(
    scope,
    `${name}RuleTargetDlq`,
    `aurora-${stage}-${name.toLowerCase()}-rule-targets-dlq`,
  );
  return { queue, delivery: { retryAttempts: 4, maxEventAge: Duration.hours(1), deadLetterQueue: queue } };
}

export class StatefulStack extends Stack {
  readonly table: dynamodb.TableV2;
  readonly bus: events.EventBus;
  readonly archive: events.Archive;
  readonly registry: eventschemas.CfnRegistry;
  readonly scheduleGroup: scheduler.CfnScheduleGroup;
  /** Events a rule could not deliver to its target. */
  readonly eventTargetDeadLetterQueue: sqs.Queue;
  /** Reminder schedules Scheduler could not deliver. */
  readonly scheduleDeadLetterQueue: sqs.Queue;
  /** Asynchronous Lambda invocations that failed every retry. */
  readonly functionDeadLetterQueue: sqs.Queue;
  readonly secrets: Record<SecretKey, secretsmanager.Secret>;
  readonly configurationSet: ses.ConfigurationSet;

  constructor(scope: Construct, id: string, props: StatefulStackProps) {
    super(scope, id, props);
    const { stage, archiveRetentionDays } = props.config;

    // Single-table design; docs/data-model.md lists the access patterns each key serves.
    this.table = new dynamodb.TableV2(this, 'Table', {
      tableName: `aurora-${stage}`,
      partitionKey: { name: 'PK', type: dynamodb.AttributeType.STRING },
      sortKey: { name: 'SK', type: dynamodb.AttributeType.STRING },
      billing: dynamodb.Billing.onDemand(),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      deletionProtection: stage === 'prod',
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: [
        {
          // Reminders by user in due order (sparse: only pending reminders carry GSI1 keys).
          indexName: 'GSI1',
          partitionKey: { name: 'GSI1PK', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'GSI1SK', type: dynamodb.AttributeType.STRING },
        },
        {
          // Admin listings: users by creation time, current lockouts by expiry.
          indexName: 'GSI2',
          partitionKey: { name: 'GSI2PK', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'GSI2SK', type: dynamodb.AttributeType.STRING },
        },
        {
          // A person's calendar: events by start (one-off) or series end, and every reminder they own.
          indexName: 'GSI3',
          partitionKey: { name: 'GSI3PK', type: dynamodb.AttributeType.STRING },
          sortKey: { name: 'GSI3SK', type: dynamodb.AttributeType.STRING },
        },
      ],
    });

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `aurora-${stage}` });
    this.archive = this.bus.archive('Archive', {
      archiveName: `aurora-${stage}-events`,
      description: 'Every Aurora event, for replay (analytics queries the Firehose archive in S3)',
      eventPattern: { source: events.Match.prefix('aurora.') },
      retention: Duration.days(archiveRetentionDays),
    });

    this.registry = new eventschemas.CfnRegistry(this, 'SchemaRegistry', {
      registryName: `aurora-${stage}`,
      description: 'JSON Schemas (Draft 4) of every event on the Aurora bus',
    });
    for (const entry of loadEventCatalogue()) {
      const schema = new eventschemas.CfnSchema(this, `Schema${entry.detailType}`, {
        registryName: this.registry.attrRegistryName,
        schemaName: `${entry.source}@${entry.detailType}`,
        type: 'JSONSchemaDraft4',
        description: String(entry.detailSchema.description ?? entry.detailType),
        content: JSON.stringify(entry.eventSchema),
      });
      schema.addResourceDependency(this.registry);
    }

    this.scheduleGroup = new scheduler.CfnScheduleGroup(this, 'ReminderSchedules', {
      name: `aurora-${stage}-reminders`,
    });

    this.eventTargetDeadLetterQueue = deadLetterQueue(
      this,
      'EventTargetDlq',
      `aurora-${stage}-event-targets-dlq`,
    );
    this.scheduleDeadLetterQueue = deadLetterQueue(this, 'ScheduleDlq', `aurora-${stage}-schedules-dlq`);
    this.functionDeadLetterQueue = deadLetterQueue(this, 'FunctionDlq', `aurora-${stage}-functions-dlq`);

    const secretDescriptions: Record<SecretKey, string> = {
      'messenger-app-secret': 'Meta app secret: verifies X-Hub-Signature-256 on webhook deliveries',
      'messenger-page-token': 'Page access token for the Messenger Send API',
      'messenger-verify-token': 'Token Meta echoes when subscribing the webhook (hub.verify_token)',
      'otp-signing-key': 'HMAC key under which one-time codes are hashed',
      'session-signing-key': 'HMAC key that signs session tokens (JWT, HS256)',
    };
    this.secrets = Object.fromEntries(
      SECRET_KEYS.map((key) => {
        const secret = new secretsmanager.Secret(this, `Secret-${key}`, {
          secretName: `${stage}/aurora/${key}`,
          description: secretDescriptions[key],
          // A random value to start with; Meta-issued ones are replaced with put-secret-value after deploy.
          generateSecretString: { passwordLength: 64, excludePunctuation: true },
          removalPolicy: RemovalPolicy.RETAIN,
        });
        Validations.of(secret).acknowledge({
          id: 'AwsSolutions::AwsSolutions-SMG4',
          reason: key.startsWith('messenger-')
            ? 'Issued by Meta and changed in the Meta developer console; Secrets Manager cannot rotate it.'
            : 'Rotated by a planned key-rollover procedure that keeps the previous key valid for in-flight ' +
              'codes and sessions; automatic single-value rotation would cut them off.',
        });
        return [key, secret];
      }),
    ) as Record<SecretKey, secretsmanager.Secret>;

    this.configurationSet = new ses.ConfigurationSet(this, 'ConfigurationSet', {
      configurationSetName: `aurora-${stage}`,
      reputationMetrics: true,
      sendingEnabled: true,
      suppressionReasons: ses.SuppressionReasons.BOUNCES_AND_COMPLAINTS,
      tlsPolicy: ses.ConfigurationSetTlsPolicy.REQUIRE,
    });
    // Bounces reach the default bus (SES sends email events nowhere else), where analytics counts them.
    this.configurationSet.addEventDestination('BouncesToEventBridge', {
      destination: ses.EventDestination.eventBus(
        events.EventBus.fromEventBusName(this, 'DefaultBus', 'default'),
      ),
      events: [ses.EmailSendingEvent.BOUNCE],
    });
  }
}
