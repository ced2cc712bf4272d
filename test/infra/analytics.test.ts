/**
 * The analytics pipeline's infrastructure: every Aurora event reaches Firehose as one flat record, Firehose
 * writes day partitions that the Glue table projects, the workgroup caps each scan, the named queries are
 * the repository's SQL files, and the analytics function may do exactly what Athena needs of it.
 */
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANALYTICS_QUERIES, type AnalyticsQueryName, readQuery } from '../../analytics/queries';
import { DAY_PARTITIONING, FLAT_RECORD_TRANSFORMER } from '../fixtures/analytics-contract';
import { FUNCTION_BASELINE, type SynthesizedApp, synthesizeApp } from '../support/synthesized-app';

let app: SynthesizedApp;

beforeAll(() => {
  app = synthesizeApp();
}, 180_000);

const analytics = () => app.template('-Analytics');
const bucket = { Ref: Match.stringLikeRegexp('^Archive') };
const bucketArn = Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('^Archive'), 'Arn'] });
const objectsUnder = (prefix: string) => ({
  'Fn::Join': ['', [bucketArn, `/${prefix}*`]],
});

describe('analytics infrastructure', () => {
  it('sends every aurora.* event on the app bus to the delivery stream as one flat record, with a DLQ', () => {
    analytics().hasResourceProperties('AWS::Events::Rule', {
      EventBusName: Match.anyValue(),
      EventPattern: { source: [{ prefix: 'aurora.' }] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^DeliveryStream'), 'Arn'] },
          RoleArn: Match.anyValue(),
          DeadLetterConfig: { Arn: Match.anyValue() },
          InputTransformer: FLAT_RECORD_TRANSFORMER,
        }),
      ],
    });
  });

  it('partitions the gzip records by the day of their event_time', () => {
    analytics().hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      ExtendedS3DestinationConfiguration: Match.objectLike(DAY_PARTITIONING),
    });
  });

  it('describes the records by a JSON table whose day partitions are projected, not crawled', () => {
    analytics().resourceCountIs('AWS::Glue::Crawler', 0);
    analytics().hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'aurora_dev',
      TableInput: Match.objectLike({
        Name: 'aurora_events',
        TableType: 'EXTERNAL_TABLE',
        Parameters: Match.objectLike({
          classification: 'json',
          'projection.enabled': 'true',
          'projection.event_date.type': 'date',
          'projection.event_date.format': 'yyyy-MM-dd',
          'projection.event_date.range': Match.stringLikeRegexp('^\\d{4}-\\d{2}-\\d{2},NOW$'),
          'projection.event_date.interval': '1',
          'projection.event_date.interval.unit': 'DAYS',
          'storage.location.template': {
            'Fn::Join': ['', ['s3://', bucket, `/events/event_date=\${event_date}/`]],
          },
        }),
        PartitionKeys: [Match.objectLike({ Name: 'event_date', Type: 'string' })],
        StorageDescriptor: Match.objectLike({
          Location: { 'Fn::Join': ['', ['s3://', bucket, '/events/']] },
          SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
          Columns: [
            { Name: 'event_id', Type: 'string' },
            Match.objectLike({ Name: 'event_type', Type: 'string' }),
            { Name: 'event_source', Type: 'string' },
            Match.objectLike({ Name: 'event_time', Type: 'string' }),
            { Name: 'detail', Type: Match.stringLikeRegexp('^struct<.*latenessMs:bigint.*>$') },
          ],
        }),
      }),
    });
  });

  it('caps every query of the enforced engine v3 workgroup at the configured scan (1 GB by default)', () => {
    analytics().hasResourceProperties('AWS::Athena::WorkGroup', {
      Name: 'aurora-dev-analytics',
      WorkGroupConfiguration: Match.objectLike({
        EngineVersion: { SelectedEngineVersion: 'Athena engine version 3' },
        EnforceWorkGroupConfiguration: true,
        BytesScannedCutoffPerQuery: 1024 * 1024 * 1024,
        ResultConfiguration: {
          OutputLocation: { 'Fn::Join': ['', ['s3://', bucket, '/athena-results/']] },
          EncryptionConfiguration: { EncryptionOption: 'SSE_S3' },
        },
      }),
    });
  });

  it.each(Object.keys(ANALYTICS_QUERIES))('deploys %s.sql as a named query of the workgroup', (name) => {
    analytics().hasResourceProperties('AWS::Athena::NamedQuery', {
      Name: name,
      Database: 'aurora_dev',
      WorkGroup: 'aurora-dev-analytics',
      QueryString: readQuery(name as AnalyticsQueryName),
    });
  });

  it('keeps the archive private, encrypted, TLS-only and expiring', () => {
    analytics().hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Prefix: 'events/', ExpirationInDays: 400 }),
          Match.objectLike({ Prefix: 'athena-results/', ExpirationInDays: 7 }),
        ]),
      },
    });
    analytics().hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('lets the analytics function run queries in its workgroup on its table and results, nothing more', () => {
    const statements = app.statementsOf('-Analytics', 'AnalyticsRole');
    const own = statements.filter(
      (statement) => ![statement.Action].flat().some((action) => FUNCTION_BASELINE.includes(action)),
    );
    const workGroupArn = Match.objectLike({
      'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(':workgroup/aurora-dev-analytics$')])],
    });
    const glueArn = (suffix: string) =>
      Match.objectLike({ 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp(`:${suffix}$`)])] });
    const expected = [
      {
        Action: [
          'athena:StartQueryExecution',
          'athena:GetQueryExecution',
          'athena:GetQueryResults',
          'athena:StopQueryExecution',
        ],
        Resource: workGroupArn,
      },
      {
        Action: ['glue:GetDatabase', 'glue:GetTable'],
        Resource: [
          glueArn('catalog'),
          glueArn('database/aurora_dev'),
          glueArn('table/aurora_dev/aurora_events'),
        ],
      },
      { Action: ['s3:GetBucketLocation', 's3:ListBucket'], Resource: bucketArn },
      { Action: 's3:GetObject', Resource: [objectsUnder('events/'), objectsUnder('athena-results/')] },
      { Action: ['s3:AbortMultipartUpload', 's3:PutObject'], Resource: objectsUnder('athena-results/') },
      {
        Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        Resource: Match.anyValue(),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['ANALYTICS#*'] } },
      },
      // The caller's admin grant, read at every call.
      {
        Action: 'dynamodb:GetItem',
        Resource: Match.anyValue(),
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['EMAIL#*'] } },
      },
    ];
    expect(own).toHaveLength(expected.length);
    expected.forEach((statement, index) => {
      expect(Match.objectLike(statement).test(own[index]).isSuccess, JSON.stringify(own[index])).toBe(true);
    });
    const actions = own.flatMap((statement) => [statement.Action].flat());
    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('runs the function outside any VPC and alarms on its errors and on the rule DLQ', () => {
    analytics().hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Admin analytics'),
      VpcConfig: Match.absent(),
      Environment: {
        Variables: Match.objectLike({
          ATHENA_WORKGROUP: 'aurora-dev-analytics',
          GLUE_DATABASE: 'aurora_dev',
          TABLE_NAME: Match.anyValue(),
        }),
      },
    });
    const alarms = JSON.stringify(app.template('-Observability').findResources('AWS::CloudWatch::Alarm'));
    expect(alarms).toContain('AnalyticsRuleTargetDlq');
    expect(alarms).toMatch(/Analytics[A-Za-z0-9]*Function/);
  });

  it('lets Firehose write only under events/ and errors/, and the rule only put records', () => {
    expect(app.actionsOf('-Analytics', 'DeliveryRole')).toEqual([
      's3:AbortMultipartUpload',
      's3:GetBucketLocation',
      's3:GetObject',
      's3:ListBucket',
      's3:ListBucketMultipartUploads',
      's3:PutObject',
    ]);
    expect(app.actionsOf('-Analytics', 'RuleRole')).toEqual([
      'firehose:PutRecord',
      'firehose:PutRecordBatch',
    ]);
  });
});
