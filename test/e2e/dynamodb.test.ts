import {
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import {
  DYNAMODB_START,
  reminderKeysWithStatus,
  remindersTable,
  useDynamoDbThroughEdge,
} from '../support/dynamodb-edge';
import { eventually } from '../support/polling';

const remindersWithTtl = {
  ...remindersTable,
  TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
  StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
};

describe('DynamoDB through the edge', () => {
  const cloud = useDynamoDbThroughEdge({
    tables: [remindersWithTtl],
    stateDirPrefix: 'aurora-dynamodb-',
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
    await cloud.client.send(new PutItemCommand({ TableName: 'Reminders', Item: reminder('r1', 'PENDING') }));
    await cloud.client.send(
      new PutItemCommand({ TableName: 'Reminders', Item: reminder('r2', 'DELIVERED') }),
    );
    await cloud.client.send(new PutItemCommand({ TableName: 'Reminders', Item: reminder('r3', 'PENDING') }));

    const got = await cloud.client.send(
      new GetItemCommand({ TableName: 'Reminders', Key: { pk: { S: 'user#1' }, sk: { S: 'r2' } } }),
    );
    expect(got.Item?.status).toEqual({ S: 'DELIVERED' });

    expect(await reminderKeysWithStatus(cloud.client, 'PENDING')).toEqual(['r1', 'r3']);
  });

  it('names the local region and account in table ARNs', async () => {
    const { Table } = await cloud.client.send(new DescribeTableCommand({ TableName: 'Reminders' }));
    expect(Table?.TableArn).toBe('arn:aws:dynamodb:eu-west-1:000000000000:table/Reminders');
    expect(Table?.GlobalSecondaryIndexes?.[0]?.IndexArn).toBe(
      'arn:aws:dynamodb:eu-west-1:000000000000:table/Reminders/index/byStatus',
    );
  });

  it('raises ResourceNotFoundException for a missing table', async () => {
    const missing = cloud.client.send(new GetItemCommand({ TableName: 'Nope', Key: { pk: { S: 'x' } } }));
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('deletes items whose TTL passed as soon as the clock jumps, and keeps the others', async () => {
    const nowSeconds = DYNAMODB_START / 1000;
    await cloud.client.send(
      new PutItemCommand({
        TableName: 'Reminders',
        Item: reminder('soon', 'PENDING', { expiresAt: { N: String(nowSeconds + 600) } }),
      }),
    );
    await cloud.client.send(
      new PutItemCommand({
        TableName: 'Reminders',
        Item: reminder('later', 'PENDING', { expiresAt: { N: String(nowSeconds + 7200) } }),
      }),
    );
    await cloud.client.send(
      new PutItemCommand({ TableName: 'Reminders', Item: reminder('forever', 'PENDING') }),
    );
    const exists = async (sk: string) =>
      (
        await cloud.client.send(
          new GetItemCommand({ TableName: 'Reminders', Key: { pk: { S: 'user#1' }, sk: { S: sk } } }),
        )
      ).Item !== undefined;

    expect(await cloud.dynamodb.sweepExpiredItems()).toBe(0);
    cloud.clock.advanceBy(15 * 60_000);
    await eventually(
      async () => ((await exists('soon')) ? undefined : true),
      5_000,
      "the expired item's deletion",
    );
    expect(await exists('later')).toBe(true);
    expect(await exists('forever')).toBe(true);
  });

  describe('TTL sweeps by the expiry each item has now', () => {
    const nowSeconds = DYNAMODB_START / 1000;
    const put = (tableName: string, sk: string, expiresAt: number) =>
      cloud.client.send(
        new PutItemCommand({
          TableName: tableName,
          Item: reminder(sk, 'PENDING', { expiresAt: { N: String(expiresAt) } }),
        }),
      );
    const exists = async (sk: string, tableName = 'Reminders') =>
      (
        await cloud.client.send(
          new GetItemCommand({ TableName: tableName, Key: { pk: { S: 'user#1' }, sk: { S: sk } } }),
        )
      ).Item !== undefined;
    /** Moves the clock on and waits for the sweep it starts. */
    const passMinutes = async (minutes: number) => {
      cloud.clock.advanceBy(minutes * 60_000);
      await cloud.dynamodb.sweepExpiredItems();
    };

    it('keeps an item whose expiry a later write moved, and deletes it at the new one', async () => {
      await put('Reminders', 'moved', nowSeconds + 600);
      await cloud.client.send(
        new UpdateItemCommand({
          TableName: 'Reminders',
          Key: { pk: { S: 'user#1' }, sk: { S: 'moved' } },
          UpdateExpression: 'SET expiresAt = :later',
          ExpressionAttributeValues: { ':later': { N: String(nowSeconds + 7200) } },
        }),
      );
      await passMinutes(15);
      expect(await exists('moved')).toBe(true);
      await passMinutes(120);
      expect(await exists('moved')).toBe(false);
    });

    it('deletes items written before a restart once they fall due', async () => {
      await put('Reminders', 'before-restart', nowSeconds + 600);
      await cloud.restart();
      await passMinutes(15);
      expect(await exists('before-restart')).toBe(false);
    });

    it('never deletes an item whose expiry lies more than five years in the past, as AWS does', async () => {
      await put('Reminders', 'ancient', nowSeconds - 6 * 365 * 24 * 3600);
      await put('Reminders', 'recent', nowSeconds - 60);
      await passMinutes(1);
      expect(await exists('recent')).toBe(false);
      expect(await exists('ancient')).toBe(true);
    });

    it('deletes items written before TTL was enabled on their table', async () => {
      await cloud.dynamodb.createTable({ ...remindersTable, TableName: 'Plain' });
      await put('Plain', 'early', nowSeconds + 60);
      await cloud.client.send(
        new UpdateTimeToLiveCommand({
          TableName: 'Plain',
          TimeToLiveSpecification: { Enabled: true, AttributeName: 'expiresAt' },
        }),
      );
      await passMinutes(2);
      expect(await exists('early', 'Plain')).toBe(false);
    });
  });

  it('answers DescribeTimeToLive and refuses enabling TTL twice, as AWS does', async () => {
    const described = await cloud.client.send(new DescribeTimeToLiveCommand({ TableName: 'Reminders' }));
    expect(described.TimeToLiveDescription).toEqual({
      TimeToLiveStatus: 'ENABLED',
      AttributeName: 'expiresAt',
    });
    const again = cloud.client.send(
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
    await cloud.client.send(
      new PutItemCommand({ TableName: 'Reminders', Item: reminder('kept', 'PENDING') }),
    );
    await cloud.restart();
    const got = await cloud.client.send(
      new GetItemCommand({ TableName: 'Reminders', Key: { pk: { S: 'user#1' }, sk: { S: 'kept' } } }),
    );
    expect(got.Item?.sk).toEqual({ S: 'kept' });
    const described = await cloud.client.send(new DescribeTimeToLiveCommand({ TableName: 'Reminders' }));
    expect(described.TimeToLiveDescription?.TimeToLiveStatus).toBe('ENABLED');
  });
});
