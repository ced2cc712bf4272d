import { describe, expect, it } from 'vitest';
import { ResourceLocks } from '../../../infra/local/dynamodb/resource-locks';

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

  it('releases the lock when the work fails', async () => {
    const locks = new ResourceLocks();
    await expect(
      locks.run(['table:A'], async () => {
        throw new Error('refused');
      }),
    ).rejects.toThrow('refused');
    await expect(locks.run(['table:A'], async () => 'next')).resolves.toBe('next');
  });
});
