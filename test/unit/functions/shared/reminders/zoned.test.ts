import { describe, expect, it } from 'vitest';
import {
  canonicalTimeZone,
  describeInZone,
  describeStart,
  resolveWallTime,
  wallTimeAt,
} from '../../../../../functions/shared/reminders/zoned';

describe('canonicalTimeZone', () => {
  it.each([
    ['europe/paris', 'Europe/Paris'],
    ['AMERICA/NEW_YORK', 'America/New_York'],
    [' Asia/Kolkata ', 'Asia/Kolkata'],
    ['america/argentina/buenos_aires', 'America/Argentina/Buenos_Aires'],
    ['utc', 'UTC'],
    ['Etc/UTC', 'Etc/UTC'],
  ])('spells %j as %j', (name, canonical) => {
    expect(canonicalTimeZone(name)).toBe(canonical);
  });

  it.each(['Mars/Olympus_Mons', 'EST5EDT', 'GMT', '+01:00', '', 'Europe/Paris/'])('refuses %j', (name) => {
    expect(canonicalTimeZone(name)).toBeUndefined();
  });
});

describe('resolveWallTime', () => {
  it('reads a plain wall time', () => {
    expect(resolveWallTime('2026-12-05T09:00', 'Europe/Paris')).toEqual({
      dueAt: '2026-12-05T08:00:00.000Z',
      dueLocal: '2026-12-05T09:00',
    });
    expect(resolveWallTime('2026-12-05T09:00:30', 'America/New_York')).toEqual({
      dueAt: '2026-12-05T14:00:30.000Z',
      dueLocal: '2026-12-05T09:00',
    });
  });

  it('moves a wall time in a spring-forward gap forward by the gap', () => {
    expect(resolveWallTime('2027-03-28T02:30', 'Europe/Paris')).toEqual({
      dueAt: '2027-03-28T01:30:00.000Z',
      dueLocal: '2027-03-28T03:30',
    });
    expect(resolveWallTime('2027-03-14T02:30', 'America/New_York')).toEqual({
      dueAt: '2027-03-14T07:30:00.000Z',
      dueLocal: '2027-03-14T03:30',
    });
  });

  it('takes the earlier instant of an ambiguous fall-back time', () => {
    expect(resolveWallTime('2027-10-31T02:30', 'Europe/Paris')).toEqual({
      dueAt: '2027-10-31T00:30:00.000Z',
      dueLocal: '2027-10-31T02:30',
    });
    expect(resolveWallTime('2027-11-07T01:30', 'America/New_York')).toEqual({
      dueAt: '2027-11-07T05:30:00.000Z',
      dueLocal: '2027-11-07T01:30',
    });
  });

  it.each(['2026-02-30T09:00', '2026-12-05 09:00', '2026-12-05T25:00', 'tomorrow'])(
    'refuses %j',
    (dueLocal) => {
      expect(() => resolveWallTime(dueLocal, 'Europe/Paris')).toThrow(RangeError);
    },
  );
});

describe('wallTimeAt', () => {
  it('gives the wall time of an instant, on either side of a change', () => {
    expect(wallTimeAt('2026-12-05T08:00:00.000Z', 'Europe/Paris')).toBe('2026-12-05T09:00');
    expect(wallTimeAt('2027-10-31T00:30:00.000Z', 'Europe/Paris')).toBe('2027-10-31T02:30');
    expect(wallTimeAt('2027-10-31T01:30:00.000Z', 'Europe/Paris')).toBe('2027-10-31T02:30');
    expect(wallTimeAt('2026-12-05T08:00:59.999Z', 'Asia/Kolkata')).toBe('2026-12-05T13:30');
  });
});

describe('describeInZone', () => {
  it('names the day, date and time in the zone', () => {
    expect(describeInZone('2026-12-05T08:00:00.000Z', 'Europe/Paris')).toBe('Sat 5 Dec 09:00');
    expect(describeInZone('2026-12-05T03:00:00.000Z', 'America/New_York')).toBe('Fri 4 Dec 22:00');
  });

  it('adds the year only when it is not the year of now there', () => {
    const now = '2026-11-22T09:00:00.000Z';
    expect(describeInZone('2027-12-03T08:00:00.000Z', 'Europe/Paris', now)).toBe('Fri 3 Dec 2027 09:00');
    expect(describeInZone('2026-12-05T08:00:00.000Z', 'Europe/Paris', now)).toBe('Sat 5 Dec 09:00');
    // 23:30 UTC on 31 December is already next year in Paris.
    expect(describeInZone('2027-01-01T08:00:00.000Z', 'Europe/Paris', '2026-12-31T23:30:00.000Z')).toBe(
      'Fri 1 Jan 09:00',
    );
  });
});

describe('describeStart', () => {
  it('says only the time on the same day in the zone, else the day too (and the year when another)', () => {
    const paris = 'Europe/Paris';
    expect(describeStart('2026-12-03T09:00:00.000Z', paris, '2026-12-03T08:45:00.000Z')).toBe('at 10:00');
    // 23:30 UTC is already the next day in Paris.
    expect(describeStart('2026-12-04T09:00:00.000Z', paris, '2026-12-03T23:30:00.000Z')).toBe('at 10:00');
    expect(describeStart('2026-12-04T09:00:00.000Z', paris, '2026-12-03T09:00:00.000Z')).toBe(
      'on Fri 4 Dec at 10:00',
    );
    expect(describeStart('2027-01-02T09:00:00.000Z', paris, '2026-12-31T09:00:00.000Z')).toBe(
      'on Sat 2 Jan 2027 at 10:00',
    );
  });
});
