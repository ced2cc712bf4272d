/**
 * Repeating reminders as RFC 5545 RRULE values (`FREQ=WEEKLY;INTERVAL=2;BYDAY=MO`, no `RRULE:` prefix, no
 * DTSTART: the series starts at the reminder's first wall time in its zone), limited to the parts a person
 * can ask for in a sentence. Occurrences come from rrule-temporal, generated on the wall clock and only then
 * placed in the zone, so 09:00 stays 09:00 across daylight saving and an occurrence in a spring-forward gap
 * moves forward by the gap like any other wall time (rrule-temporal on the zone itself would drop it, as
 * RFC 5545 says).
 */
import { RRuleTemporal } from 'rrule-temporal';
import { Temporal } from './temporal';
import { describeDate, type ResolvedWallTime, resolvedOf, zonedWallTime } from './zoned';

const FREQUENCIES = { DAILY: 'day', WEEKLY: 'week', MONTHLY: 'month', YEARLY: 'year' } as const;
type Frequency = keyof typeof FREQUENCIES;
const WEEKDAY_CODES = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'];
const WEEKDAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const MONTH_NAMES = [
  'January',
  'February',
  'March',
  'April',
  'May',
  'June',
  'July',
  'August',
  'September',
  'October',
  'November',
  'December',
];
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const WEEKDAYS_MO_FR = 'MO,TU,WE,TH,FR';
const BYDAY_ITEM = /^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$/;
const UNTIL_VALUE = /^(\d{4})(\d{2})(\d{2})(?:T(\d{2})(\d{2})(\d{2})Z)?$/;
const WHOLE = /^[1-9]\d{0,3}$/;

interface Rule {
  readonly freq: Frequency;
  readonly interval: number;
  readonly byDay: readonly string[];
  readonly byMonthDay: readonly number[];
  readonly byMonth: readonly number[];
  readonly until?: string;
  readonly count?: number;
}

/** Undefined when the rule is one this app repeats by, else what is wrong with it. */
export function validateRrule(rrule: string): string | undefined {
  const rule = readRule(rrule);
  return typeof rule === 'string' ? rule : undefined;
}

/**
 * The first occurrence strictly after `afterIso` of the series that starts at wall time `startLocal` in
 * `timeZone`; undefined once the series has ended (UNTIL, COUNT). Throws a RangeError for an invalid rule.
 */
export function nextOccurrence(
  rrule: string,
  startLocal: string,
  timeZone: string,
  afterIso: string,
): ResolvedWallTime | undefined {
  const series = seriesOf(rrule, startLocal, timeZone);
  const after = Temporal.Instant.from(afterIso);
  // A wall time and its instant differ by at most a day's worth of offset: start a day early, skip past.
  let candidate = series.next(
    onWallClock(after.toZonedDateTimeISO(timeZone).toPlainDateTime()).subtract({ days: 1 }),
  );
  while (candidate) {
    const occurrence = zonedWallTime(candidate.toPlainDateTime().toString(), timeZone);
    if (Temporal.Instant.compare(occurrence.toInstant(), after) > 0) return resolvedOf(occurrence);
    candidate = series.next(candidate);
  }
  return undefined;
}

/**
 * Every occurrence of the series (as nextOccurrence's) starting at or after `fromIso` and before `toIso`,
 * from one pass over the rule: listing a range does not walk the series once per occurrence.
 */
export function occurrencesBetween(
  rrule: string,
  startLocal: string,
  timeZone: string,
  fromIso: string,
  toIso: string,
): ResolvedWallTime[] {
  const from = Temporal.Instant.from(fromIso);
  const to = Temporal.Instant.from(toIso);
  // Wall times and instants differ by at most a day's worth of offset: widen by a day, then filter.
  const wall = (instant: Temporal.Instant, days: number) =>
    onWallClock(instant.toZonedDateTimeISO(timeZone).toPlainDateTime()).add({ days });
  return seriesOf(rrule, startLocal, timeZone)
    .between(wall(from, -1), wall(to, 1), true)
    .map((candidate) => zonedWallTime(candidate.toPlainDateTime().toString(), timeZone))
    .filter(
      (occurrence) =>
        Temporal.Instant.compare(occurrence.toInstant(), from) >= 0 &&
        Temporal.Instant.compare(occurrence.toInstant(), to) < 0,
    )
    .map(resolvedOf);
}

