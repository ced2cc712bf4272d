/**
 * ISO-8601 extended offset date-times, the only timestamp form Step Functions accepts (Wait, Choice):
 * a `T` separator and a `Z` or `±hh:mm` offset are required. Also the formatter of the times states record.
 */
import { calendarProblem, wallClockFrom } from '../../shared/calendar';

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Epoch milliseconds (fractions kept, so sub-millisecond digits still compare), or undefined. */
export function parseTimestamp(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const match = TIMESTAMP.exec(text);
  if (!match) return undefined;
  const [fraction = '', zone = 'Z'] = match.slice(7);
  const wall = wallClockFrom(match.slice(1, 7));
  if (calendarProblem(wall)) return undefined;
  const base = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  let offsetMinutes = 0;
  if (zone !== 'Z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    offsetMinutes = sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6)));
  }
  return base + (fraction ? Number(`0${fraction}`) * 1000 : 0) - offsetMinutes * 60_000;
}

/** ISO text of epoch milliseconds; many states are entered within the same millisecond, so the last is kept. */
export function isoFormatter(): (epochMs: number) => string {
  let lastMs = Number.NaN;
  let lastText = '';
  return (epochMs) => {
    if (epochMs !== lastMs) {
      lastMs = epochMs;
      lastText = new Date(epochMs).toISOString();
    }
    return lastText;
  };
}
