/** The production ports of `deliver`: delivery records and held items in the table, the Send API, SES v2. */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { DeleteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { required } from '../auth-shared/environment';
import { dynamoDb } from '../shared/clients';
import { cachedSecretReader } from '../shared/messenger/secrets';
import { createSendApi } from '../shared/messenger/send-api';
import type { DeliveryChannel, Reminder } from '../shared/reminders/model';
import type { DeliveryPorts } from './deliver';

/** Delivery records are kept 90 days (docs/data-model.md, pattern 8). */
const DELIVERY_RECORD_SECONDS = 90 * 86_400;

export function awsDeliveryPorts(): DeliveryPorts & { readonly sendText: DeliveryPorts['sendMessenger'] } {
  const tableName = required('TABLE_NAME');
  const sender = required('SENDER_EMAIL');
  const configurationSet = process.env.SES_CONFIGURATION_SET;
  const readSecret = cachedSecretReader(new SecretsManagerClient({}));
  const pageTokenId = required('PAGE_TOKEN_ID');
  const send = createSendApi({
    baseUrl: required('GRAPH_API_BASE_URL'),
    pageAccessToken: () => readSecret(pageTokenId),
  });
  const ses = new SESv2Client({});
  const deliveryKey = (reminder: Reminder, occurrence: string) => ({
    PK: reminder.PK,
    SK: `DELIVERY#${occurrence}`,
  });

  return {
    now: () => Date.now(),
    claim: async (reminder, occurrence, executionId) => {
      const key = deliveryKey(reminder, occurrence);
      try {
        await dynamoDb.send(
          new PutCommand({
            TableName: tableName,
            Item: {
              ...key,
              type: 'Delivery',
              executionId,
              status: 'sending',
              sent: [],
              claimedAt: new Date().toISOString(),
              expiresAt: Math.floor(Date.now() / 1000) + DELIVERY_RECORD_SECONDS,
            },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
        return { state: 'claimed', sent: [] };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
      const record = (
        await dynamoDb.send(new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }))
      ).Item;
      return record?.executionId === executionId
        ? { state: 'claimed', sent: (record.sent ?? []) as DeliveryChannel[] }
        : { state: 'taken' };
    },
    markSent: async (reminder, occurrence, channel) => {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: deliveryKey(reminder, occurrence),
          UpdateExpression: 'SET sent = list_append(sent, :channel)',
          ExpressionAttributeValues: { ':channel': [channel] },
        }),
      );
    },
    complete: async (reminder, occurrence, outcome) => {
      await dynamoDb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: deliveryKey(reminder, occurrence),
          UpdateExpression: 'SET #status = :status, completedAt = :at',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':status': outcome, ':at': new Date().toISOString() },
        }),
      );
    },
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
      return {
        ...(typeof email === 'string' ? { email } : {}),
        ...(typeof lastMessageAt === 'string' ? { lastMessageAt: Date.parse(lastMessageAt) } : {}),
      };
    },
    sendMessenger: send,
    sendText: send,
    sendEmail: async (email) => {
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: sender,
          Destination: { ToAddresses: [email.to] },
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                Html: { Data: email.html, Charset: 'UTF-8' },
              },
              Headers: [{ Name: 'List-Unsubscribe', Value: `<mailto:${sender}?subject=unsubscribe>` }],
            },
          },
        }),
      );
    },
    heldFor: async (userId) => {
      const result = await dynamoDb.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :user AND begins_with(SK, :held)',
          ExpressionAttributeValues: { ':user': `USER#${userId}`, ':held': 'HELD#' },
          ConsistentRead: true,
        }),
      );
      return (result.Items ?? []).map((item) => ({
        sortKey: String(item.SK),
        title: String(item.title),
        occurrence: String(item.occurrence),
      }));
    },
    takeHeld: async (userId, held) => {
      try {
        await dynamoDb.send(
          new DeleteCommand({
            TableName: tableName,
            Key: { PK: `USER#${userId}`, SK: held.sortKey },
            ConditionExpression: 'attribute_exists(PK)',
          }),
        );
        return true;
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return false;
        throw error;
      }
    },
    hold: async (reminder, occurrence) => {
      await dynamoDb.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            PK: `USER#${reminder.userId}`,
            SK: `HELD#${occurrence}#${reminder.reminderId}`,
            type: 'HeldReminder',
            reminderId: reminder.reminderId,
            title: reminder.title,
            occurrence,
            timeZone: reminder.timeZone,
          },
        }),
      );
    },
  };
}
