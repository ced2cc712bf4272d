/**
 * Wall times in a person's IANA zone and back. A reminder is asked for by wall time ("09:00 in Paris"), but
 * schedules fire at instants; these helpers are the one place the two meet, including the daylight-saving
 * edges: a wall time in a spring-forward gap moves forward by the gap, an ambiguous fall-back time takes the
 * earlier instant (Temporal's 'compatible' disambiguation).
 */
import { PATTERNS } from '../../../events-schema/generated/patterns';
import { Temporal } from './temporal';

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

export interface ResolvedWallTime {
  /** ISO-8601 UTC with milliseconds. */
  readonly dueAt: string;
  /** The wall time that actually happens in the zone, `YYYY-MM-DDTHH:mm`. */
  readonly dueLocal: string;
}

/**
 * The IANA spelling of a zone name typed in any letter case (`europe/paris` → `Europe/Paris`), as the
 * schemas accept it; undefined for an unknown name or one outside the schema pattern (`EST5EDT`, `+01:00`).
 * Temporal keeps the identifier given (`Asia/Kolkata` stays so, where Node 20's Intl says `Asia/Calcutta`).
 */
export function canonicalTimeZone(name: string): string | undefined {
  try {
    const id = new Temporal.ZonedDateTime(0n, name.trim()).timeZoneId;
    return PATTERNS.TimeZone.test(id) ? id : undefined;
  } catch {
    return undefined;
  }
}

/** Throws a RangeError for a malformed or impossible wall time (`2026-02-30T09:00`) or an unknown zone. */
export function zonedWallTime(dueLocal: string, timeZone: string): Temporal.ZonedDateTime {
  if (!LOCAL_DATE_TIME.test(dueLocal)) throw new RangeError(`Not a local date-time: ${dueLocal}`);
  return Temporal.PlainDateTime.from(dueLocal, { overflow: 'reject' }).toZonedDateTime(timeZone, {
    disambiguation: 'compatible',
  });
}

export function resolvedOf(zoned: Temporal.ZonedDateTime): ResolvedWallTime {
  return {
    dueAt: new Date(zoned.epochMilliseconds).toISOString(),
    dueLocal: zoned.toPlainDateTime().toString({ smallestUnit: 'minute' }),
  };
}

export function resolveWallTime(dueLocal: string, timeZone: string): ResolvedWallTime {
  return resolvedOf(zonedWallTime(dueLocal, timeZone));
}

export function wallTimeAt(instantIso: string, timeZone: string): string {
  return zonedAt(instantIso, timeZone).toPlainDateTime().toString({ smallestUnit: 'minute' });
}

/** `Fri 5 Dec 09:00`, with the year (`Fri 5 Dec 2027 09:00`) when it is not the year of `nowIso` there. */
export function describeInZone(instantIso: string, timeZone: string, nowIso?: string): string {
  const zoned = zonedAt(instantIso, timeZone);
  const year = nowIso && zonedAt(nowIso, timeZone).year !== zoned.year ? ` ${zoned.year}` : '';
  return `${WEEKDAYS[zoned.dayOfWeek - 1]} ${describeDate(zoned)}${year} ${zoned.toPlainTime().toString({ smallestUnit: 'minute' })}`;
}

/**
 * When something starts, seen from `fromIso`: `at 10:00` on the same day there, else `on Thu 3 Dec at 10:00`
 * (with the year when it is not that of `fromIso`).
 */
export function describeStart(instantIso: string, timeZone: string, fromIso: string): string {
  const zoned = zonedAt(instantIso, timeZone);
  const from = zonedAt(fromIso, timeZone);
  const at = `at ${zoned.toPlainTime().toString({ smallestUnit: 'minute' })}`;
  if (Temporal.PlainDate.compare(zoned.toPlainDate(), from.toPlainDate()) === 0) return at;
  const year = from.year !== zoned.year ? ` ${zoned.year}` : '';
  return `on ${WEEKDAYS[zoned.dayOfWeek - 1]} ${describeDate(zoned)}${year} ${at}`;
}

/** `5 Dec`, the way people write a date (and the parser reads it back). */
export function describeDate(date: { readonly day: number; readonly month: number }): string {
  return `${date.day} ${MONTHS[date.month - 1]}`;
}

function zonedAt(instantIso: string, timeZone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.from(instantIso).toZonedDateTimeISO(timeZone);
}
