import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  TransactionCanceledException,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  DescribeStateMachineCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
  UpdateStateMachineCommand,
  ValidationException,
} from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  InvalidMessageContents,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { remindersTable, useDynamoDbThroughEdge } from '../support/dynamodb-edge';
import { TEST_START, useTestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';

const ROLE = 'arn:aws:iam::000000000000:role/wire-shapes';
const PASS_MACHINE = JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } });

describe('wire shapes through the local cloud', () => {
  // These tests create what they use, so the app need not be synthesized.
  const test = useTestCloud();

  const sfn = () => new SFNClient({ ...test.clientConfig, maxAttempts: 1 });
  const sqs = () => new SQSClient({ ...test.clientConfig, maxAttempts: 1 });
  /** A date the SDK parsed must be the cloud's now, not 1000 times further from the epoch. */
  const expectCloudTime = (date: Date | undefined) => {
    expect(date).toBeInstanceOf(Date);
    expect(date?.getFullYear()).toBe(new Date(TEST_START).getFullYear());
    expect(Math.abs((date?.getTime() ?? 0) - test.cloud.clock.now())).toBeLessThan(60_000);
  };

  it('answers every Step Functions timestamp in epoch seconds', async () => {
    const client = sfn();
    const created = await client.send(
      new CreateStateMachineCommand({ name: 'WireTimes', roleArn: ROLE, definition: PASS_MACHINE }),
    );
    expectCloudTime(created.creationDate);
    const { stateMachineArn } = created;
    expectCloudTime((await client.send(new DescribeStateMachineCommand({ stateMachineArn }))).creationDate);
    const listed = await client.send(new ListStateMachinesCommand({}));
    expectCloudTime(listed.stateMachines?.find((m) => m.name === 'WireTimes')?.creationDate);
    const updated = await client.send(
      new UpdateStateMachineCommand({ stateMachineArn, definition: PASS_MACHINE }),
    );
    expectCloudTime(updated.updateDate);

    const started = await client.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    expectCloudTime(started.startDate);
    const { executionArn } = started;
    const described = await eventually(async () => {
      const answer = await client.send(new DescribeExecutionCommand({ executionArn }));
      return answer.status === 'RUNNING' ? undefined : answer;
    }, 10_000);
    expect(described.status).toBe('SUCCEEDED');
    expectCloudTime(described.startDate);
    expectCloudTime(described.stopDate);
    const executions = await client.send(new ListExecutionsCommand({ stateMachineArn }));
    expectCloudTime(executions.executions?.[0]?.startDate);
    expectCloudTime(executions.executions?.[0]?.stopDate);
    const history = await client.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(history.events?.length).toBeGreaterThan(0);
    for (const event of history.events ?? []) expectCloudTime(event.timestamp);
  });

  it('refuses StartExecution input over 256 KiB (UTF-8 bytes) before starting anything', async () => {
    const client = sfn();
    const { stateMachineArn } = await client.send(
      new CreateStateMachineCommand({ name: 'WireBigInput', roleArn: ROLE, definition: PASS_MACHINE }),
    );
    // 131,073 two-byte characters: within 256 Ki characters, over 256 KiB.
    const input = JSON.stringify({ text: 'é'.repeat(131_073) });
    const refused = await client.send(new StartExecutionCommand({ stateMachineArn, input })).catch((e) => e);
    expect(refused).toBeInstanceOf(ValidationException);
    expect(String(refused.message)).toContain('262144');
    const executions = await client.send(new ListExecutionsCommand({ stateMachineArn }));
    expect(executions.executions).toEqual([]);
    // Right at the limit is accepted.
    const fits = JSON.stringify({ text: 'a'.repeat(262_144 - 11) });
    expect(Buffer.byteLength(fits)).toBe(262_144);
    expect(
      (await client.send(new StartExecutionCommand({ stateMachineArn, input: fits }))).executionArn,
    ).toBeTruthy();
  });

  it('answers a request body over 16 MiB with a 413 in the protocol error shape, not a reset', async () => {
    const client = sfn();
    const refused = await client
      .send(
        new StartExecutionCommand({
          stateMachineArn: 'arn:aws:states:us-east-1:000000000000:stateMachine:Nothing',
          input: 'x'.repeat(16 * 1024 * 1024 + 1),
        }),
      )
      .catch((error) => error);
    expect(refused.$metadata?.httpStatusCode).toBe(413);
    expect(refused.name).toBe('RequestEntityTooLarge');
    // The edge still answers afterwards.
    expect((await client.send(new ListStateMachinesCommand({}))).stateMachines).toBeDefined();
  });

  it('leaves Messages out of an empty ReceiveMessage, over JSON and over the query protocol', async () => {
    const client = sqs();
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'wire-empty' }));
    const received = await client.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 0 }));
    expect(received.Messages).toBeUndefined();

    const query = await fetch(`${test.cloud.edgeUrl}/`, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization:
          'AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
      },
      body: new URLSearchParams({
        Action: 'ReceiveMessage',
        Version: '2012-11-05',
        QueueUrl: QueueUrl ?? '',
      }),
    });
    expect(query.status).toBe(200);
    const xml = await query.text();
    expect(xml).toContain('ReceiveMessageResponse');
    expect(xml).not.toContain('<Message>');
  });

  it('refuses a message body with characters outside the SQS set, and accepts the edges of it', async () => {
    const client = sqs();
    const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: 'wire-characters' }));
    for (const [body, code] of [
      ['null \u0000 byte', 'x0'],
      ['bell \u0007', 'x7'],
      ['noncharacter \uFFFF', 'xFFFF'],
      ['lone surrogate \uD800', 'xD800'],
    ] as const) {
      const refused = await client
        .send(new SendMessageCommand({ QueueUrl, MessageBody: body }))
        .catch((e) => e);
      expect(refused).toBeInstanceOf(InvalidMessageContents);
      expect(String(refused.message)).toContain(`'#${code}'`);
    }
    const allowed = 'tab\t lf\n cr\r \uD7FF \uE000 \uFFFD \u{10000} \u{10FFFF}';
    await client.send(new SendMessageCommand({ QueueUrl, MessageBody: allowed }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl }));
    expect(Messages?.[0]?.Body).toBe(allowed);
  });

  it('keeps SES v2 Simple attachments in the local inbox', async () => {
    const ses = new SESv2Client({ ...test.clientConfig, maxAttempts: 1 });
    const pdf = new Uint8Array([0x25, 0x50, 0x44, 0x46, 0x2d, 0x31, 0x2e, 0x37, 0x00, 0xff]);
    const { MessageId } = await ses.send(
      new SendEmailCommand({
        FromEmailAddress: 'reminders@example.com',
        Destination: { ToAddresses: ['someone@example.org'] },
        Content: {
          Simple: {
            Subject: { Data: 'Your plan' },
            Body: { Text: { Data: 'Attached.' } },
            Attachments: [
              { FileName: 'plan.pdf', RawContent: pdf },
              {
                FileName: 'logo',
                RawContent: new TextEncoder().encode('png?'),
                ContentType: 'image/png',
                ContentDisposition: 'INLINE',
                ContentId: 'logo-1',
              },
            ],
          },
        },
      }),
    );
    const inbox = (await (await fetch(`${test.cloud.edgeUrl}/_aurora/ses/messages`)).json()) as {
      id: string;
      attachments: unknown[];
    }[];
    expect(inbox.find((mail) => mail.id === MessageId)?.attachments).toEqual([
      {
        filename: 'plan.pdf',
        contentType: 'application/pdf',
        size: pdf.length,
        content: Buffer.from(pdf).toString('base64'),
        disposition: 'ATTACHMENT',
      },
      {
        filename: 'logo',
        contentType: 'image/png',
        size: 4,
        content: Buffer.from('png?').toString('base64'),
        disposition: 'INLINE',
        contentId: 'logo-1',
      },
    ]);
  });
});

