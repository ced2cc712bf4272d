/**
 * One-time codes: 6 digits drawn uniformly from 000000-999999 by the cryptographic RNG, stored and carried
 * only as HMAC-SHA256 under the OTP key, compared in constant time.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';

export const CODE_PATTERN = /^\d{6}$/;

export function generateCode(): string {
  return String(randomInt(0, 1_000_000)).padStart(6, '0');
}

/** Hex HMAC-SHA256 of a code; the same function the conversation uses for codes typed in Messenger. */
export function hmacCode(key: string, code: string): string {
  return createHmac('sha256', key).update(code).digest('hex');
}

/** Constant-time equality of two hex HMACs; anything that is not a 64-digit hex string never matches. */
export function sameHmac(expected: string, submitted: string): boolean {
  const hex = /^[0-9a-f]{64}$/;
  // Compare against a fixed-length buffer either way, so a malformed submission costs the same time.
  const left = Buffer.from(hex.test(expected) ? expected : '0'.repeat(64), 'hex');
  const right = Buffer.from(hex.test(submitted) ? submitted : 'f'.repeat(64), 'hex');
  return timingSafeEqual(left, right) && hex.test(expected) && hex.test(submitted);
}
