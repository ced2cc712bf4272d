import { describe, expect, it } from 'vitest';
import {
  describeRecurrence,
  nextOccurrence,
  validateRrule,
} from '../../../../../functions/shared/reminders/recurrence';

/** Every occurrence after `afterIso`, up to `count` of them. */
function occurrences(rrule: string, startLocal: string, timeZone: string, afterIso: string, count: number) {
  const found: string[] = [];
  let after = afterIso;
  while (found.length < count) {
    const next = nextOccurrence(rrule, startLocal, timeZone, after);
    if (!next) break;
    found.push(`${next.dueLocal} ${next.dueAt}`);
    after = next.dueAt;
  }
  return found;
}

describe('nextOccurrence', () => {
  it('keeps daily 09:00 Paris at 09:00 across spring-forward (2027-03-28)', () => {
    expect(
      occurrences('FREQ=DAILY', '2027-03-01T09:00', 'Europe/Paris', '2027-03-26T09:00:00.000Z', 4),
    ).toEqual([
      '2027-03-27T09:00 2027-03-27T08:00:00.000Z',
      '2027-03-28T09:00 2027-03-28T07:00:00.000Z',
      '2027-03-29T09:00 2027-03-29T07:00:00.000Z',
      '2027-03-30T09:00 2027-03-30T07:00:00.000Z',
    ]);
  });

  it('keeps daily 09:00 Paris at 09:00 across fall-back (2027-10-31)', () => {
    expect(
      occurrences('FREQ=DAILY', '2027-03-01T09:00', 'Europe/Paris', '2027-10-30T00:00:00.000Z', 3),
    ).toEqual([
      '2027-10-30T09:00 2027-10-30T07:00:00.000Z',
      '2027-10-31T09:00 2027-10-31T08:00:00.000Z',
      '2027-11-01T09:00 2027-11-01T08:00:00.000Z',
    ]);
  });

  it('moves an occurrence in the spring-forward gap forward, and takes the earlier of a doubled hour', () => {
    expect(
      occurrences('FREQ=DAILY', '2027-03-20T02:30', 'Europe/Paris', '2027-03-27T00:00:00.000Z', 3),
    ).toEqual([
      '2027-03-27T02:30 2027-03-27T01:30:00.000Z',
      '2027-03-28T03:30 2027-03-28T01:30:00.000Z',
      '2027-03-29T02:30 2027-03-29T00:30:00.000Z',
    ]);
    expect(
      nextOccurrence('FREQ=DAILY', '2027-10-01T02:30', 'Europe/Paris', '2027-10-30T12:00:00.000Z'),
    ).toEqual({
      dueAt: '2027-10-31T00:30:00.000Z',
      dueLocal: '2027-10-31T02:30',
    });
  });

  it('is strictly after the given instant', () => {
    expect(
      nextOccurrence('FREQ=DAILY', '2026-11-01T09:00', 'Europe/Paris', '2026-11-23T08:00:00.000Z'),
    ).toEqual({
      dueAt: '2026-11-24T08:00:00.000Z',
      dueLocal: '2026-11-24T09:00',
    });
    expect(
      nextOccurrence('FREQ=DAILY', '2026-11-01T09:00', 'Europe/Paris', '2026-11-23T07:59:59.999Z'),
    ).toEqual({
      dueAt: '2026-11-23T08:00:00.000Z',
      dueLocal: '2026-11-23T09:00',
    });
  });

  it('starts at the series start, not before', () => {
    expect(
      nextOccurrence('FREQ=DAILY', '2026-12-24T18:00', 'America/New_York', '2026-11-22T00:00:00.000Z'),
    ).toEqual({
      dueAt: '2026-12-24T23:00:00.000Z',
      dueLocal: '2026-12-24T18:00',
    });
  });

  it('repeats every other week on Monday', () => {
    expect(
      occurrences(
        'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO',
        '2026-11-23T18:00',
        'Europe/Paris',
        '2026-11-22T00:00:00.000Z',
        3,
      ),
    ).toEqual([
      '2026-11-23T18:00 2026-11-23T17:00:00.000Z',
      '2026-12-07T18:00 2026-12-07T17:00:00.000Z',
      '2026-12-21T18:00 2026-12-21T17:00:00.000Z',
    ]);
  });

  it('repeats monthly on the 1st', () => {
    expect(
      occurrences(
        'FREQ=MONTHLY;BYMONTHDAY=1',
        '2026-12-01T09:00',
        'Asia/Kolkata',
        '2026-11-22T00:00:00.000Z',
        3,
      ),
    ).toEqual([
      '2026-12-01T09:00 2026-12-01T03:30:00.000Z',
      '2027-01-01T09:00 2027-01-01T03:30:00.000Z',
      '2027-02-01T09:00 2027-02-01T03:30:00.000Z',
    ]);
  });

  it('skips weekends on a weekday rule', () => {
    // Friday 27 November 2026, then Monday 30.
    expect(
      occurrences(
        'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
        '2026-11-23T08:00',
        'America/New_York',
        '2026-11-26T14:00:00.000Z',
        2,
      ),
    ).toEqual(['2026-11-27T08:00 2026-11-27T13:00:00.000Z', '2026-11-30T08:00 2026-11-30T13:00:00.000Z']);
  });

  it('ends at UNTIL (the end of 1 March in Paris) and after COUNT', () => {
    const rule = 'FREQ=DAILY;UNTIL=20270301T225959Z';
    expect(occurrences(rule, '2027-02-27T09:00', 'Europe/Paris', '2027-02-26T00:00:00.000Z', 9)).toEqual([
      '2027-02-27T09:00 2027-02-27T08:00:00.000Z',
      '2027-02-28T09:00 2027-02-28T08:00:00.000Z',
      '2027-03-01T09:00 2027-03-01T08:00:00.000Z',
    ]);
    expect(
      nextOccurrence(rule, '2027-02-27T09:00', 'Europe/Paris', '2027-03-01T08:00:00.000Z'),
    ).toBeUndefined();
    expect(
      occurrences('FREQ=WEEKLY;COUNT=2', '2026-11-23T09:00', 'UTC', '2026-11-01T00:00:00.000Z', 9),
    ).toEqual(['2026-11-23T09:00 2026-11-23T09:00:00.000Z', '2026-11-30T09:00 2026-11-30T09:00:00.000Z']);
  });

  it('reads an UNTIL date as the end of that day in the zone', () => {
    expect(
      occurrences(
        'FREQ=DAILY;UNTIL=20270301',
        '2027-02-28T23:30',
        'America/New_York',
        '2027-02-28T00:00:00.000Z',
        9,
      ),
    ).toEqual(['2027-02-28T23:30 2027-03-01T04:30:00.000Z', '2027-03-01T23:30 2027-03-02T04:30:00.000Z']);
  });

  it('refuses an invalid rule', () => {
    expect(() =>
      nextOccurrence('FREQ=HOURLY', '2026-11-23T09:00', 'UTC', '2026-11-01T00:00:00.000Z'),
    ).toThrow(/FREQ must be/);
  });
});

