/**
 * The REST API's calendar read on the real app through the local API Gateway: GET /events?from&to for a
 * person with 1,000 events spread over a year, as a week view (about 20 occurrences, one of them a weekly
 * series expanded) and as a whole year (1,051 occurrences in pages of 500). Each call runs the session
 * authorizer, then the function's two GSI3 queries and the expansion. The baseline is GET /health (a
 * function making two AWS calls, no authorizer) measured in the same run, interleaved request by request so
 * that both see the same machine.
 */
import type { TestCloud } from '../test/support/local-cloud';
import { signIn } from '../test/support/sign-in';
import type { BenchRow } from './index';
import { onRealClockCloud } from './support/real-clock-cloud';
import { ms, percentile } from './support/stats';

const EVENTS = 1_000;
const SAMPLES = 300;
const YEAR_SAMPLES = 20;
const SEED_CONCURRENCY = 8;
const WARMUP = 30;
/** 999 one-off events and the weekly series' 52 Mondays of 2027. */
const YEAR_OCCURRENCES = EVENTS - 1 + 52;

/** About three events a day at times that vary, through 2027, and one weekly series among them. */
function eventBody(index: number): Record<string, unknown> {
  const day = new Date(Date.UTC(2027, 0, 1) + Math.floor((index * 365) / EVENTS) * 86_400_000);
  // The series starts on its own weekday (Monday 4 January), so every occurrence is a Monday.
  const date = index === 0 ? '2027-01-04' : day.toISOString().slice(0, 10);
  const hour = String(8 + (index % 10)).padStart(2, '0');
  return {
    title: `Event ${index}`,
    start: `${date}T${hour}:00`,
    end: `${date}T${hour}:45`,
    timeZone: 'Europe/Paris',
    ...(index === 0 ? { rrule: 'FREQ=WEEKLY;BYDAY=MO' } : {}),
  };
}

export const run = (): Promise<BenchRow[]> => onRealClockCloud(measure);

async function measure(test: TestCloud): Promise<BenchRow[]> {
  const { apiUrl } = test.cloud;
  const token = await signIn(test.cloud, 'bench@example.com');
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };

  let next = 0;
  const seedStarted = performance.now();
  await Promise.all(
    Array.from({ length: SEED_CONCURRENCY }, async () => {
      while (next < EVENTS) {
        const body = JSON.stringify(eventBody(next++));
        const response = await fetch(`${apiUrl}/events`, { method: 'POST', headers, body });
        if (response.status !== 201) throw new Error(`POST /events answered ${response.status}`);
      }
    }),
  );
  const seedMs = performance.now() - seedStarted;
  process.stdout.write(`  seeded ${EVENTS} events in ${(seedMs / 1000).toFixed(1)} s\n`);

  const timed = async (path: string, withToken: boolean, expectItems?: number): Promise<number> => {
    const started = performance.now();
    const response = await fetch(`${apiUrl}${path}`, withToken ? { headers } : {});
    const body = (await response.json()) as { items?: unknown[] };
    const elapsed = performance.now() - started;
    if (response.status !== 200) throw new Error(`GET ${path} answered ${response.status}`);
    if (expectItems !== undefined && body.items?.length !== expectItems) {
      throw new Error(`GET ${path} gave ${body.items?.length} items, not ${expectItems}`);
    }
    return elapsed;
  };
  const week = '/events?from=2027-03-01&to=2027-03-07';
  const weekItems = ((await (await fetch(`${apiUrl}${week}`, { headers })).json()) as { items: unknown[] })
    .items.length;
  const weekTimes: number[] = [];
  const healthTimes: number[] = [];
  for (let sample = 0; sample < WARMUP + SAMPLES; sample++) {
    const weekMs = await timed(week, true, weekItems);
    const healthMs = await timed('/health', false);
    if (sample >= WARMUP) {
      weekTimes.push(weekMs);
      healthTimes.push(healthMs);
    }
  }
  const yearTimes: number[] = [];
  let yearPages = 0;
  for (let sample = 0; sample < YEAR_SAMPLES; sample++) {
    const started = performance.now();
    let listed = 0;
    let cursor: string | undefined;
    yearPages = 0;
    do {
      const page = (await (
        await fetch(
          `${apiUrl}/events?from=2027-01-01&to=2027-12-31&limit=500${cursor ? `&cursor=${cursor}` : ''}`,
          {
            headers,
          },
        )
      ).json()) as { items: unknown[]; nextCursor?: string };
      listed += page.items.length;
      cursor = page.nextCursor;
      yearPages++;
    } while (cursor);
    yearTimes.push(performance.now() - started);
    if (listed !== YEAR_OCCURRENCES) throw new Error(`the year listed ${listed} occurrences`);
  }

  const weekP50 = percentile(weekTimes, 0.5);
  const weekP99 = percentile(weekTimes, 0.99);
  const healthP50 = percentile(healthTimes, 0.5);
  const healthP99 = percentile(healthTimes, 0.99);
  return [
    {
      name: `GET /events week view (${weekItems} occurrences), person with ${EVENTS} events`,
      value: `p50 ${ms(weekP50)}, p99 ${ms(weekP99)}`,
      baseline: `GET /health: p50 ${ms(healthP50)}, p99 ${ms(healthP99)}`,
      ratio: `${(weekP50 / healthP50).toFixed(2)}x health at p50, ${(weekP99 / healthP99).toFixed(2)}x at p99`,
    },
    {
      name: `GET /events whole year (${YEAR_OCCURRENCES} occurrences, ${yearPages} pages of up to 500)`,
      value: `p50 ${ms(percentile(yearTimes, 0.5))}, max ${ms(Math.max(...yearTimes))}`,
      baseline: `GET /health p50 ${ms(healthP50)}`,
      ratio: `${(percentile(yearTimes, 0.5) / healthP50).toFixed(1)}x health`,
    },
    {
      name: `POST /events (${SEED_CONCURRENCY} at a time, no reminders)`,
      value: `${Math.round((EVENTS * 1000) / seedMs)} events/s`,
    },
  ];
}