describe('DynamoDB wire shapes through the edge', () => {
  const dynamo = useDynamoDbThroughEdge({
    tables: [remindersTable],
    stateDirPrefix: 'aurora-wire-dynamodb-',
    maxAttempts: 1,
  });
  const key = { pk: { S: 'user#1' }, sk: { S: 'r#1' } };
  const stored = { ...key, title: { S: 'Dentist' }, status: { S: 'open' } };
  const failing = {
    ConditionExpression: 'attribute_not_exists(pk)',
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };

  it('returns the old item in ConditionalCheckFailedException when asked with ALL_OLD', async () => {
    const { client } = dynamo;
    await client.send(new PutItemCommand({ TableName: 'Reminders', Item: stored }));
    const attempts: (() => Promise<unknown>)[] = [
      () =>
        client.send(
          new PutItemCommand({ TableName: 'Reminders', Item: { ...key, title: { S: 'new' } }, ...failing }),
        ),
      () =>
        client.send(
          new UpdateItemCommand({
            TableName: 'Reminders',
            Key: key,
            UpdateExpression: 'SET title = :t',
            ExpressionAttributeValues: { ':t': { S: 'new' } },
            ...failing,
          }),
        ),
      () => client.send(new DeleteItemCommand({ TableName: 'Reminders', Key: key, ...failing })),
    ];
    for (const attempt of attempts) {
      const refused = await attempt().catch((error: unknown) => error);
      expect(refused).toBeInstanceOf(ConditionalCheckFailedException);
      expect((refused as ConditionalCheckFailedException).Item).toEqual(stored);
    }
    // Without ALL_OLD (or with NONE) the error carries no item.
    const plain = await client
      .send(
        new DeleteItemCommand({
          TableName: 'Reminders',
          Key: key,
          ConditionExpression: 'attribute_not_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'NONE',
        }),
      )
      .catch((error: unknown) => error);
    expect(plain).toBeInstanceOf(ConditionalCheckFailedException);
    expect((plain as ConditionalCheckFailedException).Item).toBeUndefined();
    // A condition that fails on a missing item has no old item to return.
    const missing = await client
      .send(
        new DeleteItemCommand({
          TableName: 'Reminders',
          Key: { pk: { S: 'nobody' }, sk: { S: 'none' } },
          ConditionExpression: 'attribute_exists(pk)',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      )
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ConditionalCheckFailedException);
    expect((missing as ConditionalCheckFailedException).Item).toBeUndefined();
    const item = await client.send(new GetItemCommand({ TableName: 'Reminders', Key: key }));
    expect(item.Item).toEqual(stored);
  });

  it('returns the old item in the transaction cancellation reasons with ALL_OLD', async () => {
    const { client } = dynamo;
    await client.send(new PutItemCommand({ TableName: 'Reminders', Item: stored }));
    const refused = await client
      .send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'Reminders', Item: { ...key, title: { S: 'x' } }, ...failing } },
          ],
        }),
      )
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(TransactionCanceledException);
    expect((refused as TransactionCanceledException).CancellationReasons?.[0]).toMatchObject({
      Code: 'ConditionalCheckFailed',
      Item: stored,
    });
  });

  it('keeps an attribute named __proto__ through PutItem and GetItem', async () => {
    const { client } = dynamo;
    // A literal `{ __proto__: ... }` would set the prototype; JSON.parse makes it an own attribute.
    const special = JSON.parse(
      '{"__proto__":{"M":{"__proto__":{"S":"nested"},"plain":{"N":"1"}}},"\\u0000__proto__":{"S":"lookalike"}}',
    ) as object;
    const item = { ...key, ...special };
    expect(Object.hasOwn(item, '__proto__')).toBe(true);
    await client.send(new PutItemCommand({ TableName: 'Reminders', Item: item }));
    // The SDK sends `__proto__` as it should, but @smithy/core's in-place JSON map reader (this SDK version)
    // blanks the member before reading it; so the answer is checked as it is on the wire.
    const endpoint = await client.config.endpoint?.();
    const url = `${endpoint?.protocol}//${endpoint?.hostname}:${endpoint?.port}/`;
    const getItem = async (input: Record<string, unknown>) => {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/x-amz-json-1.0',
          'X-Amz-Target': 'DynamoDB_20120810.GetItem',
        },
        body: JSON.stringify({ TableName: 'Reminders', Key: key, ...input }),
      });
      expect(response.status).toBe(200);
      return response.text();
    };
    const whole = await getItem({});
    // JSON.parse keeps `__proto__` as an own member, so the answer can be compared as data.
    expect(JSON.parse(whole)).toEqual({ Item: JSON.parse(JSON.stringify(item)) });
    expect(Object.keys(JSON.parse(whole).Item).sort()).toEqual(['\u0000__proto__', '__proto__', 'pk', 'sk']);
    expect(whole).toContain('"__proto__":{"M":{"__proto__":{"S":"nested"},"plain":{"N":"1"}}}');
    const projected = await getItem({
      ProjectionExpression: '#p',
      ExpressionAttributeNames: { '#p': '__proto__' },
    });
    expect(Object.keys(JSON.parse(projected).Item)).toEqual(['__proto__']);
  });
});
