/**
 * Verify one submitted code against the session: constant-time comparison of HMACs, single use, and wrong
 * attempts counted by compare-and-set so that parallel submissions can never count past the limit. The
 * attempt that reaches the limit locks the address in the same conditional write.
 */
import { sameHmac } from '../shared/auth/otp-crypto';
import type { OtpSession, SessionStore } from '../shared/auth/otp-session';

export const MAX_ATTEMPTS = 5;

export interface VerifyRequest {
  readonly email: string;
  readonly sessionId: string;
  readonly codeHmac: string;
  /** Epoch ms on the workflow's clock. */
  readonly now: number;
}

export type Verdict =
  | { readonly outcome: 'verified' }
  | { readonly outcome: 'wrong'; readonly attemptsLeft: number; readonly attempt: number }
  | { readonly outcome: 'locked'; readonly lockedUntil: string; readonly failedAttempts: number }
  | { readonly outcome: 'expired' }
  | { readonly outcome: 'no-session' };

export interface VerifySettings {
  readonly maxAttempts: number;
  readonly lockMillis: number;
}

/** Races lost to parallel writers before giving up; each loss means another submission moved the counter. */
const MAX_RACES = MAX_ATTEMPTS * 4;

export async function verifyCode(
  request: VerifyRequest,
  store: Pick<SessionStore, 'read' | 'consumeCode' | 'countWrongAttempt'>,
  settings: VerifySettings,
): Promise<Verdict> {
  for (let race = 0; race < MAX_RACES; race++) {
    const session = await store.read(request.email);
    const verdict = await attempt(request, session, store, settings);
    if (verdict) return verdict;
  }
  throw new Error('Too much contention on the OTP session');
}

async function attempt(
  request: VerifyRequest,
  session: OtpSession | undefined,
  store: Pick<SessionStore, 'consumeCode' | 'countWrongAttempt'>,
  settings: VerifySettings,
): Promise<Verdict | undefined> {
  if (!session || session.sessionId !== request.sessionId) return { outcome: 'no-session' };
  if (session.state === 'locked' && session.lockedUntil !== undefined) {
    return locked(session.lockedUntil, session.attempts);
  }
  if (session.state !== 'waiting' || !session.codeHmac) return { outcome: 'no-session' };
  if (request.now >= session.deadline) return { outcome: 'expired' };

  if (sameHmac(session.codeHmac, request.codeHmac)) {
    return (await store.consumeCode(session)) ? { outcome: 'verified' } : undefined;
  }
  const attempt = session.attempts + 1;
  if (attempt >= settings.maxAttempts) {
    const lockedUntil = request.now + settings.lockMillis;
    return (await store.countWrongAttempt(session, lockedUntil)) ? locked(lockedUntil, attempt) : undefined;
  }
  return (await store.countWrongAttempt(session))
    ? { outcome: 'wrong', attemptsLeft: settings.maxAttempts - attempt, attempt }
    : undefined;
}

const locked = (lockedUntil: number, failedAttempts: number): Verdict => ({
  outcome: 'locked',
  lockedUntil: new Date(lockedUntil).toISOString(),
  failedAttempts,
});