/** Whether the series ends (UNTIL or COUNT). */
export const seriesEnds = (rrule: string): boolean => /(^|;)(UNTIL|COUNT)=/.test(rrule);

/** The rule's last occurrence, for a series that ends; undefined when it never does or yields none. */
export function lastOccurrence(
  rrule: string,
  startLocal: string,
  timeZone: string,
): ResolvedWallTime | undefined {
  if (!seriesEnds(rrule)) return undefined;
  const last = seriesOf(rrule, startLocal, timeZone).all().at(-1);
  return last ? resolvedOf(zonedWallTime(last.toPlainDateTime().toString(), timeZone)) : undefined;
}

function seriesOf(rrule: string, startLocal: string, timeZone: string): RRuleTemporal {
  const rule = readRule(rrule);
  if (typeof rule === 'string') throw new RangeError(`Invalid RRULE ${rrule}: ${rule}`);
  return new RRuleTemporal({
    rruleString: wallClockRule(rule, timeZone),
    dtstart: onWallClock(zonedWallTime(startLocal, timeZone).toPlainDateTime()),
    temporal: Temporal,
  });
}

/**
 * `every day`, `every weekday`, `every 2 weeks on Monday`, `every month on the 1st`, `every year on 3 March`,
 * `every day until 1 Mar 2027` (the UNTIL day as it is in `timeZone`), `every week, 5 times`.
 */
export function describeRecurrence(rrule: string, timeZone = 'UTC'): string {
  const rule = readRule(rrule);
  if (typeof rule === 'string') return rrule;
  return `${cadenceOf(rule)}${calendarDaysOf(rule)}${endOf(rule, timeZone)}`;
}

/** "every weekday", "every Monday and Friday", "every 2 weeks on Monday". */
function cadenceOf(rule: Rule): string {
  const days = listOf(rule.byDay.map(weekdayName));
  const daily = rule.freq === 'WEEKLY' || rule.freq === 'DAILY';
  if (rule.interval === 1 && daily && rule.byDay.join(',') === WEEKDAYS_MO_FR) return 'every weekday';
  if (rule.interval === 1 && rule.freq === 'WEEKLY' && rule.byDay.length > 0) return `every ${days}`;
  const unit = FREQUENCIES[rule.freq];
  const every = rule.interval === 1 ? unit : `${rule.interval} ${unit}s`;
  return `every ${every}${rule.byDay.length > 0 ? ` on ${days}` : ''}`;
}

/** " on 3 March", " on the 1st and 15th of June", " in March". */
function calendarDaysOf(rule: Rule): string {
  const months = listOf(rule.byMonth.map((month) => MONTH_NAMES[month - 1] ?? ''));
  const [onlyDay] = rule.byMonthDay;
  if (onlyDay !== undefined && onlyDay > 0 && rule.byMonthDay.length === 1 && rule.byMonth.length === 1) {
    return ` on ${onlyDay} ${months}`;
  }
  if (rule.byMonthDay.length > 0) {
    const dayText = listOf(rule.byMonthDay.map(monthDayName));
    return rule.byMonth.length > 0 ? ` on ${dayText} of ${months}` : ` on ${dayText}`;
  }
  return rule.byMonth.length > 0 ? ` in ${months}` : '';
}

/** " until 1 Mar 2027" (the UNTIL day as it is in `timeZone`), ", 5 times". */
function endOf(rule: Rule, timeZone: string): string {
  let text = '';
  if (rule.until) {
    const until = untilInstant(rule.until, timeZone).toZonedDateTimeISO(timeZone);
    text += ` until ${describeDate(until)} ${until.year}`;
  }
  if (rule.count) text += `, ${rule.count === 1 ? 'once' : `${rule.count} times`}`;
  return text;
}

/** The UNTIL value of an RRULE that ends at the end of `date` (`YYYY-MM-DD`) in `timeZone`. */
export function untilEndOf(date: string, timeZone: string): string {
  const end = zonedWallTime(`${date}T23:59:59`, timeZone).toInstant();
  return end.toString({ smallestUnit: 'second' }).replace(/[-:]/g, '');
}

