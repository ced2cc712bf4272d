import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { codeEmail } from '../../../../../functions/otp-issue/issue';
import { issueToken, verifyToken } from '../../../../../functions/shared/auth/jwt';
import { generateCode, hmacCode, sameHmac } from '../../../../../functions/shared/auth/otp-crypto';

const KEY = 'k'.repeat(64);
const NOW = Date.parse('2026-11-22T09:00:00.000Z');

describe('one-time codes', () => {
  it('are 6 digits, zero-padded, spread over the whole range', () => {
    const codes = Array.from({ length: 5000 }, generateCode);
    for (const code of codes) expect(code).toMatch(/^\d{6}$/);
    expect(codes.some((code) => code.startsWith('0'))).toBe(true);
    expect(codes.some((code) => code.startsWith('9'))).toBe(true);
    expect(new Set(codes).size).toBeGreaterThan(4900);
  });

  it('are hashed with HMAC-SHA256 under the key, the way the conversation hashes typed codes', () => {
    expect(hmacCode(KEY, '012345')).toBe(createHmac('sha256', KEY).update('012345').digest('hex'));
    expect(hmacCode(KEY, '012345')).not.toBe(hmacCode('other', '012345'));
  });

  it('compare equal only when both HMACs are the same well-formed value', () => {
    const right = hmacCode(KEY, '123456');
    expect(sameHmac(right, right)).toBe(true);
    expect(sameHmac(right, hmacCode(KEY, '123457'))).toBe(false);
    expect(sameHmac(right, 'not hex')).toBe(false);
    expect(sameHmac('', '')).toBe(false);
  });

  it('reach the person in a plain email with the expiry, and no links or images', () => {
    const email = codeEmail('ann@example.com', '042042', '2026-11-22T09:15:00.000Z');
    expect(email.subject).toContain('042042');
    expect(email.text).toContain('until 2026-11-22 09:15 UTC');
    expect(email.html).toContain('042042');
    expect(email.html).not.toMatch(/<img|<a |href=/);
  });
});

describe('session tokens (JWT HS256)', () => {
  const subject = { userId: '01JD0000000000000000000000', email: 'ann@example.com' };

  it('verify with the key that signed them, for the use they were issued for', () => {
    const { token, claims } = issueToken(KEY, subject, 'access', NOW);
    expect(verifyToken(KEY, token, 'access', NOW + 1000)).toEqual({ valid: true, claims });
    expect(claims.exp - claims.iat).toBe(900);
    expect(verifyToken(KEY, token, 'refresh', NOW)).toEqual({ valid: false, reason: 'token use' });
  });

  it('carry admin only when granted, and only as true', () => {
    expect(issueToken(KEY, subject, 'access', NOW).claims).not.toHaveProperty('admin');
    expect(issueToken(KEY, { ...subject, admin: false }, 'access', NOW).claims).not.toHaveProperty('admin');
    const { token, claims } = issueToken(KEY, { ...subject, admin: true }, 'access', NOW);
    expect(claims.admin).toBe(true);
    expect(verifyToken(KEY, token, 'access', NOW)).toEqual({ valid: true, claims });
    const signingInput = `${token.split('.')[0]}.${Buffer.from(JSON.stringify({ ...claims, admin: 'yes' })).toString('base64url')}`;
    const resigned = `${signingInput}.${createHmac('sha256', KEY).update(signingInput).digest('base64url')}`;
    expect(verifyToken(KEY, resigned, 'access', NOW)).toEqual({ valid: false, reason: 'claims' });
  });

  it('are refused when expired, tampered with, signed with another key or with alg none', () => {
    const { token } = issueToken(KEY, subject, 'access', NOW);
    expect(verifyToken(KEY, token, 'access', NOW + 901_000)).toMatchObject({ reason: 'expired' });
    expect(verifyToken('other', token, 'access', NOW)).toMatchObject({ reason: 'signature' });
    const [header, payload, signature] = token.split('.');
    const forged = Buffer.from(
      JSON.stringify({ ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()), sub: 'someone' }),
    ).toString('base64url');
    expect(verifyToken(KEY, `${header}.${forged}.${signature}`, 'access', NOW)).toMatchObject({
      reason: 'signature',
    });
    const none = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    expect(verifyToken(KEY, `${none}.${payload}.`, 'access', NOW)).toMatchObject({ reason: 'algorithm' });
    expect(verifyToken(KEY, 'garbage', 'access', NOW)).toMatchObject({ reason: 'malformed' });
  });
});
