/**
 * The one reader of reminder phrases, for the chat ("remind me to call mum tomorrow at 9") and the REST API
 * (its `when`). chrono-node finds the date/time phrase and its stated parts; everything computed from them
 * (which day "sunday" is, whether a time has passed, the instant of a wall time) is done here with Temporal in
 * the person's zone, because chrono computes in the machine's zone. Repeats ("every weekday", "on the 1st of
 * every month", "until march") are read here into an RRULE. A refusal names the problem and offers fixes as
 * complete commands that read back.
 */
import { parse as chronoParse, type ParsedResult } from 'chrono-node';
import { nextOccurrence, ordinal, untilEndOf } from './recurrence';
import { Temporal } from './temporal';
import { describeDate, describeInZone, resolvedOf } from './zoned';

/** A Messenger quick reply: title ≤ 20 characters; payload a complete command text the chat can re-parse. */
export interface Suggestion {
  readonly title: string;
  readonly payload: string;
}
export type ParsedWhen =
  | {
      readonly ok: true;
      readonly dueAt: string;
      readonly dueLocal: string;
      readonly anchor: 'wall' | 'instant';
      readonly rrule?: string;
    }
  | { readonly ok: false; readonly problem: string; readonly suggestions: readonly Suggestion[] };
export type ParsedReminder =
  | (ParsedWhen & { readonly ok: true; readonly title: string })
  | (ParsedWhen & { readonly ok: false });

export const MAX_TITLE_LENGTH = 200;

type Due = Extract<ParsedWhen, { ok: true }>;
/** A fix for a refused phrase: `from` replaced by `to` (appended when `from` is empty). */
interface Fix {
  readonly title: string;
  readonly from: string;
  readonly to: string;
}
interface Refusal {
  readonly ok: false;
  readonly problem: string;
  readonly fixes: readonly Fix[];
}
interface Reading {
  /** The text with the time phrase taken out. */
  readonly rest: string;
  /** Undefined when the text has no time phrase at all. */
  readonly when?: Due | Refusal;
}
interface Repeat {
  readonly freq: 'DAILY' | 'WEEKLY' | 'MONTHLY' | 'YEARLY';
  readonly interval: number;
  readonly byDay: readonly string[];
  readonly byMonthDay?: number;
}
type Clock = { readonly hour: number; readonly minute: number };

const DEFAULT_CLOCK: Clock = { hour: 9, minute: 0 };
const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];
const MONTH =
  '(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\\.?';
const DAY_OF_MONTH = '(\\d{1,2})(?:st|nd|rd|th)?';
const DAY_NAME =
  '(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tues?|wed|thu(?:rs?)?|fri|sat|sun)s?';
const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const REPEAT_UNITS: Record<string, Repeat['freq']> = {
  day: 'DAILY',
  daily: 'DAILY',
  week: 'WEEKLY',
  weekly: 'WEEKLY',
  fortnight: 'WEEKLY',
  fortnightly: 'WEEKLY',
  month: 'MONTHLY',
  monthly: 'MONTHLY',
  year: 'YEARLY',
  yearly: 'YEARLY',
  annually: 'YEARLY',
};
const NUMBER_WORDS: Record<string, number> = {
  a: 1,
  an: 1,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  'half a': 0.5,
  'half an': 0.5,
};
const DURATION =
  /(\d+(?:\.\d+)?|half an?|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve)\s*(seconds?|secs?|minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)\b/g;
const UNIT_MINUTES: Record<string, number> = { s: 1 / 60, m: 1, h: 60, d: 1440, w: 10_080 };
/** Chrono's words for a part of the day, whose hour it implies ("tonight" 22:00); a morning means 09:00. */
const PART_OF_DAY_TAGS = ['casualReference/afternoon', 'casualReference/evening', 'casualReference/tonight'];
const ORDINALS = ['first', 'second', 'third', 'fourth', '1st', '2nd', '3rd', '4th'];
const TITLE_EXAMPLES = ['call mum', 'take a break', 'drink water'];

