/**
 * Calendar events (docs/data-model.md, "Calendar events"): the stored item, the rules a request must keep
 * beyond its schema, and the occurrences of an event inside a range. Times are wall times in the event's
 * IANA zone, like reminders: a weekly 09:00 stays 09:00 across daylight saving, and an all-day event covers
 * whole local days.
 */
import type { DeliveryChannel } from '../reminders/model';
import { lastOccurrence, occurrencesBetween, seriesEnds, validateRrule } from '../reminders/recurrence';
import { Temporal } from '../reminders/temporal';
import { canonicalTimeZone, zonedWallTime } from '../reminders/zoned';

export interface EventReminderSetting {
  /** ISO-8601 duration before each occurrence's start (events-schema LeadTime). */
  readonly offset: string;
  readonly channels: readonly DeliveryChannel[];
  /** The reminder carrying it; absent when no occurrence is left to remind of. */
  readonly reminderId?: string;
}

/** The event's times, exactly one shape: timed (start, end) or all-day (date, optional last day). */
export type EventTimes =
  | { readonly allDay: false; readonly start: string; readonly end: string }
  | { readonly allDay: true; readonly date: string; readonly endDate?: string };

export type CalendarEvent = EventTimes & {
  readonly PK: string;
  readonly SK: string;
  readonly type: 'CalendarEvent';
  readonly eventId: string;
  readonly userId: string;
  readonly version: number;
  readonly title: string;
  readonly timeZone: string;
  /** The first occurrence, as instants. */
  readonly startsAt: string;
  readonly endsAt: string;
  readonly location?: string;
  readonly notes?: string;
  readonly rrule?: string;
  readonly reminders: readonly EventReminderSetting[];
  readonly createdAt: string;
  readonly updatedAt: string;
  /** GSI3: the person's calendar by date (see calendarIndexKeys). */
  readonly GSI3PK: string;
  readonly GSI3SK: string;
};

/** What a request gives (already schema-valid); the zone defaults to the person's. */
export interface EventFields {
  readonly title: string;
  readonly timeZone: string;
  readonly start?: string;
  readonly end?: string;
  readonly date?: string;
  readonly endDate?: string;
  readonly location?: string;
  readonly notes?: string;
  readonly rrule?: string;
}

export interface FieldProblem {
  readonly field: string;
  readonly rule: string;
  readonly message: string;
}

/** Longer events are not calendar entries but periods; the bound also keeps the by-date query a key range. */
export const MAX_EVENT_DAYS = 31;
export const MAX_RANGE_DAYS = 366;
const DAY_MS = 86_400_000;
/** Sorts after every ISO instant: the series key of a series that never ends. */
const OPEN_END = '9999-12-31T23:59:59.999Z';

export const eventKey = (userId: string, eventId: string) => ({
  PK: `USER#${userId}`,
  SK: `EVENT#${eventId}`,
});
export const calendarPartition = (userId: string) => `CALENDAR#${userId}`;

/**
 * GSI3 sort keys. A one-off event sorts by its start (`AT#<startsAt>#<id>`): the events overlapping a range
 * start before its end and at most MAX_EVENT_DAYS before its start, one key range. A series sorts by when it
 * ends (`SERIES#<seriesEndsAt>#<id>`): the series that can touch a range are the ones ending after its start,
 * another key range.
 */
export function calendarIndexKeys(
  userId: string,
  eventId: string,
  startsAt: string,
  seriesEndsAt: string | undefined,
): { GSI3PK: string; GSI3SK: string } {
  return {
    GSI3PK: calendarPartition(userId),
    GSI3SK: seriesEndsAt === undefined ? `AT#${startsAt}#${eventId}` : `SERIES#${seriesEndsAt}#${eventId}`,
  };
}

