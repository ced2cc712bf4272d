import { describe, expect, it } from 'vitest';
import {
  type CalendarEvent,
  calendarIndexKeys,
  type EventFields,
  MAX_EVENT_DAYS,
  occurrencesIn,
  oneOffKeyRange,
  placement,
  seriesKeyRange,
  timesOf,
  validateEvent,
} from '../../../../../functions/shared/calendar/model';

const USER = '01JD3ZQ5N8X4V6W2Y9T7R5P3M1';
const OPEN_END = '9999-12-31T23:59:59.999Z';

const fieldsOf = (extra: Partial<EventFields>): EventFields => ({
  title: 'Stand-up',
  timeZone: 'Europe/Paris',
  ...extra,
});

/** The times of valid fields (a fixture that is not valid is a mistake in the test). */
function timesFor(fields: EventFields) {
  const times = timesOf(fields);
  if (Array.isArray(times)) throw new Error(`bad fixture: ${JSON.stringify(times)}`);
  return times;
}

/** A stored event built the way the calendar API builds one: placement and index keys from model.ts. */
function eventOf(extra: Partial<EventFields>, eventId = '01JD50000000000000000000E1'): CalendarEvent {
  const fields = fieldsOf(extra);
  const times = timesFor(fields);
  const placed = placement(times, fields.timeZone, fields.rrule);
  return {
    PK: `USER#${USER}`,
    SK: `EVENT#${eventId}`,
    type: 'CalendarEvent',
    eventId,
    userId: USER,
    version: 1,
    title: fields.title,
    timeZone: fields.timeZone,
    ...times,
    startsAt: placed.startsAt,
    endsAt: placed.endsAt,
    ...(fields.rrule === undefined ? {} : { rrule: fields.rrule }),
    reminders: [],
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    ...calendarIndexKeys(USER, eventId, placed.startsAt, placed.seriesEndsAt),
  };
}

/** What a person reads off an occurrence: local start and end, and the instants. */
const spans = (event: CalendarEvent, from: string, to: string) =>
  occurrencesIn(event, from, to).map(({ startLocal, endLocal, startsAt, endsAt }) => ({
    startLocal,
    endLocal,
    startsAt,
    endsAt,
  }));
const starts = (event: CalendarEvent, from: string, to: string) =>
  occurrencesIn(event, from, to).map((span) => span.startLocal);

/** DynamoDB's BETWEEN on a string sort key: both bounds inclusive. */
const between = (key: string, range: { low: string; high: string }) => key >= range.low && key <= range.high;

describe('timesOf', () => {
  it('reads start and end as a timed event', () => {
    expect(timesOf(fieldsOf({ start: '2026-12-03T10:00', end: '2026-12-03T11:00' }))).toEqual({
      allDay: false,
      start: '2026-12-03T10:00',
      end: '2026-12-03T11:00',
    });
  });

  it('reads date (and endDate, the last day) as an all-day event', () => {
    expect(timesOf(fieldsOf({ date: '2026-12-24' }))).toEqual({ allDay: true, date: '2026-12-24' });
    expect(timesOf(fieldsOf({ date: '2026-12-24', endDate: '2026-12-26' }))).toEqual({
      allDay: true,
      date: '2026-12-24',
      endDate: '2026-12-26',
    });
  });

  it('refuses both shapes at once, and neither, as start-or-date', () => {
    expect(
      timesOf(fieldsOf({ start: '2026-12-03T10:00', end: '2026-12-03T11:00', date: '2026-12-03' })),
    ).toEqual([expect.objectContaining({ field: '/date', rule: 'start-or-date' })]);
    expect(timesOf(fieldsOf({}))).toEqual([
      expect.objectContaining({ field: '/start', rule: 'start-or-date' }),
    ]);
  });

  it('names the missing half of a shape', () => {
    expect(timesOf(fieldsOf({ start: '2026-12-03T10:00' }))).toEqual([
      expect.objectContaining({ field: '/end', rule: 'required' }),
    ]);
    expect(timesOf(fieldsOf({ end: '2026-12-03T11:00' }))).toEqual([
      expect.objectContaining({ field: '/start', rule: 'required' }),
    ]);
    expect(timesOf(fieldsOf({ endDate: '2026-12-26' }))).toEqual([
      expect.objectContaining({ field: '/date', rule: 'required' }),
    ]);
  });
});

