import { describe, expect, it } from 'vitest';
import {
  nextFireTime,
  parseScheduleExpression,
  ScheduleExpressionError,
} from '../../../../../infra/local/scheduler/expressions';

const iso = (instant: number | undefined): string =>
  instant === undefined ? 'never' : new Date(instant).toISOString();

/** The next `count` fire times after `from`, as ISO strings. */
function fireTimes(expression: string, timeZone: string, from: string, count: number): string[] {
  const times: string[] = [];
  let after = Date.parse(from);
  for (let index = 0; index < count; index++) {
    const next = nextFireTime(expression, timeZone, after);
    times.push(iso(next));
    if (next === undefined) break;
    after = next;
  }
  return times;
}

describe('at() expressions', () => {
  it('fires once at the wall-clock time of its time zone', () => {
    expect(fireTimes('at(2026-06-01T09:00:00)', 'Europe/Paris', '2026-05-01T00:00:00Z', 2)).toEqual([
      '2026-06-01T07:00:00.000Z',
      'never',
    ]);
    expect(iso(nextFireTime('at(2026-06-01T09:00:00)', 'UTC', Date.parse('2026-05-01T00:00:00Z')))).toBe(
      '2026-06-01T09:00:00.000Z',
    );
  });

  it('does not fire when its time has passed', () => {
    expect(
      nextFireTime('at(2026-06-01T09:00:00)', 'UTC', Date.parse('2026-06-01T09:00:00Z')),
    ).toBeUndefined();
  });

  it('runs a time skipped by spring-forward just after the gap, and a repeated time on its first reading', () => {
    expect(iso(nextFireTime('at(2026-03-29T02:30:00)', 'Europe/Paris', 0))).toBe('2026-03-29T01:30:00.000Z');
    expect(iso(nextFireTime('at(2026-10-25T02:30:00)', 'Europe/Paris', 0))).toBe('2026-10-25T00:30:00.000Z');
    expect(iso(nextFireTime('at(2026-03-08T02:15:00)', 'America/New_York', 0))).toBe(
      '2026-03-08T07:15:00.000Z',
    );
  });

  it('accepts 29 February only in leap years', () => {
    expect(iso(nextFireTime('at(2028-02-29T12:00:00)', 'UTC', 0))).toBe('2028-02-29T12:00:00.000Z');
    expect(() => parseScheduleExpression('at(2027-02-29T12:00:00)')).toThrow(
      /Day 29 does not exist in 2027-02/,
    );
  });
});

describe('rate() expressions', () => {
  it('counts fixed intervals from the start date, ignoring daylight saving', () => {
    const start = Date.parse('2026-03-28T12:00:00Z');
    const first = nextFireTime('rate(1 day)', 'Europe/Paris', start - 1, { startDate: start });
    const second = nextFireTime('rate(1 day)', 'Europe/Paris', start, { startDate: start });
    expect(iso(first)).toBe('2026-03-28T12:00:00.000Z');
    expect(iso(second)).toBe('2026-03-29T12:00:00.000Z');
  });

  it('continues the cadence from its anchor and stops at the end date', () => {
    const anchor = Date.parse('2026-01-01T00:00:00Z');
    const window = { rateAnchor: anchor, endDate: Date.parse('2026-01-01T00:40:00Z') };
    expect(iso(nextFireTime('rate(15 minutes)', 'UTC', Date.parse('2026-01-01T00:20:00Z'), window))).toBe(
      '2026-01-01T00:30:00.000Z',
    );
    expect(
      nextFireTime('rate(15 minutes)', 'UTC', Date.parse('2026-01-01T00:30:00Z'), window),
    ).toBeUndefined();
  });

  it('accepts the singular and plural unit whatever the value, as Scheduler does', () => {
    expect(parseScheduleExpression('rate(1 minute)')).toMatchObject({ kind: 'rate', intervalMs: 60_000 });
    expect(parseScheduleExpression('rate(2 minute)')).toMatchObject({ kind: 'rate', intervalMs: 120_000 });
    expect(parseScheduleExpression('rate(2 hours)')).toMatchObject({ kind: 'rate', intervalMs: 7_200_000 });
    expect(parseScheduleExpression('rate(3 days)')).toMatchObject({ kind: 'rate', intervalMs: 259_200_000 });
  });
});

