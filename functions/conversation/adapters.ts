/**
 * The production ports of `converse`: the PSID link and profile items, pending and held reminders, the bus,
 * the OTP key (to hash a code typed in the chat) and the Send API.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { hmacCode } from '../shared/auth/otp-crypto';
import { dynamoDb, eventBridge, readSecret } from '../shared/clients';
import { unlessConditionFails } from '../shared/conditional-write';
import { publishEvents } from '../shared/events/publish';
import { recordingSends } from '../shared/messenger/recorded-sends';
import { createSendApi } from '../shared/messenger/send-api';
import { dynamoHeldStore, takeAllHeld } from '../shared/reminders/held-store';
import { MAX_PENDING_REMINDERS } from '../shared/reminders/model';
import { queryAll } from '../shared/table-query';
import { ulid } from '../shared/ulid';
import type { ConversationPorts, HeldReminder, ReminderSummary, UserRecord } from './converse';

export interface ConversationSettings {
  readonly tableName: string;
  readonly eventBusName: string;
  readonly graphApiBaseUrl: string;
  readonly pageTokenId: string;
  readonly otpKeyId: string;
}

const DEFAULT_LOCALE = 'en_US';

function summaryOf(item: Record<string, unknown>): ReminderSummary {
  const rrule = typeof item.rrule === 'string' ? item.rrule : undefined;
  return {
    reminderId: String(item.reminderId),
    title: String(item.title),
    nextDueAt: String(item.nextDueAt),
    anchor: item.anchor === 'instant' ? 'instant' : 'wall',
    ...(rrule ? { rrule } : {}),
    ...(typeof item.eventId === 'string' ? { eventId: item.eventId } : {}),
  };
}

export function awsConversationPorts(settings: ConversationSettings): ConversationPorts {
  const { tableName } = settings;
  const profileKey = (userId: string) => ({ PK: `USER#${userId}`, SK: 'PROFILE' });

  /**
   * The PSID link first (it decides which user a PSID belongs to), then the profile as an idempotent upsert:
   * if a crash separates the two writes, the next message completes the profile. (Two writes rather than a
   * transaction: the local DynamoDB has no TransactWriteItems, and the upsert makes one unnecessary.)
   */
  const recordMessage = async (psid: string, at: string): Promise<UserRecord> => {
    const linkKey = { PK: `PSID#${psid}`, SK: 'PSID' };
    const updated = await unlessConditionFails(() =>
      dynamoDb.send(
        new UpdateCommand({
          TableName: tableName,
          Key: linkKey,
          UpdateExpression:
            'SET #type = :type, userId = if_not_exists(userId, :userId), firstSeenAt = if_not_exists(firstSeenAt, :at), lastMessageAt = :at',
          ConditionExpression: 'attribute_not_exists(lastMessageAt) OR lastMessageAt < :at',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': 'PsidLink', ':userId': ulid(Date.parse(at)), ':at': at },
          ReturnValues: 'ALL_NEW',
        }),
      ),
    );
    // Refused: an older message arriving late, and the link keeps the later time; read whose PSID it is.
    const link =
      updated?.Attributes ??
      (await dynamoDb.send(new GetCommand({ TableName: tableName, Key: linkKey }))).Item;
    const userId = link?.userId as string | undefined;
    if (!userId) throw new Error(`PSID link of ${psid} has no userId`);
    const profile = await dynamoDb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: profileKey(userId),
        UpdateExpression:
          'SET #type = :type, psid = if_not_exists(psid, :psid), createdAt = if_not_exists(createdAt, :at), ' +
          'locale = if_not_exists(locale, :locale), GSI2PK = :users, GSI2SK = if_not_exists(GSI2SK, :listing)',
        ExpressionAttributeNames: { '#type': 'type' },
        ExpressionAttributeValues: {
          ':type': 'User',
          ':psid': psid,
          ':at': at,
          ':locale': DEFAULT_LOCALE,
          ':users': 'USERS',
          ':listing': `${at}#${userId}`,
        },
        ReturnValues: 'ALL_NEW',
      }),
    );
    const item = profile.Attributes ?? {};
    const text = (name: string) => (typeof item[name] === 'string' ? (item[name] as string) : undefined);
    const timeZone = text('timeZone');
    const email = text('email');
    const pendingLoginEmail = text('pendingLoginEmail');
    return {
      userId,
      psid,
      ...(timeZone ? { timeZone } : {}),
      ...(email ? { email } : {}),
      ...(pendingLoginEmail ? { pendingLoginEmail } : {}),
    };
  };

  const setOnProfile = async (userId: string, values: Record<string, string>) => {
    const names = Object.keys(values);
    await dynamoDb.send(
      new UpdateCommand({
        TableName: tableName,
        Key: profileKey(userId),
        UpdateExpression: `SET ${names.map((_, index) => `#n${index} = :v${index}`).join(', ')}`,
        ConditionExpression: 'attribute_exists(PK)',
        ExpressionAttributeNames: Object.fromEntries(names.map((name, index) => [`#n${index}`, name])),
        ExpressionAttributeValues: Object.fromEntries(
          names.map((name, index) => [`:v${index}`, values[name]]),
        ),
      }),
    );
  };

  /** GSI1 holds exactly the pending reminders, in due order (docs/data-model.md, pattern 6). */
  const pendingReminders = async (userId: string): Promise<ReminderSummary[]> => {
    const items = await queryAll(
      dynamoDb,
      {
        TableName: tableName,
        IndexName: 'GSI1',
        KeyConditionExpression: 'GSI1PK = :user',
        ExpressionAttributeValues: { ':user': `USER#${userId}` },
      },
      { atMost: MAX_PENDING_REMINDERS },
    );
    return items.map(summaryOf);
  };

  const held = dynamoHeldStore(dynamoDb, tableName);
  const takeHeld = async (userId: string): Promise<HeldReminder[]> =>
    (await takeAllHeld(held, userId)).map(({ title, occurrence }) => ({ title, occurrence }));

  return {
    recordMessage,
    saveTimeZone: (userId, timeZone) => setOnProfile(userId, { timeZone }),
    savePendingLogin: (userId, email, at) =>
      setOnProfile(userId, { pendingLoginEmail: email, pendingLoginAt: at }),
    pendingReminders,
    takeHeld,
    publish: (events) => publishEvents(eventBridge, settings.eventBusName, events),
    hashCode: async (code) => hmacCode(await readSecret(settings.otpKeyId), code),
    newId: () => ulid(),
    send: recordingSends(
      createSendApi({
        baseUrl: settings.graphApiBaseUrl,
        pageAccessToken: () => readSecret(settings.pageTokenId),
      }),
      { purpose: 'reply', publish: (events) => publishEvents(eventBridge, settings.eventBusName, events) },
    ),
  };
}