describe('validateEvent', () => {
  const check = (extra: Partial<EventFields>) => {
    const fields = fieldsOf(extra);
    return validateEvent(fields, timesFor(fields));
  };

  it('accepts a sound event, timed or all-day, one-off or repeating', () => {
    expect(check({ start: '2026-12-03T10:00', end: '2026-12-03T11:00' })).toEqual([]);
    expect(check({ date: '2026-12-24', endDate: '2026-12-26', rrule: 'FREQ=YEARLY' })).toEqual([]);
    expect(
      check({ start: '2026-12-03T10:00', end: '2026-12-03T11:00', rrule: 'FREQ=WEEKLY;BYDAY=TH;COUNT=4' }),
    ).toEqual([]);
  });

  it('refuses a zone that is not an IANA zone', () => {
    expect(
      check({ timeZone: 'Mars/Olympus_Mons', start: '2026-12-03T10:00', end: '2026-12-03T11:00' }),
    ).toEqual([
      {
        field: '/timeZone',
        rule: 'unknown-time-zone',
        message: '/timeZone: “Mars/Olympus_Mons” is not an IANA time zone.',
      },
    ]);
  });

  it('refuses a timed event on a date that is not on the calendar, naming the field', () => {
    expect(check({ start: '2026-02-30T10:00', end: '2026-03-01T11:00' })).toEqual([
      {
        field: '/start',
        rule: 'impossible-date',
        message: '/start: 2026-02-30 is not a date on the calendar.',
      },
    ]);
    expect(check({ start: '2026-02-27T10:00', end: '2026-02-31T11:00' })).toEqual([
      expect.objectContaining({ field: '/end', rule: 'impossible-date' }),
    ]);
  });

  it('refuses an all-day event on a date that is not on the calendar (29 February 2027)', () => {
    expect(check({ date: '2027-02-29' })).toEqual([
      expect.objectContaining({ field: '/date', rule: 'impossible-date' }),
    ]);
  });

  it('refuses an all-day event whose last day is not on the calendar (30 February 2027)', () => {
    expect(check({ date: '2027-02-27', endDate: '2027-02-30' })).toEqual([
      expect.objectContaining({ field: '/endDate', rule: 'impossible-date' }),
    ]);
  });

  it('refuses an end at or before the start', () => {
    expect(check({ start: '2026-12-03T11:00', end: '2026-12-03T10:00' })).toEqual([
      { field: '/end', rule: 'end-before-start', message: '/end must be after /start.' },
    ]);
    expect(check({ start: '2026-12-03T10:00', end: '2026-12-03T10:00' })).toEqual([
      expect.objectContaining({ field: '/end', rule: 'end-before-start' }),
    ]);
    expect(check({ date: '2026-12-24', endDate: '2026-12-23' })).toEqual([
      expect.objectContaining({ field: '/endDate', rule: 'end-before-start' }),
    ]);
  });

  it('accepts an event of exactly 31 days and refuses a longer one', () => {
    expect(MAX_EVENT_DAYS).toBe(31);
    expect(check({ start: '2026-12-01T09:00', end: '2027-01-01T09:00' })).toEqual([]);
    expect(check({ start: '2026-12-01T09:00', end: '2027-01-01T09:01' })).toEqual([
      expect.objectContaining({ field: '/end', rule: 'too-long' }),
    ]);
    // All-day: 1 to 31 December is 31 days; to 1 January is 32.
    expect(check({ date: '2026-12-01', endDate: '2026-12-31' })).toEqual([]);
    expect(check({ date: '2026-12-01', endDate: '2027-01-01' })).toEqual([
      expect.objectContaining({ field: '/endDate', rule: 'too-long' }),
    ]);
  });

  it('refuses an RRULE the app cannot repeat by', () => {
    expect(check({ start: '2026-12-03T10:00', end: '2026-12-03T11:00', rrule: 'FREQ=HOURLY' })).toEqual([
      expect.objectContaining({ field: '/rrule', rule: 'invalid-rrule' }),
    ]);
    expect(
      check({
        start: '2026-12-03T10:00',
        end: '2026-12-03T11:00',
        rrule: 'FREQ=DAILY;COUNT=3;UNTIL=20270101',
      }),
    ).toEqual([expect.objectContaining({ field: '/rrule', rule: 'invalid-rrule' })]);
  });

  it('lists every broken rule at once', () => {
    expect(
      check({
        timeZone: 'Nowhere/City',
        start: '2026-12-03T11:00',
        end: '2026-12-03T10:00',
        rrule: 'FREQ=SECONDLY',
      }).map((found) => [found.field, found.rule]),
    ).toEqual([
      ['/timeZone', 'unknown-time-zone'],
      ['/end', 'end-before-start'],
      ['/rrule', 'invalid-rrule'],
    ]);
  });
});

