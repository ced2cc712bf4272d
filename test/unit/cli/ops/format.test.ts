import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import {
  formatDuration,
  groupFailures,
  isDlqName,
  mapBounded,
  outcomeOf,
  parseDuration,
  prettyJson,
  table,
} from '../../../../cli/ops/format';
import { foldHistory } from '../../../../cli/ops/timeline';

describe('ops CLI helpers', () => {
  it('parses durations and refuses others', () => {
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('24h')).toBe(86_400_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(() => parseDuration('1w')).toThrow(/not a duration/);
    expect(formatDuration(850)).toBe('850ms');
    expect(formatDuration(12_300)).toBe('12.3s');
    expect(formatDuration(245_000)).toBe('4m05s');
  });

  it('aligns table columns', () => {
    expect(
      table(
        ['A', 'BB'],
        [
          ['long', 'x'],
          ['s', 'yy'],
        ],
      ),
    ).toBe('A     BB\nlong  x\ns     yy');
  });

  it('groups failures by machine, state and error, most frequent first', () => {
    const groups = groupFailures([
      { machine: 'm', state: 'Send', error: 'E1', arn: 'a1' },
      { machine: 'm', state: 'Send', error: 'E2', arn: 'a2' },
      { machine: 'm', state: 'Send', error: 'E2', arn: 'a3' },
    ]);
    expect(groups).toEqual([
      { machine: 'm', state: 'Send', error: 'E2', count: 2, example: 'a2' },
      { machine: 'm', state: 'Send', error: 'E1', count: 1, example: 'a1' },
    ]);
  });

  it('bounds concurrency and keeps order', async () => {
    let running = 0;
    let peak = 0;
    const results = await mapBounded([1, 2, 3, 4, 5], 2, async (n) => {
      running += 1;
      peak = Math.max(peak, running);
      await Promise.resolve();
      running -= 1;
      return n * 2;
    });
    expect(results).toEqual([2, 4, 6, 8, 10]);
    expect(peak).toBe(2);
  });

  it('reads outcomes, DLQ names and truncates JSON', () => {
    expect(outcomeOf('{"outcome":"locked"}')).toBe('locked');
    expect(outcomeOf('not json')).toBe('');
    expect(isDlqName('aurora-reminders-dlq')).toBe(true);
    expect(isDlqName('aurora-reminders')).toBe(false);
    expect(prettyJson(JSON.stringify({ a: 'x'.repeat(50) }), false, 10)).toMatch(/truncated/);
  });

  it('folds a history by state with durations, retries and the failure', () => {
    const at = (ms: number) => new Date(ms);
    const events: HistoryEvent[] = [
      { id: 1, type: 'ExecutionStarted', timestamp: at(0) },
      { id: 2, type: 'TaskStateEntered', timestamp: at(0), stateEnteredEventDetails: { name: 'Send' } },
      { id: 3, type: 'TaskScheduled', timestamp: at(10) },
      { id: 4, type: 'TaskFailed', timestamp: at(20) },
      { id: 5, type: 'TaskScheduled', timestamp: at(30) },
      { id: 6, type: 'TaskFailed', timestamp: at(40) },
      {
        id: 7,
        type: 'ExecutionFailed',
        timestamp: at(50),
        executionFailedEventDetails: { error: 'Boom', cause: 'why' },
      },
    ];
    const timeline = foldHistory(events);
    expect(timeline.failure).toEqual({ state: 'Send', error: 'Boom', cause: 'why' });
    expect(timeline.states[0]?.attempts).toBe(2);
    expect(timeline.states[0]?.exitedAt?.getTime()).toBe(50);
  });
});
