/**
 * Admin analytics: every Aurora event goes from the bus through Firehose to S3 (newline-delimited JSON,
 * gzip, one hive partition per day), a Glue table with partition projection describes those files, an
 * Athena workgroup with a scan limit runs the named KPI queries, and the analytics function runs them for
 * `GET /admin/analytics`. The bus archive stays for replay only: Athena cannot read an archive.
 */
import { Duration, RemovalPolicy, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as athena from 'aws-cdk-lib/aws-athena';
import * as events from 'aws-cdk-lib/aws-events';
import { addToDeadLetterQueueResourcePolicy } from 'aws-cdk-lib/aws-events-targets';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as s3 from 'aws-cdk-lib/aws-s3';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import { ANALYTICS_QUERIES, type AnalyticsQueryName, EVENTS_TABLE, readQuery } from '../../analytics/queries';
import type { AuroraConfig } from '../config';
import { AuroraFunction } from '../constructs/aurora-function';
import { ruleTargetDeadLetters, type StatefulStack } from './stateful-stack';

export interface AnalyticsStackProps extends StackProps {
  readonly config: AuroraConfig;
  readonly stateful: StatefulStack;
}

/** Object key prefixes in the analytics bucket. */
const EVENTS_PREFIX = 'events/';
const ERRORS_PREFIX = 'errors/';
const RESULTS_PREFIX = 'athena-results/';
/** The first day partition projection considers: no event is older than the pipeline. */
const FIRST_EVENT_DATE = '2026-01-01';

/**
 * The record Firehose stores per event: flat, snake_case envelope fields and the detail as it is. The input
 * paths map is named as in the contract (docs/analytics.md), which CDK's EventField would rename.
 */
const FLAT_EVENT_RECORD: events.RuleTargetInput = {
  bind: () => ({
    inputPathsMap: {
      id: '$.id',
      type: '$.detail-type',
      source: '$.source',
      time: '$.time',
      detail: '$.detail',
    },
    inputTemplate:
      '{"event_id": <id>, "event_type": <type>, "event_source": <source>, "event_time": <time>, "detail": <detail>}',
  }),
};

export class AnalyticsStack extends Stack {
  readonly bucket: s3.Bucket;
  readonly deliveryStream: firehose.CfnDeliveryStream;
  readonly database: glue.CfnDatabase;
  readonly table: glue.CfnTable;
  readonly workGroup: athena.CfnWorkGroup;
  readonly namedQueries: Record<AnalyticsQueryName, athena.CfnNamedQuery>;
  readonly analyticsFunction: AuroraFunction;
  /** Events the rule could not hand to Firehose after every retry. */
  readonly ruleTargetDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: AnalyticsStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const prefix = `aurora-${config.stage}`;
    // Glue and Athena names: lower case and underscores (a hyphen would need quoting in every query).
    const databaseName = `aurora_${config.stage.replace(/-/g, '_')}`;

    this.bucket = new s3.Bucket(this, 'Archive', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      removalPolicy: RemovalPolicy.RETAIN,
      lifecycleRules: [
        { id: 'events', prefix: EVENTS_PREFIX, expiration: Duration.days(config.archiveRetentionDays) },
        { id: 'errors', prefix: ERRORS_PREFIX, expiration: Duration.days(30) },
        // Query results are read once, right after the query; the function caches what it needs.
        { id: 'athena-results', prefix: RESULTS_PREFIX, expiration: Duration.days(7) },
        { id: 'incomplete-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
    });
    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions::AwsSolutions-S1',
      reason:
        'Only Firehose (its role) writes and only the analytics function (through Athena) reads this bucket; ' +
        'public access is blocked and CloudTrail records who calls S3. Access logs would log those two roles.',
    });
    const objects = (keyPrefix: string) => this.bucket.arnForObjects(`${keyPrefix}*`);

    this.deliveryStream = this.createDeliveryStream(prefix, objects);
    // Its Firehose target binds the queue itself (see routeEveryEvent), so only the queue is taken.
    this.ruleTargetDeadLetterQueue = ruleTargetDeadLetters(this, config.stage, 'Analytics').queue;
    this.routeEveryEvent(stateful, this.ruleTargetDeadLetterQueue);

    this.database = new glue.CfnDatabase(this, 'Database', {
      catalogId: this.account,
      databaseInput: {
        name: databaseName,
        description: 'Aurora Time analytics: the events Firehose archives',
      },
    });
    this.table = this.createEventsTable(databaseName);
    this.table.addResourceDependency(this.database);

    const workGroupName = `${prefix}-analytics`;
    this.workGroup = new athena.CfnWorkGroup(this, 'WorkGroup', {
      name: workGroupName,
      description: 'Aurora Time admin analytics',
      state: 'ENABLED',
      recursiveDeleteOption: true,
      workGroupConfiguration: {
        engineVersion: { selectedEngineVersion: 'Athena engine version 3' },
        // Queries cannot choose their own output location or lift the limit.
        enforceWorkGroupConfiguration: true,
        bytesScannedCutoffPerQuery: config.analyticsScanLimitMegabytes * 1024 * 1024,
        publishCloudWatchMetricsEnabled: true,
        resultConfiguration: {
          outputLocation: this.bucket.s3UrlForObject(RESULTS_PREFIX),
          encryptionConfiguration: { encryptionOption: 'SSE_S3' },
        },
      },
    });
    this.namedQueries = Object.fromEntries(
      Object.entries(ANALYTICS_QUERIES).map(([name, description]) => {
        const query = new athena.CfnNamedQuery(this, `Query-${name}`, {
          name,
          description,
          database: databaseName,
          workGroup: workGroupName,
          queryString: readQuery(name as AnalyticsQueryName),
        });
        query.addResourceDependency(this.workGroup);
        query.addResourceDependency(this.table);
        return [name, query];
      }),
    ) as Record<AnalyticsQueryName, athena.CfnNamedQuery>;

    this.analyticsFunction = this.createAnalyticsFunction(config, stateful, {
      workGroupName,
      databaseName,
      objects,
    });
  }

  private createDeliveryStream(
    prefix: string,
    objects: (keyPrefix: string) => string,
  ): firehose.CfnDeliveryStream {
    const role = new iam.Role(this, 'DeliveryRole', {
      assumedBy: new iam.ServicePrincipal('firehose.amazonaws.com', {
        conditions: { StringEquals: { 'sts:ExternalId': this.account } },
      }),
      description: 'Role Firehose assumes to write the event archive',
    });
    // What Firehose's S3 destination calls (docs.aws.amazon.com/firehose/latest/dev/controlling-access.html).
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:GetBucketLocation', 's3:ListBucket', 's3:ListBucketMultipartUploads'],
        resources: [this.bucket.bucketArn],
      }),
    );
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['s3:AbortMultipartUpload', 's3:GetObject', 's3:PutObject'],
        resources: [objects(EVENTS_PREFIX), objects(ERRORS_PREFIX)],
      }),
    );
    this.acknowledgeObjectGrants(
      role,
      [EVENTS_PREFIX, ERRORS_PREFIX],
      'Firehose writes one object per buffer',
    );

    const stream = new firehose.CfnDeliveryStream(this, 'DeliveryStream', {
      deliveryStreamName: `${prefix}-events`,
      deliveryStreamType: 'DirectPut',
      deliveryStreamEncryptionConfigurationInput: { keyType: 'AWS_OWNED_CMK' },
      extendedS3DestinationConfiguration: {
        bucketArn: this.bucket.bucketArn,
        roleArn: role.roleArn,
        prefix: `${EVENTS_PREFIX}event_date=!{partitionKeyFromQuery:event_date}/`,
        errorOutputPrefix: `${ERRORS_PREFIX}!{firehose:error-output-type}/!{timestamp:yyyy-MM-dd}/`,
        compressionFormat: 'GZIP',
        bufferingHints: { intervalInSeconds: 60, sizeInMBs: 64 },
        dynamicPartitioningConfiguration: { enabled: true },
        processingConfiguration: {
          enabled: true,
          processors: [
            {
              type: 'MetadataExtraction',
              parameters: [
                // The day of the event's own time (UTC), not of its arrival: a late event lands in its day.
                {
                  parameterName: 'MetadataExtractionQuery',
                  parameterValue: '{event_date: .event_time[0:10]}',
                },
                { parameterName: 'JsonParsingEngine', parameterValue: 'JQ-1.6' },
              ],
            },
            { type: 'AppendDelimiterToRecord' },
          ],
        },
      },
    });
    // The role's policy must exist before Firehose validates its destination.
    stream.node.addDependency(role);
    return stream;
  }

  private routeEveryEvent(stateful: StatefulStack, deadLetters: sqs.Queue): void {
    const role = new iam.Role(this, 'RuleRole', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com'),
      description: 'Role EventBridge assumes to put bus events into the analytics delivery stream',
    });
    role.addToPrincipalPolicy(
      new iam.PolicyStatement({
        actions: ['firehose:PutRecord', 'firehose:PutRecordBatch'],
        resources: [this.deliveryStream.attrArn],
      }),
    );
    const stream = this.deliveryStream;
    const rules = [
      new events.Rule(this, 'EveryEventRule', {
        eventBus: stateful.bus,
        description: 'Every Aurora event: to Firehose, the analytics archive',
        eventPattern: { source: events.Match.prefix('aurora.') },
      }),
      // SES publishes its email events on the default bus only (the configuration set's event destination).
      new events.Rule(this, 'EmailBouncesRule', {
        description: 'SES bounces of Aurora mail: to Firehose, the analytics archive',
        eventPattern: { source: ['aws.ses'], detailType: ['Email Bounced'] },
      }),
    ];
    // CDK's Firehose target has no dead-letter queue, so the target is bound here.
    for (const rule of rules) {
      rule.addTarget({
        bind: (boundRule) => {
          addToDeadLetterQueueResourcePolicy(boundRule, deadLetters);
          return {
            arn: stream.attrArn,
            role,
            input: FLAT_EVENT_RECORD,
            deadLetterConfig: { arn: deadLetters.queueArn },
            retryPolicy: {
              maximumRetryAttempts: 8,
              maximumEventAgeInSeconds: Duration.hours(24).toSeconds(),
            },
          };
        },
      });
    }
  }

  private createEventsTable(databaseName: string): glue.CfnTable {
    const location = this.bucket.s3UrlForObject(EVENTS_PREFIX);
    return new glue.CfnTable(this, 'EventsTable', {
      catalogId: this.account,
      databaseName,
      tableInput: {
        name: EVENTS_TABLE,
        description: 'One row per Aurora bus event (analytics/queries/ read it)',
        tableType: 'EXTERNAL_TABLE',
        parameters: {
          classification: 'json',
          compressionType: 'gzip',
          // Days are computed from the query's WHERE, never listed: no crawler, no MSCK REPAIR.
          'projection.enabled': 'true',
          'projection.event_date.type': 'date',
          'projection.event_date.format': 'yyyy-MM-dd',
          'projection.event_date.range': `${FIRST_EVENT_DATE},NOW`,
          'projection.event_date.interval': '1',
          'projection.event_date.interval.unit': 'DAYS',
          'storage.location.template': `${location}event_date=\${event_date}/`,
        },
        partitionKeys: [{ name: 'event_date', type: 'string', comment: 'UTC day of event_time' }],
        storageDescriptor: {
          location,
          inputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
          outputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
          serdeInfo: { serializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          columns: [
            { name: 'event_id', type: 'string' },
            { name: 'event_type', type: 'string', comment: 'detail-type' },
            { name: 'event_source', type: 'string' },
            { name: 'event_time', type: 'string', comment: 'ISO-8601, UTC' },
            {
              name: 'detail',
              // Only the detail fields the queries read; names as the events spell them.
              type: 'struct<userId:string,reminderId:string,scheduledFor:string,deliveredVia:string,latenessMs:bigint>',
            },
          ],
        },
      },
    });
  }

  private createAnalyticsFunction(
    config: AuroraConfig,
    stateful: StatefulStack,
    names: {
      readonly workGroupName: string;
      readonly databaseName: string;
      readonly objects: (keyPrefix: string) => string;
    },
  ): AuroraFunction {
    const { workGroupName, databaseName, objects } = names;
    const created = new AuroraFunction(this, 'Analytics', {
      name: 'analytics',
      description: 'Admin analytics: runs the KPI queries on Athena and caches finished days',
      serviceName: 'analytics',
      logLevel: config.logLevel,
      // API Gateway gives up on an integration after 29 seconds; the query's deadline is inside that.
      timeout: Duration.seconds(30),
      environment: {
        TABLE_NAME: stateful.table.tableName,
        ATHENA_WORKGROUP: workGroupName,
        GLUE_DATABASE: databaseName,
        ADMIN_EMAILS: config.adminEmails.join(','),
      },
    });
    const grant = created.allow.bind(created);
    grant(
      [
        'athena:StartQueryExecution',
        'athena:GetQueryExecution',
        'athena:GetQueryResults',
        'athena:StopQueryExecution',
      ],
      [this.formatArn({ service: 'athena', resource: 'workgroup', resourceName: workGroupName })],
    );
    // Athena reads the table definition with the caller's rights; projection needs no GetPartitions.
    grant(
      ['glue:GetDatabase', 'glue:GetTable'],
      [
        this.formatArn({ service: 'glue', resource: 'catalog' }),
        this.formatArn({ service: 'glue', resource: 'database', resourceName: databaseName }),
        this.formatArn({
          service: 'glue',
          resource: 'table',
          resourceName: `${databaseName}/${EVENTS_TABLE}`,
        }),
      ],
    );
    // Athena also reads the data and writes and reads the results with the caller's rights.
    grant(['s3:GetBucketLocation', 's3:ListBucket'], [this.bucket.bucketArn]);
    grant(['s3:GetObject'], [objects(EVENTS_PREFIX), objects(RESULTS_PREFIX)]);
    grant(['s3:AbortMultipartUpload', 's3:PutObject'], [objects(RESULTS_PREFIX)]);
    this.acknowledgeObjectGrants(
      created.role,
      [EVENTS_PREFIX, RESULTS_PREFIX],
      'Athena reads the day partitions a query names and writes one result object per query',
    );
    grant(['dynamodb:GetItem', 'dynamodb:PutItem'], [stateful.table.tableArn], ['ANALYTICS#*']);
    // The caller's admin grant (EMAIL#<address> / ADMIN), read again at every call as the REST API does.
    grant(['dynamodb:GetItem'], [stateful.table.tableArn], ['EMAIL#*']);
    return created;
  }

  /** Objects under a prefix are created at run time, so a grant on them names the prefix. */
  private acknowledgeObjectGrants(role: iam.Role, keyPrefixes: string[], why: string): void {
    const bucket = this.getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket);
    for (const keyPrefix of keyPrefixes) {
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::<${bucket}.Arn>/${keyPrefix}*]`,
        reason: `${why}; the grant is limited to the ${keyPrefix} prefix of the analytics bucket.`,
      });
    }
  }
}
