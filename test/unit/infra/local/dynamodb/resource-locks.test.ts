import { describe, expect, it } from 'vitest';
import { ResourceLocks } from '../../../../../infra/local/dynamodb/resource-locks';

/** A promise with its resolver, to hold work open until the test lets it finish. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = () => {};
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe('ResourceLocks', () => {
  it('runs work on the same name one at a time, in arrival order', async () => {
    const locks = new ResourceLocks();
    const log: string[] = [];
    const first = gate();
    const running = [
      locks.run(['table:A'], async () => {
        log.push('first starts');
        await first.promise;
        log.push('first ends');
      }),
      locks.run(['table:A'], async () => {
        log.push('second runs');
      }),
    ];
    await turn();
    expect(log).toEqual(['first starts']);
    first.open();
    await Promise.all(running);
    expect(log).toEqual(['first starts', 'first ends', 'second runs']);
  });

  it('lets work on different names run at the same time', async () => {
    const locks = new ResourceLocks();
    const held = gate();
    const slow = locks.run(['table:A'], () => held.promise);
    await expect(locks.run(['table:B'], async () => 'done')).resolves.toBe('done');
    held.open();
    await slow;
  });

  it('does not deadlock when two requests name overlapping tables in opposite orders', async () => {
    const locks = new ResourceLocks();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, index) =>
        locks.run(index % 2 ? ['table:A', 'table:B'] : ['table:B', 'table:A'], async () => {
          await turn();
          return index;
        }),
      ),
    );
    expect(results).toHaveLength(20);
  });

  it('lets shared holders of a name run at the same time', async () => {
    const locks = new ResourceLocks();
    const held = gate();
    const log: string[] = [];
    const first = locks.run([], async () => {
      log.push('first starts');
      await held.promise;
    }, ['table:A']);
    const second = locks.run([], async () => {
      log.push('second starts');
    }, ['table:A']);
    await second;
    expect(log).toEqual(['first starts', 'second starts']);
    held.open();
    await first;
  });

  it('makes an exclusive holder wait for every shared holder, and shared holders wait for it', async () => {
    const locks = new ResourceLocks();
    const log: string[] = [];
    const sharedA = gate();
    const sharedB = gate();
    const exclusive = gate();
    const running: Promise<unknown>[] = [
      locks.run([], async () => {
        log.push('shared A');
        await sharedA.promise;
        log.push('shared A ends');
      }, ['table:T']),
      locks.run([], async () => {
        log.push('shared B');
        await sharedB.promise;
        log.push('shared B ends');
      }, ['table:T']),
    ];
    await turn();
    running.push(
      locks.run(['table:T'], async () => {
        log.push('exclusive');
        await exclusive.promise;
        log.push('exclusive ends');
      }),
    );
    await turn();
    sharedA.open();
    await running[0];
    await turn();
    expect(log).toEqual(['shared A', 'shared B', 'shared A ends']);
    sharedB.open();
    await running[1];
    await turn();
    expect(log.at(-1)).toBe('exclusive');

    running.push(locks.run([], async () => log.push('shared C'), ['table:T']));
    await turn();
    expect(log.at(-1)).toBe('exclusive');
    exclusive.open();
    await Promise.all(running);
    expect(log.slice(-2)).toEqual(['exclusive ends', 'shared C']);
  });

  it('serves waiters in arrival order: a shared request does not overtake a waiting exclusive one', async () => {
    const locks = new ResourceLocks();
    const log: string[] = [];
    const gates = { holder: gate(), writer: gate() };
    const running: Promise<unknown>[] = [
      locks.run([], async () => {
        log.push('holder');
        await gates.holder.promise;
      }, ['table:T']),
    ];
    await turn();
    running.push(
      locks.run(['table:T'], async () => {
        log.push('writer');
        await gates.writer.promise;
      }),
      // Compatible with the shared holder, but arrives after a waiting exclusive request.
      locks.run([], async () => log.push('late reader 1'), ['table:T']),
      locks.run([], async () => log.push('late reader 2'), ['table:T']),
    );
    await turn();
    expect(log).toEqual(['holder']);
    gates.holder.open();
    await running[0];
    await turn();
    expect(log).toEqual(['holder', 'writer']);
    gates.writer.open();
    await Promise.all(running);
    expect(log).toEqual(['holder', 'writer', 'late reader 1', 'late reader 2']);
  });

  it('lets consecutive shared waiters in together once an exclusive holder leaves', async () => {
    const locks = new ResourceLocks();
    const writer = gate();
    const readers = gate();
    const inside: string[] = [];
    const running = [locks.run(['table:T'], () => writer.promise)];
    for (const name of ['reader 1', 'reader 2', 'reader 3']) {
      running.push(
        locks.run([], async () => {
          inside.push(name);
          await readers.promise;
        }, ['table:T']),
      );
    }
    await turn();
    expect(inside).toEqual([]);
    writer.open();
    await running[0];
    await turn();
    expect(inside).toEqual(['reader 1', 'reader 2', 'reader 3']);
    readers.open();
    await Promise.all(running);
  });

  it('holds a name named both exclusive and shared exclusively', async () => {
    const locks = new ResourceLocks();
    const held = gate();
    const log: string[] = [];
    const first = locks.run(['table:T'], async () => {
      log.push('first');
      await held.promise;
    }, ['table:T']);
    const second = locks.run([], async () => log.push('second'), ['table:T']);
    await turn();
    expect(log).toEqual(['first']);
    held.open();
    await Promise.all([first, second]);
    expect(log).toEqual(['first', 'second']);
  });

  it('never deadlocks or lets an exclusive holder overlap another holder, over overlapping mixed sets', async () => {
    const locks = new ResourceLocks();
    const holders = new Map<string, { exclusive: number; shared: number }>();
    const violations: string[] = [];
    // Deterministic pseudo-random choices, so a failure reproduces.
    let seed = 7;
    const next = (bound: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % bound;
    };
    const tables = ['table:A', 'table:B', 'table:C'];
    const request = (index: number) => {
      const kind = next(3);
      const table = tables[next(tables.length)] ?? 'table:A';
      // The shapes the DynamoDB store uses: one item exclusive with its table shared, or whole tables exclusive.
      if (kind === 0) return { exclusive: [`item:${table}:${next(4)}`], shared: [table] };
      const others = tables.filter(() => next(2) === 0);
      const exclusive = [table, ...others];
      if (index % 2) exclusive.reverse();
      return { exclusive, shared: kind === 2 ? tables : [] };
    };
    const enter = (exclusive: Set<string>, shared: Set<string>) => {
      for (const name of new Set([...exclusive, ...shared])) {
        const count = holders.get(name) ?? { exclusive: 0, shared: 0 };
        if (exclusive.has(name)) {
          if (count.exclusive > 0 || count.shared > 0) violations.push(`${name} held twice`);
          count.exclusive++;
        } else {
          if (count.exclusive > 0) violations.push(`${name} shared while held exclusively`);
          count.shared++;
        }
        holders.set(name, count);
      }
    };
    const leave = (exclusive: Set<string>, shared: Set<string>) => {
      for (const name of new Set([...exclusive, ...shared])) {
        const count = holders.get(name);
        if (!count) continue;
        if (exclusive.has(name)) count.exclusive--;
        else count.shared--;
      }
    };
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, index) => {
        const { exclusive, shared } = request(index);
        const exclusiveSet = new Set(exclusive);
        const sharedSet = new Set(shared);
        return locks.run(
          exclusive,
          async () => {
            enter(exclusiveSet, sharedSet);
            for (let turns = next(3); turns >= 0; turns--) await turn();
            leave(exclusiveSet, sharedSet);
            return index;
          },
          shared,
        );
      }),
    );
    expect(results).toEqual(Array.from({ length: 200 }, (_, index) => index));
    expect(violations).toEqual([]);
  });

  it('releases the lock when the work fails', async () => {
    const locks = new ResourceLocks();
    await expect(
      locks.run(['table:A'], async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await expect(locks.run(['table:A'], async () => 'next')).resolves.toBe('next');
  });

  it('releases shared locks when the work fails', async () => {
    const locks = new ResourceLocks();
    await expect(
      locks.run(['item:T:1'], async () => {
        throw new Error('refused');
      }, ['table:T']),
    ).rejects.toThrow('refused');
    await expect(locks.run(['table:T', 'item:T:1'], async () => 'next')).resolves.toBe('next');
  });
});