/** The rule, or what is wrong with it (the first problem, in the order the checks below are listed). */
function readRule(rrule: string): Rule | string {
  const parts = ruleParts(rrule);
  if (typeof parts === 'string') return parts;
  for (const check of RULE_CHECKS) {
    const problem = check(parts);
    if (problem !== undefined) return problem;
  }
  return ruleOf(parts);
}

/** The NAME=VALUE parts of the rule, each named once. */
type RuleParts = ReadonlyMap<string, string>;

function ruleParts(rrule: string): RuleParts | string {
  const parts = new Map<string, string>();
  for (const part of rrule.split(';')) {
    const [name = '', value, extra] = part.split('=');
    if (value === undefined || value === '' || extra !== undefined) return `"${part}" is not NAME=VALUE`;
    if (parts.has(name)) return `${name} is given twice`;
    parts.set(name, value);
  }
  return parts;
}

const SUPPORTED_PARTS = ['FREQ', 'INTERVAL', 'BYDAY', 'BYMONTHDAY', 'BYMONTH', 'UNTIL', 'COUNT'];
const freqOf = (parts: RuleParts): string => parts.get('FREQ') ?? '';
const monthlyOrYearly = (parts: RuleParts): boolean =>
  freqOf(parts) === 'MONTHLY' || freqOf(parts) === 'YEARLY';

/** One check of the rule's parts: what is wrong, or undefined. */
type RuleCheck = (parts: RuleParts) => string | undefined;

const RULE_CHECKS: readonly RuleCheck[] = [
  (parts) => ([...parts.keys()][0] === 'FREQ' ? undefined : 'it must start with FREQ'),
  (parts) =>
    freqOf(parts) in FREQUENCIES
      ? undefined
      : `FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY, not ${freqOf(parts)}`,
  (parts) => {
    const unsupported = [...parts.keys()].find((name) => !SUPPORTED_PARTS.includes(name));
    return unsupported === undefined
      ? undefined
      : `${unsupported} is not supported (use INTERVAL, BYDAY, BYMONTHDAY, BYMONTH, UNTIL or COUNT)`;
  },
  (parts) => {
    const interval = parts.get('INTERVAL') ?? '1';
    return WHOLE.test(interval)
      ? undefined
      : `INTERVAL must be a whole number from 1 to 9999, not ${interval}`;
  },
  (parts) => {
    const count = parts.get('COUNT');
    return count === undefined || WHOLE.test(count)
      ? undefined
      : `COUNT must be a whole number from 1 to 9999, not ${count}`;
  },
  (parts) => (parts.has('UNTIL') && parts.has('COUNT') ? 'UNTIL and COUNT cannot both be given' : undefined),
  (parts) => {
    const until = parts.get('UNTIL');
    return until === undefined || isUntil(until)
      ? undefined
      : `UNTIL must be a date (20270301) or a UTC time (20270301T225959Z), not ${until}`;
  },
  (parts) => {
    for (const item of parts.get('BYDAY')?.split(',') ?? []) {
      const match = BYDAY_ITEM.exec(item);
      if (!match) return `BYDAY takes weekdays MO to SU (optionally numbered, e.g. 1MO or -1FR), not ${item}`;
      if (match[1] && !monthlyOrYearly(parts))
        return `a numbered BYDAY (${item}) needs FREQ=MONTHLY or YEARLY`;
    }
    return undefined;
  },
  (parts) =>
    numbers(parts.get('BYMONTHDAY')).some((day) => !Number.isInteger(day) || day === 0 || Math.abs(day) > 31)
      ? `BYMONTHDAY takes days 1 to 31 or -1 to -31, not ${parts.get('BYMONTHDAY')}`
      : undefined,
  (parts) =>
    numbers(parts.get('BYMONTHDAY')).length > 0 && !monthlyOrYearly(parts)
      ? 'BYMONTHDAY needs FREQ=MONTHLY or YEARLY'
      : undefined,
  (parts) =>
    numbers(parts.get('BYMONTH')).some((month) => !Number.isInteger(month) || month < 1 || month > 12)
      ? `BYMONTH takes months 1 to 12, not ${parts.get('BYMONTH')}`
      : undefined,
  (parts) => {
    const byMonthDay = numbers(parts.get('BYMONTHDAY'));
    const byMonth = numbers(parts.get('BYMONTH'));
    const longest = Math.max(
      ...(byMonth.length > 0 ? byMonth : [1]).map((month) => DAYS_IN_MONTH[month - 1] ?? 31),
    );
    return byMonthDay.length > 0 && byMonthDay.every((day) => Math.abs(day) > longest)
      ? `it never happens: no month of BYMONTH=${parts.get('BYMONTH')} has day ${parts.get('BYMONTHDAY')}`
      : undefined;
  },
];

