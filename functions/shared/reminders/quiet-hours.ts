/**
 * Quiet hours: a daily range of wall times in the person's zone (`22:00`–`07:00`) during which a reminder
 * still arrives but should not ring. The range is judged on the zone's wall clock, so it follows daylight
 * saving: 07:00 is 07:00 there on either side of a change.
 */
import { Temporal } from './temporal';

export interface QuietHours {
  /** `HH:mm`, inclusive. */
  readonly start: string;
  /** `HH:mm`, exclusive; before `start` the range runs overnight, equal to it there is no quiet time. */
  readonly end: string;
}

/** The pattern the API accepts for quiet hours (events-schema/api/resources.json). */
const WALL_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** Quiet hours as stored on the profile, or undefined when absent or not of the shape the API writes. */
export function quietHoursOf(value: unknown): QuietHours | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { start, end } = value as Record<string, unknown>;
  return typeof start === 'string' && typeof end === 'string' && WALL_TIME.test(start) && WALL_TIME.test(end)
    ? { start, end }
    : undefined;
}

export function insideQuietHours(
  quietHours: QuietHours | undefined,
  timeZone: string,
  instantIso: string,
): boolean {
  if (!quietHours) return false;
  const start = minuteOfDay(quietHours.start);
  const end = minuteOfDay(quietHours.end);
  if (start === end) return false;
  const wall = Temporal.Instant.from(instantIso).toZonedDateTimeISO(timeZone);
  const at = wall.hour * 60 + wall.minute;
  return start < end ? start <= at && at < end : at >= start || at < end;
}

function minuteOfDay(wallTime: string): number {
  const [hours = 0, minutes = 0] = wallTime.split(':').map(Number);
  return hours * 60 + minutes;
}
