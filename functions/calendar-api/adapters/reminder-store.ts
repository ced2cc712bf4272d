/**
 * The reminders as the REST API reads them: the item by id, and a person's pending ones from GSI1, which
 * holds exactly the pending reminders in due order (docs/data-model.md, pattern 6).
 */
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Reminder, reminderKey, userRemindersPartition } from '../../shared/reminders/model';
import { countAll, queryAll } from '../../shared/table-query';
import type { ReminderStore } from '../reminders';

/** The index key of the item whose GSI1SK is `<nextDueAt>#<reminderId>`, to start a page after it. */
function startKeyAfter(userId: string, listingKey: string): Record<string, string> {
  const reminderId = listingKey.slice(listingKey.lastIndexOf('#') + 1);
  return { ...reminderKey(reminderId), GSI1PK: userRemindersPartition(userId), GSI1SK: listingKey };
}

export function dynamoReminderStore(client: DynamoDBDocumentClient, tableName: string): ReminderStore {
  const queryPending = (userId: string) => ({
    TableName: tableName,
    IndexName: 'GSI1',
    KeyConditionExpression: 'GSI1PK = :user',
    ExpressionAttributeValues: { ':user': userRemindersPartition(userId) },
  });

  return {
    get: async (reminderId) => {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: reminderKey(reminderId), ConsistentRead: true }),
      );
      return Item as Reminder | undefined;
    },

    pending: async (userId, limit, afterKey) => {
      // One more than asked for: whether it exists says if a next page does.
      const items = await queryAll<Reminder>(client, queryPending(userId), {
        startKey: afterKey === undefined ? undefined : startKeyAfter(userId, afterKey),
        atMost: limit + 1,
      });
      const shown = items.slice(0, limit);
      const lastKey = items.length > limit ? shown.at(-1)?.GSI1SK : undefined;
      return lastKey === undefined ? { items: shown } : { items: shown, lastKey };
    },

    countPending: (userId) => countAll(client, queryPending(userId)),
  };
}
