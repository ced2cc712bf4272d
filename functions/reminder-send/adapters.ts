/** The production ports of `deliver`: delivery records and held items in the table, the Send API, SES v2. */
import { GetCommand, PutCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { dynamoDb, eventBridge, readSecret } from '../shared/clients';
import { conditionHeld } from '../shared/conditional-write';
import { optional, required } from '../shared/config';
import { createEmailSender } from '../shared/email';
import { publishEvents } from '../shared/events/publish';
import { recordingSends, type SendPurpose } from '../shared/messenger/recorded-sends';
import { createSendApi } from '../shared/messenger/send-api';
import { dynamoHeldStore } from '../shared/reminders/held-store';
import type { DeliveryChannel, Reminder } from '../shared/reminders/model';
import { quietHoursOf } from '../shared/reminders/quiet-hours';
import { canonicalTimeZone } from '../shared/reminders/zoned';
import type { DeliveryPorts } from './deliver';

/** Delivery records are kept 90 days (docs/data-model.md, pattern 8). */
const DELIVERY_RECORD_SECONDS = 90 * 86_400;

/**
 * `clock` is the workflow's time, which the handler passes in (docs/security.md, "How time is sourced"):
 * the 24-hour window, `deliveredAt` and the records' times and expiry (which the table's TTL reads) follow it.
 */
export function awsDeliveryPorts(
  clock: () => number = Date.now,
): DeliveryPorts & { readonly sendText: DeliveryPorts['sendMessenger'] } {
  const tableName = required('TABLE_NAME');
  const sender = required('SENDER_EMAIL');
  const pageTokenId = required('PAGE_TOKEN_ID');
  const send = createSendApi({
    baseUrl: required('GRAPH_API_BASE_URL'),
    pageAccessToken: () => readSecret(pageTokenId),
    now: clock,
  });
  const busName = required('EVENT_BUS_NAME');
  const recorded = (purpose: SendPurpose) =>
    recordingSends(send, {
      purpose,
      publish: (events) => publishEvents(eventBridge, busName, events),
      now: clock,
    });
  const sendEmail = createEmailSender({
    sender,
    configurationSet: optional('SES_CONFIGURATION_SET', ''),
  });
  const held = dynamoHeldStore(dynamoDb, tableName);
  const deliveryKey = (reminder: Reminder, occurrence: string) => ({
    PK: reminder.PK,
    SK: `DELIVERY#${occurrence}`,
  });
  const updateDelivery = async (
    reminder: Reminder,
    occurrence: string,
    update: Pick<
      UpdateCommandInput,
      'UpdateExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
    >,
  ): Promise<void> => {
    await dynamoDb.send(
      new UpdateCommand({ TableName: tableName, Key: deliveryKey(reminder, occurrence), ...update }),
    );
  };

  return {
    now: clock,
    claim: async (reminder, occurrence, executionId) => {
      const key = deliveryKey(reminder, occurrence);
      const created = await conditionHeld(() =>
        dynamoDb.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key,
              type: 'Delivery',
              executionId,
              status: 'sending',
              sent: [],
              claimedAt: new Date(clock()).toISOString(),
              expiresAt: Math.floor(clock() / 1000) + DELIVERY_RECORD_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      );
      if (created) return { state: 'claimed', sent: [] };
      const record = (
        await dynamoDb.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))
      ).Item;
      const sent = (record?.sent ?? []) as DeliveryChannel[];
      if (record?.executionId === executionId) return { state: 'claimed', sent };
      if (record?.status !== 'failed') return { state: 'taken' };
      // A failed delivery started again: take the claim over, unless another execution just did.
      const takenOver = await conditionHeld(() =>
        dynamoDb.send(
          new UpdateCommand({
            TableName: tableName,
            Key: key,
            UpdateExpression: 'SET executionId = :mine, #status = :sending',
            ConditionExpression: '#status = :failed AND executionId = :previous',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: {
              ':mine': executionId,
              ':sending': 'sending',
              ':failed': 'failed',
              ':previous': record.executionId,
            },
          }),
        ),
      );
      return takenOver ? { state: 'claimed', sent } : { state: 'taken' };
    },
    markSent: (reminder, occurrence, channel) =>
      updateDelivery(reminder, occurrence, {
        UpdateExpression: 'SET sent = list_append(sent, :channel)',
        ExpressionAttributeValues: { ':channel': [channel] },
      }),
    complete: (reminder, occurrence, outcome) =>
      updateDelivery(reminder, occurrence, {
        UpdateExpression: 'SET #status = :status, completedAt = :at',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':status': outcome, ':at': new Date(clock()).toISOString() },
      }),
    contact: async (reminder) => {
      const [profile, link] = await Promise.all([
        dynamoDb.send(
          new GetCommand({ TableName: tableName, Key: { PK: `USER#${reminder.userId}`, SK: 'PROFILE' } }),
        ),
        reminder.psid
          ? dynamoDb.send(
              new GetCommand({ TableName: tableName, Key: { PK: `PSID#${reminder.psid}`, SK: 'PSID' } }),
            )
          : Promise.resolve(undefined),
      ]);
      const email = profile.Item?.email;
      const lastMessageAt = link?.Item?.lastMessageAt;
      const quietHours = quietHoursOf(profile.Item?.quietHours);
      const zone = profile.Item?.timeZone;
      return {
        ...(typeof email === 'string' ? { email } : {}),
        ...(typeof lastMessageAt === 'string' ? { lastMessageAt: Date.parse(lastMessageAt) } : {}),
        ...(quietHours ? { quietHours } : {}),
        ...(profile.Item?.disabled === true ? { disabled: true } : {}),
        // An unreadable zone falls back like an unset one: a bad profile field must not stop the delivery.
        timeZone: (typeof zone === 'string' ? canonicalTimeZone(zone) : undefined) ?? 'UTC',
      };
    },
    sendMessenger: recorded('reminder'),
    sendText: recorded('reply'),
    sendEmail: (email) =>
      sendEmail({
        ...email,
        headers: [{ name: 'List-Unsubscribe', value: `<mailto:${sender}?subject=unsubscribe>` }],
      }),
    heldFor: held.list,
    takeHeld: held.take,
    hold: held.hold,
  };
}
