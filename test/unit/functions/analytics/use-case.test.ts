/**
 * The analytics use case with its ports faked: the range rules, every day of the range in the answer, the
 * range's own total row (not a sum of days), and the cache of settled and unsettled ranges.
 */
import { describe, expect, it } from 'vitest';
import type { AnalyticsQueryName } from '../../../../analytics/queries';
import type { AnalyticsAnswer, ResultRow } from '../../../../functions/analytics/kpis';
import {
  type AnalyticsPorts,
  type CachedAnswer,
  cacheKeyOf,
  getAnalytics,
} from '../../../../functions/analytics/use-case';

const NOW = Date.parse('2026-12-03T10:00:00Z');

function fakePorts(rows: readonly ResultRow[] = [], now = NOW) {
  const runs: Array<{ query: AnalyticsQueryName; parameters: readonly string[] }> = [];
  const items = new Map<string, CachedAnswer>();
  const ports: AnalyticsPorts = {
    queries: {
      run: async (query, parameters) => {
        runs.push({ query, parameters });
        return rows;
      },
    },
    cache: {
      get: async (key) => items.get(key),
      put: async (key, entry) => {
        items.set(key, entry);
      },
    },
    now: () => now,
  };
  return { ports, runs, items };
}

const answerOf = async (query: Record<string, string>, ports: AnalyticsPorts) => {
  const answer = await getAnalytics(query, ports);
  expect(answer.status).toBe(200);
  return answer.body as AnalyticsAnswer;
};

describe('GET /admin/analytics', () => {
  it.each([
    [{}, ['from', 'to'], 'required'],
    [{ from: '2026-12-01', to: '3 Dec' }, ['to'], 'date'],
    [{ from: '2026-02-30', to: '2026-03-01' }, ['from'], 'date'],
    [{ from: '2026-12-02', to: '2026-12-01' }, ['to'], 'after-from'],
    [{ from: '2026-12-01', to: '2026-12-04' }, ['to'], 'not-future'],
    [{ from: '2026-09-02', to: '2026-12-03' }, ['to'], 'max-range'],
  ])('refuses %j with a problem naming %j (%s) and queries nothing', async (query, fields, rule) => {
    const { ports, runs } = fakePorts();
    const answer = await getAnalytics(query, ports);
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('application/problem+json');
    const errors = (answer.body as { errors: Array<{ field: string; rule: string }> }).errors;
    expect(errors.map((error) => error.field)).toEqual(fields);
    expect(errors.every((error) => error.rule === rule)).toBe(true);
    expect(runs).toEqual([]);
  });

  it('accepts a range of exactly 92 days, both ends included', async () => {
    const { ports } = fakePorts();
    const answer = await answerOf({ from: '2026-09-03', to: '2026-12-03' }, ports);
    expect(answer.days).toHaveLength(92);
  });

  it('answers every day of the range, zero for days without events, and the range row as the total', async () => {
    const { ports, runs } = fakePorts([
      { event_date: '2026-11-30', messages_in: '4', active_users: '2', lateness_p50_ms: '1200' },
      { event_date: '2026-12-02', messages_in: '6', active_users: '2', lateness_p50_ms: '800' },
      // Two people each day, three different people in all: the total is the query's, not the sum.
      { messages_in: '10', active_users: '3', lateness_p50_ms: '950', lateness_p99_ms: '4000.4' },
    ]);
    const answer = await answerOf({ from: '2026-11-30', to: '2026-12-02' }, ports);

    expect(runs).toEqual([{ query: 'daily-kpis', parameters: ['2026-11-30', '2026-12-02'] }]);
    expect(answer.days.map((day) => [day.date, day.messagesIn, day.activeUsers, day.latenessP50Ms])).toEqual([
      ['2026-11-30', 4, 2, 1200],
      ['2026-12-01', 0, 0, null],
      ['2026-12-02', 6, 2, 800],
    ]);
    expect(answer.total).toMatchObject({
      messagesIn: 10,
      activeUsers: 3,
      latenessP50Ms: 950,
      latenessP99Ms: 4000,
    });
    expect(answer.total.emailsBounced).toBe(0);
    expect(answer).toMatchObject({ from: '2026-11-30', to: '2026-12-02', asOf: '2026-12-03T10:00:00.000Z' });
  });

  it('answers a settled range from the cache for a month, without querying again', async () => {
    const { ports, runs, items } = fakePorts([{ messages_in: '1' }]);
    const range = { from: '2026-11-01', to: '2026-11-30' };
    const first = await answerOf(range, ports);
    const second = await answerOf(range, ports);

    expect(second).toEqual(first);
    expect(runs).toHaveLength(1);
    expect(items.get(cacheKeyOf(range.from, range.to))?.expiresAt).toBe(NOW / 1000 + 30 * 86_400);
  });

  it('keeps a range that reaches into the last 25 hours only five minutes: late events may still land', async () => {
    // 10:00 on 3 December: events of 2 December may still be retried until 3 December 24:00 + a minute.
    const { ports, items } = fakePorts();
    await answerOf({ from: '2026-11-25', to: '2026-12-02' }, ports);
    expect(items.get(cacheKeyOf('2026-11-25', '2026-12-02'))?.expiresAt).toBe(NOW / 1000 + 300);
  });

  it('queries again once a cached answer expired, even before the TTL sweep deleted it', async () => {
    const { ports, runs, items } = fakePorts([{ messages_in: '7' }]);
    const stale = await answerOf({ from: '2026-12-03', to: '2026-12-03' }, ports);
    const key = cacheKeyOf('2026-12-03', '2026-12-03');
    items.set(key, { answer: { ...stale, total: { ...stale.total, messagesIn: 1 } }, expiresAt: NOW / 1000 });

    const fresh = await answerOf({ from: '2026-12-03', to: '2026-12-03' }, ports);
    expect(fresh.total.messagesIn).toBe(7);
    expect(runs).toHaveLength(2);
  });
});
