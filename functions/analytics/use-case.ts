/**
 * GET /admin/analytics?from=YYYY-MM-DD&to=YYYY-MM-DD: the KPIs of each day of the range and of the range as
 * a whole, from one query over the range's day partitions.
 *
 * Caching: distinct users and lateness percentiles of a range are not sums of its days, so a range is
 * answered, and cached, as a whole (one item per range). A range whose days are all settled never changes
 * and is kept for a month; a range that reaches into the last day or so is kept five minutes, since events
 * of those days may still arrive (the rule retries for 24 hours, Firehose buffers a minute).
 */
import type { AnalyticsQueryName } from '../../analytics/queries';
import { type FieldError, type HttpAnswer, invalid, ok } from '../shared/http/answers';
import { type AnalyticsAnswer, answerOf, type ResultRow } from './kpis';

export interface QueryRunner {
  /** Runs a named query with its execution parameters (days as YYYY-MM-DD) and answers its rows. */
  run(query: AnalyticsQueryName, parameters: readonly string[]): Promise<readonly ResultRow[]>;
}

export interface CachedAnswer {
  readonly answer: AnalyticsAnswer;
  /** Epoch seconds; the table's TTL attribute, also checked on read since TTL deletes late. */
  readonly expiresAt: number;
}

export interface AnswerCache {
  get(key: string): Promise<CachedAnswer | undefined>;
  put(key: string, entry: CachedAnswer): Promise<void>;
}

export interface AnalyticsPorts {
  readonly queries: QueryRunner;
  readonly cache: AnswerCache;
  readonly now: () => number;
}

export const MAX_RANGE_DAYS = 92;
const DAY_MS = 86_400_000;
/** A day is settled this long after it ends: no event of it is still on its way. */
const SETTLED_AFTER_MS = 25 * 3_600_000;
const SETTLED_CACHE_SECONDS = 30 * 86_400;
const UNSETTLED_CACHE_SECONDS = 300;
const QUERY: AnalyticsQueryName = 'daily-kpis';

export const cacheKeyOf = (from: string, to: string): string => `ANALYTICS#${QUERY}#${from}#${to}`;

export async function getAnalytics(
  query: Readonly<Record<string, string | undefined>>,
  ports: AnalyticsPorts,
): Promise<HttpAnswer> {
  const now = ports.now();
  const range = rangeOf(query, now);
  if ('errors' in range) return invalid(range.errors);
  const key = cacheKeyOf(range.from, range.to);
  const cached = await ports.cache.get(key);
  if (cached && cached.expiresAt * 1000 > now) return ok(cached.answer);

  const rows = await ports.queries.run(QUERY, [range.from, range.to]);
  const answer = answerOf(range, rows, new Date(now));
  const settled = Date.parse(range.to) + DAY_MS + SETTLED_AFTER_MS <= now;
  const keepSeconds = settled ? SETTLED_CACHE_SECONDS : UNSETTLED_CACHE_SECONDS;
  await ports.cache.put(key, { answer, expiresAt: Math.floor(now / 1000) + keepSeconds });
  return ok(answer);
}

type Range = { readonly from: string; readonly to: string; readonly days: readonly string[] };

function rangeOf(
  query: Readonly<Record<string, string | undefined>>,
  now: number,
): Range | { errors: FieldError[] } {
  const from = dayIn(query, 'from');
  const to = dayIn(query, 'to');
  const errors = [from, to].filter((day): day is FieldError => typeof day !== 'number');
  if (typeof from !== 'number' || typeof to !== 'number') return { errors };
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  if (to < from) errors.push({ field: 'to', rule: 'after-from', message: 'to must not be before from.' });
  if (to > today)
    errors.push({ field: 'to', rule: 'not-future', message: 'to must not be after today (UTC).' });
  if (to - from >= MAX_RANGE_DAYS * DAY_MS) {
    errors.push({
      field: 'to',
      rule: 'max-range',
      message: `A range is at most ${MAX_RANGE_DAYS} days, from and to included.`,
    });
  }
  if (errors.length > 0) return { errors };
  const days: string[] = [];
  for (let day = from; day <= to; day += DAY_MS) days.push(isoDay(day));
  return { from: isoDay(from), to: isoDay(to), days };
}

const isoDay = (epochMs: number): string => new Date(epochMs).toISOString().slice(0, 10);

/** The day as epoch milliseconds at 00:00 UTC, or why it is not a calendar day. */
function dayIn(query: Readonly<Record<string, string | undefined>>, field: string): number | FieldError {
  const value = query[field];
  if (value === undefined || value === '') {
    return { field, rule: 'required', message: `${field} is required, a day such as 2026-12-03.` };
  }
  const epochMs = /^\d{4}-\d{2}-\d{2}$/.test(value) ? Date.parse(`${value}T00:00:00Z`) : Number.NaN;
  // Date.parse accepts 2026-02-30 as March 2nd; a real day prints back as itself.
  if (Number.isNaN(epochMs) || isoDay(epochMs) !== value) {
    return { field, rule: 'date', message: `${field} must be a calendar day as YYYY-MM-DD, got ${value}.` };
  }
  return epochMs;
}
