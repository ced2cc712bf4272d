/**
 * The OTP session item `EMAIL#<email>` / `OTP` (docs/data-model.md, pattern 4) and the per-request outcome
 * items `EMAIL#<email>` / `OUTCOME#<id>` that REST callers read. Every write that matters for security is a
 * single-item conditional write: the code is replaced only by the session that owns the item, consumed once,
 * and wrong attempts are counted by compare-and-set on the attempt counter.
 */
import { type DynamoDBDocumentClient, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { conditionHeld } from '../conditional-write';

export type SessionState = 'waiting' | 'verified' | 'expired' | 'locked';

export interface OtpSession {
  readonly email: string;
  readonly sessionId: string;
  readonly state: SessionState;
  /** Epoch ms on the workflow's clock. */
  readonly lastSentAt: number;
  readonly deadline: number;
  readonly attempts: number;
  readonly codeHmac?: string;
  readonly taskToken?: string;
  readonly lockedUntil?: number;
}

export type Outcome =
  | { readonly outcome: 'sent'; readonly expiresAt: string }
  | { readonly outcome: 'throttled'; readonly retryAfterSeconds: number }
  | { readonly outcome: 'locked'; readonly lockedUntil: string }
  | { readonly outcome: 'wrong'; readonly attemptsLeft: number }
  | { readonly outcome: 'verified'; readonly userId: string }
  | { readonly outcome: 'expired' }
  | { readonly outcome: 'no-session' };

/** Outcome items only bridge a REST call to the workflow's answer; an hour is plenty. */
const OUTCOME_SECONDS = 3600;

export const sessionKey = (email: string) => ({ PK: `EMAIL#${email}`, SK: 'OTP' });
const outcomeKey = (email: string, id: string) => ({ PK: `EMAIL#${email}`, SK: `OUTCOME#${id}` });

const numberOrUndefined = (value: unknown): number | undefined =>
  typeof value === 'number' ? value : undefined;
const textOrUndefined = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

export function sessionOf(item: Record<string, unknown> | undefined): OtpSession | undefined {
  if (!item || typeof item.sessionId !== 'string' || typeof item.email !== 'string') return undefined;
  const codeHmac = textOrUndefined(item.codeHmac);
  const taskToken = textOrUndefined(item.taskToken);
  const lockedUntil = numberOrUndefined(item.lockedUntil);
  return {
    email: item.email,
    sessionId: item.sessionId,
    state: (textOrUndefined(item.state) ?? 'waiting') as SessionState,
    lastSentAt: numberOrUndefined(item.lastSentAt) ?? 0,
    deadline: numberOrUndefined(item.deadline) ?? 0,
    attempts: numberOrUndefined(item.attempts) ?? 0,
    ...(codeHmac ? { codeHmac } : {}),
    ...(taskToken ? { taskToken } : {}),
    ...(lockedUntil === undefined ? {} : { lockedUntil }),
  };
}

export interface SessionStore {
  read(email: string): Promise<OtpSession | undefined>;
  /** Stores the code's HMAC; false when the session is no longer this one. */
  storeCode(email: string, sessionId: string, codeHmac: string): Promise<boolean>;
  /** Marks the code used; false when another writer changed the session first (read again). */
  consumeCode(session: OtpSession): Promise<boolean>;
  /** Counts one wrong attempt from `session.attempts`; with `lockedUntil`, also locks. False on a race. */
  countWrongAttempt(session: OtpSession, lockedUntil?: number): Promise<boolean>;
  saveOutcome(email: string, id: string, outcome: Outcome, nowMs: number): Promise<void>;
  readOutcome(email: string, id: string): Promise<Outcome | undefined>;
}

export function dynamoSessionStore(client: DynamoDBDocumentClient, tableName: string): SessionStore {
  const sameSession = 'sessionId = :session AND #state = :waiting';
  return {
    async read(email) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: sessionKey(email), ConsistentRead: true }),
      );
      return sessionOf(Item);
    },
    storeCode: (email, sessionId, codeHmac) =>
      conditionHeld(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sessionKey(email),
            UpdateExpression: 'SET codeHmac = :code',
            ConditionExpression: sameSession,
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: { ':code': codeHmac, ':session': sessionId, ':waiting': 'waiting' },
          }),
        ),
      ),
    consumeCode: (session) =>
      conditionHeld(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sessionKey(session.email),
            UpdateExpression: 'SET #state = :verified REMOVE codeHmac, taskToken',
            ConditionExpression: `${sameSession} AND codeHmac = :code AND attempts = :attempts`,
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':verified': 'verified',
              ':session': session.sessionId,
              ':waiting': 'waiting',
              ':code': session.codeHmac,
              ':attempts': session.attempts,
            },
          }),
        ),
      ),
    countWrongAttempt: (session, lockedUntil) =>
      conditionHeld(() =>
        client.send(
          new UpdateCommand({
            TableName: tableName,
            Key: sessionKey(session.email),
            UpdateExpression:
              lockedUntil === undefined
                ? 'SET attempts = :next'
                : 'SET attempts = :next, lockedUntil = :lockedUntil, #state = :locked REMOVE codeHmac, taskToken',
            // Compare-and-set: of any number of parallel submissions, one moves the counter per value.
            ConditionExpression: `${sameSession} AND attempts = :attempts`,
            ExpressionAttributeNames: { '#state': 'state' },
            ExpressionAttributeValues: {
              ':next': session.attempts + 1,
              ':attempts': session.attempts,
              ':session': session.sessionId,
              ':waiting': 'waiting',
              ...(lockedUntil === undefined ? {} : { ':lockedUntil': lockedUntil, ':locked': 'locked' }),
            },
          }),
        ),
      ),
    async saveOutcome(email, id, outcome, nowMs) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: {
            ...outcomeKey(email, id),
            type: 'OtpOutcome',
            // Nested: the outcome's own fields must not collide with the table's TTL attribute.
            result: outcome,
            expiresAt: Math.floor(nowMs / 1000) + OUTCOME_SECONDS,
          },
        }),
      );
    },
    async readOutcome(email, id) {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: outcomeKey(email, id), ConsistentRead: true }),
      );
      const result: unknown = Item?.result;
      return typeof result === 'object' && result !== null && 'outcome' in result
        ? (result as Outcome)
        : undefined;
    },
  };
}
