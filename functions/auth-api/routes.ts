/**
 * The auth REST use cases. Requests and codes go through the bus and the OTP session workflow like
 * Messenger's; the call waits for the workflow's recorded outcome so that it can answer synchronously.
 * Unknown and known addresses take exactly the same path, so answers and timing do not reveal which is which.
 */
import { randomUUID } from 'node:crypto';
import { issueToken, verifyToken } from '../shared/auth/jwt';
import { CODE_PATTERN, hmacCode } from '../shared/auth/otp-crypto';
import type { Outcome } from '../shared/auth/otp-session';
import { canonicalEmail } from '../shared/events/addresses';
import type { PublishableEvent } from '../shared/events/publish';

export interface HttpAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

export interface AuthPorts {
  readonly publish: (events: PublishableEvent[]) => Promise<void>;
  /** Polls the outcome the workflow records for this id; undefined when none arrived in time. */
  readonly awaitOutcome: (email: string, id: string) => Promise<Outcome | undefined>;
  readonly otpKey: () => Promise<string>;
  readonly sessionKey: () => Promise<string>;
  /** Whether the user may still hold a session (exists, not disabled, not locked). */
  readonly userActive: (userId: string, email: string, nowMs: number) => Promise<boolean>;
  /** Whether the address holds the admin grant (checked at every token issue, so a revoke takes effect). */
  readonly isAdmin: (email: string) => Promise<boolean>;
  readonly now: () => number;
}

const problem = (status: number, error: string, message: string): HttpAnswer => ({
  status,
  body: { error, message },
});

function emailOf(body: Record<string, unknown>): string | undefined {
  return typeof body.email === 'string' ? canonicalEmail(body.email) : undefined;
}

const SENT_MESSAGE =
  'If this address can receive email, a 6-digit code is on its way. It is valid for 15 minutes.';

export async function requestCode(body: Record<string, unknown>, ports: AuthPorts): Promise<HttpAnswer> {
  const email = emailOf(body);
  if (!email) return problem(400, 'InvalidEmail', 'Send {"email": "you@example.com"}.');
  const requestId = randomUUID();
  const outcome = await throughSession(ports, email, requestId, {
    detailType: 'OtpRequested',
    detail: { ...fromTheWeb(email), requestId, requestedAt: new Date(ports.now()).toISOString() },
  });
  switch (outcome?.outcome) {
    case 'sent':
      return { status: 202, body: { status: 'sent', message: SENT_MESSAGE, expiresAt: outcome.expiresAt } };
    case 'throttled':
      return retryLater(outcome.retryAfterSeconds, {
        status: 'throttled',
        retryAfterSeconds: outcome.retryAfterSeconds,
        message: `Please wait ${outcome.retryAfterSeconds} seconds before asking for another code.`,
      });
    case 'locked':
      return lockedAnswer(outcome.lockedUntil);
    default:
      return { status: 202, body: { status: 'accepted', message: SENT_MESSAGE } };
  }
}

/** The fields every OTP event from the web app carries. */
const fromTheWeb = (email: string) => ({ schemaVersion: 1 as const, email, channel: 'web' as const });

/** Publishes a step of the OTP session and waits for the outcome the workflow records under `id`. */
async function throughSession(
  ports: AuthPorts,
  email: string,
  id: string,
  event: PublishableEvent,
): Promise<Outcome | undefined> {
  await ports.publish([event]);
  return ports.awaitOutcome(email, id);
}

const retryLater = (seconds: number, body: Record<string, unknown>): HttpAnswer => ({
  status: 429,
  headers: { 'retry-after': String(seconds) },
  body,
});

function lockedAnswer(lockedUntil: string): HttpAnswer {
  const seconds = Math.max(1, Math.ceil((Date.parse(lockedUntil) - Date.now()) / 1000));
  return retryLater(seconds, {
    status: 'locked',
    lockedUntil,
    message: `Too many wrong codes: sign-in for this address is locked until ${lockedUntil}.`,
  });
}

export async function verifyCode(body: Record<string, unknown>, ports: AuthPorts): Promise<HttpAnswer> {
  const email = emailOf(body);
  const code = typeof body.code === 'string' ? body.code.trim() : '';
  if (!email || !CODE_PATTERN.test(code)) {
    return problem(400, 'InvalidRequest', 'Send {"email": "you@example.com", "code": "123456"}.');
  }
  const submissionId = randomUUID();
  const outcome = await throughSession(ports, email, submissionId, {
    detailType: 'OtpCodeSubmitted',
    detail: {
      ...fromTheWeb(email),
      submissionId,
      codeHmac: hmacCode(await ports.otpKey(), code),
      submittedAt: new Date(ports.now()).toISOString(),
    },
  });
  switch (outcome?.outcome) {
    case 'verified':
      // The code was right, but a disabled or admin-locked account gets no session.
      if (!(await ports.userActive(outcome.userId, email, ports.now()))) {
        return problem(403, 'AccountUnavailable', 'This account is disabled or locked; contact support.');
      }
      return { status: 200, body: { status: 'verified', ...(await tokens(outcome.userId, email, ports)) } };
    case 'wrong':
      return {
        status: 401,
        body: {
          status: 'wrong-code',
          attemptsLeft: outcome.attemptsLeft,
          message: `That code is not right. ${outcome.attemptsLeft} attempt(s) left.`,
        },
      };
    case 'locked':
      return lockedAnswer(outcome.lockedUntil);
    case undefined:
      return problem(504, 'Pending', 'The code could not be checked in time; try again.');
    default:
      return {
        status: 401,
        body: {
          status: 'no-pending-code',
          message: 'No code is waiting for this address; ask for a new one.',
        },
      };
  }
}

async function tokens(userId: string, email: string, ports: AuthPorts): Promise<Record<string, unknown>> {
  const [key, admin] = await Promise.all([ports.sessionKey(), ports.isAdmin(email)]);
  const now = ports.now();
  const access = issueToken(key, { userId, email, admin }, 'access', now);
  const refresh = issueToken(key, { userId, email, admin }, 'refresh', now);
  return {
    userId,
    tokenType: 'Bearer',
    accessToken: access.token,
    expiresIn: access.claims.exp - access.claims.iat,
    refreshToken: refresh.token,
  };
}

export async function refreshSession(body: Record<string, unknown>, ports: AuthPorts): Promise<HttpAnswer> {
  const token = typeof body.refreshToken === 'string' ? body.refreshToken : '';
  const verification = verifyToken(await ports.sessionKey(), token, 'refresh', ports.now());
  if (!verification.valid) return problem(401, 'InvalidToken', 'The refresh token is not valid.');
  const { sub: userId, email } = verification.claims;
  if (!(await ports.userActive(userId, email, ports.now()))) {
    return problem(401, 'InvalidToken', 'This account cannot refresh its session.');
  }
  return { status: 200, body: { status: 'refreshed', ...(await tokens(userId, email, ports)) } };
}
