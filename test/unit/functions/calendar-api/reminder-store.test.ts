import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { dynamoReminderStore } from '../../../../functions/calendar-api/adapters/reminder-store';
import { planCreate } from '../../../../functions/reminder-plan/plan';
import type { Reminder } from '../../../../functions/shared/reminders/model';
import { appTable, useDynamoDbThroughEdge } from '../../../support/dynamodb-edge';

const auroraTable = appTable('GSI1');

const ALICE = '01KAQ7R7Q8F3M6Y2V9T0C4N5ZC';
const now = '2030-01-01T00:00:00.000Z';

function reminderDue(dueLocal: string, index: number): Reminder {
  const plan = planCreate(
    {
      schemaVersion: 1,
      requestId: `req-${index}`,
      userId: ALICE,
      channel: 'web',
      title: `reminder ${index}`,
      dueLocal,
      timeZone: 'UTC',
      anchor: 'wall',
      deliverBy: ['email'],
    },
    { now, requestedAt: now, pendingCount: 0 },
  );
  if (!plan.ok) throw new Error(plan.reply);
  return plan.reminder;
}

describe('dynamoReminderStore', () => {
  const dynamo = useDynamoDbThroughEdge({ tables: [auroraTable], stateDirPrefix: 'reminder-store-' });

  it('reads pending reminders in due order, a page at a time, and counts them', async () => {
    const client = DynamoDBDocumentClient.from(dynamo.client);
    const store = dynamoReminderStore(client, auroraTable.TableName);
    const reminders = ['2030-01-04T09:00', '2030-01-02T09:00', '2030-01-03T09:00'].map(reminderDue);
    const { GSI1PK: _pk, GSI1SK: _sk, ...unlisted } = reminderDue('2030-01-05T09:00', 9);
    for (const item of [...reminders, { ...unlisted, status: 'cancelled' }]) {
      await client.send(new PutCommand({ TableName: auroraTable.TableName, Item: item }));
    }
    const titles = (page: { items: Reminder[] }) => page.items.map((item) => item.title);

    const first = await store.pending(ALICE, 2);
    expect(titles(first)).toEqual(['reminder 1', 'reminder 2']);
    expect(first.lastKey).toBe(first.items[1]?.GSI1SK);

    const second = await store.pending(ALICE, 2, first.lastKey);
    expect(titles(second)).toEqual(['reminder 0']);
    expect(second).not.toHaveProperty('lastKey');

    expect(await store.countPending(ALICE)).toBe(3);
    expect((await store.get(unlisted.reminderId))?.status).toBe('cancelled');
    expect(await store.get('01KAQ7R7Q8F3M6Y2V9T0C4N5ZZ')).toBeUndefined();
  });
});
