/**
 * Reads what follows "remind me" into a title and a local due time in the person's zone:
 * `to call mum tomorrow at 9`, `to stretch in 20 minutes`, `pay rent on 2026-12-01 at 8:30am`,
 * `stand-up every day at 9:15`, `to call dad on sunday at 6pm`. Times without a day mean the next time that
 * clock time comes round; a day without a time means 09:00.
 */
import type { Recurrence } from '../../events-schema/generated/types';
import { addDays, formatLocal, type LocalDateTime, localDateTime } from './local-time';

export type ParsedReminder =
  | { readonly ok: true; readonly title: string; readonly dueLocal: string; readonly recurrence?: Recurrence }
  | { readonly ok: false; readonly problem: string };

const RELATIVE = /\bin\s+(\d{1,4})\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d)\b/i;
const DAY =
  /\b(today|tomorrow|on\s+(\d{4})-(\d{2})-(\d{2})|on\s+(sun|mon|tues|wednes|thurs|fri|satur)day)\b/i;
const TIME = /\bat\s+(\d{1,2})(?:[:h.](\d{2}))?\s*(am|pm)?(?=\s|$|[^\w])/i;
const EVERY = /\b(?:every\s+(day|week|month|year)|(daily|weekly|monthly|yearly))\b/i;
const WEEKDAY_STEMS = ['sun', 'mon', 'tues', 'wednes', 'thurs', 'fri', 'satur'];
const FREQUENCY: Record<string, Recurrence['frequency']> = {
  day: 'daily',
  week: 'weekly',
  month: 'monthly',
  year: 'yearly',
  daily: 'daily',
  weekly: 'weekly',
  monthly: 'monthly',
  yearly: 'yearly',
};
const UNIT_MINUTES: Record<string, number> = { m: 1, h: 60, d: 1440 };
const MAX_TITLE = 500;

const EXAMPLES =
  'Try "remind me to call mum tomorrow at 9", "remind me to stretch in 20 minutes" or ' +
  '"remind me to pay rent on 2026-12-01 at 8:30am".';

export function parseReminder(request: string, nowMs: number, timeZone: string): ParsedReminder {
  let rest = ` ${request.trim()} `;
  const take = (pattern: RegExp): RegExpExecArray | null => {
    const match = pattern.exec(rest);
    if (match) rest = `${rest.slice(0, match.index)} ${rest.slice(match.index + match[0].length)}`;
    return match;
  };
  const relative = take(RELATIVE);
  const day = relative ? null : take(DAY);
  const time = relative ? null : take(TIME);
  const every = take(EVERY);
  const title = rest
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^to\s+/i, '')
    .trim();
  if (title === '') return { ok: false, problem: `What should I remind you of? ${EXAMPLES}` };
  if (title.length > MAX_TITLE)
    return { ok: false, problem: `That is too long: keep it under ${MAX_TITLE} characters.` };
  if (!relative && !day && !time) return { ok: false, problem: `When should I remind you? ${EXAMPLES}` };

  const now = localDateTime(nowMs, timeZone);
  let due: Omit<LocalDateTime, 'weekday'>;
  if (relative) {
    const amount = Number(relative[1]);
    const minutes = amount * (UNIT_MINUTES[(relative[2] ?? 'm').charAt(0).toLowerCase()] ?? 1);
    if (minutes < 1) return { ok: false, problem: 'Give me at least one minute.' };
    due = localDateTime(nowMs + minutes * 60_000, timeZone);
  } else {
    const clock = time ? clockOf(time) : { hour: 9, minute: 0 };
    if (!clock) return { ok: false, problem: `I could not read that time. ${EXAMPLES}` };
    const date = dateOf(day, now, clock);
    if (!date) return { ok: false, problem: 'There is no such date.' };
    due = { ...date, ...clock };
    if (formatLocal(due) <= formatLocal(now)) {
      if (day) return { ok: false, problem: 'That time has already passed.' };
      due = { ...addDays(due, 1), ...clock };
    }
  }
  const frequency = every ? FREQUENCY[(every[1] ?? every[2] ?? '').toLowerCase()] : undefined;
  return {
    ok: true,
    title,
    dueLocal: formatLocal(due),
    ...(frequency ? { recurrence: { frequency, interval: 1 } } : {}),
  };
}

function clockOf(match: RegExpExecArray): { hour: number; minute: number } | undefined {
  let hour = Number(match[1]);
  const minute = Number(match[2] ?? 0);
  const meridiem = match[3]?.toLowerCase();
  if (meridiem) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (meridiem === 'pm' ? 12 : 0);
  }
  return hour <= 23 && minute <= 59 ? { hour, minute } : undefined;
}

function dateOf(
  match: RegExpExecArray | null,
  now: LocalDateTime,
  clock: { hour: number; minute: number },
): { year: number; month: number; day: number } | undefined {
  const word = match?.[1]?.toLowerCase();
  if (!match || word === 'today') return now;
  if (word === 'tomorrow') return addDays(now, 1);
  if (match[2] !== undefined) {
    const date = { year: Number(match[2]), month: Number(match[3]), day: Number(match[4]) };
    const check = new Date(Date.UTC(date.year, date.month - 1, date.day));
    return check.getUTCMonth() + 1 === date.month && check.getUTCDate() === date.day ? date : undefined;
  }
  const weekday = WEEKDAY_STEMS.indexOf((match[5] ?? '').toLowerCase());
  let ahead = (weekday - now.weekday + 7) % 7;
  if (ahead === 0 && clock.hour * 60 + clock.minute <= now.hour * 60 + now.minute) ahead = 7;
  return addDays(now, ahead);
}