describe('placement', () => {
  it('places a one-off timed event in its zone, with no series end', () => {
    const times = timesFor(fieldsOf({ start: '2026-12-03T10:00', end: '2026-12-03T11:30' }));
    expect(placement(times, 'Europe/Paris', undefined)).toEqual({
      startsAt: '2026-12-03T09:00:00.000Z',
      endsAt: '2026-12-03T10:30:00.000Z',
    });
  });

  it('places an all-day event from local midnight to the midnight after its last day, across DST', () => {
    // 26 to 28 March 2027 in Paris; the clocks go forward on the 28th.
    const times = timesFor(fieldsOf({ date: '2027-03-26', endDate: '2027-03-28' }));
    expect(placement(times, 'Europe/Paris', undefined)).toEqual({
      startsAt: '2027-03-25T23:00:00.000Z',
      endsAt: '2027-03-28T22:00:00.000Z',
    });
    const oneDay = timesFor(fieldsOf({ date: '2026-12-24' }));
    expect(placement(oneDay, 'America/New_York', undefined)).toEqual({
      startsAt: '2026-12-24T05:00:00.000Z',
      endsAt: '2026-12-25T05:00:00.000Z',
    });
  });

  const monday = timesFor(fieldsOf({ start: '2027-03-15T09:00', end: '2027-03-15T10:00' }));

  it('ends a COUNT series with its last occurrence, on the wall clock after DST', () => {
    // 15, 22 and 29 March; the last is in summer time, 09:00–10:00 CEST.
    expect(placement(monday, 'Europe/Paris', 'FREQ=WEEKLY;BYDAY=MO;COUNT=3')).toEqual({
      startsAt: '2027-03-15T08:00:00.000Z',
      endsAt: '2027-03-15T09:00:00.000Z',
      seriesEndsAt: '2027-03-29T08:00:00.000Z',
    });
  });

  it('ends an UNTIL series with the last occurrence on or before UNTIL', () => {
    // UNTIL as a date: that whole day in the zone counts.
    expect(placement(monday, 'Europe/Paris', 'FREQ=DAILY;UNTIL=20270320').seriesEndsAt).toBe(
      '2027-03-20T09:00:00.000Z',
    );
    // UNTIL as a UTC time: 08:00Z is 09:00 in Paris, so the 20th's occurrence is the last.
    expect(placement(monday, 'Europe/Paris', 'FREQ=DAILY;UNTIL=20270320T080000Z').seriesEndsAt).toBe(
      '2027-03-20T09:00:00.000Z',
    );
    expect(placement(monday, 'Europe/Paris', 'FREQ=DAILY;UNTIL=20270320T075959Z').seriesEndsAt).toBe(
      '2027-03-19T09:00:00.000Z',
    );
  });

  it('gives an open-ended series the end that sorts after every instant', () => {
    expect(placement(monday, 'Europe/Paris', 'FREQ=WEEKLY;BYDAY=MO')).toEqual({
      startsAt: '2027-03-15T08:00:00.000Z',
      endsAt: '2027-03-15T09:00:00.000Z',
      seriesEndsAt: OPEN_END,
    });
  });

  it('ends an all-day series at the midnight after the last occurrence’s last day', () => {
    const weekend = timesFor(fieldsOf({ date: '2026-12-05', endDate: '2026-12-06' }));
    expect(placement(weekend, 'Europe/Paris', 'FREQ=WEEKLY;COUNT=2').seriesEndsAt).toBe(
      '2026-12-13T23:00:00.000Z',
    );
  });

  it('ends a series whose only occurrence is its start (UNTIL before the rule’s first day) with that start', () => {
    // Wednesday 2 December, BYDAY=MO until Thursday 3 December: the start is the one occurrence.
    const wednesday = timesFor(fieldsOf({ start: '2026-12-02T09:00', end: '2026-12-02T09:30' }));
    const rrule = 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20261203';
    const event = eventOf({ start: '2026-12-02T09:00', end: '2026-12-02T09:30', rrule });
    expect(starts(event, '2026-11-01T00:00:00.000Z', '2027-02-01T00:00:00.000Z')).toEqual([
      '2026-12-02T09:00',
    ]);
    expect(placement(wednesday, 'Europe/Paris', rrule).seriesEndsAt).toBe('2026-12-02T08:30:00.000Z');
  });
});

