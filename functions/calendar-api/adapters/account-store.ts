/**
 * The account use cases' ports on AWS: key reads, writes and ordered batch deletes on the table, the
 * profile's conditional updates, and deletion of reminder schedules.
 */
import { randomBytes } from 'node:crypto';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import {
  DeleteScheduleCommand,
  ResourceNotFoundException,
  type SchedulerClient,
} from '@aws-sdk/client-scheduler';
import {
  BatchWriteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { backoffDelayMs, realSleep } from '../../shared/backoff';
import { unlessConditionFails } from '../../shared/conditional-write';
import { publishEvents } from '../../shared/events/publish';
import { queryAll } from '../../shared/table-query';
import { ulid } from '../../shared/ulid';
import {
  type AccountPorts,
  type AccountTable,
  type ItemKey,
  type ProfileUpdates,
  profileKey,
  profileOf,
  settingsOf,
  type TableItem,
} from '../account';
import type { SettingsReader } from '../ports';

/** BatchWriteItem's limit. */
const BATCH_SIZE = 25;
const MAX_BATCH_ATTEMPTS = 8;
const BATCH_BASE_DELAY_MS = 50;

export function dynamoAccountTable(client: DynamoDBDocumentClient, tableName: string): AccountTable {
  const queryPartition = (
    indexName: string | undefined,
    keys: { partition: string; sort: string },
    partitionKey: string,
    sortKeyPrefix: string | undefined,
  ): Promise<TableItem[]> =>
    queryAll<TableItem>(client, {
      TableName: tableName,
      ...(indexName ? { IndexName: indexName } : { ConsistentRead: true }),
      KeyConditionExpression:
        sortKeyPrefix === undefined ? '#pk = :pk' : '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: {
        '#pk': keys.partition,
        ...(sortKeyPrefix === undefined ? {} : { '#sk': keys.sort }),
      },
      ExpressionAttributeValues: {
        ':pk': partitionKey,
        ...(sortKeyPrefix === undefined ? {} : { ':prefix': sortKeyPrefix }),
      },
    });

  /** One batch, retrying what DynamoDB leaves unprocessed (throttling) with backoff. */
  const eraseBatch = async (keys: readonly ItemKey[]) => {
    let requests = keys.map(({ PK, SK }) => ({ DeleteRequest: { Key: { PK, SK } } }));
    for (let attempt = 1; requests.length > 0; attempt++) {
      if (attempt > MAX_BATCH_ATTEMPTS) throw new Error(`${requests.length} deletions stayed unprocessed`);
      if (attempt > 1) await realSleep(backoffDelayMs(attempt, BATCH_BASE_DELAY_MS, Math.random));
      const result = await client.send(new BatchWriteCommand({ RequestItems: { [tableName]: requests } }));
      requests = (result.UnprocessedItems?.[tableName] ?? []) as typeof requests;
    }
  };

  return {
    get: async (key) => {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { PK: key.PK, SK: key.SK }, ConsistentRead: true }),
      );
      return Item as TableItem | undefined;
    },
    query: (partitionKey, sortKeyPrefix) =>
      queryPartition(undefined, { partition: 'PK', sort: 'SK' }, partitionKey, sortKeyPrefix),
    queryIndex: (index, partitionKey, sortKeyPrefix) =>
      queryPartition(index, { partition: `${index}PK`, sort: `${index}SK` }, partitionKey, sortKeyPrefix),
    put: async (item) => {
      await client.send(new PutCommand({ TableName: tableName, Item: item }));
    },
    erase: async (keys) => {
      for (let start = 0; start < keys.length; start += BATCH_SIZE) {
        await eraseBatch(keys.slice(start, start + BATCH_SIZE));
      }
    },
  };
}

/** Undefined when the profile does not exist: an update must not create one. */
const unlessMissing = unlessConditionFails;

export function dynamoProfileUpdates(client: DynamoDBDocumentClient, tableName: string): ProfileUpdates {
  return {
    changeSettings: (userId, changes) =>
      unlessMissing(async () => {
        const set = Object.entries(changes).filter(([, value]) => value !== null && value !== undefined);
        const removed = Object.entries(changes).filter(([, value]) => value === null);
        const names = [...set, ...removed].map(([name]) => name);
        const clauses = [
          set.length > 0 ? `SET ${set.map(([name]) => `#${name} = :${name}`).join(', ')}` : '',
          removed.length > 0 ? `REMOVE ${removed.map(([name]) => `#${name}`).join(', ')}` : '',
        ];
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: profileKey(userId),
            UpdateExpression: clauses.filter(Boolean).join(' '),
            ConditionExpression: 'attribute_exists(PK)',
            ExpressionAttributeNames: Object.fromEntries(names.map((name) => [`#${name}`, name])),
            ...(set.length > 0
              ? {
                  ExpressionAttributeValues: Object.fromEntries(
                    set.map(([name, value]) => [`:${name}`, value]),
                  ),
                }
              : {}),
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes as TableItem;
      }),
    swapFeedTokenHash: (userId, hash) =>
      unlessMissing(async () => {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: profileKey(userId),
            UpdateExpression: hash === undefined ? 'REMOVE feedTokenHash' : 'SET feedTokenHash = :hash',
            ConditionExpression: 'attribute_exists(PK)',
            ...(hash === undefined ? {} : { ExpressionAttributeValues: { ':hash': hash } }),
            ReturnValues: 'UPDATED_OLD',
          }),
        );
        const replaced = Attributes?.feedTokenHash;
        return typeof replaced === 'string' ? { replaced } : {};
      }),
  };
}

/** The person's settings for the REST use cases, from the profile (defaults when there is none). */
export function dynamoSettingsReader(client: DynamoDBDocumentClient, tableName: string): SettingsReader {
  return {
    read: async (userId) => {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: profileKey(userId), ConsistentRead: true }),
      );
      return settingsOf(userId, Item ? profileOf(Item as TableItem) : undefined);
    },
  };
}

/** False when the schedule was already gone (fired, or deleted by an earlier attempt). */
export function schedulerDeleter(client: SchedulerClient, groupName: string): AccountPorts['deleteSchedule'] {
  return async (name) => {
    try {
      await client.send(new DeleteScheduleCommand({ Name: name, GroupName: groupName }));
      return true;
    } catch (error) {
      if (error instanceof ResourceNotFoundException) return false;
      throw error;
    }
  };
}

export function awsAccountPorts(options: {
  readonly client: DynamoDBDocumentClient;
  readonly eventBridge: EventBridgeClient;
  readonly scheduler: SchedulerClient;
  readonly tableName: string;
  readonly busName: string;
  readonly scheduleGroupName: string;
}): AccountPorts {
  return {
    now: () => Date.now(),
    table: dynamoAccountTable(options.client, options.tableName),
    profiles: dynamoProfileUpdates(options.client, options.tableName),
    deleteSchedule: schedulerDeleter(options.scheduler, options.scheduleGroupName),
    publish: (events) => publishEvents(options.eventBridge, options.busName, events),
    randomBytes: () => randomBytes(32),
    newId: () => ulid(),
  };
}
