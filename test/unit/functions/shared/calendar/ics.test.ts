import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { renderCalendarFeed } from '../../../../../functions/shared/calendar/ics';
import {
  type CalendarEvent,
  calendarIndexKeys,
  type EventFields,
  type EventReminderSetting,
  occurrencesIn,
  placement,
  timesOf,
} from '../../../../../functions/shared/calendar/model';
import { Temporal } from '../../../../../functions/shared/reminders/temporal';

const NOW = '2027-01-05T12:34:56.789Z';

/** A stored event built the way the calendar API builds one (model.ts placement and index keys). */
function event(
  eventId: string,
  fields: EventFields,
  extra: { reminders?: EventReminderSetting[]; version?: number } = {},
): CalendarEvent {
  const times = timesOf(fields);
  if (Array.isArray(times)) throw new Error(`bad fixture ${eventId}`);
  const placed = placement(times, fields.timeZone, fields.rrule);
  return {
    PK: 'USER#u1',
    SK: `EVENT#${eventId}`,
    type: 'CalendarEvent',
    eventId,
    userId: 'u1',
    version: extra.version ?? 1,
    title: fields.title,
    timeZone: fields.timeZone,
    ...times,
    startsAt: placed.startsAt,
    endsAt: placed.endsAt,
    ...(fields.location === undefined ? {} : { location: fields.location }),
    ...(fields.notes === undefined ? {} : { notes: fields.notes }),
    ...(fields.rrule === undefined ? {} : { rrule: fields.rrule }),
    reminders: extra.reminders ?? [],
    createdAt: '2026-12-01T08:00:00.000Z',
    updatedAt: '2026-12-02T09:30:15.500Z',
    ...calendarIndexKeys('u1', eventId, placed.startsAt, placed.seriesEndsAt),
  };
}

const feed = (events: readonly CalendarEvent[], calendarName = 'Ann’s calendar') =>
  renderCalendarFeed(events, { calendarName, now: NOW });

function parse(text: string) {
  return new ICAL.Component(ICAL.parse(text));
}

function vevent(text: string, eventId: string): ICAL.Component {
  const found = parse(text)
    .getAllSubcomponents('vevent')
    .find((component) => component.getFirstPropertyValue('uid') === `${eventId}@aurora-time`);
  if (!found) throw new Error(`no VEVENT for ${eventId}`);
  return found;
}

/** The instants ical.js expands the VEVENT to in [from, to), with its own reading of the VTIMEZONE. */
function expanded(text: string, eventId: string, from: string, to: string): string[] {
  const iterator = new ICAL.Event(vevent(text, eventId)).iterator();
  const found: string[] = [];
  for (let next: ICAL.Time | null = iterator.next(); next; next = iterator.next()) {
    const at = next.toJSDate().toISOString();
    if (at >= to || found.length > 1000) break;
    if (at >= from) found.push(at);
  }
  return found;
}

/** The raw content line of a property, unfolded. */
function rawLines(text: string): string[] {
  return text.replace(/\r\n /g, '').split('\r\n');
}

const paris = (iso: string) =>
  Temporal.Instant.from(iso).toZonedDateTimeISO('Europe/Paris').toPlainDateTime().toString();

