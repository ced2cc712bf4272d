import { describe, expect, it } from 'vitest';
import { PATTERNS } from '../../../../events-schema/generated/patterns';
import { ulid } from '../../../../functions/shared/ulid';

const USER_ID = PATTERNS.UserId;
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

const timeOf = (id: string): number =>
  [...id.slice(0, 10)].reduce((value, character) => value * 32 + CROCKFORD.indexOf(character), 0);

describe('ulid', () => {
  it('is 26 Crockford base32 characters, the UserId of the event contracts', () => {
    for (let index = 0; index < 100; index++) expect(ulid()).toMatch(USER_ID);
  });

  it('carries its millisecond time in the first 10 characters', () => {
    const at = Date.parse('2026-11-22T09:00:00.123Z');
    expect(timeOf(ulid(at))).toBe(at);
    expect(ulid(0).slice(0, 10)).toBe('0000000000');
  });

  it('sorts by creation time as text', () => {
    const start = Date.parse('2026-11-22T09:00:00.000Z');
    const ids = [start + 86_400_000, start, start + 1, start + 31, start + 32].map((at) => ulid(at));
    expect([...ids].sort()).toEqual([ids[1], ids[2], ids[3], ids[4], ids[0]]);
  });

  it('draws the 80 random bits anew for every id, also within one millisecond', () => {
    const at = Date.parse('2026-11-22T09:00:00.000Z');
    const ids = new Set(Array.from({ length: 1000 }, () => ulid(at)));
    expect(ids.size).toBe(1000);
    const randomParts = [...ids].map((id) => id.slice(10));
    // Every one of the 32 characters shows up across 16,000 random characters.
    expect(new Set(randomParts.join('')).size).toBe(32);
  });
});