/** Requests (what follows "remind me") that show each kind of phrase; the dated one is five days ahead. */
function examples(now: Temporal.ZonedDateTime): Array<{ readonly title: string; readonly text: string }> {
  return [
    { title: 'Call mum', text: 'to call mum tomorrow at 9' },
    {
      title: 'Pay rent',
      text: `to pay rent on ${describeDate(now.toPlainDate().add({ days: 5 }))} at 8:30am`,
    },
    { title: 'Water plants', text: 'to water plants every weekday at 8' },
  ];
}

export function parseReminder(request: string, nowMs: number, timeZone: string): ParsedReminder {
  return readReminder(request, nowMs, timeZone, true);
}

export function parseWhen(phrase: string, nowMs: number, timeZone: string): ParsedWhen {
  return readWhenPhrase(phrase, nowMs, timeZone, true);
}

/** Example commands for help: in the future from `nowMs` (the date one is five days ahead), each reads back. */
export function helpExamples(nowMs: number, timeZone: string): string[] {
  return examples(zonedNow(nowMs, timeZone)).map(({ text }) => `remind me ${text}`);
}

function readReminder(request: string, nowMs: number, timeZone: string, checkFixes: boolean): ParsedReminder {
  const now = zonedNow(nowMs, timeZone);
  const { rest, when } = read(request, now);
  const title = rest
    .replace(/\s+/g, ' ')
    .replace(/^[\s,;:-]*(?:to\s+)?/i, '')
    .replace(/[\s,;:-]+$/, '');
  const command = (text: string) => `remind me ${text}`;
  const readsBack = (text: string) => !checkFixes || readReminder(text, nowMs, timeZone, false).ok;
  if (title === '') {
    const phrase = request.trim().replace(/^to\s+/i, '');
    const texts = when?.ok
      ? TITLE_EXAMPLES.map((example) => ({ title: capitalized(example), text: `to ${example} ${phrase}` }))
      : examples(now);
    return {
      ok: false,
      problem:
        'What should I remind you of? Say it before the time, e.g. remind me to call mum tomorrow at 9.',
      suggestions: texts
        .filter(({ text }) => readsBack(text))
        .map(({ title, text }) => ({ title, payload: command(text) })),
    };
  }
  if (title.length > MAX_TITLE_LENGTH) {
    return {
      ok: false,
      problem: `That is too long: keep it under ${MAX_TITLE_LENGTH} characters.`,
      suggestions: [],
    };
  }
  const outcome = when ?? missingWhen();
  if (outcome.ok) return { ...outcome, title };
  return {
    ok: false,
    problem: outcome.problem,
    suggestions: suggestionsFor(outcome.fixes, request, readsBack, command),
  };
}

function readWhenPhrase(phrase: string, nowMs: number, timeZone: string, checkFixes: boolean): ParsedWhen {
  const { rest, when } = read(phrase, zonedNow(nowMs, timeZone));
  const outcome = when ?? missingWhen();
  const leftover = rest.replace(/\s+/g, ' ').trim();
  if (outcome.ok && leftover !== '') {
    return { ok: false, problem: `I could not read “${leftover}” as part of a time.`, suggestions: [] };
  }
  if (outcome.ok) return outcome;
  const readsBack = (text: string) => !checkFixes || readWhenPhrase(text, nowMs, timeZone, false).ok;
  return {
    ok: false,
    problem: outcome.problem,
    suggestions: suggestionsFor(outcome.fixes, phrase, readsBack, (text) => text),
  };
}

function suggestionsFor(
  fixes: readonly Fix[],
  text: string,
  readsBack: (text: string) => boolean,
  payloadOf: (text: string) => string,
): Suggestion[] {
  return fixes
    .map((fix) => ({
      title: fix.title,
      text: (fix.from === '' ? `${text.trim()}${fix.to}` : text.replace(fix.from, fix.to)).trim(),
    }))
    .filter(({ text: fixed }) => fixed !== text.trim() && readsBack(fixed))
    .map(({ title, text: fixed }) => ({ title, payload: payloadOf(fixed) }));
}

