/**
 * Named async locks (one per table, per item, per client token, ...). A lock is held exclusively, or shared
 * with other shared holders (single-item writes share their table's lock, so that they exclude transactions
 * on that table but not each other). Work that needs several takes them in sorted order, so two requests over
 * overlapping names queue behind each other instead of deadlocking. Waiters are served in arrival order.
 */

interface Waiter {
  readonly shared: boolean;
  readonly grant: () => void;
}

interface LockState {
  sharedHolders: number;
  exclusiveHeld: boolean;
  readonly waiting: Waiter[];
}

export class ResourceLocks {
  private readonly states = new Map<string, LockState>();

  /** Runs `work` holding `names` exclusively and `sharedNames` (unless also exclusive) shared. */
  async run<T>(
    names: Iterable<string>,
    work: () => Promise<T>,
    sharedNames: Iterable<string> = [],
  ): Promise<T> {
    const exclusive = new Set(names);
    const wanted = new Map<string, boolean>();
    for (const name of sharedNames) if (!exclusive.has(name)) wanted.set(name, true);
    for (const name of exclusive) wanted.set(name, false);
    const held: { name: string; shared: boolean }[] = [];
    try {
      for (const name of [...wanted.keys()].sort()) {
        const shared = wanted.get(name) === true;
        await this.acquire(name, shared);
        held.push({ name, shared });
      }
      return await work();
    } finally {
      for (const { name, shared } of held) this.release(name, shared);
    }
  }

  private acquire(name: string, shared: boolean): Promise<void> | undefined {
    let state = this.states.get(name);
    if (!state) {
      state = { sharedHolders: 0, exclusiveHeld: false, waiting: [] };
      this.states.set(name, state);
    }
    if (state.waiting.length === 0 && compatible(state, shared)) {
      take(state, shared);
      return undefined;
    }
    const queued = state;
    return new Promise((resolve) => queued.waiting.push({ shared, grant: resolve }));
  }

  private release(name: string, shared: boolean): void {
    const state = this.states.get(name);
    if (!state) return;
    if (shared) state.sharedHolders -= 1;
    else state.exclusiveHeld = false;
    for (let next = state.waiting[0]; next && compatible(state, next.shared); next = state.waiting[0]) {
      state.waiting.shift();
      take(state, next.shared);
      next.grant();
    }
    if (state.sharedHolders === 0 && !state.exclusiveHeld && state.waiting.length === 0) {
      this.states.delete(name);
    }
  }
}

function compatible(state: LockState, shared: boolean): boolean {
  if (state.exclusiveHeld) return false;
  return shared || state.sharedHolders === 0;
}

function take(state: LockState, shared: boolean): void {
  if (shared) state.sharedHolders += 1;
  else state.exclusiveHeld = true;
}