describe('renderCalendarFeed', () => {
  it('writes a VCALENDAR that subscribers accept, named after the calendar', () => {
    const text = feed([], 'Ann, work; home');
    const calendar = parse(feed([], 'Ann’s calendar'));
    expect(calendar.name).toBe('vcalendar');
    expect(calendar.getFirstPropertyValue('version')).toBe('2.0');
    expect(calendar.getFirstPropertyValue('prodid')).toBe('-//Aurora Time//Calendar feed//EN');
    expect(calendar.getFirstPropertyValue('calscale')).toBe('GREGORIAN');
    expect(calendar.getFirstPropertyValue('method')).toBe('PUBLISH');
    expect(calendar.getFirstPropertyValue('x-wr-calname')).toBe('Ann’s calendar');
    // An X- property is TEXT by default (RFC 5545 §3.8.8.2), escaped like any other; ical.js leaves
    // unknown properties as they are, so the escaping is checked on the line itself.
    expect(text).toContain('\r\nX-WR-CALNAME:Ann\\, work\\; home\r\n');
    expect(text.startsWith('BEGIN:VCALENDAR\r\n')).toBe(true);
    expect(text.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it('keeps titles, locations and notes with commas, semicolons, backslashes, newlines and emoji', () => {
    const notes = 'Bring: cake, candles; a\\b path\nSecond line 🎂🎉\r\nThird line, done';
    const text = feed([
      event('e1', {
        title: 'Lunch, with Zoë; 🍕',
        timeZone: 'Europe/Paris',
        start: '2027-02-10T12:30',
        end: '2027-02-10T14:00',
        location: 'Café de Flore, 172 Bd Saint-Germain, Paris',
        notes,
      }),
    ]);
    const component = vevent(text, 'e1');
    expect(component.getFirstPropertyValue('summary')).toBe('Lunch, with Zoë; 🍕');
    expect(component.getFirstPropertyValue('location')).toBe('Café de Flore, 172 Bd Saint-Germain, Paris');
    expect(component.getFirstPropertyValue('description')).toBe(notes.replace(/\r\n/g, '\n'));
    const lines = rawLines(text);
    expect(lines).toContain('SUMMARY:Lunch\\, with Zoë\\; 🍕');
    expect(lines).toContain(
      'DESCRIPTION:Bring: cake\\, candles\\; a\\\\b path\\nSecond line 🎂🎉\\nThird line\\, done',
    );
  });

  it('folds long lines at 75 octets without splitting a UTF-8 character', () => {
    // Shifting ASCII prefixes put multi-byte characters (2, 3 and 4 octets) on every fold boundary.
    const events = [0, 1, 2, 3].map((shift) => {
      const head = 'a'.repeat(60 + shift);
      let title = head;
      while ([...title].length < 300) title += ['é', '€', '😀', 'x'][[...title].length % 4];
      return event(`fold${shift}`, {
        title,
        timeZone: 'Europe/Paris',
        start: '2027-02-10T09:00',
        end: '2027-02-10T10:00',
      });
    });
    const text = feed(events);
    for (const [index, fixture] of events.entries()) {
      expect([...fixture.title]).toHaveLength(300);
      expect(vevent(text, `fold${index}`).getFirstPropertyValue('summary')).toBe(fixture.title);
    }
    const physical = text.split('\r\n');
    const summaryStart = physical.findIndex((line) => line.startsWith('SUMMARY:aaaa'));
    // A folded line is filled up to the boundary: only a character that does not fit moves on.
    expect(Buffer.byteLength(physical[summaryStart] ?? '')).toBeGreaterThanOrEqual(72);
    expect(physical[summaryStart + 1]?.startsWith(' ')).toBe(true);
    const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
    for (const line of physical) expect(loneSurrogate.test(line)).toBe(false);
  });

  it('ends every line with CRLF and keeps every line within 75 octets', () => {
    const text = feed([
      event(
        'e1',
        {
          title: `${'Quarterly planning — '.repeat(12)}🚀`,
          timeZone: 'America/Argentina/Buenos_Aires',
          start: '2027-02-10T09:00',
          end: '2027-02-10T10:00',
          location: 'Ω'.repeat(120),
          notes: 'ünïcödé '.repeat(40),
          rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR;UNTIL=20270630',
        },
        { reminders: [{ offset: 'PT10M', channels: ['messenger'] }] },
      ),
      event('e2', { title: 'Trip', timeZone: 'Asia/Kolkata', date: '2027-03-01', endDate: '2027-03-04' }),
    ]);
    expect(text.endsWith('\r\n')).toBe(true);
    const physical = text.split('\r\n');
    expect(physical.pop()).toBe('');
    for (const line of physical) {
      expect(line).not.toMatch(/[\r\n]/);
      expect(Buffer.byteLength(line, 'utf8')).toBeLessThanOrEqual(75);
    }
    expect(physical.some((line) => line.startsWith(' '))).toBe(true);
  });

  it('gives each event its identity, stamps and sequence', () => {
    const text = feed([
      event('01KAQ7R7Q8F3M6Y2V9T0C4N5ZB', {
        title: 'Dentist',
        timeZone: 'Europe/Paris',
        start: '2027-02-10T09:00',
        end: '2027-02-10T09:45',
      }),
      event(
        'e3',
        { title: 'Edited', timeZone: 'Europe/Paris', start: '2027-02-11T09:00', end: '2027-02-11T09:45' },
        { version: 3 },
      ),
    ]);
    const lines = rawLines(text);
    expect(lines).toContain('UID:01KAQ7R7Q8F3M6Y2V9T0C4N5ZB@aurora-time');
    expect(lines.filter((line) => line === 'DTSTAMP:20270105T123456Z')).toHaveLength(2);
    expect(lines).toContain('CREATED:20261201T080000Z');
    expect(lines).toContain('LAST-MODIFIED:20261202T093015Z');
    expect(vevent(text, '01KAQ7R7Q8F3M6Y2V9T0C4N5ZB').getFirstPropertyValue('sequence')).toBe(0);
    expect(vevent(text, 'e3').getFirstPropertyValue('sequence')).toBe(2);
  });

  it('writes a timed event in its zone as wall times with TZID and a VTIMEZONE for it', () => {
    const fixture = event('paris', {
      title: 'Dinner',
      timeZone: 'Europe/Paris',
      start: '2027-07-14T19:30',
      end: '2027-07-14T22:00',
    });
    const text = feed([fixture]);
    const lines = rawLines(text);
    expect(lines).toContain('DTSTART;TZID=Europe/Paris:20270714T193000');
    expect(lines).toContain('DTEND;TZID=Europe/Paris:20270714T220000');
    const parsed = new ICAL.Event(vevent(text, 'paris'));
    expect(parsed.startDate.zone.tzid).toBe('Europe/Paris');
    expect(parsed.startDate.toJSDate().toISOString()).toBe(fixture.startsAt);
    expect(parsed.endDate.toJSDate().toISOString()).toBe(fixture.endsAt);
    expect(fixture.startsAt).toBe('2027-07-14T17:30:00.000Z');
    const zones = parse(text).getAllSubcomponents('vtimezone');
    expect(zones.map((zone) => zone.getFirstPropertyValue('tzid'))).toEqual(['Europe/Paris']);
  });

  it('writes an event in UTC in the Z form, with no VTIMEZONE', () => {
    const fixture = event('utc', {
      title: 'Server window',
      timeZone: 'UTC',
      start: '2027-03-28T00:30',
      end: '2027-03-28T02:30',
      rrule: 'FREQ=DAILY;UNTIL=20270401',
    });
    const text = feed([fixture]);
    const lines = rawLines(text);
    expect(lines).toContain('DTSTART:20270328T003000Z');
    expect(lines).toContain('DTEND:20270328T023000Z');
    expect(lines).toContain('RRULE:FREQ=DAILY;UNTIL=20270401T235959Z');
    expect(text).not.toContain('VTIMEZONE');
    const parsed = new ICAL.Event(vevent(text, 'utc'));
    expect(parsed.startDate.zone.tzid).toBe('UTC');
    const from = '2027-01-01T00:00:00Z';
    const to = '2028-01-01T00:00:00Z';
    const instants = expanded(text, 'utc', from, to);
    expect(instants).toHaveLength(5);
    expect(instants).toEqual(occurrencesIn(fixture, from, to).map((span) => span.startsAt));
  });

  it('writes an all-day multi-day event as DATEs with an exclusive end', () => {
    const text = feed([
      event('trip', {
        title: 'Ski trip',
        timeZone: 'Europe/Paris',
        date: '2027-02-27',
        endDate: '2027-03-02',
      }),
      event('day', { title: 'Holiday', timeZone: 'Europe/Paris', date: '2027-12-31' }),
    ]);
    const lines = rawLines(text);
    expect(lines).toContain('DTSTART;VALUE=DATE:20270227');
    expect(lines).toContain('DTEND;VALUE=DATE:20270303');
    expect(lines).toContain('DTSTART;VALUE=DATE:20271231');
    expect(lines).toContain('DTEND;VALUE=DATE:20280101');
    const trip = new ICAL.Event(vevent(text, 'trip'));
    expect(trip.startDate.isDate).toBe(true);
    expect(trip.startDate.toString()).toBe('2027-02-27');
    expect(trip.endDate.toString()).toBe('2027-03-03');
    expect(trip.duration.toSeconds()).toBe(4 * 86_400);
    // DATE values float: all-day events need no zone definition.
    expect(text).not.toContain('VTIMEZONE');
  });

  it('expands a weekly BYDAY series with UNTIL across the March 2027 change to 09:00 every week', () => {
    const fixture = event('weekly', {
      title: 'Team sync',
      timeZone: 'Europe/Paris',
      start: '2027-03-01T09:00',
      end: '2027-03-01T09:30',
      rrule: 'FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20270430',
    });
    const text = feed([fixture]);
    // A date-only UNTIL is the end of that day in Paris, as UTC because DTSTART has a TZID.
    expect(rawLines(text)).toContain('RRULE:FREQ=WEEKLY;BYDAY=MO,FR;UNTIL=20270430T215959Z');
    expect(text).not.toContain('RDATE');
    const from = '2027-02-01T00:00:00Z';
    const to = '2027-06-01T00:00:00Z';
    const instants = expanded(text, 'weekly', from, to);
    expect(instants).toHaveLength(18);
    expect(instants).toEqual(occurrencesIn(fixture, from, to).map((span) => span.startsAt));
    expect(new Set(instants.map((at) => paris(at).slice(11)))).toEqual(new Set(['09:00:00']));
    expect(instants).toContain('2027-03-26T08:00:00.000Z');
    expect(instants).toContain('2027-03-29T07:00:00.000Z');
    expect(instants.at(-1)).toBe('2027-04-30T07:00:00.000Z');
  });

  it('keeps a never-ending series at its wall time years on, from the VTIMEZONE’s yearly rules', () => {
    const zones = ['Europe/Paris', 'America/New_York', 'Australia/Sydney', 'Asia/Jerusalem'];
    const fixtures = zones.map((timeZone, index) =>
      event(`open${index}`, {
        title: 'Every Friday',
        timeZone,
        start: '2027-03-05T09:00',
        end: '2027-03-05T09:15',
        rrule: 'FREQ=WEEKLY',
      }),
    );
    const text = feed(fixtures);
    // The explicit transitions stop in 2029; 2036's spring and autumn changes come from the yearly rules
    // (Jerusalem's spring one is "the Friday before the last Sunday of March").
    expect(rawLines(text)).toContain('RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=FR;BYMONTHDAY=23,24,25,26,27,28,29');
    for (const [index, fixture] of fixtures.entries()) {
      for (const [from, to] of [
        ['2036-02-15T00:00:00Z', '2036-04-20T00:00:00Z'],
        ['2036-09-15T00:00:00Z', '2036-11-20T00:00:00Z'],
      ] as const) {
        const instants = expanded(text, `open${index}`, from, to);
        expect(instants.length).toBeGreaterThan(8);
        expect(instants).toEqual(occurrencesIn(fixture, from, to).map((span) => span.startsAt));
      }
    }
  });

  it('expands a COUNT series to exactly COUNT occurrences, as the app does, across a fall-back', () => {
    const fixture = event('count', {
      title: 'Course',
      timeZone: 'America/New_York',
      start: '2027-11-05T08:00',
      end: '2027-11-05T09:00',
      rrule: 'FREQ=DAILY;COUNT=5',
    });
    const text = feed([fixture]);
    expect(rawLines(text)).toContain('RRULE:FREQ=DAILY;COUNT=5');
    const from = '2027-01-01T00:00:00Z';
    const to = '2029-01-01T00:00:00Z';
    const instants = expanded(text, 'count', from, to);
    expect(instants).toEqual([
      '2027-11-05T12:00:00.000Z',
      '2027-11-06T12:00:00.000Z',
      '2027-11-07T13:00:00.000Z',
      '2027-11-08T13:00:00.000Z',
      '2027-11-09T13:00:00.000Z',
    ]);
    expect(instants).toEqual(occurrencesIn(fixture, from, to).map((span) => span.startsAt));
  });

  it('lists a first start that the rule itself does not produce, as the app counts it', () => {
    // Starts on a Wednesday, repeats on Mondays: the app keeps the Wednesday, so the feed says so.
    const fixture = event('unsynced', {
      title: 'Kick-off, then Mondays',
      timeZone: 'Europe/Paris',
      start: '2027-03-03T09:00',
      end: '2027-03-03T10:00',
      rrule: 'FREQ=WEEKLY;BYDAY=MO;UNTIL=20270322',
    });
    const text = feed([fixture]);
    expect(rawLines(text)).toContain('RDATE;TZID=Europe/Paris:20270303T090000');
    const from = '2027-01-01T00:00:00Z';
    const to = '2028-01-01T00:00:00Z';
    const instants = expanded(text, 'unsynced', from, to);
    expect(instants).toHaveLength(4);
    expect(instants).toEqual(occurrencesIn(fixture, from, to).map((span) => span.startsAt));
  });

  it('turns a UTC UNTIL into a DATE for an all-day series, on the day it is in the event’s zone', () => {
    const fixture = event('allday-series', {
      title: 'Bin day',
      timeZone: 'Pacific/Auckland',
      date: '2027-03-01',
      rrule: 'FREQ=WEEKLY;UNTIL=20270405T000000Z',
    });
    const text = feed([fixture]);
    // 00:00 UTC on 5 April is midday on 5 April in Auckland.
    expect(rawLines(text)).toContain('RRULE:FREQ=WEEKLY;UNTIL=20270405');
    const iterator = new ICAL.Event(vevent(text, 'allday-series')).iterator();
    const dates: string[] = [];
    for (let next: ICAL.Time | null = iterator.next(); next; next = iterator.next())
      dates.push(next.toString());
    const app = occurrencesIn(fixture, '2027-01-01T00:00:00Z', '2028-01-01T00:00:00Z').map((span) =>
      span.startLocal.slice(0, 10),
    );
    expect(dates).toEqual(app);
    expect(dates).toEqual([
      '2027-03-01',
      '2027-03-08',
      '2027-03-15',
      '2027-03-22',
      '2027-03-29',
      '2027-04-05',
    ]);
  });

  it('writes one display alarm per reminder, before the start', () => {
    const text = feed([
      event(
        'alarms',
        {
          title: 'Flight, AF123',
          timeZone: 'Europe/Paris',
          start: '2027-05-10T07:00',
          end: '2027-05-10T09:00',
        },
        {
          reminders: [
            { offset: 'PT15M', channels: ['messenger'] },
            { offset: 'P1D', channels: ['email'] },
            { offset: 'PT0M', channels: ['messenger'] },
            { offset: 'PT1H30M', channels: ['email'] },
            { offset: 'P1W', channels: ['email'] },
            { offset: 'P1W2DT3H', channels: ['email'] },
          ],
        },
      ),
    ]);
    const alarms = vevent(text, 'alarms').getAllSubcomponents('valarm');
    expect(alarms).toHaveLength(6);
    for (const alarm of alarms) {
      expect(alarm.getFirstPropertyValue('action')).toBe('DISPLAY');
      expect(alarm.getFirstPropertyValue('description')).toBe('Flight, AF123');
    }
    const triggers = alarms.map((alarm) => {
      const trigger = alarm.getFirstPropertyValue('trigger');
      if (!(trigger instanceof ICAL.Duration)) throw new Error('TRIGGER is not a duration');
      return trigger.toSeconds();
    });
    expect(triggers).toEqual([-900, -86_400, 0, -5_400, -7 * 86_400, -(9 * 86_400 + 3 * 3_600)]);
    const lines = rawLines(text).filter((line) => line.startsWith('TRIGGER'));
    expect(lines).toEqual([
      'TRIGGER:-PT15M',
      'TRIGGER:-P1D',
      'TRIGGER:PT0S',
      'TRIGGER:-PT1H30M',
      'TRIGGER:-P1W',
      'TRIGGER:-P9DT3H',
    ]);
  });

  it('defines every TZID with STANDARD and DAYLIGHT observances from the zone’s transitions', () => {
    const text = feed([
      event('p', {
        title: 'A',
        timeZone: 'Europe/Paris',
        start: '2027-06-01T09:00',
        end: '2027-06-01T10:00',
      }),
      event('t', { title: 'B', timeZone: 'Asia/Tokyo', start: '2027-06-01T09:00', end: '2027-06-01T10:00' }),
      event('p2', {
        title: 'C',
        timeZone: 'Europe/Paris',
        start: '2028-06-01T09:00',
        end: '2028-06-01T10:00',
      }),
      event('d', { title: 'D', timeZone: 'America/Chicago', date: '2027-06-01' }),
    ]);
    const zones = parse(text).getAllSubcomponents('vtimezone');
    expect(zones.map((zone) => zone.getFirstPropertyValue('tzid'))).toEqual(['Asia/Tokyo', 'Europe/Paris']);
    const [tokyo, parisZone] = zones;
    // Japan has not changed its clocks since 1951: one observance.
    expect(tokyo?.getAllSubcomponents().map((observance) => observance.name)).toEqual(['standard']);
    expect(tokyo?.getFirstSubcomponent('standard')?.getFirstProperty('tzoffsetto')?.toICALString()).toBe(
      'TZOFFSETTO:+0900',
    );
    const observances = parisZone?.getAllSubcomponents() ?? [];
    expect(observances.some((observance) => observance.name === 'daylight')).toBe(true);
    const lines = rawLines(text);
    const spring = lines.indexOf('DTSTART:20270328T020000');
    expect(lines.slice(spring - 1, spring + 5)).toEqual([
      'BEGIN:DAYLIGHT',
      'DTSTART:20270328T020000',
      'TZOFFSETFROM:+0100',
      'TZOFFSETTO:+0200',
      'TZNAME:CEST',
      'END:DAYLIGHT',
    ]);
    const autumn = lines.indexOf('DTSTART:20281029T030000');
    expect(lines.slice(autumn - 1, autumn + 5)).toEqual([
      'BEGIN:STANDARD',
      'DTSTART:20281029T030000',
      'TZOFFSETFROM:+0200',
      'TZOFFSETTO:+0100',
      'TZNAME:CET',
      'END:STANDARD',
    ]);
    // ical.js reads the offsets back on either side of the change.
    const zone = new ICAL.Timezone(parisZone);
    const before = ICAL.Time.fromDateTimeString('2027-03-28T01:30:00');
    const after = ICAL.Time.fromDateTimeString('2027-03-28T03:30:00');
    expect(zone.utcOffset(before)).toBe(3_600);
    expect(zone.utcOffset(after)).toBe(7_200);
  });

  it('is deterministic: events sorted by start, then id, whatever order they come in', () => {
    const a = event('b-second', {
      title: 'B',
      timeZone: 'UTC',
      start: '2027-02-01T09:00',
      end: '2027-02-01T10:00',
    });
    const b = event('a-first', {
      title: 'A',
      timeZone: 'UTC',
      start: '2027-02-01T09:00',
      end: '2027-02-01T10:00',
    });
    const c = event('c-early', {
      title: 'C',
      timeZone: 'Asia/Tokyo',
      start: '2027-02-01T09:00',
      end: '2027-02-01T10:00',
    });
    const one = feed([a, b, c]);
    expect(feed([c, b, a])).toBe(one);
    expect(feed([b, a, c])).toBe(one);
    const uids = rawLines(one).filter((line) => line.startsWith('UID:'));
    expect(uids).toEqual(['UID:c-early@aurora-time', 'UID:a-first@aurora-time', 'UID:b-second@aurora-time']);
  });
});
