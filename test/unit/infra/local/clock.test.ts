import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Clock, parseIsoDuration } from '../../../../infra/local/clock';
import { startBareTestCloud } from '../../../support/local-cloud';
import { until } from '../../../support/polling';

const start = Date.parse('2026-11-22T09:00:00.000Z');
const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('Clock (manual)', () => {
  it('stands still until moved, then fires due timers once each, in due order', async () => {
    const clock = new Clock('manual', start);
    const fired: string[] = [];
    clock.after(15 * 60_000, () => fired.push('15 min'));
    clock.at(start + 60_000, () => fired.push('1 min'));
    const cancelled = clock.after(2 * 60_000, () => fired.push('cancelled'));
    clock.cancel(cancelled);
    await flush();
    expect(fired).toEqual([]);
    expect(clock.now()).toBe(start);

    clock.advanceBy(10 * 60_000);
    await flush();
    expect(fired).toEqual(['1 min']);
    clock.advanceBy(parseIsoDuration('PT5M'));
    await flush();
    expect(fired).toEqual(['1 min', '15 min']);
    clock.advanceBy(60 * 60_000);
    await flush();
    expect(fired).toEqual(['1 min', '15 min']);
  });

  it('resolves sleeps on a jump and refuses to go back in time', async () => {
    const clock = new Clock('manual', start);
    let woke = false;
    void clock.sleep(3 * 24 * 3600_000).then(() => {
      woke = true;
    });
    clock.set(Date.parse('2026-11-25T09:00:00.000Z'));
    await flush();
    expect(woke).toBe(true);
    expect(() => clock.set(start)).toThrow(/only moves forward/);
    expect(() => clock.advanceBy(-1)).toThrow(/only moves forward/);
  });

  it('tells listeners about a jump', () => {
    const clock = new Clock('manual', start);
    const seen: number[] = [];
    clock.onChange((now) => seen.push(now));
    clock.advanceBy(1000);
    expect(seen).toEqual([start + 1000]);
  });
});

describe('Clock (real)', () => {
  it('follows the wall clock, shifted by jumps, and fires timers on its own', async () => {
    const clock = new Clock('real');
    const before = Date.now();
    clock.advanceBy(3600_000);
    expect(clock.now() - before).toBeGreaterThanOrEqual(3600_000);
    const fired = await new Promise<number>((resolve) => clock.after(20, () => resolve(clock.now())));
    expect(fired - before).toBeGreaterThanOrEqual(3600_000 + 20);
    clock.dispose();
  });

  it('fires a timer when the clock reaches it after a jump, not when its first wall-clock delay ends', async () => {
    const clock = new Clock('real');
    let fired = false;
    // Armed for 60 s of wall time; a 59.9 s jump leaves 0.1 s.
    clock.after(60_000, () => {
      fired = true;
    });
    clock.advanceBy(59_900);
    await until(() => fired, 'the timer fires', 5_000);
    clock.dispose();
  });
});

describe('parseIsoDuration', () => {
  it.each([
    ['PT15M', 15 * 60_000],
    ['P3D', 3 * 24 * 3600_000],
    ['PT1H30M', 90 * 60_000],
    ['PT0.5S', 500],
    ['P1DT2H', 26 * 3600_000],
  ])('%s is %i ms', (text, milliseconds) => {
    expect(parseIsoDuration(text)).toBe(milliseconds);
  });

  it.each(['15m', 'P', 'PT', 'P1H', '-PT1M', ''])('refuses %j, naming the expected form', (text) => {
    expect(() => parseIsoDuration(text)).toThrow(/is not an ISO-8601 duration such as PT15M/);
  });
});

describe('a restarted local cloud', () => {
  it('resumes its clock where it was, never earlier than the start asked for', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'clock-resume-'));
    try {
      const first = await startBareTestCloud({ stateDir });
      first.cloud.clock.advanceBy(26 * 3600_000);
      const later = first.cloud.clock.now();
      await first.stop({ keepState: true });
      const second = await startBareTestCloud({ stateDir });
      expect(second.cloud.clock.now()).toBe(later);
      await second.stop();
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
