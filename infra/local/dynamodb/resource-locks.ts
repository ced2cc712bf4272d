/**
 * Named async locks (one per table, per client token, ...). Work that needs several takes them in sorted
 * order, so two requests over overlapping tables queue behind each other instead of deadlocking.
 */
export class ResourceLocks {
  /** Lock name → a promise that settles once everyone queued so far has released it. */
  private readonly tails = new Map<string, Promise<void>>();

  async run<T>(names: Iterable<string>, work: () => Promise<T>): Promise<T> {
    const releases: (() => void)[] = [];
    try {
      for (const name of [...new Set(names)].sort()) releases.push(await this.acquire(name));
      return await work();
    } finally {
      for (const release of releases) release();
    }
  }

  private async acquire(name: string): Promise<() => void> {
    const previous = this.tails.get(name) ?? Promise.resolve();
    let release = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => held);
    this.tails.set(name, tail);
    await previous;
    return () => {
      release();
      if (this.tails.get(name) === tail) this.tails.delete(name);
    };
  }
}
