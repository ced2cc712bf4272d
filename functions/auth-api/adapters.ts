/**
 * The production ports of the auth routes: events onto the bus, the outcome items the OTP session workflow
 * records, the OTP and session keys, the user's profile and lock items, the admin grants.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { adminGrantStands, configuredAdmins } from '../shared/admin/grants';
import { dynamoSessionStore } from '../shared/auth/otp-session';
import { dynamoDb, eventBridge, readSecret } from '../shared/clients';
import { optional, required } from '../shared/config';
import { publishEvents } from '../shared/events/publish';
import type { AuthPorts } from './routes';

const POLL_MS = 50;

export function awsAuthPorts(): AuthPorts {
  const tableName = required('TABLE_NAME');
  const store = dynamoSessionStore(dynamoDb, tableName);
  const busName = required('EVENT_BUS_NAME');
  const admins = configuredAdmins();
  const otpKeyId = required('OTP_KEY_ID');
  const sessionKeyId = required('SESSION_KEY_ID');
  /** How long a call waits for the workflow's answer; well inside the function timeout. */
  const outcomeWaitMs = optional('OUTCOME_WAIT_MS', 10_000);
  const read = (Key: { PK: string; SK: string }) =>
    dynamoDb.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }));
  return {
    publish: (events) => publishEvents(eventBridge, busName, events),
    awaitOutcome: async (email, id) => {
      // Elapsed time, not the date: a manual local clock stands still, and a wait must still end.
      const giveUpAt = performance.now() + outcomeWaitMs;
      for (;;) {
        const outcome = await store.readOutcome(email, id);
        if (outcome || performance.now() > giveUpAt) return outcome;
        await new Promise((resolve) => setTimeout(resolve, POLL_MS));
      }
    },
    otpKey: () => readSecret(otpKeyId),
    sessionKey: () => readSecret(sessionKeyId),
    userActive: async (userId, email, nowMs) => {
      const [profile, lock] = await Promise.all([
        read({ PK: `USER#${userId}`, SK: 'PROFILE' }),
        read({ PK: `EMAIL#${email}`, SK: 'LOCK' }),
      ]);
      const user = profile.Item;
      const lockedUntil = lock.Item?.lockedUntil;
      const locked = typeof lockedUntil === 'string' && Date.parse(lockedUntil) > nowMs;
      return user !== undefined && user.email === email && user.disabled !== true && !locked;
    },
    isAdmin: (email) => adminGrantStands(dynamoDb, tableName, email, admins),
    now: Date.now,
  };
}
