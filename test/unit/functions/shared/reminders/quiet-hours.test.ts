import { describe, expect, it } from 'vitest';
import { insideQuietHours, quietHoursOf } from '../../../../../functions/shared/reminders/quiet-hours';

const night = { start: '22:00', end: '07:00' };
const paris = 'Europe/Paris';

describe('insideQuietHours', () => {
  it.each([
    // Paris is UTC+1 in December.
    ['2026-12-05T22:30:00.000Z', true], // 23:30
    ['2026-12-05T01:00:00.000Z', true], // 02:00
    ['2026-12-05T07:00:00.000Z', false], // 08:00
    ['2026-12-05T12:00:00.000Z', false], // 13:00
  ])('an overnight range: %s is %s', (instant, quiet) => {
    expect(insideQuietHours(night, paris, instant)).toBe(quiet);
  });

  it.each([
    ['2026-12-05T12:00:00.000Z', true], // 13:00
    ['2026-12-05T22:30:00.000Z', false], // 23:30
    ['2026-12-05T10:59:59.999Z', false], // 11:59:59
  ])('a same-day range (12:00–14:00): %s is %s', (instant, quiet) => {
    expect(insideQuietHours({ start: '12:00', end: '14:00' }, paris, instant)).toBe(quiet);
  });

  it('starts at the start minute and ends before the end minute', () => {
    expect(insideQuietHours(night, paris, '2026-12-05T20:59:59.999Z')).toBe(false); // 21:59:59
    expect(insideQuietHours(night, paris, '2026-12-05T21:00:00.000Z')).toBe(true); // 22:00
    expect(insideQuietHours(night, paris, '2026-12-06T05:59:59.999Z')).toBe(true); // 06:59:59
    expect(insideQuietHours(night, paris, '2026-12-06T06:00:00.000Z')).toBe(false); // 07:00
  });

  it('follows the wall clock across a daylight-saving change', () => {
    // 29 March 2026: Paris springs from UTC+1 to UTC+2 at 02:00, so 07:00 is 05:00Z, not 06:00Z.
    expect(insideQuietHours(night, paris, '2026-03-29T04:59:00.000Z')).toBe(true); // 06:59 CEST
    expect(insideQuietHours(night, paris, '2026-03-29T05:00:00.000Z')).toBe(false); // 07:00 CEST
    // 25 October 2026: 02:30 happens twice as Paris falls back; both are inside 02:00–03:00.
    const repeated = { start: '02:00', end: '03:00' };
    expect(insideQuietHours(repeated, paris, '2026-10-25T00:30:00.000Z')).toBe(true); // 02:30 CEST
    expect(insideQuietHours(repeated, paris, '2026-10-25T01:30:00.000Z')).toBe(true); // 02:30 CET
    expect(insideQuietHours(repeated, paris, '2026-10-25T02:00:00.000Z')).toBe(false); // 03:00 CET
  });

  it('is never quiet with equal start and end, or without quiet hours', () => {
    const same = { start: '07:00', end: '07:00' };
    for (const instant of ['2026-12-05T06:00:00.000Z', '2026-12-05T22:30:00.000Z']) {
      expect(insideQuietHours(same, paris, instant)).toBe(false);
      expect(insideQuietHours(undefined, paris, instant)).toBe(false);
    }
  });

  it('reads the wall time in the zone given', () => {
    expect(insideQuietHours(night, 'UTC', '2026-12-05T22:30:00.000Z')).toBe(true);
    expect(insideQuietHours(night, 'America/New_York', '2026-12-05T22:30:00.000Z')).toBe(false); // 17:30
  });
});

describe('quietHoursOf', () => {
  it('reads quiet hours as the API stores them, and nothing else', () => {
    expect(quietHoursOf(night)).toEqual(night);
    expect(quietHoursOf(undefined)).toBeUndefined();
    expect(quietHoursOf({ start: '22:00' })).toBeUndefined();
    expect(quietHoursOf({ start: '24:00', end: '07:00' })).toBeUndefined();
    expect(quietHoursOf('22:00-07:00')).toBeUndefined();
  });
});
