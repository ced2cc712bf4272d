import { describe, expect, it } from 'vitest';
import { verifyCode } from '../../../../functions/otp-verify/verify';
import { hmacCode } from '../../../../functions/shared/auth/otp-crypto';
import type { OtpSession, SessionStore } from '../../../../functions/shared/auth/otp-session';

const KEY = 'key';
const NOW = 1_000_000;
const settings = { maxAttempts: 5, lockMillis: 15 * 60_000 };

/** An in-memory session item with the same conditional writes as the DynamoDB store. */
function memoryStore(initial: OtpSession) {
  let item: OtpSession = initial;
  const same = (session: OtpSession) =>
    item.sessionId === session.sessionId && item.state === 'waiting' && item.attempts === session.attempts;
  const store: Pick<SessionStore, 'read' | 'consumeCode' | 'countWrongAttempt'> = {
    read: async () => ({ ...item }),
    consumeCode: async (session) => {
      if (!same(session) || item.codeHmac !== session.codeHmac) return false;
      const { codeHmac: _code, ...rest } = item;
      item = { ...rest, state: 'verified' };
      return true;
    },
    countWrongAttempt: async (session, lockedUntil) => {
      if (!same(session)) return false;
      item =
        lockedUntil === undefined
          ? { ...item, attempts: item.attempts + 1 }
          : {
              email: item.email,
              sessionId: item.sessionId,
              lastSentAt: item.lastSentAt,
              deadline: item.deadline,
              attempts: item.attempts + 1,
              state: 'locked',
              lockedUntil,
            };
      return true;
    },
  };
  return { store, current: () => item };
}

const waiting = (code: string): OtpSession => ({
  email: 'ann@example.com',
  sessionId: 's1',
  state: 'waiting',
  lastSentAt: NOW - 1000,
  deadline: NOW + 900_000,
  attempts: 0,
  codeHmac: hmacCode(KEY, code),
});
const request = (code: string) => ({
  email: 'ann@example.com',
  sessionId: 's1',
  codeHmac: hmacCode(KEY, code),
  now: NOW,
});

describe('verifyCode', () => {
  it('accepts the right code once', async () => {
    const { store } = memoryStore(waiting('123456'));
    expect(await verifyCode(request('123456'), store, settings)).toEqual({ outcome: 'verified' });
    expect(await verifyCode(request('123456'), store, settings)).toEqual({ outcome: 'no-session' });
  });

  it('counts wrong codes and locks on the 5th, with lockedUntil from the workflow clock', async () => {
    const { store, current } = memoryStore(waiting('123456'));
    const verdicts = [];
    for (let attempt = 0; attempt < 5; attempt++)
      verdicts.push(await verifyCode(request('000000'), store, settings));
    expect(
      verdicts.map((verdict) => ('attemptsLeft' in verdict ? verdict.attemptsLeft : verdict.outcome)),
    ).toEqual([4, 3, 2, 1, 'locked']);
    expect(current()).toMatchObject({ attempts: 5, state: 'locked', lockedUntil: NOW + 15 * 60_000 });
    expect(await verifyCode(request('123456'), store, settings)).toMatchObject({ outcome: 'locked' });
  });

  it('counts at most 5 of many parallel wrong codes', async () => {
    const { store, current } = memoryStore(waiting('123456'));
    const verdicts = await Promise.all(
      Array.from({ length: 30 }, () => verifyCode(request('000000'), store, settings)),
    );
    expect(verdicts.filter((verdict) => verdict.outcome === 'wrong')).toHaveLength(4);
    expect(current().attempts).toBe(5);
  });

  it('refuses a code after the deadline, or for a session that is not this one', async () => {
    const { store } = memoryStore(waiting('123456'));
    expect(await verifyCode({ ...request('123456'), now: NOW + 900_000 }, store, settings)).toEqual({
      outcome: 'expired',
    });
    expect(await verifyCode({ ...request('123456'), sessionId: 'other' }, store, settings)).toEqual({
      outcome: 'no-session',
    });
  });
});
