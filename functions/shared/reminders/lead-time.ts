/**
 * Lead times: a reminder that fires some time before each occurrence, as a calendar event's "15 minutes
 * before" or "1 day before". A lead time is an ISO-8601 duration of weeks, days, hours and minutes (the
 * LeadTime pattern of events-schema/definitions.json). It is subtracted from the occurrence in the reminder's
 * zone the way Temporal does it: weeks and days on the calendar, hours and minutes as elapsed time, so P1D
 * before 09:00 is 09:00 the day before even across a DST change. No lead time is lead time zero.
 */
import { Temporal } from './temporal';

export const MAX_LEAD_DAYS = 28;

export interface LeadTime {
  readonly weeks: number;
  readonly days: number;
  readonly hours: number;
  readonly minutes: number;
}

export type LeadTimeParse =
  | { readonly ok: true; readonly lead: LeadTime }
  | { readonly ok: false; readonly problem: string };

export const NO_LEAD: LeadTime = { weeks: 0, days: 0, hours: 0, minutes: 0 };

// All parts optional here; the bare `P`, `PT` and a trailing `T` are refused separately.
const LEAD_TIME = /^P(?:(\d{1,5})W)?(?:(\d{1,5})D)?(?:T(?:(\d{1,5})H)?(?:(\d{1,5})M)?)?$/;
const MINUTES_PER_DAY = 24 * 60;

/** Reads a LeadTime; undefined (no lead time) is lead time zero. The problem is a sentence fragment. */
export function parseLeadTime(text: string | undefined): LeadTimeParse {
  if (text === undefined) return { ok: true, lead: NO_LEAD };
  const lead = leadTimeParts(text);
  if (!lead) {
    return {
      ok: false,
      problem: `“${text}” is not a lead time (write it like PT15M, PT1H30M, P1D or P1W)`,
    };
  }
  // Days counted as 24 hours: the limit is about how far ahead, not about DST.
  if (nominalMinutes(lead) > MAX_LEAD_DAYS * MINUTES_PER_DAY) {
    return {
      ok: false,
      problem: `a reminder can come at most ${MAX_LEAD_DAYS} days before, not ${describeLeadTime(lead)}`,
    };
  }
  return { ok: true, lead };
}

/** The parts of a duration written as a LeadTime, whatever its length; undefined when it is not one. */
export function leadTimeParts(text: string): LeadTime | undefined {
  const match = LEAD_TIME.exec(text);
  if (!match || text === 'P' || text.endsWith('T')) return undefined;
  const [, weeks = '0', days = '0', hours = '0', minutes = '0'] = match;
  return { weeks: Number(weeks), days: Number(days), hours: Number(hours), minutes: Number(minutes) };
}

/** The lead time of a stored reminder (validated when it was created); throws a RangeError if it is not one. */
export function leadTimeOf(text: string | undefined): LeadTime {
  const parsed = parseLeadTime(text);
  if (!parsed.ok) throw new RangeError(`Invalid lead time: ${parsed.problem}`);
  return parsed.lead;
}

export const isNoLead = (lead: LeadTime): boolean => nominalMinutes(lead) === 0;

/** When a reminder for `occurrenceIso` fires: the occurrence in `timeZone`, minus the lead time (ISO UTC). */
export function fireInstant(occurrenceIso: string, timeZone: string, lead: LeadTime): string {
  const fire = Temporal.Instant.from(occurrenceIso).toZonedDateTimeISO(timeZone).subtract(lead);
  return new Date(fire.epochMilliseconds).toISOString();
}

/** `15 min`, `1 h 30 min`, `1 day`, `2 weeks 1 day`, for replies. */
export function describeLeadTime(lead: LeadTime): string {
  return (
    describeParts([
      [lead.weeks, 'week', 'weeks'],
      [lead.days, 'day', 'days'],
      [lead.hours, 'h', 'h'],
      [lead.minutes, 'min', 'min'],
    ]) || '0 min'
  );
}

/**
 * How long from `fromIso` until `toIso` on the zone's calendar, to the nearest minute: `15 minutes`,
 * `1 hour 30 minutes`, `1 day` (a day across a DST change is still one). `now` when under half a minute;
 * a span that has gone by reads the same, the caller says "ago".
 */
export function describeSpan(fromIso: string, toIso: string, timeZone: string): string {
  const from = Temporal.Instant.from(fromIso).toZonedDateTimeISO(timeZone);
  const to = Temporal.Instant.from(toIso).toZonedDateTimeISO(timeZone);
  const span = from
    .until(to, { largestUnit: 'day', smallestUnit: 'minute', roundingMode: 'halfExpand' })
    .abs();
  return (
    describeParts([
      [Math.floor(span.days / 7), 'week', 'weeks'],
      [span.days % 7, 'day', 'days'],
      [span.hours, 'hour', 'hours'],
      [span.minutes, 'minute', 'minutes'],
    ]) || 'now'
  );
}

function describeParts(parts: readonly (readonly [number, string, string])[]): string {
  return parts
    .filter(([count]) => count > 0)
    .map(([count, one, many]) => `${count} ${count === 1 ? one : many}`)
    .join(' ');
}

function nominalMinutes(lead: LeadTime): number {
  return ((lead.weeks * 7 + lead.days) * 24 + lead.hours) * 60 + lead.minutes;
}
