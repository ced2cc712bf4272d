/**
 * A person's calendar as an RFC 5545 iCalendar feed, for Google Calendar, Apple Calendar and others to
 * subscribe to. Timed events keep their wall times in their IANA zone (TZID) so a weekly 09:00 stays 09:00
 * across daylight saving in the subscriber's calendar too; every TZID used comes with a VTIMEZONE built from
 * Temporal's transition data, as RFC 5545 requires. Output is deterministic (events by start, then id).
 */
import { leadTimeParts } from '../reminders/lead-time';
import { nextOccurrence, untilEndOf } from '../reminders/recurrence';
import { Temporal } from '../reminders/temporal';
import type { CalendarEvent } from './model';

export interface CalendarFeedOptions {
  /** Shown by clients as the subscribed calendar's name (X-WR-CALNAME). */
  readonly calendarName: string;
  /** ISO instant the feed is rendered at: every VEVENT's DTSTAMP. */
  readonly now: string;
}

const CRLF = '\r\n';
/** RFC 5545 §3.1: content lines longer than 75 octets (excluding the CRLF) are folded. */
const MAX_LINE_OCTETS = 75;
const DAY_MS = 86_400_000;
/** How far past the last moment a zone's events reach its explicit transitions go. */
const ZONE_MARGIN_MS = 2 * 366 * DAY_MS;
/** Years a derived yearly zone rule must reproduce Temporal's transitions for before the feed relies on it. */
const RULE_CHECK_YEARS = 8;
/** The model's series key for a series that never ends (model.ts OPEN_END). */
const OPEN_END = '9999-12-31T23:59:59.999Z';
const UNTIL_VALUE = /^(\d{4})(\d{2})(\d{2})(T\d{6}Z)?$/;
const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const NS_PER_SECOND = 1_000_000_000n;

export function renderCalendarFeed(events: readonly CalendarEvent[], options: CalendarFeedOptions): string {
  const sorted = [...events].sort(
    (a, b) =>
      Date.parse(a.startsAt) - Date.parse(b.startsAt) ||
      (a.eventId < b.eventId ? -1 : a.eventId > b.eventId ? 1 : 0),
  );
  const now = Date.parse(options.now);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Aurora Time//Calendar feed//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${escapeText(options.calendarName)}`,
  ];
  for (const [zone, span] of [...zoneSpans(sorted, now)].sort(([a], [b]) => (a < b ? -1 : 1))) {
    lines.push(...timeZoneLines(zone, span.from, span.to));
  }
  const stamp = utcStamp(options.now);
  for (const event of sorted) lines.push(...eventLines(event, stamp));
  lines.push('END:VCALENDAR');
  return lines.map(fold).join(CRLF) + CRLF;
}

function eventLines(event: CalendarEvent, stamp: string): string[] {
  const lines = [
    'BEGIN:VEVENT',
    `UID:${escapeText(`${event.eventId}@aurora-time`)}`,
    `DTSTAMP:${stamp}`,
    `CREATED:${utcStamp(event.createdAt)}`,
    `LAST-MODIFIED:${utcStamp(event.updatedAt)}`,
    `SEQUENCE:${Math.max(0, event.version - 1)}`,
    `SUMMARY:${escapeText(event.title)}`,
  ];
  if (event.location !== undefined) lines.push(`LOCATION:${escapeText(event.location)}`);
  if (event.notes !== undefined) lines.push(`DESCRIPTION:${escapeText(event.notes)}`);
  const [start, end] = startAndEnd(event);
  lines.push(`DTSTART${start}`, `DTEND${end}`);
  if (event.rrule !== undefined) {
    lines.push(`RRULE:${feedRrule(event)}`);
    // The app always counts the first start as an occurrence (RFC 5545 too), but a rule it does not match
    // leaves the set undefined there, and some clients (ical.js) drop it: the RDATE makes it explicit.
    if (!ruleMatchesStart(event)) lines.push(`RDATE${start}`);
  }
  for (const reminder of event.reminders) {
    const trigger = triggerOf(reminder.offset);
    // A stored offset is schema-valid; one that is not is left out rather than breaking the whole feed.
    if (trigger === undefined) continue;
    lines.push(
      'BEGIN:VALARM',
      'ACTION:DISPLAY',
      `DESCRIPTION:${escapeText(event.title)}`,
      `TRIGGER:${trigger}`,
      'END:VALARM',
    );
  }
  lines.push('END:VEVENT');
  return lines;
}

