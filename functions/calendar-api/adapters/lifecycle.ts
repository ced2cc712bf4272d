/**
 * The reminder lifecycle as the API drives it: requests go on the bus (the workflow starts from a rule), and
 * the API polls the reminder items until the workflow has recorded what was asked, or the wait is over.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { publishEvents } from '../../shared/events/publish';
import { type Reminder, reminderKey } from '../../shared/reminders/model';
import type { Lifecycle } from '../ports';

const POLL_MS = 50;

export function busLifecycle(options: {
  readonly client: DynamoDBDocumentClient;
  readonly eventBridge: EventBridgeClient;
  readonly tableName: string;
  readonly busName: string;
  readonly waitMs: number;
}): Lifecycle {
  const { client, tableName } = options;
  const read = async (reminderId: string) =>
    (
      await client.send(
        new GetCommand({ TableName: tableName, Key: reminderKey(reminderId), ConsistentRead: true }),
      )
    ).Item as Reminder | undefined;
  return {
    publish: (events) => publishEvents(options.eventBridge, options.busName, events),
    awaitReminders: async (reminderIds, done) => {
      // Elapsed time, not the date: a manual local clock stands still, and a wait must still end.
      const giveUpAt = performance.now() + options.waitMs;
      for (;;) {
        const reminders = await Promise.all(reminderIds.map(read));
        if (reminders.every(done) || performance.now() > giveUpAt) return reminders;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
  };
}
