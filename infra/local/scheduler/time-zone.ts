/**
 * Wall-clock arithmetic in IANA time zones through Intl, with no time-zone database of our own.
 * A wall-clock time maps to zero instants (skipped by a spring-forward), one, or two (repeated at fall-back).
 */
import type { WallClock } from '../shared/calendar';

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when Intl knows the zone (IANA names such as Europe/Paris, plus UTC). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

const isUtc = (timeZone: string): boolean => timeZone === 'UTC' || timeZone === 'Etc/UTC';

export function wallClockAt(instant: number, timeZone: string): WallClock {
  return isUtc(timeZone) ? utcWallClock(instant) : utcWallClock(instant + offsetAt(instant, timeZone));
}

/** The wall clock as Intl formats it: the slow path, behind the offset cache. */
function formattedWallClock(instant: number, timeZone: string): WallClock {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? 0,
    month: fields.month ?? 1,
    day: fields.day ?? 1,
    hour: fields.hour ?? 0,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

function utcWallClock(instant: number): WallClock {
  const date = new Date(instant);
  return {
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
    hour: date.getUTCHours(),
    minute: date.getUTCMinutes(),
    second: date.getUTCSeconds(),
  };
}

/** The wall clock read as if it were UTC, in epoch ms: handy for comparing and offsetting wall times. */
export function wallClockAsUtc(wall: WallClock): number {
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
}

/**
 * Offsets by zone and quarter hour. Since the 1970s, zones change offset only at quarter-hour instants (offsets
 * are whole quarter hours and transitions happen at whole local quarter hours), so one Intl lookup serves a
 * whole quarter; Intl formatting is by far the slowest step of evaluating a cron expression.
 */
const QUARTER_HOUR_MS = 900_000;
const MAX_CACHED_QUARTERS = 200_000;
const offsetCache = new Map<string, Map<number, number>>();

/** Offset (local minus UTC, in ms) in force at `instant`. */
function offsetAt(instant: number, timeZone: string): number {
  const quarter = Math.floor(instant / QUARTER_HOUR_MS);
  let zone = offsetCache.get(timeZone);
  if (!zone) {
    zone = new Map();
    offsetCache.set(timeZone, zone);
  }
  let offset = zone.get(quarter);
  if (offset === undefined) {
    const start = quarter * QUARTER_HOUR_MS;
    offset = wallClockAsUtc(formattedWallClock(start, timeZone)) - start;
    if (zone.size >= MAX_CACHED_QUARTERS) zone.clear();
    zone.set(quarter, offset);
  }
  return offset;
}

const DAY_MS = 86_400_000;

/**
 * Every instant whose wall clock in `timeZone` reads `wall`, earliest first: none inside a spring-forward gap,
 * two inside a fall-back overlap.
 */
export function instantsAt(wall: WallClock, timeZone: string): number[] {
  const local = wallClockAsUtc(wall);
  if (isUtc(timeZone)) return [local];
  // No zone changes its offset twice within two days, so the offsets a day either side cover every reading.
  const offsets = new Set([offsetAt(local - DAY_MS, timeZone), offsetAt(local + DAY_MS, timeZone)]);
  const instants: number[] = [];
  for (const offset of offsets) {
    const candidate = local - offset;
    if (offsetAt(candidate, timeZone) === offset) instants.push(candidate);
  }
  return instants.sort((a, b) => a - b);
}

/** 1 = Sunday ... 7 = Saturday, as AWS cron numbers the days of the week. */
export function dayOfWeek(year: number, month: number, day: number): number {
  return new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 1;
}