const missingWhen = (): Refusal => ({
  ok: false,
  problem: 'When should I remind you? Add a time, e.g. tomorrow at 9, in 1 hour or every day at 8.',
  fixes: [
    { title: 'Tomorrow 09:00', from: '', to: ' tomorrow at 9:00' },
    { title: 'In 1 hour', from: '', to: ' in 1 hour' },
    { title: 'Every day 09:00', from: '', to: ' every day at 9:00' },
  ],
});

/** Takes the repeat, then the date/time phrase, out of the text, and reads them. */
function read(text: string, now: Temporal.ZonedDateTime): Reading {
  let rest = ` ${text} `;
  const take = (pattern: RegExp): RegExpExecArray | null => {
    const match = pattern.exec(rest);
    if (match) rest = `${rest.slice(0, match.index)} ${rest.slice(match.index + match[0].length)}`;
    return match;
  };
  const repeat = takeRepeat(take);
  if (typeof repeat === 'string') return { rest, when: refusal(repeat) };
  const untilWord = repeat ? /\buntil\s+/i.exec(rest) : null;
  let until: string | undefined;
  if (untilWord) {
    const after = rest.slice(untilWord.index + untilWord[0].length);
    const [end] = chronoParse(after, reference(now));
    if (end?.index !== 0) {
      return {
        rest,
        when: refusal('I could not read the date after “until”, e.g. every day at 9 until 1 March.'),
      };
    }
    const endDate = dateOf(end, { hour: 23, minute: 59 }, now);
    if (typeof endDate === 'string') return { rest, when: refusal(endDate) };
    until = untilEndOf(endDate.toString(), now.timeZoneId);
    rest = `${rest.slice(0, untilWord.index)} ${after.slice(end.text.length)}`;
  }

  const invalid = invalidClock(rest) ?? invalidDate(rest, now);
  if (invalid) return { rest, when: invalid };

  const [found] = chronoParse(rest, reference(now));
  if (!found) return { rest, when: repeat ? repeating(repeat, undefined, until, now) : undefined };
  const before = rest.slice(0, found.index);
  const preposition = /\b(?:on|at|by|for|from|starting)\s+$/i.exec(before)?.[0] ?? '';
  const phrase = `${preposition}${found.text}`;
  rest = `${before.slice(0, before.length - preposition.length)} ${rest.slice(found.index + found.text.length)}`;
  return { rest, when: repeat ? repeating(repeat, found, until, now) : once(found, phrase, now) };
}

/** Takes the first match of `pattern` out of the text being read. */
type Take = (pattern: RegExp) => RegExpExecArray | null;
/** One way of saying a repeat: the repeat, a refusal's problem, or undefined when the text does not say it. */
type RepeatReader = (take: Take) => Repeat | string | undefined;

/** The repeat the text states, if any; a string is the problem with it. The first reader to match wins. */
function takeRepeat(take: Take): Repeat | string | undefined {
  const repeat = firstRepeat(take);
  if (typeof repeat !== 'object') return repeat;
  const complete = repeat.freq === 'MONTHLY' ? withMonthDay(repeat, take) : repeat;
  if (complete.byMonthDay !== undefined && (complete.byMonthDay < 1 || complete.byMonthDay > 31)) {
    return `A month has no ${ordinal(complete.byMonthDay)} day.`;
  }
  return complete;
}

function firstRepeat(take: Take): Repeat | string | undefined {
  for (const read of REPEAT_READERS) {
    const repeat = read(take);
    if (repeat !== undefined) return repeat;
  }
  return undefined;
}

/** "every month on the 15th": a monthly repeat without its day may name it separately. */
function withMonthDay(repeat: Repeat, take: Take): Repeat {
  if (repeat.byMonthDay !== undefined) return repeat;
  const onDay = take(/\b(?:on\s+)?the\s+(\d{1,2})(?:st|nd|rd|th)\b/i);
  return onDay ? { ...repeat, byMonthDay: Number(onDay[1]) } : repeat;
}

/** "every weekday", "on weekdays". */
const weekdaysRepeat: RepeatReader = (take) =>
  take(/\b(?:(?:every|each|on)\s+(?:weekday|workday|working day|business day)s?|on\s+weekdays)\b/i)
    ? { freq: 'WEEKLY', interval: 1, byDay: WEEKDAY_CODES.slice(0, 5) }
    : undefined;