/** DTSTART's and DTEND's parameters and values (`;TZID=Europe/Paris:20270301T090000`). */
function startAndEnd(event: CalendarEvent): [string, string] {
  if (event.allDay) {
    // DTEND of a DATE event is exclusive (RFC 5545 §3.6.1): the day after the last day.
    const after = Temporal.PlainDate.from(event.endDate ?? event.date).add({ days: 1 });
    return [`;VALUE=DATE:${dateStamp(event.date)}`, `;VALUE=DATE:${dateStamp(after.toString())}`];
  }
  if (event.timeZone === 'UTC') return [`:${localStamp(event.start)}Z`, `:${localStamp(event.end)}Z`];
  const tzid = `;TZID=${paramValue(event.timeZone)}`;
  return [`${tzid}:${localStamp(event.start)}`, `${tzid}:${localStamp(event.end)}`];
}

/** Whether the series' own rule yields its first start (FREQ=WEEKLY;BYDAY=MO starting on a Monday). */
function ruleMatchesStart(event: CalendarEvent): boolean {
  if (event.rrule === undefined) return true;
  const startLocal = event.allDay ? `${event.date}T00:00` : event.start;
  const justBefore = new Date(Date.parse(event.startsAt) - 1).toISOString();
  const first = nextOccurrence(event.rrule, startLocal, event.timeZone, justBefore);
  return first !== undefined && Date.parse(first.dueAt) === Date.parse(event.startsAt);
}

/**
 * The event's RRULE with UNTIL in the form RFC 5545 §3.3.10 demands: a UTC time when DTSTART is a
 * date-time, a DATE when DTSTART is a DATE. The app reads a date-only UNTIL as the end of that day in the
 * event's zone, and an all-day occurrence counts while its local midnight is not after UNTIL there.
 */
function feedRrule(event: CalendarEvent): string {
  return (event.rrule ?? '')
    .split(';')
    .map((part) => {
      if (!part.startsWith('UNTIL=')) return part;
      const until = part.slice('UNTIL='.length);
      const match = UNTIL_VALUE.exec(until);
      if (!match) return part;
      const [, year, month, day, time] = match;
      if (event.allDay) {
        if (time === undefined) return part;
        const local = Temporal.Instant.from(untilIso(until)).toZonedDateTimeISO(event.timeZone).toPlainDate();
        return `UNTIL=${dateStamp(local.toString())}`;
      }
      return time === undefined ? `UNTIL=${untilEndOf(`${year}-${month}-${day}`, event.timeZone)}` : part;
    })
    .join(';');
}

/** `20270301T225959Z` as an ISO instant. */
function untilIso(until: string): string {
  return until.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, '$1-$2-$3T$4:$5:$6Z');
}

/**
 * A VALARM TRIGGER before the start. RFC 5545 durations allow weeks only on their own, so a LeadTime such
 * as P1W2D becomes days; a zero lead time is PT0S (a signed zero is legal but some clients stumble on it).
 */
function triggerOf(offset: string): string | undefined {
  const lead = leadTimeParts(offset);
  if (!lead) return undefined;
  const { weeks, days, hours, minutes } = lead;
  if (weeks + days + hours + minutes === 0) return 'PT0S';
  if (days + hours + minutes === 0) return `-P${weeks}W`;
  const allDays = weeks * 7 + days;
  const time = `${hours > 0 ? `${hours}H` : ''}${minutes > 0 ? `${minutes}M` : ''}`;
  return `-P${allDays > 0 ? `${allDays}D` : ''}${time === '' ? '' : `T${time}`}`;
}

interface ZoneSpan {
  from: number;
  to: number;
}

/**
 * For each TZID the feed uses, the instants its VTIMEZONE must describe: from the start of the earliest
 * event's year to two years past the last moment any of its events reaches (a series that never ends
 * reaches at least `now`).
 */
function zoneSpans(events: readonly CalendarEvent[], now: number): Map<string, ZoneSpan> {
  const spans = new Map<string, ZoneSpan>();
  for (const event of events) {
    if (event.allDay || event.timeZone === 'UTC') continue;
    const start = Date.parse(event.startsAt);
    const from = Date.UTC(new Date(start).getUTCFullYear(), 0, 1) - DAY_MS;
    const to = reachOf(event, now) + ZONE_MARGIN_MS;
    const span = spans.get(event.timeZone);
    if (span === undefined) spans.set(event.timeZone, { from, to });
    else {
      span.from = Math.min(span.from, from);
      span.to = Math.max(span.to, to);
    }
  }
  return spans;
}

