/** `POST /auth/otp/request`, `POST /auth/otp/verify` and `POST /auth/token/refresh` on the HTTP API. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { required } from '../auth-shared/environment';
import { dynamoSessionStore, type Outcome } from '../auth-shared/otp-session';
import { adminGrantStands, configuredAdmins } from '../shared/admin/grants';
import { dynamoDb, eventBridge } from '../shared/clients';
import { publishEvents } from '../shared/events/publish';
import { logger } from '../shared/logger';
import { cachedSecretReader } from '../shared/messenger/secrets';
import { type AuthPorts, type HttpAnswer, refreshSession, requestCode, verifyCode } from './routes';

const tableName = required('TABLE_NAME');
const store = dynamoSessionStore(dynamoDb, tableName);
const readSecret = cachedSecretReader(new SecretsManagerClient({}));
const busName = required('EVENT_BUS_NAME');
const admins = configuredAdmins();
const otpKeyId = required('OTP_KEY_ID');
const sessionKeyId = required('SESSION_KEY_ID');
/** How long a call waits for the workflow's answer; well inside the function timeout. */
const OUTCOME_WAIT_MS = Number(process.env.OUTCOME_WAIT_MS ?? '10000');
const POLL_MS = 50;

const ports: AuthPorts = {
  publish: (events) => publishEvents(eventBridge, busName, events),
  awaitOutcome: async (email, id) => {
    // Elapsed time, not the date: a manual local clock stands still, and a wait must still end.
    const giveUpAt = performance.now() + OUTCOME_WAIT_MS;
    for (;;) {
      const outcome: Outcome | undefined = await store.readOutcome(email, id);
      if (outcome || performance.now() > giveUpAt) return outcome;
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  },
  otpKey: () => readSecret(otpKeyId),
  sessionKey: () => readSecret(sessionKeyId),
  userActive: async (userId, email, nowMs) => {
    const [profile, lock] = await Promise.all(
      [
        { PK: `USER#${userId}`, SK: 'PROFILE' },
        { PK: `EMAIL#${email}`, SK: 'LOCK' },
      ].map((Key) => dynamoDb.send(new GetCommand({ TableName: tableName, Key, ConsistentRead: true }))),
    );
    const user = profile?.Item;
    const lockedUntil = lock?.Item?.lockedUntil;
    const locked = typeof lockedUntil === 'string' && Date.parse(lockedUntil) > nowMs;
    return user !== undefined && user.email === email && user.disabled !== true && !locked;
  },
  isAdmin: (email) => adminGrantStands(dynamoDb, tableName, email, admins),
  now: Date.now,
};

const ROUTES: Record<string, (body: Record<string, unknown>, ports: AuthPorts) => Promise<HttpAnswer>> = {
  'POST /auth/otp/request': requestCode,
  'POST /auth/otp/verify': verifyCode,
  'POST /auth/token/refresh': refreshSession,
};

function bodyOf(event: APIGatewayProxyEventV2): Record<string, unknown> | undefined {
  if (!event.body) return undefined;
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export const handler = async (
  event: APIGatewayProxyEventV2,
  context: Context,
): Promise<APIGatewayProxyResultV2> => {
  logger.addContext(context);
  const route = ROUTES[event.routeKey];
  const body = bodyOf(event);
  const answer: HttpAnswer = !route
    ? { status: 404, body: { error: 'NotFound', message: `No route ${event.routeKey}` } }
    : !body
      ? { status: 400, body: { error: 'InvalidJson', message: 'The body must be a JSON object.' } }
      : await route(body, ports);
  // Status and route only: never the address, the code or a token.
  logger.info('auth call', { route: event.routeKey, status: answer.status, outcome: answer.body.status });
  return {
    statusCode: answer.status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store', ...answer.headers },
    body: JSON.stringify(answer.body),
  };
};
