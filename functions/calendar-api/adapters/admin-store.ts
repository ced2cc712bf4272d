/** The admin use cases' table access on AWS: GSI2 listings, LOGIN records, locks and the disabled mark. */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { adminGrantStands, configuredAdmins } from '../../shared/admin/grants';
import { conditionHeld, unlessConditionFails } from '../../shared/conditional-write';
import { queryAll } from '../../shared/table-query';
import { profileKey, type TableItem } from '../account';
import type { AdminStore } from '../admin';

const USERS_LISTING = 'USERS';
const LOCKOUTS_LISTING = 'LOCKOUTS';

const lockKey = (email: string) => ({ PK: `EMAIL#${email}`, SK: 'LOCK' });
const sessionKey = (email: string) => ({ PK: `EMAIL#${email}`, SK: 'OTP' });

/** The listing key is `<createdAt>#<userId>` (otp-link writes it): the profile's table key follows from it. */
function listingStartKey(listingKey: string) {
  const userId = listingKey.slice(listingKey.lastIndexOf('#') + 1);
  return { ...profileKey(userId), GSI2PK: USERS_LISTING, GSI2SK: listingKey };
}

export function dynamoAdminStore(
  client: DynamoDBDocumentClient,
  tableName: string,
  admins: readonly string[] = configuredAdmins(),
): AdminStore {
  return {
    grantStands: (email) => adminGrantStands(client, tableName, email, admins),
    listUsers: async (limit, after) => {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'GSI2',
          KeyConditionExpression: 'GSI2PK = :pk',
          ExpressionAttributeValues: { ':pk': USERS_LISTING },
          ScanIndexForward: false,
          Limit: limit,
          ...(after ? { ExclusiveStartKey: listingStartKey(after) } : {}),
        }),
      );
      const last = page.LastEvaluatedKey?.GSI2SK;
      return {
        profiles: (page.Items ?? []) as TableItem[],
        ...(typeof last === 'string' ? { lastListingKey: last } : {}),
      };
    },
    currentLocks: (nowIso) =>
      queryAll<TableItem>(client, {
        TableName: tableName,
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :pk AND GSI2SK > :now',
        ExpressionAttributeValues: { ':pk': LOCKOUTS_LISTING, ':now': nowIso },
      }),
    recentLogins: async (userId, limit) => {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :login)',
          ExpressionAttributeValues: { ':pk': profileKey(userId).PK, ':login': 'LOGIN#' },
          ScanIndexForward: false,
          Limit: limit,
        }),
      );
      return (page.Items ?? []) as TableItem[];
    },
    lockAddress: async (lock) => {
      // The session item first: it is what refuses a sign-in; the record after it only lists the lock.
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: sessionKey(lock.email),
          UpdateExpression:
            'SET lockedUntil = :until, expiresAt = :expiresAt, #type = if_not_exists(#type, :type), email = :email',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':until': Date.parse(lock.lockedUntil),
            ':expiresAt': lock.sessionExpiresAt,
            ':type': 'OtpSession',
            ':email': lock.email,
          },
        }),
      );
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...lockKey(lock.email),
            type: 'Lockout',
            email: lock.email,
            userId: lock.userId,
            lockedUntil: lock.lockedUntil,
            by: lock.by,
            ...(lock.reason ? { reason: lock.reason } : {}),
            GSI2PK: LOCKOUTS_LISTING,
            GSI2SK: `${lock.lockedUntil}#${lock.email}`,
            expiresAt: Math.ceil(Date.parse(lock.lockedUntil) / 1000),
          },
        }),
      );
    },
    unlockAddress: async (email) => {
      // No session item: nothing to unlock there.
      await conditionHeld(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sessionKey(email),
            UpdateExpression: 'REMOVE lockedUntil',
            ConditionExpression: 'attribute_exists(PK)',
          }),
        ),
      );
      await client.send(new DeleteCommand({ TableName: tableName, Key: lockKey(email) }));
    },
    markDisabled: async (userId, mark) => {
      const updated = await unlessConditionFails(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: profileKey(userId),
            ConditionExpression: 'attribute_exists(PK)',
            ...(mark
              ? {
                  UpdateExpression: `SET disabled = :yes, disabledAt = :at, disabledBy = :by${mark.reason ? ', disabledReason = :reason' : ' REMOVE disabledReason'}`,
                  ExpressionAttributeValues: {
                    ':yes': true,
                    ':at': mark.at,
                    ':by': mark.by,
                    ...(mark.reason ? { ':reason': mark.reason } : {}),
                  },
                }
              : { UpdateExpression: 'REMOVE disabled, disabledAt, disabledBy, disabledReason' }),
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return updated?.Attributes as TableItem | undefined;
    },
  };
}