describe('calendarIndexKeys', () => {
  it('sorts a one-off event by its start and a series by when it ends, in the person’s calendar', () => {
    expect(calendarIndexKeys(USER, 'E1', '2026-12-03T09:00:00.000Z', undefined)).toEqual({
      GSI3PK: `CALENDAR#${USER}`,
      GSI3SK: 'AT#2026-12-03T09:00:00.000Z#E1',
    });
    expect(calendarIndexKeys(USER, 'E2', '2026-12-03T09:00:00.000Z', '2027-03-29T08:00:00.000Z')).toEqual({
      GSI3PK: `CALENDAR#${USER}`,
      GSI3SK: 'SERIES#2027-03-29T08:00:00.000Z#E2',
    });
  });
});

describe('occurrencesIn', () => {
  it('keeps a weekly Monday 09:00 in Paris at 09:00 across 28 March 2027; the instant moves an hour', () => {
    const event = eventOf({
      start: '2027-03-15T09:00',
      end: '2027-03-15T10:00',
      rrule: 'FREQ=WEEKLY;BYDAY=MO',
    });
    expect(spans(event, '2027-03-20T00:00:00.000Z', '2027-04-06T00:00:00.000Z')).toEqual([
      {
        startLocal: '2027-03-22T09:00',
        endLocal: '2027-03-22T10:00',
        startsAt: '2027-03-22T08:00:00.000Z',
        endsAt: '2027-03-22T09:00:00.000Z',
      },
      {
        startLocal: '2027-03-29T09:00',
        endLocal: '2027-03-29T10:00',
        startsAt: '2027-03-29T07:00:00.000Z',
        endsAt: '2027-03-29T08:00:00.000Z',
      },
      {
        startLocal: '2027-04-05T09:00',
        endLocal: '2027-04-05T10:00',
        startsAt: '2027-04-05T07:00:00.000Z',
        endsAt: '2027-04-05T08:00:00.000Z',
      },
    ]);
  });

  it('spans an all-day multi-day event over its local midnights', () => {
    const event = eventOf({ date: '2027-03-26', endDate: '2027-03-28' });
    expect(spans(event, '2027-03-01T00:00:00.000Z', '2027-04-01T00:00:00.000Z')).toEqual([
      {
        startLocal: '2027-03-26T00:00',
        endLocal: '2027-03-29T00:00',
        startsAt: '2027-03-25T23:00:00.000Z',
        endsAt: '2027-03-28T22:00:00.000Z',
      },
    ]);
  });

  it('includes a 45-minute event that started before from and ends after it', () => {
    // 09:00–09:45 in Paris is 08:00Z–08:45Z.
    const event = eventOf({ start: '2026-12-02T09:00', end: '2026-12-02T09:45' });
    expect(starts(event, '2026-12-02T08:30:00.000Z', '2026-12-02T10:00:00.000Z')).toEqual([
      '2026-12-02T09:00',
    ]);
    expect(starts(event, '2026-12-02T08:44:59.999Z', '2026-12-02T10:00:00.000Z')).toEqual([
      '2026-12-02T09:00',
    ]);
  });

  it('treats the range as half-open: an event ending at from or starting at to is outside it', () => {
    const event = eventOf({ start: '2026-12-02T09:00', end: '2026-12-02T09:45' });
    expect(starts(event, '2026-12-02T08:45:00.000Z', '2026-12-02T10:00:00.000Z')).toEqual([]);
    expect(starts(event, '2026-12-02T07:00:00.000Z', '2026-12-02T08:00:00.000Z')).toEqual([]);
    expect(starts(event, '2026-12-02T07:00:00.000Z', '2026-12-02T08:00:00.001Z')).toEqual([
      '2026-12-02T09:00',
    ]);
  });

  it('includes an occurrence of a series that started before from and runs past it', () => {
    // Daily 23:30–00:15 in Paris; from is midnight of the 10th there.
    const event = eventOf({ start: '2026-12-01T23:30', end: '2026-12-02T00:15', rrule: 'FREQ=DAILY' });
    expect(spans(event, '2026-12-09T23:00:00.000Z', '2026-12-10T23:00:00.000Z')).toEqual([
      {
        startLocal: '2026-12-09T23:30',
        endLocal: '2026-12-10T00:15',
        startsAt: '2026-12-09T22:30:00.000Z',
        endsAt: '2026-12-09T23:15:00.000Z',
      },
      {
        startLocal: '2026-12-10T23:30',
        endLocal: '2026-12-11T00:15',
        startsAt: '2026-12-10T22:30:00.000Z',
        endsAt: '2026-12-10T23:15:00.000Z',
      },
    ]);
  });

  it('counts a Wednesday start as the first occurrence of a BYDAY=MO series, once, then Mondays', () => {
    const event = eventOf({
      start: '2026-12-02T09:00',
      end: '2026-12-02T09:30',
      rrule: 'FREQ=WEEKLY;BYDAY=MO',
    });
    expect(starts(event, '2026-11-30T00:00:00.000Z', '2026-12-22T00:00:00.000Z')).toEqual([
      '2026-12-02T09:00',
      '2026-12-07T09:00',
      '2026-12-14T09:00',
      '2026-12-21T09:00',
    ]);
    // A range after the start holds only Mondays.
    expect(starts(event, '2026-12-03T00:00:00.000Z', '2026-12-15T00:00:00.000Z')).toEqual([
      '2026-12-07T09:00',
      '2026-12-14T09:00',
    ]);
  });

  it('stops a series at its COUNT and at its UNTIL', () => {
    const counted = eventOf({
      start: '2027-03-15T09:00',
      end: '2027-03-15T10:00',
      rrule: 'FREQ=WEEKLY;COUNT=3',
    });
    expect(starts(counted, '2027-03-01T00:00:00.000Z', '2027-06-01T00:00:00.000Z')).toEqual([
      '2027-03-15T09:00',
      '2027-03-22T09:00',
      '2027-03-29T09:00',
    ]);
    const until = eventOf({
      start: '2027-03-15T09:00',
      end: '2027-03-15T10:00',
      rrule: 'FREQ=DAILY;UNTIL=20270317',
    });
    expect(starts(until, '2027-03-01T00:00:00.000Z', '2027-06-01T00:00:00.000Z')).toEqual([
      '2027-03-15T09:00',
      '2027-03-16T09:00',
      '2027-03-17T09:00',
    ]);
  });

  it('finds the occurrences of an open series in a range long after its start', () => {
    const event = eventOf({
      start: '2026-12-07T09:00',
      end: '2026-12-07T10:00',
      rrule: 'FREQ=WEEKLY;BYDAY=MO',
    });
    expect(spans(event, '2028-07-01T00:00:00.000Z', '2028-07-11T00:00:00.000Z')).toEqual([
      {
        startLocal: '2028-07-03T09:00',
        endLocal: '2028-07-03T10:00',
        startsAt: '2028-07-03T07:00:00.000Z',
        endsAt: '2028-07-03T08:00:00.000Z',
      },
      {
        startLocal: '2028-07-10T09:00',
        endLocal: '2028-07-10T10:00',
        startsAt: '2028-07-10T07:00:00.000Z',
        endsAt: '2028-07-10T08:00:00.000Z',
      },
    ]);
  });

  it('repeats an all-day weekend over whole local days', () => {
    const event = eventOf({ date: '2026-12-05', endDate: '2026-12-06', rrule: 'FREQ=WEEKLY;COUNT=2' });
    expect(spans(event, '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z')).toEqual([
      {
        startLocal: '2026-12-05T00:00',
        endLocal: '2026-12-07T00:00',
        startsAt: '2026-12-04T23:00:00.000Z',
        endsAt: '2026-12-06T23:00:00.000Z',
      },
      {
        startLocal: '2026-12-12T00:00',
        endLocal: '2026-12-14T00:00',
        startsAt: '2026-12-11T23:00:00.000Z',
        endsAt: '2026-12-13T23:00:00.000Z',
      },
    ]);
  });

  it('gives each occurrence its event', () => {
    const event = eventOf({
      start: '2026-12-07T09:00',
      end: '2026-12-07T10:00',
      rrule: 'FREQ=DAILY;COUNT=2',
    });
    expect(
      occurrencesIn(event, '2026-12-01T00:00:00.000Z', '2027-01-01T00:00:00.000Z').map((span) => span.event),
    ).toEqual([event, event]);
  });
});

