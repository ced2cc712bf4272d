/**
 * Meta signs every webhook delivery with `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`
 * under the app secret. The check runs over the exact bytes received (re-serialised JSON would differ) and
 * compares in constant time. There is deliberately no fallback to the older SHA-1 `X-Hub-Signature`.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const SIGNATURE_HEADER = 'x-hub-signature-256';
const PREFIX = 'sha256=';

export type SignatureCheck = 'valid' | 'missing' | 'invalid';

/** The header value Meta would send for `body`. */
export function signDelivery(body: Uint8Array | string, appSecret: string): string {
  return `${PREFIX}${createHmac('sha256', appSecret).update(body).digest('hex')}`;
}

export function checkSignature(
  body: Uint8Array,
  header: string | undefined,
  appSecret: string,
): SignatureCheck {
  if (header === undefined || header.trim() === '') return 'missing';
  return constantTimeEquals(header.trim().toLowerCase(), signDelivery(body, appSecret)) ? 'valid' : 'invalid';
}

/** String equality whose time does not depend on where the strings differ. */
export function constantTimeEquals(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch is already a mismatch.
  return a.length === b.length && timingSafeEqual(a, b);
}