/** "every second tuesday of the month". */
const nthWeekdayRepeat: RepeatReader = (take) => {
  const nthDay = take(
    new RegExp(
      `\\b(?:on\\s+)?(?:every|each|the)\\s+(first|second|third|fourth|last|[1-4](?:st|nd|rd|th))\\s+(${DAY_NAME})\\s+of\\s+(?:every|each|the)\\s+month\\b`,
      'i',
    ),
  );
  if (!nthDay) return undefined;
  const position = (nthDay[1] ?? '').toLowerCase();
  const code = `${position === 'last' ? -1 : (ORDINALS.indexOf(position) % 4) + 1}${(nthDay[2] ?? '').slice(0, 2).toUpperCase()}`;
  return { freq: 'MONTHLY', interval: 1, byDay: [code] };
};

/** "on the 1st of every month". */
const monthDayRepeat: RepeatReader = (take) => {
  const monthDay = take(
    new RegExp(
      `\\b(?:on\\s+)?the\\s+${DAY_OF_MONTH}(?:\\s+day)?\\s+of\\s+(?:every|each|the)\\s+month\\b`,
      'i',
    ),
  );
  return monthDay ? { freq: 'MONTHLY', interval: 1, byDay: [], byMonthDay: Number(monthDay[1]) } : undefined;
};

/** "every monday and thursday". */
const namedDaysRepeat: RepeatReader = (take) => {
  const days = take(
    new RegExp(`\\b(?:every|each)\\s+(${DAY_NAME}(?:\\s*(?:,|and|&)\\s*${DAY_NAME})*)\\b`, 'i'),
  );
  if (!days) return undefined;
  const byDay = [...new Set((days[1] ?? '').toLowerCase().match(new RegExp(DAY_NAME, 'g')) ?? [])].map(
    (name) => name.slice(0, 2).toUpperCase(),
  );
  return { freq: 'WEEKLY', interval: 1, byDay: WEEKDAY_CODES.filter((code) => byDay.includes(code)) };
};

/** "every 2 weeks", "every other day", "monthly". */
const unitRepeat: RepeatReader = (take) => {
  const every = take(/\b(?:every|each)\s+(?:(other|\d{1,3})\s+)?(day|week|fortnight|month|year)s?\b/i);
  const adverb = every ? null : take(/\b(daily|weekly|fortnightly|monthly|yearly|annually)\b/i);
  const unit = (every?.[2] ?? adverb?.[1] ?? '').toLowerCase();
  if (unit === '') return undefined;
  const count = every?.[1]?.toLowerCase() === 'other' ? 2 : Number(every?.[1] ?? 1);
  if (count < 1) return 'Repeat at least every 1 day, week, month or year.';
  const freq = REPEAT_UNITS[unit] ?? 'YEARLY';
  return { freq, interval: unit.startsWith('fortnight') ? count * 2 : count, byDay: [] };
};

const REPEAT_READERS: readonly RepeatReader[] = [
  weekdaysRepeat,
  nthWeekdayRepeat,
  monthDayRepeat,
  namedDaysRepeat,
  unitRepeat,
];