describe('oneOffKeyRange', () => {
  const from = '2026-12-01T23:00:00.000Z';
  const to = '2026-12-08T23:00:00.000Z';

  it('reads from 32 days before from (31 wall-clock days, and a DST hour) up to to', () => {
    expect(oneOffKeyRange(from, to)).toEqual({
      low: 'AT#2026-10-30T23:00:00.000Z',
      high: `AT#${to}`,
    });
  });

  it('holds the longest event (31 days) still on at from, and leaves out earlier starts, which cannot be', () => {
    // 31 days in UTC, from 23:01 on 31 October to 23:01 on 1 December: on for a minute after from.
    const fields = fieldsOf({ timeZone: 'UTC', start: '2026-10-31T23:01', end: '2026-12-01T23:01' });
    expect(validateEvent(fields, timesFor(fields))).toEqual([]);
    const longest = eventOf({ timeZone: 'UTC', start: '2026-10-31T23:01', end: '2026-12-01T23:01' });
    expect(occurrencesIn(longest, from, to)).toHaveLength(1);
    expect(between(longest.GSI3SK, oneOffKeyRange(from, to))).toBe(true);
    // A start before the lower bound would need more than 31 days and an hour to reach from.
    expect(between('AT#2026-10-30T22:59:59.999Z#E0', oneOffKeyRange(from, to))).toBe(false);
  });

  it('holds an event starting just before to, and not one starting at to', () => {
    const range = oneOffKeyRange(from, to);
    expect(between('AT#2026-12-08T22:59:59.999Z#E1', range)).toBe(true);
    expect(between(`AT#${to}#E1`, range)).toBe(false);
  });

  it('holds every one-off event that overlaps the range, even 31 days long across the autumn DST change', () => {
    // 1 to 31 October 2026 in Paris: 31 days on the wall clock, 31 days and an hour as instants (the clocks
    // go back on 25 October). From 23:30 on its last day, it is still on.
    const event = eventOf({ date: '2026-10-01', endDate: '2026-10-31' });
    const lastHour = { from: '2026-10-31T22:30:00.000Z', to: '2026-11-01T23:00:00.000Z' };
    expect(validateEvent(fieldsOf({ date: '2026-10-01', endDate: '2026-10-31' }), event)).toEqual([]);
    expect(occurrencesIn(event, lastHour.from, lastHour.to)).toHaveLength(1);
    expect(between(event.GSI3SK, oneOffKeyRange(lastHour.from, lastHour.to))).toBe(true);
  });
});