/**
 * When the event's last occurrence ends. The stored series key carries it (model.ts calendarIndexKeys),
 * which spares walking a long COUNT series here; without it, UNTIL bounds the series, or nothing does.
 */
function reachOf(event: CalendarEvent, now: number): number {
  const start = Date.parse(event.startsAt);
  if (event.rrule === undefined) return Date.parse(event.endsAt);
  const seriesEnd = /^SERIES#([^#]+)#/.exec(event.GSI3SK)?.[1];
  if (seriesEnd !== undefined && seriesEnd !== OPEN_END && !Number.isNaN(Date.parse(seriesEnd))) {
    return Date.parse(seriesEnd);
  }
  const until = /(?:^|;)UNTIL=(\d{8}(?:T\d{6}Z)?)/.exec(event.rrule)?.[1];
  if (until !== undefined) {
    const iso =
      until.length === 8
        ? `${until.slice(0, 4)}-${until.slice(4, 6)}-${until.slice(6)}T23:59:59Z`
        : untilIso(until);
    return Math.max(start, Date.parse(iso) + DAY_MS);
  }
  return Math.max(start, now);
}

interface Transition {
  readonly at: bigint;
  readonly from: number;
  readonly to: number;
}

/**
 * A VTIMEZONE: the observance in effect at `from`, each transition up to `to` as its own observance, and,
 * where the zone's current rule is a plain yearly one (last Sunday of March, second Sunday of March, ...),
 * that rule as RRULE observances from then on, so a client that reads the definition rather than knowing
 * the TZID still places a never-ending series right. A zone that never changed gets one STANDARD.
 */
