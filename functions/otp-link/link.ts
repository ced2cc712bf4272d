/**
 * Link a proven email address to a user (docs/data-model.md, patterns 1-3). The address' existing user wins;
 * otherwise the Messenger user who proved it gets it; otherwise a new user is created. The `EMAIL#` link is
 * written with `attribute_not_exists`, so two parallel verifications of one address end with one user.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../shared/ulid';

export interface LinkRequest {
  readonly email: string;
  readonly psid?: string;
  /** Epoch ms on the workflow's clock. */
  readonly now: number;
}

export interface IdentityStore {
  userOfEmail(email: string): Promise<string | undefined>;
  userOfPsid(psid: string): Promise<string | undefined>;
  /** Claims the address for `userId`; returns the user that owns it afterwards. */
  claimEmail(email: string, userId: string, at: string): Promise<string>;
  updateProfile(userId: string, email: string, psid: string | undefined, at: string): Promise<void>;
  pointPsid(psid: string, userId: string, at: string): Promise<void>;
  /** Keeps the sign-in for the admin's view of the user (a retry with the same time writes the same item). */
  recordLogin(userId: string, at: string, channel: LoginChannel): Promise<void>;
}

/** A sign-in from the Messenger chat carries the PSID; one over REST (the web app) does not. */
export type LoginChannel = 'messenger' | 'web';

/** How long a sign-in stays in the user's recent logins. */
const LOGIN_RECORD_DAYS = 90;

export async function linkIdentity(request: LinkRequest, store: IdentityStore): Promise<{ userId: string }> {
  const at = new Date(request.now).toISOString();
  const psidUser = request.psid ? await store.userOfPsid(request.psid) : undefined;
  const existing = await store.userOfEmail(request.email);
  const userId = existing ?? (await store.claimEmail(request.email, psidUser ?? ulid(request.now), at));
  await store.updateProfile(userId, request.email, request.psid, at);
  if (request.psid && psidUser !== userId) await store.pointPsid(request.psid, userId, at);
  await store.recordLogin(userId, at, request.psid ? 'messenger' : 'web');
  return { userId };
}

export function dynamoIdentityStore(client: DynamoDBDocumentClient, tableName: string): IdentityStore {
  const userIdOf = async (key: { PK: string; SK: string }) => {
    const { Item } = await client.send(
      new GetCommand({ TableName: tableName, Key: key, ConsistentRead: true }),
    );
    return typeof Item?.userId === 'string' ? Item.userId : undefined;
  };
  const emailKey = (email: string) => ({ PK: `EMAIL#${email}`, SK: 'EMAIL' });
  return {
    userOfEmail: (email) => userIdOf(emailKey(email)),
    userOfPsid: (psid) => userIdOf({ PK: `PSID#${psid}`, SK: 'PSID' }),
    async claimEmail(email, userId, at) {
      try {
        await client.send(
          new PutCommand({
            TableName: tableName,
            Item: { ...emailKey(email), type: 'EmailLink', userId, linkedAt: at },
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        );
        return userId;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        const owner = await userIdOf(emailKey(email));
        if (!owner) throw error;
        return owner;
      }
    },
    async updateProfile(userId, email, psid, at) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: `USER#${userId}`, SK: 'PROFILE' },
          UpdateExpression:
            'SET #type = :type, email = :email, emailVerifiedAt = :at, createdAt = if_not_exists(createdAt, :at), ' +
            `GSI2PK = :users, GSI2SK = if_not_exists(GSI2SK, :listing)${psid ? ', psid = :psid' : ''} ` +
            'REMOVE pendingLoginEmail, pendingLoginAt',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: {
            ':type': 'User',
            ':email': email,
            ':at': at,
            ':users': 'USERS',
            ':listing': `${at}#${userId}`,
            ...(psid ? { ':psid': psid } : {}),
          },
        }),
      );
    },
    async recordLogin(userId, at, channel) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            PK: `USER#${userId}`,
            SK: `LOGIN#${at}`,
            type: 'Login',
            userId,
            at,
            channel,
            expiresAt: Math.floor(Date.parse(at) / 1000) + LOGIN_RECORD_DAYS * 24 * 3600,
          },
        }),
      );
    },
    async pointPsid(psid, userId, at) {
      await client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: { PK: `PSID#${psid}`, SK: 'PSID' },
          UpdateExpression:
            'SET #type = :type, userId = :userId, firstSeenAt = if_not_exists(firstSeenAt, :at)',
          ExpressionAttributeNames: { '#type': 'type' },
          ExpressionAttributeValues: { ':type': 'PsidLink', ':userId': userId, ':at': at },
        }),
      );
    },
  };
}