describe('seriesKeyRange', () => {
  const from = '2026-12-01T23:00:00.000Z';

  it('reads the series ending after from, open-ended ones included', () => {
    const range = seriesKeyRange(from);
    expect(range).toEqual({ low: `SERIES#${from}`, high: 'SERIES$' });
    const open = eventOf({ start: '2026-01-05T09:00', end: '2026-01-05T10:00', rrule: 'FREQ=WEEKLY' });
    const endsLater = eventOf({
      start: '2026-11-02T09:00',
      end: '2026-11-02T10:00',
      rrule: 'FREQ=WEEKLY;COUNT=6',
    });
    const endedBefore = eventOf({
      start: '2026-11-02T09:00',
      end: '2026-11-02T10:00',
      rrule: 'FREQ=WEEKLY;COUNT=2',
    });
    expect(open.GSI3SK.startsWith(`SERIES#${OPEN_END}#`)).toBe(true);
    expect(between(open.GSI3SK, range)).toBe(true);
    expect(endsLater.GSI3SK).toBe('SERIES#2026-12-07T09:00:00.000Z#01JD50000000000000000000E1');
    expect(between(endsLater.GSI3SK, range)).toBe(true);
    expect(endedBefore.GSI3SK).toBe('SERIES#2026-11-09T09:00:00.000Z#01JD50000000000000000000E1');
    expect(between(endedBefore.GSI3SK, range)).toBe(false);
  });

  it('never holds a one-off event', () => {
    expect(between('AT#2026-12-02T09:00:00.000Z#E1', seriesKeyRange(from))).toBe(false);
  });
});