/** The rule of parts that passed every check. */
function ruleOf(parts: RuleParts): Rule {
  const until = parts.get('UNTIL');
  const count = parts.get('COUNT');
  return {
    freq: freqOf(parts) as Frequency,
    interval: Number(parts.get('INTERVAL') ?? '1'),
    byDay: parts.get('BYDAY')?.split(',') ?? [],
    byMonthDay: numbers(parts.get('BYMONTHDAY')),
    byMonth: numbers(parts.get('BYMONTH')),
    ...(until ? { until } : {}),
    ...(count ? { count: Number(count) } : {}),
  };
}

function numbers(list: string | undefined): number[] {
  return list?.split(',').map((item) => (/^[+-]?\d{1,2}$/.test(item) ? Number(item) : Number.NaN)) ?? [];
}

function isUntil(value: string): boolean {
  const match = UNTIL_VALUE.exec(value);
  if (!match) return false;
  const [, year, month, day, hour = '00', minute = '00', second = '00'] = match;
  try {
    Temporal.PlainDateTime.from(`${year}-${month}-${day}T${hour}:${minute}:${second}`, {
      overflow: 'reject',
    });
    return true;
  } catch {
    return false;
  }
}

/** UNTIL as an instant: a UTC time as it is, a date as the end of that day in the zone. */
function untilInstant(until: string, timeZone: string): Temporal.Instant {
  const [, year, month, day, hour, minute, second] = UNTIL_VALUE.exec(until) ?? [];
  return hour === undefined
    ? zonedWallTime(`${year}-${month}-${day}T23:59:59`, timeZone).toInstant()
    : Temporal.Instant.from(`${year}-${month}-${day}T${hour}:${minute}:${second}Z`);
}

/**
 * The rule for the wall-clock series (generated in UTC, which has no daylight saving): UNTIL becomes the
 * wall time it is in the zone.
 */
function wallClockRule(rule: Rule, timeZone: string): string {
  const parts = [`FREQ=${rule.freq}`, `INTERVAL=${rule.interval}`];
  if (rule.byDay.length > 0) parts.push(`BYDAY=${rule.byDay.join(',')}`);
  if (rule.byMonthDay.length > 0) parts.push(`BYMONTHDAY=${rule.byMonthDay.join(',')}`);
  if (rule.byMonth.length > 0) parts.push(`BYMONTH=${rule.byMonth.join(',')}`);
  if (rule.count) parts.push(`COUNT=${rule.count}`);
  if (rule.until) {
    const wall = untilInstant(rule.until, timeZone).toZonedDateTimeISO(timeZone).toPlainDateTime();
    parts.push(`UNTIL=${wall.toString({ smallestUnit: 'second' }).replace(/[-:]/g, '')}Z`);
  }
  return parts.join(';');
}

function onWallClock(wall: Temporal.PlainDateTime): Temporal.ZonedDateTime {
  return wall.toZonedDateTime('UTC');
}

function weekdayName(item: string): string {
  const match = BYDAY_ITEM.exec(item);
  const name = WEEKDAY_NAMES[WEEKDAY_CODES.indexOf(match?.[2] ?? '')] ?? item;
  const position = match?.[1] ? Number(match[1]) : undefined;
  return position === undefined
    ? name
    : `the ${position === -1 ? 'last' : position < 0 ? `${ordinal(-position)} last` : ordinal(position)} ${name}`;
}

function monthDayName(day: number): string {
  return day === -1 ? 'the last day' : day < 0 ? `the ${ordinal(-day)} last day` : `the ${ordinal(day)}`;
}

export function ordinal(value: number): string {
  const tens = value % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][value % 10] ?? 'th');
  return `${value}${suffix}`;
}

function listOf(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}
