/**
 * Lets one branch of an execution compute at a time and hands over whenever it blocks (a task call, a timer,
 * a callback). Waiting branches run in depth-first order (lowest iteration path first), so Map iterations
 * and Parallel branches that never block produce their history events one after another, as AWS records
 * them, while branches that do block still overlap.
 */
export type Order = readonly number[];

interface Waiter {
  readonly order: Order;
  readonly resume: () => void;
}

function compareOrder(left: Order, right: Order): number {
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index++) {
    const difference = (left[index] as number) - (right[index] as number);
    if (difference !== 0) return difference;
  }
  return left.length - right.length;
}

export class Scheduler {
  private busy = false;
  private readonly waiters: Waiter[] = [];

  acquire(order: Order): Promise<void> | undefined {
    if (!this.busy) {
      this.busy = true;
      return undefined;
    }
    return new Promise((resume) => {
      let index = this.waiters.length;
      while (index > 0 && compareOrder((this.waiters[index - 1] as Waiter).order, order) > 0) index--;
      this.waiters.splice(index, 0, { order, resume });
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next.resume();
    else this.busy = false;
  }

  /** Gives the turn away while `work` is pending, and takes it back (in order) afterwards. */
  async whileBlocked<T>(order: Order, work: Promise<T>): Promise<T> {
    this.release();
    try {
      return await work;
    } finally {
      await this.acquire(order);
    }
  }
}
