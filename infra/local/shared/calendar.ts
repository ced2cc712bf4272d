/**
 * Calendar checks shared by the timestamp readers (Scheduler at(), Step Functions Wait and Choice): each has
 * its own syntax and zone rule, but a date-time they read must name a real day and time of day.
 */

/** A date and time of day with no zone, as the six numbers written in an ISO-8601 date-time. */
export interface WallClock {
  readonly year: number;
  /** 1-12 */
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The six digit groups `yyyy mm dd hh mm ss` of a matched date-time, as numbers. */
export function wallClockFrom(groups: readonly (string | undefined)[]): WallClock {
  const [year, month, day, hour, minute, second] = Array.from({ length: 6 }, (_, index) =>
    Number(groups[index]),
  ) as [number, number, number, number, number, number];
  return { year, month, day, hour, minute, second };
}

export function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/** Why `wall` names no real date and time (month 13, 31 April, 24:00), or undefined when it does. */
export function calendarProblem({ year, month, day, hour, minute, second }: WallClock): string | undefined {
  if (month < 1 || month > 12) return `Month ${month} does not exist.`;
  if (day < 1 || day > daysInMonth(year, month)) return `Day ${day} does not exist in ${year}-${pad(month)}.`;
  if (hour > 23 || minute > 59 || second > 59) {
    return `Time ${pad(hour)}:${pad(minute)}:${pad(second)} does not exist.`;
  }
  return undefined;
}

const pad = (value: number): string => String(value).padStart(2, '0');