/** The times of the fields, or what is wrong with them. */
export function timesOf(fields: EventFields): EventTimes | FieldProblem[] {
  const timed = fields.start !== undefined || fields.end !== undefined;
  const allDay = fields.date !== undefined || fields.endDate !== undefined;
  if (timed === allDay) {
    return [
      problem(
        timed ? '/date' : '/start',
        'start-or-date',
        'Give start and end (a timed event) or date (an all-day event), not both.',
      ),
    ];
  }
  if (timed) {
    if (fields.start === undefined) return [problem('/start', 'required', '/start is required with /end.')];
    if (fields.end === undefined) return [problem('/end', 'required', '/end is required with /start.')];
    return { allDay: false, start: fields.start, end: fields.end };
  }
  if (fields.date === undefined) return [problem('/date', 'required', '/date is required with /endDate.')];
  return {
    allDay: true,
    date: fields.date,
    ...(fields.endDate === undefined ? {} : { endDate: fields.endDate }),
  };
}

/** Wall-clock start and end of the first occurrence (an all-day event ends at midnight after its last day). */
function wallSpan(times: EventTimes): { start: string; end: string } {
  if (!times.allDay) return { start: times.start, end: times.end };
  const last = Temporal.PlainDate.from(times.endDate ?? times.date);
  return { start: `${times.date}T00:00`, end: `${last.add({ days: 1 }).toString()}T00:00` };
}

/** Every rule beyond the schema: real dates, a known zone, end after start, a bounded length, a valid RRULE. */
export function validateEvent(fields: EventFields, times: EventTimes): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const timeZone = canonicalTimeZone(fields.timeZone);
  if (!timeZone) {
    problems.push(
      problem('/timeZone', 'unknown-time-zone', `/timeZone: “${fields.timeZone}” is not an IANA time zone.`),
    );
  }
  const [startField, endField] = times.allDay ? ['/date', '/endDate'] : ['/start', '/end'];
  // The days themselves first: the end of an all-day event is computed from its last day.
  const days = times.allDay
    ? [
        plainDateTime(`${times.date}T00:00`, '/date', problems),
        times.endDate === undefined ? true : plainDateTime(`${times.endDate}T00:00`, '/endDate', problems),
      ]
    : [true];
  const span = days.every(Boolean) ? wallSpan(times) : undefined;
  const start = span && plainDateTime(span.start, startField, problems);
  const end = span && plainDateTime(span.end, endField, problems);
  if (start && end) {
    if (Temporal.PlainDateTime.compare(end, start) <= 0) {
      problems.push(problem(endField, 'end-before-start', `${endField} must be after ${startField}.`));
    } else if (start.until(end).total({ unit: 'days' }) > MAX_EVENT_DAYS) {
      problems.push(
        problem(endField, 'too-long', `An event lasts at most ${MAX_EVENT_DAYS} days; ${endField} is later.`),
      );
    }
  }
  const rruleProblem = fields.rrule === undefined ? undefined : validateRrule(fields.rrule);
  if (rruleProblem) problems.push(problem('/rrule', 'invalid-rrule', `/rrule: ${rruleProblem}`));
  return problems;
}

function plainDateTime(
  value: string,
  field: string,
  problems: FieldProblem[],
): Temporal.PlainDateTime | undefined {
  try {
    return Temporal.PlainDateTime.from(value, { overflow: 'reject' });
  } catch {
    problems.push(
      problem(field, 'impossible-date', `${field}: ${value.slice(0, 10)} is not a date on the calendar.`),
    );
    return undefined;
  }
}

const problem = (field: string, rule: string, message: string): FieldProblem => ({ field, rule, message });

interface Span {
  readonly startsAt: string;
  readonly endsAt: string;
  readonly startLocal: string;
  readonly endLocal: string;
}

/** One occurrence starting at wall time `startLocal`, lasting what the first one lasts on the wall clock. */
function spanAt(startLocal: string, times: EventTimes, timeZone: string): Span {
  const first = wallSpan(times);
  const length = Temporal.PlainDateTime.from(first.start).until(Temporal.PlainDateTime.from(first.end));
  const start = zonedWallTime(startLocal, timeZone);
  const end = zonedWallTime(
    start.toPlainDateTime().add(length).toString({ smallestUnit: 'minute' }),
    timeZone,
  );
  return {
    startsAt: iso(start),
    endsAt: iso(end),
    startLocal: start.toPlainDateTime().toString({ smallestUnit: 'minute' }),
    endLocal: end.toPlainDateTime().toString({ smallestUnit: 'minute' }),
  };
}