describe('cron() expressions', () => {
  it('evaluates in the schedule time zone', () => {
    expect(fireTimes('cron(0 9 ? * MON-FRI *)', 'America/New_York', '2026-01-02T00:00:00Z', 3)).toEqual([
      '2026-01-02T14:00:00.000Z',
      '2026-01-05T14:00:00.000Z',
      '2026-01-06T14:00:00.000Z',
    ]);
  });

  it('skips a time that spring-forward removes in Europe/Paris and keeps the local time afterwards', () => {
    expect(fireTimes('cron(30 2 * * ? *)', 'Europe/Paris', '2026-03-27T12:00:00Z', 3)).toEqual([
      '2026-03-28T01:30:00.000Z',
      '2026-03-30T00:30:00.000Z',
      '2026-03-31T00:30:00.000Z',
    ]);
  });

  it('runs a time repeated at fall-back once in Europe/Paris', () => {
    expect(fireTimes('cron(30 2 * * ? *)', 'Europe/Paris', '2026-10-24T12:00:00Z', 2)).toEqual([
      '2026-10-25T00:30:00.000Z',
      '2026-10-26T01:30:00.000Z',
    ]);
  });

  it('does not repeat the fall-back hour in America/New_York', () => {
    expect(fireTimes('cron(0/30 1-2 * * ? *)', 'America/New_York', '2026-11-01T04:00:00Z', 5)).toEqual([
      '2026-11-01T05:00:00.000Z', // 01:00 EDT
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; 01:00 and 01:30 EST are not repeated
      '2026-11-01T07:00:00.000Z', // 02:00 EST
      '2026-11-01T07:30:00.000Z',
      '2026-11-02T06:00:00.000Z',
    ]);
  });

  it('keeps 09:00 local across the spring change in America/New_York', () => {
    expect(fireTimes('cron(0 9 * * ? *)', 'America/New_York', '2026-03-07T00:00:00Z', 2)).toEqual([
      '2026-03-07T14:00:00.000Z',
      '2026-03-08T13:00:00.000Z',
    ]);
  });

  it('supports L, LW and W in day-of-month', () => {
    expect(fireTimes('cron(0 10 L * ? *)', 'UTC', '2028-01-15T00:00:00Z', 3)).toEqual([
      '2028-01-31T10:00:00.000Z',
      '2028-02-29T10:00:00.000Z',
      '2028-03-31T10:00:00.000Z',
    ]);
    // 31 January 2026 and 28 February 2026 are Saturdays.
    expect(fireTimes('cron(0 10 LW * ? *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-30T10:00:00.000Z',
      '2026-02-27T10:00:00.000Z',
    ]);
    // 15 February 2026 is a Sunday; 1 August 2026 a Saturday (nearest weekday stays in the month: Monday 3rd).
    expect(fireTimes('cron(0 10 15W 2 ? 2026)', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-02-16T10:00:00.000Z',
    ]);
    expect(fireTimes('cron(0 10 1W 8 ? 2026)', 'UTC', '2026-01-01T00:00:00Z', 1)).toEqual([
      '2026-08-03T10:00:00.000Z',
    ]);
  });

  it('supports nL and n#k in day-of-week', () => {
    expect(fireTimes('cron(0 18 ? * 6L *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-30T18:00:00.000Z',
      '2026-02-27T18:00:00.000Z',
    ]);
    expect(fireTimes('cron(0 10 ? * TUE#2 *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-13T10:00:00.000Z',
      '2026-02-10T10:00:00.000Z',
    ]);
    // A fifth Friday exists only in some months.
    expect(fireTimes('cron(0 10 ? * 6#5 *)', 'UTC', '2026-01-01T00:00:00Z', 2)).toEqual([
      '2026-01-30T10:00:00.000Z',
      '2026-05-29T10:00:00.000Z',
    ]);
  });

  it('supports lists, ranges, steps, month names and years, and stops after the last year', () => {
    expect(fireTimes('cron(0/20 8 1,15 JAN-FEB ? 2027)', 'UTC', '2026-12-31T00:00:00Z', 13)).toEqual([
      '2027-01-01T08:00:00.000Z',
      '2027-01-01T08:20:00.000Z',
      '2027-01-01T08:40:00.000Z',
      '2027-01-15T08:00:00.000Z',
      '2027-01-15T08:20:00.000Z',
      '2027-01-15T08:40:00.000Z',
      '2027-02-01T08:00:00.000Z',
      '2027-02-01T08:20:00.000Z',
      '2027-02-01T08:40:00.000Z',
      '2027-02-15T08:00:00.000Z',
      '2027-02-15T08:20:00.000Z',
      '2027-02-15T08:40:00.000Z',
      'never',
    ]);
  });

  it('finds 29 February in leap years only', () => {
    expect(fireTimes('cron(0 0 29 2 ? *)', 'UTC', '2026-01-01T00:00:00Z', 3)).toEqual([
      '2028-02-29T00:00:00.000Z',
      '2032-02-29T00:00:00.000Z',
      '2036-02-29T00:00:00.000Z',
    ]);
  });

  it('honours StartDate and EndDate', () => {
    const window = {
      startDate: Date.parse('2026-05-10T00:00:00Z'),
      endDate: Date.parse('2026-05-11T12:00:00Z'),
    };
    const after = Date.parse('2026-05-01T00:00:00Z');
    const first = nextFireTime('cron(0 12 * * ? *)', 'UTC', after, window);
    expect(iso(first)).toBe('2026-05-10T12:00:00.000Z');
    const second = nextFireTime('cron(0 12 * * ? *)', 'UTC', first ?? 0, window);
    expect(iso(second)).toBe('2026-05-11T12:00:00.000Z');
    expect(nextFireTime('cron(0 12 * * ? *)', 'UTC', second ?? 0, window)).toBeUndefined();
  });
});