/** A one-off reminder: an instant from now ("in 20 minutes") or a wall time in the zone. */
function once(found: ParsedResult, phrase: string, now: Temporal.ZonedDateTime): Due | Refusal {
  if (found.tags().has('result/relativeDateAndTime')) {
    const minutes = durationMinutes(found.text);
    if (minutes === undefined) return refusal(`I could not read “${found.text}” as a length of time.`);
    return fromNow(now.add({ minutes: Math.floor(minutes), seconds: Math.round((minutes % 1) * 60) }), now);
  }
  const clock = clockOf(found);
  if (!clock && found.tags().has('result/relativeDate')) {
    const date = dateOf(found, now, now);
    return typeof date === 'string'
      ? refusal(date)
      : fromNow(now.with({ year: date.year, month: date.month, day: date.day }), now);
  }
  const time = clock ?? DEFAULT_CLOCK;
  const date = dateOf(found, time, now);
  if (typeof date === 'string') return refusal(date);
  const zoned = atWallTime(date, time, now);
  if (Temporal.ZonedDateTime.compare(zoned, now) > 0)
    return { ok: true, ...resolvedOf(zoned), anchor: 'wall' };
  const at = `${pad(time.hour)}:${pad(time.minute)}`;
  const today = Temporal.PlainDate.compare(date, now.toPlainDate()) === 0;
  const nextYear = today ? undefined : nextYearOf(date, time, now);
  return refusal(
    `${describeInZone(resolvedOf(zoned).dueAt, now.timeZoneId, resolvedOf(now).dueAt)} has already passed.`,
    [
      ...(today ? [{ title: `Tomorrow ${at}`, from: phrase, to: `tomorrow at ${at}` }] : []),
      ...(nextYear
        ? [
            {
              title: `${describeDate(nextYear)} ${nextYear.year}`,
              from: phrase,
              to: `on ${describeDate(nextYear)} ${nextYear.year} at ${at}`,
            },
          ]
        : []),
      { title: 'In 1 hour', from: phrase, to: 'in 1 hour' },
    ],
  );
}

/** A repeating reminder: its rule, and its first occurrence after now. */
function repeating(
  repeat: Repeat,
  found: ParsedResult | undefined,
  until: string | undefined,
  now: Temporal.ZonedDateTime,
): Due | Refusal {
  const clock = (found && clockOf(found)) ?? DEFAULT_CLOCK;
  const start = found ? dateOf(found, clock, now) : now.toPlainDate();
  if (typeof start === 'string') return refusal(start);
  const weekday = found?.start.isCertain('weekday')
    ? WEEKDAY_CODES[((found.start.get('weekday') ?? 1) + 6) % 7]
    : undefined;
  const dated = found?.start.isCertain('day') && found.start.isCertain('month');
  const byDay = repeat.byDay.length === 0 && repeat.freq === 'WEEKLY' && weekday ? [weekday] : repeat.byDay;
  const byMonthDay =
    repeat.byMonthDay ??
    (dated && (repeat.freq === 'MONTHLY' || repeat.freq === 'YEARLY') ? start.day : undefined);
  const byMonth = dated && repeat.freq === 'YEARLY' ? start.month : undefined;
  const parts = (interval: number) =>
    [
      `FREQ=${repeat.freq}`,
      interval > 1 ? `INTERVAL=${interval}` : '',
      byDay.length > 0 ? `BYDAY=${byDay.join(',')}` : '',
      byMonth !== undefined ? `BYMONTH=${byMonth}` : '',
      byMonthDay !== undefined ? `BYMONTHDAY=${byMonthDay}` : '',
      until ? `UNTIL=${until}` : '',
    ]
      .filter((part) => part !== '')
      .join(';');
  // The first occurrence is the first match from the start, whatever the interval; the series counts from it.
  const startLocal = start.toPlainDateTime(clock).toString({ smallestUnit: 'minute' });
  const first = nextOccurrence(parts(1), startLocal, now.timeZoneId, resolvedOf(now).dueAt);
  if (!first) return refusal('That repeat ends before its first reminder: give a later end date.');
  return {
    ok: true,
    dueAt: first.dueAt,
    dueLocal: first.dueLocal,
    anchor: 'wall',
    rrule: parts(repeat.interval),
  };
}

/** The stated clock time, or the hour a part of the day implies; undefined when none is stated. */
function clockOf(found: ParsedResult): Clock | undefined {
  const stated = found.start.isCertain('hour');
  if (!stated && !PART_OF_DAY_TAGS.some((tag) => found.tags().has(tag))) return undefined;
  return {
    hour: found.start.get('hour') ?? DEFAULT_CLOCK.hour,
    minute: stated ? (found.start.get('minute') ?? 0) : 0,
  };
}

/**
 * The day a phrase means in the zone: a stated date (without a year, the next time it comes round), the
 * coming weekday ("next" skips today), the 1st of a month, or for a bare time today if it is still to come,
 * else tomorrow.
 */