function timeZoneLines(zone: string, from: number, to: number): string[] {
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`, `X-LIC-LOCATION:${zone}`];
  const startZoned = Temporal.Instant.fromEpochMilliseconds(from).toZonedDateTimeISO(zone);
  const inEffect = startZoned.getTimeZoneTransition('previous');
  const explicit: Transition[] = [];
  let cursor: Temporal.ZonedDateTime | null;
  if (inEffect === null) {
    const offset = startZoned.offsetNanoseconds;
    lines.push(
      ...observanceLines(
        'STANDARD',
        '19700101T000000',
        offset,
        offset,
        tzName(zone, startZoned.epochMilliseconds),
      ),
    );
    cursor = startZoned.getTimeZoneTransition('next');
  } else {
    cursor = inEffect;
  }
  while (cursor !== null && cursor.epochMilliseconds <= to) {
    explicit.push(transitionAt(zone, cursor));
    cursor = cursor.getTimeZoneTransition('next');
  }
  const after = cursor === null ? undefined : transitionAt(zone, cursor);
  explicit.forEach((transition, index) => {
    const next = explicit[index + 1] ?? after;
    lines.push(
      ...observanceLines(
        kindOf(transition, next),
        wallStamp(transition.at, transition.from),
        transition.from,
        transition.to,
        tzName(zone, Number(transition.at / 1_000_000n)),
      ),
    );
  });
  if (after !== undefined) lines.push(...yearlyTail(zone, after));
  lines.push('END:VTIMEZONE');
  return lines;
}

function transitionAt(zone: string, zoned: Temporal.ZonedDateTime): Transition {
  const at = zoned.epochNanoseconds;
  const before = Temporal.Instant.fromEpochNanoseconds(at - 1n).toZonedDateTimeISO(zone);
  return { at, from: before.offsetNanoseconds, to: zoned.offsetNanoseconds };
}

/**
 * Temporal does not say which periods are daylight saving: a move to a later offset that is undone within
 * a year is taken as DAYLIGHT, anything else (including a permanent change) as STANDARD.
 */
function kindOf(transition: Transition, next: Transition | undefined): 'STANDARD' | 'DAYLIGHT' {
  if (transition.to <= transition.from || next === undefined) return 'STANDARD';
  const undone = next.to < next.from && next.at - transition.at < BigInt(366 * DAY_MS) * 1_000_000n;
  return undone ? 'DAYLIGHT' : 'STANDARD';
}

function observanceLines(
  kind: 'STANDARD' | 'DAYLIGHT',
  dtstart: string,
  from: number,
  to: number,
  name: string,
  rrule?: string,
): string[] {
  return [
    `BEGIN:${kind}`,
    `DTSTART:${dtstart}`,
    ...(rrule === undefined ? [] : [`RRULE:${rrule}`]),
    `TZOFFSETFROM:${offsetText(from)}`,
    `TZOFFSETTO:${offsetText(to)}`,
    `TZNAME:${escapeText(name)}`,
    `END:${kind}`,
  ];
}

/**
 * The zone's rule from transition `first` on, as two yearly RRULE observances, when the two transitions it
 * alternates between follow a rule RFC 5545 can say and that rule reproduces Temporal's next years; else
 * none (the explicit transitions still cover every event of the feed). The last few changes of a zone that
 * stops changing are emitted as they are.
 */
function yearlyTail(zone: string, first: Transition): string[] {
  const sequence: Transition[] = [first];
  let cursor = Temporal.Instant.fromEpochNanoseconds(first.at)
    .toZonedDateTimeISO(zone)
    .getTimeZoneTransition('next');
  while (cursor !== null && sequence.length < 2 * RULE_CHECK_YEARS) {
    sequence.push(transitionAt(zone, cursor));
    cursor = cursor.getTimeZoneTransition('next');
  }
  if (cursor === null) {
    // The zone stops changing (or has only a few changes left): they are all it will ever need.
    return sequence.flatMap((transition, index) =>
      observanceLines(
        kindOf(transition, sequence[index + 1]),
        wallStamp(transition.at, transition.from),
        transition.from,
        transition.to,
        tzName(zone, Number(transition.at / 1_000_000n)),
      ),
    );
  }
  const rules = [ruleFor(sequence, 0), ruleFor(sequence, 1)];
  const lines: string[] = [];
  for (const [index, rule] of rules.entries()) {
    const transition = sequence[index];
    if (rule === undefined || transition === undefined) return [];
    lines.push(
      ...observanceLines(
        kindOf(transition, sequence[index + 1]),
        wallStamp(transition.at, transition.from),
        transition.from,
        transition.to,
        tzName(zone, Number(transition.at / 1_000_000n)),
        rule,
      ),
    );
  }
  return lines;
}

/**
 * A yearly RRULE (last weekday, nth weekday, weekday on or after a day, or fixed day of a month, at the same
 * wall time) matching every other transition of `sequence` from `start`, or undefined when none does.
 */
function ruleFor(sequence: readonly Transition[], start: number): string | undefined {
  const base = sequence[start];
  if (base === undefined) return undefined;
  const wall = wallOf(base.at, base.from);
  const weekday = WEEKDAY_CODES[wall.dayOfWeek - 1] ?? 'SU';
  const candidates: { rrule: string; day: (year: number) => number }[] = [];
  if (wall.day + 7 > wall.daysInMonth) {
    candidates.push({
      rrule: `FREQ=YEARLY;BYMONTH=${wall.month};BYDAY=-1${weekday}`,
      day: (year) => {
        const first = Temporal.PlainDate.from({ year, month: wall.month, day: 1 });
        const last = first.with({ day: first.daysInMonth });
        return last.day - ((last.dayOfWeek - wall.dayOfWeek + 7) % 7);
      },
    });
  }
  // "The first weekday on or after day X" (Sun>=8 in the tz database); X = 1, 8, 15, 22 is the nth weekday.
  const anchors: number[] = [];
  // Every day X..X+6 must exist in the month every year: February's X stops at 22.
  const shortest = Temporal.PlainDate.from({ year: 2001, month: wall.month, day: 1 }).daysInMonth;
  for (let anchor = Math.max(1, wall.day - 6); anchor <= Math.min(wall.day, shortest - 6); anchor += 1) {
    anchors.push(anchor);
  }
  anchors.sort((a, b) => Number((a - 1) % 7 !== 0) - Number((b - 1) % 7 !== 0) || a - b);
  for (const anchor of anchors) {
    const days = Array.from({ length: 7 }, (_, index) => anchor + index).join(',');
    candidates.push({
      rrule:
        (anchor - 1) % 7 === 0
          ? `FREQ=YEARLY;BYMONTH=${wall.month};BYDAY=${(anchor + 6) / 7}${weekday}`
          : `FREQ=YEARLY;BYMONTH=${wall.month};BYDAY=${weekday};BYMONTHDAY=${days}`,
      day: (year) => {
        const from = Temporal.PlainDate.from({ year, month: wall.month, day: anchor });
        return anchor + ((wall.dayOfWeek - from.dayOfWeek + 7) % 7);
      },
    });
  }
  candidates.push({ rrule: `FREQ=YEARLY;BYMONTH=${wall.month};BYMONTHDAY=${wall.day}`, day: () => wall.day });
  return candidates.find((candidate) => {
    for (let index = start, year = wall.year; index < sequence.length; index += 2, year += 1) {
      const actual = sequence[index];
      if (actual === undefined || actual.from !== base.from || actual.to !== base.to) return false;
      const predicted = Temporal.PlainDateTime.from({
        year,
        month: wall.month,
        day: candidate.day(year),
        hour: wall.hour,
        minute: wall.minute,
        second: wall.second,
      });
      if (Temporal.PlainDateTime.compare(predicted, wallOf(actual.at, actual.from)) !== 0) return false;
    }
    return true;
  })?.rrule;
}

/** The wall time at instant `at` (epoch nanoseconds) under a fixed offset; offsets may carry seconds. */
function wallOf(at: bigint, offset: number): Temporal.PlainDateTime {
  return Temporal.Instant.fromEpochNanoseconds(at + BigInt(offset))
    .toZonedDateTimeISO('UTC')
    .toPlainDateTime();
}

function wallStamp(at: bigint, offset: number): string {
  return compact(wallOf(at, offset).toString({ smallestUnit: 'second' }));
}

/** `+0100`, `-0330`, `+000921` (UTC offsets of local mean time have seconds). */
function offsetText(offsetNs: number): string {
  const total = Number(BigInt(Math.round(offsetNs)) / NS_PER_SECOND);
  const sign = total < 0 ? '-' : '+';
  const abs = Math.abs(total);
  const hh = String(Math.floor(abs / 3600)).padStart(2, '0');
  const mm = String(Math.floor((abs % 3600) / 60)).padStart(2, '0');
  const ss = abs % 60;
  return `${sign}${hh}${mm}${ss === 0 ? '' : String(ss).padStart(2, '0')}`;
}

/**
 * The abbreviation people know (CET, EDT, BST) where Intl has one in US or British English, else the
 * offset the way the tz database writes it (+09, +0530).
 */
function tzName(zone: string, epochMs: number): string {
  for (const locale of ['en-US', 'en-GB']) {
    const key = `${locale} ${zone}`;
    const format =
      formats.get(key) ?? new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' });
    formats.set(key, format);
    const name = format.formatToParts(epochMs).find((part) => part.type === 'timeZoneName')?.value;
    if (name !== undefined && !/^(GMT|UTC)[+-]/.test(name)) return name;
  }
  const offset = offsetText(
    Temporal.Instant.fromEpochMilliseconds(epochMs).toZonedDateTimeISO(zone).offsetNanoseconds,
  );
  return offset.endsWith('00') && offset.length === 5 ? offset.slice(0, 3) : offset;
}

const formats = new Map<string, Intl.DateTimeFormat>();

/** Parameter values with `:`, `;` or `,` must be quoted (RFC 5545 §3.2); IANA names never have them. */
function paramValue(value: string): string {
  return /[:;,]/.test(value) ? `"${value.replace(/"/g, '')}"` : value;
}

