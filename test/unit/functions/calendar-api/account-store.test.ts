import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { TableItem } from '../../../../functions/calendar-api/account';
import {
  dynamoAccountTable,
  dynamoProfileUpdates,
  dynamoSettingsReader,
} from '../../../../functions/calendar-api/adapters/account-store';
import { appTable, useDynamoDbThroughEdge } from '../../../support/dynamodb-edge';

const auroraTable = appTable('GSI1', 'GSI3');

const USER = '01KAQ7R7Q8F3M6Y2V9T0C4N5ZC';
const profile = { PK: `USER#${USER}`, SK: 'PROFILE', type: 'User', createdAt: '2030-01-01T00:00:00.000Z' };

describe('the account adapters', () => {
  const dynamo = useDynamoDbThroughEdge({ tables: [auroraTable], stateDirPrefix: 'account-store-' });
  const documents = () => DynamoDBDocumentClient.from(dynamo.client);
  const put = (item: TableItem) =>
    documents().send(new PutCommand({ TableName: auroraTable.TableName, Item: item }));

  it('reads partitions and indexes by key and prefix, page after page, and erases in batches', async () => {
    const table = dynamoAccountTable(documents(), auroraTable.TableName);
    await put(profile);
    // Over 1 MB in one partition: the query has to follow LastEvaluatedKey.
    const padding = 'x'.repeat(40_000);
    const heldItems = Array.from({ length: 30 }, (_, index) => ({
      PK: `USER#${USER}`,
      SK: `HELD#${String(index).padStart(2, '0')}`,
      padding,
      GSI3PK: `CALENDAR#${USER}`,
      GSI3SK: `REMINDER#${index}`,
    }));
    for (const item of heldItems) await put(item);
    expect(await table.query(`USER#${USER}`)).toHaveLength(31);
    expect(await table.query(`USER#${USER}`, 'HELD#')).toHaveLength(30);
    expect(await table.queryIndex('GSI3', `CALENDAR#${USER}`, 'REMINDER#')).toHaveLength(30);
    expect(await table.queryIndex('GSI3', `CALENDAR#${USER}`, 'AT#')).toEqual([]);
    expect(await table.get({ PK: `USER#${USER}`, SK: 'PROFILE' })).toEqual(profile);

    await table.erase(heldItems);
    expect(await table.query(`USER#${USER}`)).toEqual([profile]);
  });

  it('changes settings and swaps the feed hash without ever creating a profile', async () => {
    const profiles = dynamoProfileUpdates(documents(), auroraTable.TableName);
    const table = dynamoAccountTable(documents(), auroraTable.TableName);
    expect(await profiles.changeSettings(USER, { timeZone: 'Europe/Paris' })).toBeUndefined();
    expect(await profiles.swapFeedTokenHash(USER, 'a1')).toBeUndefined();
    expect(await table.query(`USER#${USER}`)).toEqual([]);

    await put({ ...profile, psid: '123' });
    const quietHours = { start: '22:00', end: '07:00' };
    expect(await profiles.changeSettings(USER, { timeZone: 'Europe/Paris', quietHours })).toMatchObject({
      timeZone: 'Europe/Paris',
      quietHours,
    });
    const cleared = await profiles.changeSettings(USER, { defaultChannels: ['messenger'], quietHours: null });
    expect(cleared).toMatchObject({ defaultChannels: ['messenger'], timeZone: 'Europe/Paris' });
    expect(cleared).not.toHaveProperty('quietHours');

    expect(await profiles.swapFeedTokenHash(USER, 'a1')).toEqual({});
    expect(await profiles.swapFeedTokenHash(USER, 'b2')).toEqual({ replaced: 'a1' });
    expect(await profiles.swapFeedTokenHash(USER, undefined)).toEqual({ replaced: 'b2' });
    expect(await table.get({ PK: `USER#${USER}`, SK: 'PROFILE' })).not.toHaveProperty('feedTokenHash');

    expect(await dynamoSettingsReader(documents(), auroraTable.TableName).read(USER)).toEqual({
      userId: USER,
      timeZone: 'Europe/Paris',
      defaultChannels: ['messenger'],
      psid: '123',
    });
  });

  it('reads defaults for a person without a profile', async () => {
    expect(await dynamoSettingsReader(documents(), auroraTable.TableName).read(USER)).toEqual({
      userId: USER,
      timeZone: 'UTC',
      defaultChannels: ['email'],
    });
  });
});
