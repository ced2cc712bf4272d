/**
 * EventBridge Scheduler schedule expressions: `at(yyyy-mm-ddThh:mm:ss)`, `rate(value unit)` and the six-field
 * `cron(minutes hours day-of-month month day-of-week year)`, evaluated in an IANA time zone.
 *
 * Daylight saving, as the Scheduler documentation describes it: a cron time that a spring-forward skips does
 * not run that day; a cron time repeated by a fall-back runs once (the first time). `rate()` counts fixed
 * durations (a day is 24 hours whatever the clocks do). An `at()` time inside a gap runs just after the gap
 * (02:30 on a night that jumps from 02:00 to 03:00 runs at 03:30), and a repeated one runs the first time.
 */
import { calendarProblem, daysInMonth, type WallClock, wallClockFrom } from '../shared/calendar';
import { dayOfWeek, instantsAt, isValidTimeZone, wallClockAsUtc, wallClockAt } from './time-zone';

/** Thrown for an expression AWS would refuse; the message starts with AWS's own wording. */
export class ScheduleExpressionError extends Error {
  constructor(
    readonly expression: string,
    readonly reason: string,
  ) {
    super(`Invalid Schedule Expression ${expression}. ${reason}`);
    this.name = 'ScheduleExpressionError';
  }
}

type DaySpec =
  | { readonly by: 'dayOfMonth'; readonly days: readonly boolean[] }
  | { readonly by: 'lastDayOfMonth' }
  | { readonly by: 'lastWeekdayOfMonth' }
  | { readonly by: 'nearestWeekday'; readonly day: number }
  | { readonly by: 'dayOfWeek'; readonly weekdays: readonly boolean[] }
  | { readonly by: 'lastWeekdayNamed'; readonly weekday: number }
  | { readonly by: 'nthWeekdayNamed'; readonly weekday: number; readonly nth: number };

export interface CronSpec {
  readonly minutes: readonly boolean[];
  readonly hours: readonly boolean[];
  readonly months: readonly boolean[];
  readonly years: readonly boolean[];
  readonly days: DaySpec;
}

export type ParsedExpression =
  | { readonly kind: 'at'; readonly text: string; readonly wall: WallClock }
  | { readonly kind: 'rate'; readonly text: string; readonly intervalMs: number }
  | { readonly kind: 'cron'; readonly text: string; readonly cron: CronSpec };

export interface FireWindow {
  /** Recurring schedules do not fire before this instant (epoch ms). Ignored by at(). */
  readonly startDate?: number;
  /** Recurring schedules do not fire after this instant (epoch ms). Ignored by at(). */
  readonly endDate?: number;
  /** Where rate() intervals are counted from when there is no StartDate: the schedule's creation time. */
  readonly rateAnchor?: number;
}

const FIRST_YEAR = 1970;
const LAST_YEAR = 2199;
const MINUTE_MS = 60_000;
const RATE_UNIT_MS: Readonly<Record<string, number>> = {
  minute: MINUTE_MS,
  hour: 3_600_000,
  day: 86_400_000,
};
const MONTH_NAMES = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

export function parseScheduleExpression(text: string): ParsedExpression {
  if (text.startsWith('at(')) return { kind: 'at', text, wall: parseAt(text) };
  if (text.startsWith('rate(')) return { kind: 'rate', text, intervalMs: parseRate(text) };
  if (text.startsWith('cron(')) return { kind: 'cron', text, cron: parseCron(text) };
  throw new ScheduleExpressionError(text, 'Expected at(...), rate(...) or cron(...).');
}

export const isOneTime = (expression: ParsedExpression): boolean => expression.kind === 'at';

export function assertTimeZone(timeZone: string): void {
  if (!isValidTimeZone(timeZone))
    throw new RangeError(`Invalid time zone ${timeZone}: not an IANA time zone.`);
}

/**
 * The first time strictly after `after` (epoch ms) at which the expression fires in `timeZone`, within the
 * window; undefined when it never fires again (an at() already past, a cron past its last year, an EndDate).
 */