/**
 * TEXT escaping (RFC 5545 §3.3.11). Line breaks of any style become `\n`; other control characters are not
 * allowed in TEXT at all, so they are dropped.
 */
function escapeText(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n')
    .replace(/[^\P{Cc}\t]/gu, '');
}

/**
 * Folds a content line at 75 octets of UTF-8 (RFC 5545 §3.1), continuing with a space that counts toward
 * the next line's 75; splits only between code points, never inside a multi-byte character.
 */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const point = char.codePointAt(0) ?? 0;
    const size = point < 0x80 ? 1 : point < 0x800 ? 2 : point < 0x10000 ? 3 : 4;
    if (octets + size > MAX_LINE_OCTETS) {
      parts.push(current);
      current = ' ';
      octets = 1;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join(CRLF);
}

const compact = (isoLike: string) => isoLike.replace(/[-:]/g, '');

/** An ISO instant as a UTC DATE-TIME, `20270301T080000Z`. */
function utcStamp(iso: string): string {
  return compact(Temporal.Instant.from(iso).toString({ smallestUnit: 'second' }));
}

/** A wall time `YYYY-MM-DDTHH:mm[:ss]` as a local DATE-TIME, `20270301T090000`. */
function localStamp(wall: string): string {
  return compact(Temporal.PlainDateTime.from(wall).toString({ smallestUnit: 'second' }));
}

function dateStamp(date: string): string {
  return compact(Temporal.PlainDate.from(date).toString());
}