describe('validateRrule', () => {
  it.each([
    'FREQ=DAILY',
    'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO',
    'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR',
    'FREQ=MONTHLY;BYMONTHDAY=1',
    'FREQ=MONTHLY;BYMONTHDAY=-1',
    'FREQ=MONTHLY;BYDAY=-1FR',
    'FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3',
    'FREQ=DAILY;UNTIL=20270301T225959Z',
    'FREQ=DAILY;UNTIL=20270301',
    'FREQ=DAILY;COUNT=10',
  ])('accepts %s', (rrule) => {
    expect(validateRrule(rrule)).toBeUndefined();
  });

  it.each([
    ['', '"" is not NAME=VALUE'],
    ['RRULE:FREQ=DAILY', 'it must start with FREQ'],
    ['INTERVAL=2;FREQ=DAILY', 'it must start with FREQ'],
    ['FREQ=HOURLY', 'FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not HOURLY'],
    ['FREQ=DAILY;FREQ=WEEKLY', 'FREQ is given twice'],
    [
      'FREQ=DAILY;WKST=MO',
      'WKST is not supported (use INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, UNTIL or COUNT)',
    ],
    ['FREQ=DAILY;INTERVAL=0', 'INTERVAL must be a whole number from 1 to 9999, not 0'],
    ['FREQ=DAILY;COUNT=-1', 'COUNT must be a whole number from 1 to 9999, not -1'],
    ['FREQ=DAILY;COUNT=3;UNTIL=20270301', 'UNTIL and COUNT cannot both be given'],
    [
      'FREQ=DAILY;UNTIL=20270230',
      'UNTIL must be a date (20270301) or a UTC time (20270301T225959Z), not 20270230',
    ],
    [
      'FREQ=DAILY;UNTIL=20270301T225959',
      'UNTIL must be a date (20270301) or a UTC time (20270301T225959Z), not 20270301T225959',
    ],
    ['FREQ=WEEKLY;BYDAY=XX', 'BYDAY takes weekdays MO to SU (optionally numbered, e.g. 1MO or -1FR), not XX'],
    ['FREQ=WEEKLY;BYDAY=1MO', 'a numbered BYDAY (1MO) needs FREQ=MONTHLY or YEARLY'],
    ['FREQ=MONTHLY;BYMONTHDAY=32', 'BYMONTHDAY takes days 1 to 31 or -1 to -31, not 32'],
    ['FREQ=WEEKLY;BYMONTHDAY=1', 'BYMONTHDAY needs FREQ=MONTHLY or YEARLY'],
    ['FREQ=YEARLY;BYMONTH=13', 'BYMONTH takes months 1 to 12, not 13'],
    ['FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30', 'it never happens: no month of BYMONTH=2 has day 30'],
  ])('refuses %j: %s', (rrule, problem) => {
    expect(validateRrule(rrule)).toBe(problem);
  });
});

