/**
 * Session tokens: compact JWS with HS256 (RFC 7515/7519), signed and verified with node:crypto. Verification
 * accepts only `alg: HS256` (no `none`, no algorithm confusion) and compares signatures in constant time.
 */
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export type TokenUse = 'access' | 'refresh';

export interface SessionClaims {
  readonly iss: string;
  readonly sub: string;
  readonly email: string;
  readonly typ: TokenUse;
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
  /** Present (true) only for addresses granted the admin role (`npm run admin -- grant`). */
  readonly admin?: true;
}

export const ISSUER = 'aurora-time';
export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_SECONDS = 30 * 24 * 3600;

const base64url = (data: Buffer | string): string => Buffer.from(data).toString('base64url');
const sign = (key: string, signingInput: string): Buffer =>
  createHmac('sha256', key).update(signingInput).digest();

export function issueToken(
  key: string,
  subject: { userId: string; email: string; admin?: boolean },
  typ: TokenUse,
  nowMs: number,
): { token: string; claims: SessionClaims } {
  const iat = Math.floor(nowMs / 1000);
  const claims: SessionClaims = {
    iss: ISSUER,
    sub: subject.userId,
    email: subject.email,
    typ,
    iat,
    exp: iat + (typ === 'access' ? ACCESS_TOKEN_SECONDS : REFRESH_TOKEN_SECONDS),
    jti: randomUUID(),
    ...(subject.admin === true ? { admin: true as const } : {}),
  };
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return { token: `${signingInput}.${base64url(sign(key, signingInput))}`, claims };
}

export type Verification =
  | { readonly valid: true; readonly claims: SessionClaims }
  | { readonly valid: false; readonly reason: string };

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function parseJson(part: string): unknown {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

export function verifyToken(key: string, token: string, expected: TokenUse, nowMs: number): Verification {
  const parts = token.split('.');
  if (parts.length !== 3) return { valid: false, reason: 'malformed' };
  const [header = '', payload = '', signature = ''] = parts;
  const headerJson = parseJson(header);
  if (!isRecord(headerJson) || headerJson.alg !== 'HS256') return { valid: false, reason: 'algorithm' };
  const expectedSignature = sign(key, `${header}.${payload}`);
  const given = Buffer.from(signature, 'base64url');
  if (given.length !== expectedSignature.length || !timingSafeEqual(given, expectedSignature)) {
    return { valid: false, reason: 'signature' };
  }
  const claims = parseJson(payload);
  if (
    !isRecord(claims) ||
    claims.iss !== ISSUER ||
    typeof claims.sub !== 'string' ||
    typeof claims.email !== 'string' ||
    typeof claims.exp !== 'number' ||
    typeof claims.iat !== 'number' ||
    typeof claims.jti !== 'string' ||
    (claims.admin !== undefined && claims.admin !== true)
  ) {
    return { valid: false, reason: 'claims' };
  }
  if (claims.typ !== expected) return { valid: false, reason: 'token use' };
  if (claims.exp <= Math.floor(nowMs / 1000)) return { valid: false, reason: 'expired' };
  return { valid: true, claims: claims as unknown as SessionClaims };
}