export function nextFireTime(
  expression: string | ParsedExpression,
  timeZone: string,
  after: number,
  window: FireWindow = {},
): number | undefined {
  const parsed = typeof expression === 'string' ? parseScheduleExpression(expression) : expression;
  if (parsed.kind === 'at') {
    const instant = resolveWallClock(parsed.wall, timeZone);
    return instant > after ? instant : undefined;
  }
  const from = window.startDate === undefined ? after : Math.max(after, window.startDate - 1);
  const next =
    parsed.kind === 'rate'
      ? nextRate(parsed.intervalMs, window.startDate ?? window.rateAnchor ?? after + 1, from)
      : nextCron(parsed.cron, timeZone, from, window.endDate);
  if (next === undefined || (window.endDate !== undefined && next > window.endDate)) return undefined;
  return next;
}

/** The instant of an at() wall-clock time: the first of two readings, or just past a gap. */
function resolveWallClock(wall: WallClock, timeZone: string): number {
  const [first] = instantsAt(wall, timeZone);
  if (first !== undefined) return first;
  // Read the skipped time with the offset in force before the gap, which lands as far past the gap as it was into it.
  const local = wallClockAsUtc(wall);
  const before = wallClockAsUtc(wallClockAt(local - 86_400_000, timeZone)) - (local - 86_400_000);
  return local - before;
}

function nextRate(intervalMs: number, anchor: number, after: number): number {
  if (anchor > after) return anchor;
  return anchor + (Math.floor((after - anchor) / intervalMs) + 1) * intervalMs;
}

function nextCron(
  cron: CronSpec,
  timeZone: string,
  after: number,
  endDate: number | undefined,
): number | undefined {
  const afterWall = wallClockAt(after, timeZone);
  const start = wallClockAt(wallClockAsUtc({ ...afterWall, second: 0 }) + MINUTE_MS, 'UTC');
  for (const date of cronDates(cron, start)) {
    for (const time of cronTimes(cron, start, date)) {
      // A skipped time has no instant; a repeated one fires only on its first reading.
      const [instant] = instantsAt({ ...date, ...time, second: 0 }, timeZone);
      if (instant === undefined || instant <= after) continue;
      return endDate !== undefined && instant > endDate ? undefined : instant;
    }
  }
  return undefined;
}

interface CalendarDate {
  readonly year: number;
  readonly month: number;
  readonly day: number;
}

/** The dates the cron selects, in order, from `start`'s date on. */
function* cronDates(cron: CronSpec, start: WallClock): Generator<CalendarDate> {
  for (const { year, month } of cronMonths(cron, start)) {
    const inStartMonth = year === start.year && month === start.month;
    for (const day of matchingDays(cron.days, year, month)) {
      if (!inStartMonth || day >= start.day) yield { year, month, day };
    }
  }
}

function* cronMonths(cron: CronSpec, start: WallClock): Generator<{ year: number; month: number }> {
  for (let year = Math.max(start.year, FIRST_YEAR); year <= LAST_YEAR; year++) {
    if (!cron.years[year - FIRST_YEAR]) continue;
    for (let month = year === start.year ? start.month : 1; month <= 12; month++) {
      if (cron.months[month]) yield { year, month };
    }
  }
}

/** The times of day the cron selects on `date`, from `start`'s time on when `date` is `start`'s date. */
function* cronTimes(
  cron: CronSpec,
  start: WallClock,
  date: CalendarDate,
): Generator<{ hour: number; minute: number }> {
  const onStartDay = date.year === start.year && date.month === start.month && date.day === start.day;
  for (let hour = onStartDay ? start.hour : 0; hour < 24; hour++) {
    if (!cron.hours[hour]) continue;
    for (let minute = onStartDay && hour === start.hour ? start.minute : 0; minute < 60; minute++) {
      if (cron.minutes[minute]) yield { hour, minute };
    }
  }
}