function dateOf(found: ParsedResult, clock: Clock, now: Temporal.ZonedDateTime): Temporal.PlainDate | string {
  const known = (component: 'year' | 'month' | 'day') =>
    found.start.isCertain(component) ? (found.start.get(component) ?? undefined) : undefined;
  const today = now.toPlainDate();
  const stillToday = clock.hour * 60 + clock.minute > now.hour * 60 + now.minute;
  const month = known('month');
  if (month !== undefined) {
    const day = known('day') ?? 1;
    const thisYear = month * 100 + day >= today.month * 100 + today.day ? today.year : today.year + 1;
    const year = known('year') ?? thisYear;
    try {
      return Temporal.PlainDate.from({ year, month, day }, { overflow: 'reject' });
    } catch {
      return `${day} ${capitalized(MONTHS[month - 1] ?? '')} ${year} does not exist.`;
    }
  }
  if (found.start.isCertain('weekday')) {
    if (/\b(?:last|past|previous)\b/i.test(found.text)) return `“${found.text.trim()}” has already passed.`;
    const isoWeekday = (((found.start.get('weekday') ?? 0) + 6) % 7) + 1;
    let ahead = (isoWeekday - today.dayOfWeek + 7) % 7;
    if (ahead === 0 && (!stillToday || /\bnext\b/i.test(found.text))) ahead = 7;
    return today.add({ days: ahead });
  }
  return stillToday ? today : today.add({ days: 1 });
}

/** "at 25:00", "at 13pm": a clock time no day has. */
function invalidClock(text: string): Refusal | undefined {
  for (const match of text.matchAll(
    /\bat\s+((\d{1,2})(?:[:.h](\d{2}))?\s*(am|pm)?)(?![\w:])|\b((\d{1,2}):(\d{2}))\b/gi,
  )) {
    const hour = Number(match[2] ?? match[6]);
    const minute = Number(match[3] ?? match[7] ?? 0);
    const meridiem = match[4]?.toLowerCase();
    if (minute <= 59 && (meridiem ? hour >= 1 && hour <= 12 : hour <= 23)) continue;
    const label = (match[1] ?? match[5] ?? '').trim();
    const fixed = meridiem && hour >= 13 && hour <= 23 && minute <= 59 ? `${hour}:${pad(minute)}` : undefined;
    return refusal(`${label} is not a time of day.`, fixed ? [{ title: fixed, from: label, to: fixed }] : []);
  }
  return undefined;
}

/** The ways a date is written, with the capture group of each part. */
const WRITTEN_DATES = [
  {
    pattern: new RegExp(`\\b${DAY_OF_MONTH}\\s+(?:of\\s+)?${MONTH}(?:\\s+(\\d{4}))?\\b`, 'gi'),
    day: 1,
    month: 2,
    year: 3,
  },
  {
    pattern: new RegExp(`\\b${MONTH}\\s+${DAY_OF_MONTH}\\b(?:,?\\s+(\\d{4}))?`, 'gi'),
    day: 2,
    month: 1,
    year: 3,
  },
  { pattern: /\b(\d{4})-(\d{2})-(\d{2})\b/g, day: 3, month: 2, year: 1 },
] as const;

/** A date as written: its text, its parts, and the year (the next such day's, when none is stated). */
interface WrittenDate {
  readonly text: string;
  readonly day: number;
  readonly month: number;
  readonly year: number;
  readonly yearStated: boolean;
}

/** "31 February", "29 Feb 2027", "2026-02-30": chrono passes over them; say so, and offer the days around. */
function invalidDate(text: string, now: Temporal.ZonedDateTime): Refusal | undefined {
  for (const { pattern, ...groups } of WRITTEN_DATES) {
    for (const match of text.matchAll(pattern)) {
      const refused = dateRefusal(writtenDate(match, groups, now));
      if (refused) return refused;
    }
  }
  return undefined;
}