const iso = (zoned: Temporal.ZonedDateTime) => new Date(zoned.epochMilliseconds).toISOString();

/** The first occurrence's instants, and when a finite series ends (undefined: one-off; OPEN_END: never). */
export function placement(
  times: EventTimes,
  timeZone: string,
  rrule: string | undefined,
): { startsAt: string; endsAt: string; seriesEndsAt?: string } {
  const first = spanAt(wallSpan(times).start, times, timeZone);
  if (rrule === undefined) return { startsAt: first.startsAt, endsAt: first.endsAt };
  return { startsAt: first.startsAt, endsAt: first.endsAt, seriesEndsAt: seriesEnd(times, timeZone, rrule) };
}

/** When the last occurrence of a series ends (UNTIL, COUNT), or OPEN_END. */
function seriesEnd(times: EventTimes, timeZone: string, rrule: string): string {
  if (!seriesEnds(rrule)) return OPEN_END;
  const start = wallSpan(times).start;
  const firstEnd = spanAt(start, times, timeZone).endsAt;
  // The start is an occurrence even when the rule yields none after it.
  const last = lastOccurrence(rrule, start, timeZone);
  const lastEnd = last ? spanAt(last.dueLocal, times, timeZone).endsAt : firstEnd;
  return lastEnd > firstEnd ? lastEnd : firstEnd;
}

export interface OccurrenceSpan extends Span {
  readonly event: CalendarEvent;
}

/**
 * The occurrences of `event` that overlap [fromIso, toIso): for a series, the RRULE's occurrences whose end
 * is after `fromIso` and whose start is before `toIso`.
 */
export function occurrencesIn(event: CalendarEvent, fromIso: string, toIso: string): OccurrenceSpan[] {
  const from = Date.parse(fromIso);
  const to = Date.parse(toIso);
  const overlaps = (span: Span) => Date.parse(span.startsAt) < to && Date.parse(span.endsAt) > from;
  const wall = wallSpan(event);
  if (event.rrule === undefined) {
    // Stored as written and placed: no zone arithmetic on the hot path of a listing.
    const only = {
      startsAt: event.startsAt,
      endsAt: event.endsAt,
      startLocal: wall.start,
      endLocal: wall.end,
    };
    return overlaps(only) ? [{ ...only, event }] : [];
  }
  const startLocal = wall.start;
  const first = spanAt(startLocal, event, event.timeZone);
  // An occurrence starting up to one length (and a day of offset change) before `from` may still overlap it.
  const length = Date.parse(first.endsAt) - Date.parse(first.startsAt);
  const series = occurrencesBetween(
    event.rrule,
    startLocal,
    event.timeZone,
    new Date(from - length - DAY_MS).toISOString(),
    toIso,
  )
    .map((occurrence) => spanAt(occurrence.dueLocal, event, event.timeZone))
    .filter(overlaps);
  // The start is the first occurrence even when the rule would not produce it (RFC 5545), as for reminders.
  const withStart = overlaps(first) && series[0]?.startsAt !== first.startsAt ? [first, ...series] : series;
  return withStart.map((span) => ({ ...span, event }));
}

/** The range a GSI3 query must read to find every one-off event overlapping [from, to). */
export function oneOffKeyRange(fromIso: string, toIso: string): { low: string; high: string } {
  // MAX_EVENT_DAYS are wall-clock days: across a DST change they last up to an hour longer; a day covers it.
  const low = new Date(Date.parse(fromIso) - (MAX_EVENT_DAYS + 1) * DAY_MS).toISOString();
  return { low: `AT#${low}`, high: `AT#${toIso}` };
}

/** Series ending after `from`: GSI3SK from `SERIES#<from>` to the end of the SERIES# keys. */
export function seriesKeyRange(fromIso: string): { low: string; high: string } {
  return { low: `SERIES#${fromIso}`, high: 'SERIES$' };
}
