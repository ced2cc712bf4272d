import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { DynamoDbService } from '../../infra/local/dynamodb/dynamodb-service';
import { type Edge, startEdge } from '../../infra/local/edge/server';

const account = { region: 'eu-west-1', accountId: '000000000000' };
const START = Date.UTC(2030, 0, 1);

const remindersTable = {
  TableName: 'Reminders',
  BillingMode: 'PAY_PER_REQUEST' as const,
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'S' as const },
    { AttributeName: 'status', AttributeType: 'S' as const },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byStatus',
      KeySchema: [
        { AttributeName: 'status', KeyType: 'HASH' as const },
        { AttributeName: 'sk', KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    },
  ],
  TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
  StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
};

async function pollUntil(check: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('DynamoDB through the edge', () => {
  let stateDir: string;
  let clock: Clock;
  let dynamodb: DynamoDbService;
  let edge: Edge;
  let client: DynamoDBClient;

  async function start(): Promise<void> {
    dynamodb = new DynamoDbService({ clock, stateDir, account });
    await dynamodb.createTable(remindersTable);
    edge = await startEdge({ port: 0, services: [dynamodb.edgeService], account });
    client = new DynamoDBClient({
      endpoint: edge.url,
      region: account.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
  }

  async function stop(): Promise<void> {
    client.destroy();
    await edge.close();
    await dynamodb.close();
  }

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-dynamodb-'));
    clock = new Clock('manual', START);
    await start();
  });

  afterEach(async () => {
    await stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const reminder = (
    sk: string,
    status: string,
    extra: Record<string, { N: string } | { S: string }> = {},
  ) => ({
    pk: { S: 'user#1' },
    sk: { S: sk },
    status: { S: status },
    ...extra,
  });

  it('puts, gets and queries a global secondary index', async () => {
    await client.send(new PutItemCommand({ TableName: 'Reminders', Item: reminder('r1', 'PENDING') }));
    await client.send(new PutItemCommand({ TableName: 'Reminders', Item: reminder('r2', 'DELIVERED') }));
    await client.send(new PutItemCommand({ TableName: 'Reminders', Item: reminder('r3', 'PENDING') }));

    const got = await client.send(
      new GetItemCommand({ TableName: 'Reminders', Key: { pk: { S: 'user#1' }, sk: { S: 'r2' } } }),
    );
    expect(got.Item?.status).toEqual({ S: 'DELIVERED' });

    const pending = await client.send(
      new QueryCommand({
        TableName: 'Reminders',
        IndexName: 'byStatus',
        KeyConditionExpression: '#status = :status',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': { S: 'PENDING' } },
      }),
    );
    expect(pending.Items?.map((item) => item.sk?.S)).toEqual(['r1', 'r3']);
  });

  it('names the local region and account in table ARNs', async () => {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: 'Reminders' }));
    expect(Table?.TableArn).toBe('arn:aws:dynamodb:eu-west-1:000000000000:table/Reminders');
    expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexArn).toBe(
      'arn:aws:dynamodb:eu-west-1:000000000000:table/Reminders/index/byStatus',
    );
  });

  it('raises ResourceNotFoundException for a missing table', async () => {
    const missing = client.send(new GetItemCommand({ TableName: 'Nope', Key: { pk: { S: 'x' } } }));
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('deletes items whose TTL passed as soon as the clock jumps, and keeps the others', async () => {
    const nowSeconds = START / 1000;
    await client.send(
      new PutItemCommand({
        TableName: 'Reminders',
        Item: reminder('soon', 'PENDING', { expiresAt: { N: String(nowSeconds + 600) } }),
      }),
    );
    await client.send(
      new PutItemCommand({
        TableName: 'Reminders',
        Item: reminder('later', 'PENDING', { expiresAt: { N: String(nowSeconds + 7200) } }),
      }),
    );
    await client.send(new PutItemCommand({ TableName: 'Reminders', Item: reminder('forever', 'PENDING') }));
    const exists = async (sk: string) =>
      (
        await client.send(
          new GetItemCommand({ TableName: 'Reminders', Key: { pk: { S: 'user#1' }, sk: { S: sk } } }),
        )
      ).Item !== undefined;

    expect(await dynamodb.sweepExpiredItems()).toBe(0);
    clock.advanceBy(15 * 60_000);
    await pollUntil(async () => !(await exists('soon')));
    expect(await exists('later')).toBe(true);
    expect(await exists('forever')).toBe(true);
  });

  it('answers DescribeTimeToLive and refuses enabling TTL twice, as AWS does', async () => {
    const described = await client.send(new DescribeTimeToLiveCommand({ TableName: 'Reminders' }));
    expect(described.TimeToLiveDescription).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
    const again = client.send(
      new UpdateTimeToLiveCommand({
        TableName: 'Reminders',
        TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
      }),
    );
    await expect(again).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'TimeToLive is already enabled',
    });
  });

  it('keeps items and TTL settings across a restart on the same state directory', async () => {
    await client.send(new PutItemCommand({ TableName: 'Reminders', Item: reminder('kept', 'PENDING') }));
    await stop();
    await start();
    const got = await client.send(
      new GetItemCommand({ TableName: 'Reminders', Key: { pk: { S: 'user#1' }, sk: { S: 'kept' } } }),
    );
    expect(got.Item?.sk).toEqual({ S: 'kept' });
    const described = await client.send(new DescribeTimeToLiveCommand({ TableName: 'Reminders' }));
    expect(described.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
  });
});
