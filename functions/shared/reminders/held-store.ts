/**
 * Occurrences held for a person (`USER#<userId> / HELD#<occurrence>#<reminderId>`): written when no channel
 * was open, read by the conversation on the person's next message and by the late-reminder digest. Taking
 * one is a conditional delete, so whichever reader takes it first is the only one that shows it.
 */

import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { conditionHeld } from '../conditional-write';
import type { Reminder } from './model';

export interface HeldOccurrence {
  readonly sortKey: string;
  readonly title: string;
  readonly occurrence: string;
}

export interface HeldStore {
  readonly hold: (reminder: Reminder, occurrence: string) => Promise<void>;
  /** Oldest first. */
  readonly list: (userId: string) => Promise<HeldOccurrence[]>;
  /** False when another reader took it first. */
  readonly take: (userId: string, held: HeldOccurrence) => Promise<boolean>;
}

const partition = (userId: string) => `USER#${userId}`;

export function dynamoHeldStore(client: DynamoDBDocumentClient, tableName: string): HeldStore {
  return {
    hold: async (reminder, occurrence) => {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            PK: partition(reminder.userId),
            SK: `HELD#${occurrence}#${reminder.reminderId}`,
            type: 'HeldReminder',
            reminderId: reminder.reminderId,
            title: reminder.title,
            occurrence,
          },
        }),
      );
    },
    list: async (userId) => {
      const result = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :user AND begins_with(SK, :held)',
          ExpressionAttributeValues: { ':user': partition(userId), ':held': 'HELD#' },
          ConsistentRead: true,
        }),
      );
      return (result.Items ?? []).map((item) => ({
        sortKey: String(item.SK),
        title: String(item.title),
        occurrence: String(item.occurrence),
      }));
    },
    take: (userId, held) =>
      conditionHeld(() =>
        client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { PK: partition(userId), SK: held.sortKey },
            ConditionExpression: 'attribute_exists(PK)',
          }),
        ),
      ),
  };
}

/** Takes every held occurrence it can: those another reader took first are left out. */
export async function takeAllHeld(store: HeldStore, userId: string): Promise<HeldOccurrence[]> {
  const taken: HeldOccurrence[] = [];
  for (const held of await store.list(userId)) if (await store.take(userId, held)) taken.push(held);
  return taken;
}
