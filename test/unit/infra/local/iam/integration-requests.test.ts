import { describe, expect, it } from 'vitest';
import { callerContextOf, integrationRequests } from '../../../../../infra/local/iam/integration-requests';

const context = callerContextOf('arn:aws:states:us-east-1:000000000000:execution:machine:run-1');
const requests = (integration: string, parameters: unknown) =>
  integrationRequests(`arn:aws:states:::${integration}`, parameters, context);

const TABLE = 'arn:aws:dynamodb:us-east-1:000000000000:table/aurora-dev';

describe('callerContextOf', () => {
  it('takes the partition, region and account of the execution', () => {
    expect(callerContextOf('arn:aws-cn:states:cn-north-1:111122223333:execution:m:e')).toEqual({
      partition: 'aws-cn',
      region: 'cn-north-1',
      account: '111122223333',
    });
  });
});

describe('integrationRequests: the action IAM authorizes and the resource it is on', () => {
  it('DynamoDB: the table named by TableName, an index for Query and Scan, whatever the pattern', () => {
    expect(requests('dynamodb:updateItem', { TableName: 'aurora-dev', Key: {} })).toEqual([
      { action: 'dynamodb:UpdateItem', resource: TABLE },
    ]);
    expect(requests('dynamodb:updateItem.waitForTaskToken', { TableName: 'aurora-dev' })).toEqual([
      { action: 'dynamodb:UpdateItem', resource: TABLE },
    ]);
    expect(requests('dynamodb:getItem', { TableName: TABLE })).toEqual([
      { action: 'dynamodb:GetItem', resource: TABLE },
    ]);
    expect(requests('aws-sdk:dynamodb:query', { TableName: 'aurora-dev', IndexName: 'GSI1' })).toEqual([
      { action: 'dynamodb:Query', resource: `${TABLE}/index/GSI1` },
    ]);
    expect(requests('aws-sdk:dynamodb:query', { TableName: 'aurora-dev' })).toEqual([
      { action: 'dynamodb:Query', resource: TABLE },
    ]);
    expect(requests('aws-sdk:dynamodb:listTables', {})).toEqual([
      { action: 'dynamodb:ListTables', resource: '*' },
    ]);
  });

  it('DynamoDB: batches per table, transactions per item as the single-item action', () => {
    expect(
      requests('aws-sdk:dynamodb:batchWriteItem', { RequestItems: { a: [], b: [] } }).map((r) => r.resource),
    ).toEqual([
      'arn:aws:dynamodb:us-east-1:000000000000:table/a',
      'arn:aws:dynamodb:us-east-1:000000000000:table/b',
    ]);
    expect(
      requests('aws-sdk:dynamodb:transactWriteItems', {
        TransactItems: [
          { Put: { TableName: 'aurora-dev', Item: {} } },
          { ConditionCheck: { TableName: 'other', Key: {} } },
          { Delete: { TableName: 'aurora-dev', Key: {} } },
        ],
      }),
    ).toEqual([
      { action: 'dynamodb:PutItem', resource: TABLE },
      {
        action: 'dynamodb:ConditionCheckItem',
        resource: 'arn:aws:dynamodb:us-east-1:000000000000:table/other',
      },
      { action: 'dynamodb:DeleteItem', resource: TABLE },
    ]);
  });

  it('Lambda: lambda:InvokeFunction on the function, from a name, a partial or full ARN, with a qualifier', () => {
    const fn = 'arn:aws:lambda:us-east-1:000000000000:function:notify';
    expect(requests('lambda:invoke', { FunctionName: fn, Payload: {} })).toEqual([
      { action: 'lambda:InvokeFunction', resource: fn },
    ]);
    expect(requests('lambda:invoke.waitForTaskToken', { FunctionName: 'notify' })).toEqual([
      { action: 'lambda:InvokeFunction', resource: fn },
    ]);
    expect(requests('lambda:invoke', { FunctionName: 'notify:live' })).toEqual([
      { action: 'lambda:InvokeFunction', resource: `${fn}:live` },
    ]);
    expect(requests('lambda:invoke', { FunctionName: '111122223333:function:notify:7' })).toEqual([
      {
        action: 'lambda:InvokeFunction',
        resource: 'arn:aws:lambda:us-east-1:111122223333:function:notify:7',
      },
    ]);
    expect(requests('aws-sdk:lambda:invoke', { FunctionName: fn, Qualifier: 'live' })).toEqual([
      { action: 'lambda:InvokeFunction', resource: `${fn}:live` },
    ]);
    // The legacy form: the Task's Resource is the function itself.
    expect(integrationRequests(fn, { any: 'input' }, context)).toEqual([
      { action: 'lambda:InvokeFunction', resource: fn },
    ]);
  });

  it('EventBridge: events:PutEvents on each bus its entries name, the default bus when none', () => {
    const bus = 'arn:aws:events:us-east-1:000000000000:event-bus/aurora-dev';
    expect(
      requests('events:putEvents', {
        Entries: [
          { EventBusName: 'aurora-dev', Source: 's', DetailType: 'a', Detail: {} },
          { EventBusName: bus, Source: 's', DetailType: 'b', Detail: {} },
          { Source: 's', DetailType: 'c', Detail: {} },
        ],
      }),
    ).toEqual([
      { action: 'events:PutEvents', resource: bus },
      { action: 'events:PutEvents', resource: 'arn:aws:events:us-east-1:000000000000:event-bus/default' },
    ]);
    expect(requests('aws-sdk:eventbridge:putEvents', { Entries: [{ EventBusName: 'aurora-dev' }] })).toEqual([
      { action: 'events:PutEvents', resource: bus },
    ]);
    expect(requests('aws-sdk:eventbridge:putRule', { Name: 'nightly', EventBusName: 'aurora-dev' })).toEqual([
      { action: 'events:PutRule', resource: 'arn:aws:events:us-east-1:000000000000:rule/aurora-dev/nightly' },
    ]);
  });

  it('Scheduler: the schedule in its group (default when absent), and iam:PassRole of the target role', () => {
    const role = 'arn:aws:iam::000000000000:role/SchedulerRole';
    expect(
      requests('aws-sdk:scheduler:createSchedule', {
        Name: 'r-1-v1',
        GroupName: 'aurora-dev-reminders',
        ScheduleExpression: 'at(2026-11-22T10:00:00)',
        FlexibleTimeWindow: { Mode: 'OFF' },
        Target: { Arn: 'arn:aws:states:us-east-1:000000000000:stateMachine:delivery', RoleArn: role },
      }),
    ).toEqual([
      {
        action: 'scheduler:CreateSchedule',
        resource: 'arn:aws:scheduler:us-east-1:000000000000:schedule/aurora-dev-reminders/r-1-v1',
      },
      { action: 'iam:PassRole', resource: role },
    ]);
    expect(requests('aws-sdk:scheduler:deleteSchedule', { Name: 'r-1-v1' })).toEqual([
      {
        action: 'scheduler:DeleteSchedule',
        resource: 'arn:aws:scheduler:us-east-1:000000000000:schedule/default/r-1-v1',
      },
    ]);
  });

  it('SQS: the queue of QueueUrl, on the local edge or in AWS', () => {
    expect(
      requests('sqs:sendMessage', {
        QueueUrl: 'http://127.0.0.1:4566/000000000000/aurora-dev-schedules-dlq',
        MessageBody: {},
      }),
    ).toEqual([
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:aurora-dev-schedules-dlq' },
    ]);
    expect(
      requests('sqs:sendMessage.waitForTaskToken', {
        QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/111122223333/jobs',
      }),
    ).toEqual([{ action: 'sqs:SendMessage', resource: 'arn:aws:sqs:eu-west-1:111122223333:jobs' }]);
    expect(requests('aws-sdk:sqs:sendMessageBatch', { QueueUrl: 'http://edge/000000000000/q' })).toEqual([
      { action: 'sqs:SendMessage', resource: 'arn:aws:sqs:us-east-1:000000000000:q' },
    ]);
  });

  it('Step Functions: states:StartExecution on the state machine, from either integration', () => {
    const machine = 'arn:aws:states:us-east-1:000000000000:stateMachine:delivery';
    for (const integration of [
      'states:startExecution',
      'states:startExecution.sync:2',
      'aws-sdk:sfn:startExecution',
    ]) {
      expect(requests(integration, { StateMachineArn: machine, Input: {} })).toEqual([
        { action: 'states:StartExecution', resource: machine },
      ]);
    }
    expect(requests('aws-sdk:sfn:sendTaskSuccess', { TaskToken: 't', Output: '{}' })).toEqual([
      { action: 'states:SendTaskSuccess', resource: '*' },
    ]);
  });

  it('SES: ses:SendEmail on the sender identity when it is a plain address, and on the configuration set', () => {
    expect(
      requests('aws-sdk:ses:sendEmail', {
        Source: 'Aurora <no-reply@aurora-time.example>',
        ConfigurationSetName: 'aurora-dev',
        Destination: {},
        Message: {},
      }),
    ).toEqual([
      {
        action: 'ses:SendEmail',
        resource: 'arn:aws:ses:us-east-1:000000000000:identity/no-reply@aurora-time.example',
      },
      {
        action: 'ses:SendEmail',
        resource: 'arn:aws:ses:us-east-1:000000000000:configuration-set/aurora-dev',
      },
    ]);
    expect(requests('aws-sdk:sesv2:sendEmail', { FromEmailAddress: 'no-reply@aurora-time.example' })).toEqual(
      [
        {
          action: 'ses:SendEmail',
          resource: 'arn:aws:ses:us-east-1:000000000000:identity/no-reply@aurora-time.example',
        },
      ],
    );
    expect(requests('aws-sdk:ses:sendRawEmail', { RawMessage: { Data: '...' } })).toEqual([
      { action: 'ses:SendRawEmail', resource: '*' },
    ]);
  });

  it('other services: SNS topics, S3 objects, secrets, and `*` when nothing names a resource', () => {
    expect(
      requests('sns:publish', { TopicArn: 'arn:aws:sns:us-east-1:000000000000:t', Message: 'x' }),
    ).toEqual([{ action: 'sns:Publish', resource: 'arn:aws:sns:us-east-1:000000000000:t' }]);
    expect(requests('aws-sdk:s3:getObject', { Bucket: 'b', Key: 'k/1.json' })).toEqual([
      { action: 's3:GetObject', resource: 'arn:aws:s3:::b/k/1.json' },
    ]);
    expect(requests('aws-sdk:s3:listObjectsV2', { Bucket: 'b' })).toEqual([
      { action: 's3:ListBucket', resource: 'arn:aws:s3:::b' },
    ]);
    expect(requests('aws-sdk:secretsmanager:getSecretValue', { SecretId: 'otp-key' })).toEqual([
      {
        action: 'secretsmanager:GetSecretValue',
        resource: 'arn:aws:secretsmanager:us-east-1:000000000000:secret:otp-key',
      },
    ]);
    expect(requests('aws-sdk:cloudwatchlogs:describeLogGroups', {})).toEqual([
      { action: 'logs:DescribeLogGroups', resource: '*' },
    ]);
    expect(requests('aws-sdk:constructor:toString', {})).toEqual([
      { action: 'constructor:ToString', resource: '*' },
    ]);
    expect(requests('aws-sdk:sts:getCallerIdentity', 'not an object')).toEqual([
      { action: 'sts:GetCallerIdentity', resource: '*' },
    ]);
  });
});