function writtenDate(
  match: RegExpExecArray,
  groups: { readonly day: number; readonly month: number; readonly year: number },
  now: Temporal.ZonedDateTime,
): WrittenDate {
  const day = Number(match[groups.day]);
  const monthText = (match[groups.month] ?? '').toLowerCase();
  const month = /^\d+$/.test(monthText)
    ? Number(monthText)
    : MONTHS.findIndex((name) => name.startsWith(monthText.slice(0, 3))) + 1;
  const stated = match[groups.year];
  const today = now.toPlainDate();
  const year =
    stated === undefined
      ? month * 100 + day >= today.month * 100 + today.day
        ? today.year
        : today.year + 1
      : Number(stated);
  return { text: match[0].trim(), day, month, year, yearStated: stated !== undefined };
}

/** Undefined when the date exists. */
function dateRefusal({ text, day, month, year, yearStated }: WrittenDate): Refusal | undefined {
  if (month < 1 || month > 12) return refusal(`${text} is not a date: a year has 12 months.`);
  const first = Temporal.PlainDate.from({ year, month, day: 1 });
  if (day >= 1 && day <= first.daysInMonth) return undefined;
  const leap = month === 2 && day === 29 ? ` (${year} is not a leap year)` : '';
  const named = `${day} ${capitalized(MONTHS[month - 1] ?? '')}${yearStated || leap ? ` ${year}` : ''}`;
  const last = first.with({ day: first.daysInMonth });
  const next = first.add({ months: 1 });
  const written = (date: Temporal.PlainDate) => `${describeDate(date)}${yearStated ? ` ${date.year}` : ''}`;
  return refusal(`${named} does not exist${leap}.`, [
    { title: describeDate(last), from: text, to: written(last) },
    { title: describeDate(next), from: text, to: written(next) },
  ]);
}

/** Minutes in "20 minutes", "2 hours and 30 minutes", "half an hour"; undefined when none is stated. */
function durationMinutes(text: string): number | undefined {
  let minutes = 0;
  let found = false;
  for (const [, amount = '', unit = ''] of text.toLowerCase().matchAll(DURATION)) {
    found = true;
    minutes += (NUMBER_WORDS[amount] ?? Number(amount)) * (UNIT_MINUTES[unit.charAt(0)] ?? 1);
  }
  return found ? minutes : undefined;
}

/** The next year after the given date's in which that date and clock time come round. */
function nextYearOf(
  date: Temporal.PlainDate,
  clock: Clock,
  now: Temporal.ZonedDateTime,
): Temporal.PlainDate | undefined {
  for (let year = now.year; year <= now.year + 8; year++) {
    try {
      const candidate = Temporal.PlainDate.from(
        { year, month: date.month, day: date.day },
        { overflow: 'reject' },
      );
      if (Temporal.ZonedDateTime.compare(atWallTime(candidate, clock, now), now) > 0) return candidate;
    } catch {
      // 29 February outside a leap year: try the next year.
    }
  }
  return undefined;
}

/** An instant a length of time from now ("in 20 minutes", "in 3 days"): it stays put if the zone changes. */
function fromNow(zoned: Temporal.ZonedDateTime, now: Temporal.ZonedDateTime): Due | Refusal {
  if (Temporal.ZonedDateTime.compare(zoned, now) <= 0)
    return refusal('That is not in the future: give a length of time of at least a minute.');
  return { ok: true, ...resolvedOf(zoned), anchor: 'instant' };
}

function atWallTime(
  date: Temporal.PlainDate,
  clock: Clock,
  now: Temporal.ZonedDateTime,
): Temporal.ZonedDateTime {
  return date
    .toPlainDateTime({ hour: clock.hour, minute: clock.minute })
    .toZonedDateTime(now.timeZoneId, { disambiguation: 'compatible' });
}

/** chrono reads in a fixed offset: the zone's offset now, so that "today" and "tomorrow" are the zone's. */
const reference = (now: Temporal.ZonedDateTime) => ({
  instant: new Date(now.epochMilliseconds),
  timezone: now.offsetNanoseconds / 60e9,
});

const zonedNow = (nowMs: number, timeZone: string) =>
  Temporal.Instant.fromEpochMilliseconds(nowMs).toZonedDateTimeISO(timeZone);
const refusal = (problem: string, fixes: readonly Fix[] = []): Refusal => ({ ok: false, problem, fixes });
const pad = (value: number) => String(value).padStart(2, '0');
const capitalized = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);