function matchingDays(spec: DaySpec, year: number, month: number): number[] {
  const length = daysInMonth(year, month);
  const isWeekday = (day: number): boolean => {
    const weekday = dayOfWeek(year, month, day);
    return weekday !== 1 && weekday !== 7;
  };
  switch (spec.by) {
    case 'dayOfMonth':
      return range(1, length).filter((day) => spec.days[day]);
    case 'dayOfWeek':
      return range(1, length).filter((day) => spec.weekdays[dayOfWeek(year, month, day)]);
    case 'lastDayOfMonth':
      return [length];
    case 'lastWeekdayOfMonth': {
      let day = length;
      while (!isWeekday(day)) day--;
      return [day];
    }
    case 'nearestWeekday': {
      // The weekday nearest the given day without leaving the month (1W on a Saturday is Monday the 3rd).
      const target = Math.min(spec.day, length);
      if (isWeekday(target)) return [target];
      const weekday = dayOfWeek(year, month, target);
      if (weekday === 7) return [target > 1 ? target - 1 : target + 2];
      return [target < length ? target + 1 : target - 2];
    }
    case 'lastWeekdayNamed': {
      let day = length;
      while (dayOfWeek(year, month, day) !== spec.weekday) day--;
      return [day];
    }
    case 'nthWeekdayNamed': {
      const first = 1 + ((spec.weekday - dayOfWeek(year, month, 1) + 7) % 7);
      const day = first + (spec.nth - 1) * 7;
      return day <= length ? [day] : [];
    }
  }
}

function range(from: number, to: number): number[] {
  const values: number[] = [];
  for (let value = from; value <= to; value++) values.push(value);
  return values;
}

function parseAt(text: string): WallClock {
  const match = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(text);
  if (!match)
    throw new ScheduleExpressionError(text, 'Expected at(yyyy-mm-ddThh:mm:ss), with no zone or offset.');
  const wall = wallClockFrom(match.slice(1));
  const problem = calendarProblem(wall);
  if (problem) throw new ScheduleExpressionError(text, problem);
  return wall;
}

function parseRate(text: string): number {
  const match = /^rate\(([1-9]\d*) (minute|minutes|hour|hours|day|days)\)$/.exec(text);
  if (!match) {
    throw new ScheduleExpressionError(
      text,
      'Expected rate(value unit) with a positive whole value and a unit of minute(s), hour(s) or day(s).',
    );
  }
  // Scheduler accepts either form whatever the value (AWS answers GetSchedule with "rate(2 minute)" as given).
  const unit = (match[2] ?? '').replace(/s$/, '');
  const unitMs = RATE_UNIT_MS[unit] ?? MINUTE_MS;
  const value = Number(match[1]);
  return value * unitMs;
}

interface FieldRule {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  readonly names?: readonly string[];
}

const MINUTES: FieldRule = { label: 'Minutes', min: 0, max: 59 };
const HOURS: FieldRule = { label: 'Hours', min: 0, max: 23 };
const DAY_OF_MONTH: FieldRule = { label: 'Day-of-month', min: 1, max: 31 };
const MONTH: FieldRule = { label: 'Month', min: 1, max: 12, names: MONTH_NAMES };
const DAY_OF_WEEK: FieldRule = { label: 'Day-of-week', min: 1, max: 7, names: DAY_NAMES };
const YEAR: FieldRule = { label: 'Year', min: FIRST_YEAR, max: LAST_YEAR };

function parseCron(text: string): CronSpec {
  const match = /^cron\((.*)\)$/.exec(text);
  const fields = match?.[1]?.split(' ') ?? [];
  if (fields.length !== 6 || fields.some((field) => field === '')) {
    throw new ScheduleExpressionError(
      text,
      'Expected six fields separated by single spaces: minutes hours day-of-month month day-of-week year.',
    );
  }
  const [minutes, hours, dayOfMonth, month, dayOfWeekField, year] = fields as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  const fail = (reason: string): never => {
    throw new ScheduleExpressionError(text, reason);
  };
  return {
    minutes: parseValues(minutes, MINUTES, fail),
    hours: parseValues(hours, HOURS, fail),
    months: parseValues(month, MONTH, fail),
    years: parseValues(year, YEAR, fail).slice(FIRST_YEAR),
    days: parseDays(dayOfMonth, dayOfWeekField, fail),
  };
}