describe('invalid expressions', () => {
  it.each([
    ['cron(0 1 * * * *)', /Exactly one of day-of-month and day-of-week must be \?/],
    ['cron(0 1 ? * ? *)', /Exactly one of day-of-month and day-of-week must be \?/],
    ['cron(71 8 1 * ? *)', /Minutes value 71 is outside 0-59/],
    ['cron(0 24 1 * ? *)', /Hours value 24 is outside 0-23/],
    ['cron(7 20 * * NOT *)', /Exactly one|Day-of-week value NOT/],
    ['cron(7 20 ? * NOT *)', /Day-of-week value NOT is not valid/],
    ['cron(0 dummy ? * MON-FRI *)', /Hours value dummy is not valid/],
    ['cron(0 8 1 13 ? *)', /Month value 13 is outside 1-12/],
    ['cron(0 8 1 * ? 1969)', /Year value 1969 is outside 1970-2199/],
    ['cron(0 8 ? * 3#6 *)', /#6 must be between 1 and 5/],
    ['cron(0 8 10-5 * ? *)', /runs backwards/],
    ['cron(0 8 * * ?)', /six fields/],
    ['cron()', /six fields/],
    ['cron(INVALID)', /six fields/],
    ['rate(10 seconds)', /positive whole value/],
    ['rate(10 years)', /positive whole value/],
    ['rate(10 minutess)', /positive whole value/],
    ['rate(-10 minutes)', /positive whole value/],
    ['rate(0 minutes)', /positive whole value/],
    ['rate(10)', /positive whole value/],
    ['rate( 10 minutes )', /positive whole value/],
    [' rate(10 minutes)', /Expected at\(\.\.\.\), rate/],
    ['at(2021-12-31T23:59:59Z)', /no zone or offset/],
    ['at(2021-12-31)', /at\(yyyy-mm-ddThh:mm:ss\)/],
    ['at(2026-13-01T00:00:00)', /Month 13 does not exist/],
    ['at(2026-04-31T00:00:00)', /Day 31 does not exist in 2026-04/],
    ['at(2026-04-30T24:00:00)', /Time 24:00:00 does not exist/],
  ])('%s is refused with AWS wording and the reason', (expression, reason) => {
    let caught: unknown;
    try {
      parseScheduleExpression(expression);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ScheduleExpressionError);
    expect((caught as Error).message.startsWith(`Invalid Schedule Expression ${expression}.`)).toBe(true);
    expect((caught as Error).message).toMatch(reason);
  });
});
