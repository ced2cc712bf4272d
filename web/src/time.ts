/** Dates as the API writes them: wall times (LocalDateTime) and dates read in a named zone. */
import { DateTime } from 'luxon';

const WALL = "yyyy-LL-dd'T'HH:mm";

/** The wall time of an instant in a zone, e.g. 2026-11-23T09:00. */
export function wallTime(instant: Date, zone: string): string {
  return DateTime.fromJSDate(instant).setZone(zone).toFormat(WALL);
}

/** A date (YYYY-MM-DD) moved by whole days on the calendar. */
export function addDays(date: string, days: number): string {
  return DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate() ?? date;
}

/** A wall time moved by minutes, staying a wall time (no zone arithmetic: the form's own clock). */
export function addMinutes(wall: string, minutes: number): string {
  return DateTime.fromISO(wall, { zone: 'UTC' }).plus({ minutes }).toFormat(WALL);
}

/** The next whole hour from now in a zone, for a new event's default start. */
export function nextWholeHour(zone: string): string {
  return DateTime.now().setZone(zone).startOf('hour').plus({ hours: 1 }).toFormat(WALL);
}

export function today(zone: string): string {
  return DateTime.now().setZone(zone).toISODate() ?? '';
}

/** "Mon, 23 Nov 2026, 09:00" for a wall time read in its zone. */
export function formatWall(wall: string): string {
  const parsed = DateTime.fromISO(wall);
  return parsed.isValid
    ? parsed.toLocaleString({
        weekday: 'short',
        day: 'numeric',
        month: 'short',
        year: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      })
    : wall;
}

/** An instant as a wall time in a zone, for people who live there. */
export function formatInstant(iso: string, zone?: string): string {
  const parsed = DateTime.fromISO(iso, zone ? { zone } : {});
  return parsed.isValid ? formatWall(parsed.toFormat(WALL)) : iso;
}

let zoneList: readonly string[] | undefined;

/** The IANA zones this browser knows, UTC included (some engines leave it out of the list). */
export function timeZones(): readonly string[] {
  zoneList ??= [...new Set(['UTC', ...Intl.supportedValuesOf('timeZone')])].sort();
  return zoneList;
}

/** Whether a zone name is one the API can read: a known one, or one luxon resolves. */
export function isTimeZone(zone: string): boolean {
  return timeZones().includes(zone) || DateTime.now().setZone(zone).isValid;
}