function parseDays(dayOfMonth: string, dayOfWeekField: string, fail: (reason: string) => never): DaySpec {
  const domAny = dayOfMonth === '?';
  const dowAny = dayOfWeekField === '?';
  if (domAny === dowAny) {
    fail('Exactly one of day-of-month and day-of-week must be ?, the other gives the days.');
  }
  if (dowAny) {
    const upper = dayOfMonth.toUpperCase();
    if (upper === 'L') return { by: 'lastDayOfMonth' };
    if (upper === 'LW') return { by: 'lastWeekdayOfMonth' };
    const nearest = /^(\d{1,2})W$/.exec(upper);
    if (nearest) return { by: 'nearestWeekday', day: parseNumber(nearest[1] ?? '', DAY_OF_MONTH, fail) };
    return { by: 'dayOfMonth', days: parseValues(dayOfMonth, DAY_OF_MONTH, fail) };
  }
  const upper = dayOfWeekField.toUpperCase();
  if (upper === 'L') return { by: 'dayOfWeek', weekdays: parseValues('7', DAY_OF_WEEK, fail) };
  const last = /^(\w+)L$/.exec(upper);
  if (last) return { by: 'lastWeekdayNamed', weekday: parseNumber(last[1] ?? '', DAY_OF_WEEK, fail) };
  const nth = /^(\w+)#(\d+)$/.exec(upper);
  if (nth) {
    const occurrence = Number(nth[2]);
    if (occurrence < 1 || occurrence > 5) fail(`Day-of-week #${nth[2]} must be between 1 and 5.`);
    return { by: 'nthWeekdayNamed', weekday: parseNumber(nth[1] ?? '', DAY_OF_WEEK, fail), nth: occurrence };
  }
  return { by: 'dayOfWeek', weekdays: parseValues(dayOfWeekField, DAY_OF_WEEK, fail) };
}

/** A comma-separated list of `*`, `n`, `a-b`, each optionally stepped with `/k`, as a membership table. */
function parseValues(field: string, rule: FieldRule, fail: (reason: string) => never): boolean[] {
  const members = new Array<boolean>(rule.max + 1).fill(false);
  for (const item of field.split(',')) {
    const [base = '', stepText, extra] = item.split('/');
    if (extra !== undefined) fail(`${rule.label} value ${item} has more than one /.`);
    const step = stepText === undefined ? 1 : parseStep(stepText, rule, fail);
    const { from, to } = parseBounds(base, stepText !== undefined, rule, fail);
    for (let value = from; value <= to; value += step) members[value] = true;
  }
  return members;
}

function parseStep(text: string, rule: FieldRule, fail: (reason: string) => never): number {
  if (!/^\d+$/.test(text) || Number(text) < 1) fail(`${rule.label} increment ${text} is not valid.`);
  return Number(text);
}

/** The range of `*`, `n` or `a-b`; a stepped `n` runs to the field's maximum (`5/15` is 5,20,35,50). */
function parseBounds(
  base: string,
  stepped: boolean,
  rule: FieldRule,
  fail: (reason: string) => never,
): { from: number; to: number } {
  if (base === '*') return { from: rule.min, to: rule.max };
  const [start = '', end, rest] = base.split('-');
  if (rest !== undefined) fail(`${rule.label} range ${base} is not valid.`);
  const from = parseNumber(start, rule, fail);
  if (end === undefined) return { from, to: stepped ? rule.max : from };
  const to = parseNumber(end, rule, fail);
  if (to < from) fail(`${rule.label} range ${base} runs backwards.`);
  return { from, to };
}

function parseNumber(text: string, rule: FieldRule, fail: (reason: string) => never): number {
  const upper = text.toUpperCase();
  const named = rule.names?.indexOf(upper) ?? -1;
  if (named >= 0) return named + 1;
  if (!/^\d+$/.test(text)) fail(`${rule.label} value ${text} is not valid.`);
  const value = Number(text);
  if (value < rule.min || value > rule.max) {
    fail(`${rule.label} value ${value} is outside ${rule.min}-${rule.max}.`);
  }
  return value;
}