describe('describeRecurrence', () => {
  it.each([
    ['FREQ=DAILY', 'every day'],
    ['FREQ=DAILY;INTERVAL=3', 'every 3 days'],
    ['FREQ=WEEKLY', 'every week'],
    ['FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', 'every weekday'],
    ['FREQ=WEEKLY;BYDAY=MO', 'every Monday'],
    ['FREQ=WEEKLY;BYDAY=TU,TH', 'every Tuesday and Thursday'],
    ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO', 'every 2 weeks on Monday'],
    ['FREQ=MONTHLY;BYMONTHDAY=1', 'every month on the 1st'],
    ['FREQ=MONTHLY;BYMONTHDAY=22', 'every month on the 22nd'],
    ['FREQ=MONTHLY;BYMONTHDAY=-1', 'every month on the last day'],
    ['FREQ=MONTHLY;BYDAY=1MO', 'every month on the 1st Monday'],
    ['FREQ=MONTHLY;BYDAY=-1FR', 'every month on the last Friday'],
    ['FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3', 'every year on 3 March'],
    ['FREQ=YEARLY', 'every year'],
    ['FREQ=DAILY;UNTIL=20270301T225959Z', 'every day until 1 Mar 2027'],
    ['FREQ=WEEKLY;COUNT=5', 'every week, 5 times'],
  ])('describes %s as %j', (rrule, text) => {
    expect(describeRecurrence(rrule)).toBe(text);
  });

  it('names the UNTIL day as it is in the zone', () => {
    expect(describeRecurrence('FREQ=DAILY;UNTIL=20270302T045959Z', 'America/New_York')).toBe(
      'every day until 1 Mar 2027',
    );
    expect(describeRecurrence('FREQ=DAILY;UNTIL=20270302T045959Z')).toBe('every day until 2 Mar 2027');
  });
});
