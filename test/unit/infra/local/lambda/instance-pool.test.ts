/**
 * The pool's scaling rule, with stand-in environments and fake timers: immediate up to the eager count, then
 * only after a busy environment has not come free within the delay, only with a core to spare, and never
 * while one of its environments is still starting.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type Acquired,
  InstancePool,
  type PooledEnvironment,
} from '../../../../../infra/local/lambda/instance-pool';

class StandIn implements PooledEnvironment {
  alive = true;
  initialising = false;
  setBusy(): void {}
  kill(): void {
    this.alive = false;
  }
}

const DELAY_MS = 100;

function pool(options: { eager?: number; concurrency?: number; throttles?: boolean } = {}) {
  const created: StandIn[] = [];
  const machine = { spareCpu: true };
  const instances = new InstancePool<StandIn>({
    create: () => {
      const environment = new StandIn();
      created.push(environment);
      return environment;
    },
    concurrency: options.concurrency ?? 8,
    throttles: options.throttles ?? false,
    eagerEnvironments: options.eager ?? 2,
    scaleOutDelayMs: DELAY_MS,
    hasSpareCpu: () => machine.spareCpu,
    idleTimeoutMs: 60_000,
  });
  return { instances, created, machine };
}

const environmentOf = (acquired: Acquired<StandIn>): StandIn => {
  if (typeof acquired === 'string') throw new Error(`expected an environment, got ${acquired}`);
  return acquired.sandbox;
};

/** Starts an acquire and reports whether it has been answered yet. */
function pending(acquiring: Promise<Acquired<StandIn>>) {
  let answer: Acquired<StandIn> | undefined;
  void acquiring.then((value) => {
    answer = value;
  });
  return { answered: () => answer };
}

describe('InstancePool scaling', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('creates environments at once up to the eager count, and reuses a free one before creating', async () => {
    const { instances, created } = pool({ eager: 2 });
    const first = environmentOf(await instances.acquire(false));
    const second = environmentOf(await instances.acquire(false));
    expect(created).toHaveLength(2);
    instances.release(first);
    expect(environmentOf(await instances.acquire(false))).toBe(first);
    expect(second).not.toBe(first);
    expect(created).toHaveLength(2);
  });

  it('past the eager count, hands over an environment that comes free within the delay', async () => {
    const { instances, created } = pool({ eager: 2 });
    const first = environmentOf(await instances.acquire(false));
    environmentOf(await instances.acquire(false));
    const third = pending(instances.acquire(false));
    await vi.advanceTimersByTimeAsync(DELAY_MS / 2);
    expect(third.answered()).toBeUndefined();
    instances.release(first);
    await vi.advanceTimersByTimeAsync(0);
    expect(environmentOf(third.answered() ?? 'retired')).toBe(first);
    expect(created).toHaveLength(2);
  });

  it('past the eager count, adds an environment once the delay has passed with a core to spare', async () => {
    const { instances, created } = pool({ eager: 2 });
    await instances.acquire(false);
    await instances.acquire(false);
    const third = pending(instances.acquire(false));
    await vi.advanceTimersByTimeAsync(DELAY_MS - 1);
    expect(third.answered()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(1);
    expect(environmentOf(third.answered() ?? 'retired')).toBe(created[2]);
  });

  it('keeps waiting while the CPU is saturated, and scales out at the next check once a core is free', async () => {
    const { instances, created, machine } = pool({ eager: 2 });
    await instances.acquire(false);
    await instances.acquire(false);
    machine.spareCpu = false;
    const third = pending(instances.acquire(false));
    await vi.advanceTimersByTimeAsync(DELAY_MS * 5);
    expect(third.answered()).toBeUndefined();
    expect(created).toHaveLength(2);
    machine.spareCpu = true;
    await vi.advanceTimersByTimeAsync(DELAY_MS);
    expect(environmentOf(third.answered() ?? 'retired')).toBe(created[2]);
  });

  it('does not add environments while one of the pool is still starting', async () => {
    const { instances, created } = pool({ eager: 1 });
    const starting = environmentOf(await instances.acquire(false));
    starting.initialising = true;
    const second = pending(instances.acquire(false));
    await vi.advanceTimersByTimeAsync(DELAY_MS * 3);
    expect(second.answered()).toBeUndefined();
    starting.initialising = false;
    await vi.advanceTimersByTimeAsync(DELAY_MS);
    expect(environmentOf(second.answered() ?? 'retired')).toBe(created[1]);
  });

  it('never exceeds the concurrency: beyond it, reserved concurrency throttles and otherwise waits', async () => {
    const reserved = pool({ eager: 2, concurrency: 2, throttles: true });
    await reserved.instances.acquire(false);
    const held = environmentOf(await reserved.instances.acquire(false));
    expect(await reserved.instances.acquire(false)).toBe('throttled');
    const queued = pending(reserved.instances.acquire(true));
    await vi.advanceTimersByTimeAsync(DELAY_MS * 5);
    expect(queued.answered()).toBeUndefined();
    reserved.instances.release(held);
    await vi.advanceTimersByTimeAsync(0);
    expect(environmentOf(queued.answered() ?? 'retired')).toBe(held);
    expect(reserved.created).toHaveLength(2);
  });

  it('answers waiting invocations with "retired" when the function is replaced', async () => {
    const { instances } = pool({ eager: 1, concurrency: 1 });
    await instances.acquire(false);
    const waiting = pending(instances.acquire(false));
    instances.retire();
    await vi.advanceTimersByTimeAsync(0);
    expect(waiting.answered()).toBe('retired');
  });
});
