/**
 * ULIDs (48-bit millisecond time, then 80 random bits, in Crockford base32): unique without coordination and
 * sortable by creation time. The UserId format of the event contracts, and the id of every request event.
 */
import { randomBytes } from 'node:crypto';

const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARACTERS = 10;
const RANDOM_CHARACTERS = 16;

/** `randomness`: 16 bytes, each mapped to one character; a hash in place of random bytes gives a stable id. */
export function ulid(
  now: number = Date.now(),
  randomness: Uint8Array = randomBytes(RANDOM_CHARACTERS),
): string {
  let time = '';
  let remaining = now;
  for (let index = 0; index < TIME_CHARACTERS; index++) {
    time = (CROCKFORD[remaining % 32] ?? '0') + time;
    remaining = Math.floor(remaining / 32);
  }
  let random = '';
  // 256 is a multiple of 32, so every byte maps to a character with the same probability.
  for (const byte of randomness.subarray(0, RANDOM_CHARACTERS)) random += CROCKFORD[byte % 32];
  return time + random;
}
