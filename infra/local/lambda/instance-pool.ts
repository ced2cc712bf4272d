/**
 * The execution environments of one function: warm ones are reused, one invocation at a time each, and the
 * pool grows up to the function's concurrency. With reserved concurrency a synchronous invocation beyond it
 * is throttled, as Lambda does; otherwise (and for queued async events) the invocation waits for a slot,
 * since a local machine cannot scale out the way the account pool does.
 */
import type { Sandbox } from './sandbox';

export type Acquired = { readonly sandbox: Sandbox } | 'throttled' | 'retired';

export interface InstancePoolOptions {
  readonly create: () => Sandbox;
  readonly concurrency: number;
  /** Reserved concurrency: a synchronous invocation over the limit is refused rather than queued. */
  readonly throttles: boolean;
  /** An environment idle this long is shut down (Lambda recycles idle environments too). */
  readonly idleTimeoutMs: number;
}

export class InstancePool {
  private readonly idle: Sandbox[] = [];
  private readonly idleTimers = new Map<Sandbox, NodeJS.Timeout>();
  private readonly busy = new Set<Sandbox>();
  private readonly waiting: Array<() => void> = [];
  private retired = false;

  constructor(private readonly options: InstancePoolOptions) {}

  /** `wait`: queue for a slot even under reserved concurrency (async events are retried, not refused). */
  async acquire(wait: boolean): Promise<Acquired> {
    while (!this.retired && this.busy.size >= this.options.concurrency) {
      if (this.options.throttles && !wait) return 'throttled';
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    }
    if (this.retired) return 'retired';
    const sandbox = this.takeIdle() ?? this.options.create();
    this.busy.add(sandbox);
    sandbox.setBusy(true);
    return { sandbox };
  }

  release(sandbox: Sandbox): void {
    this.busy.delete(sandbox);
    if (sandbox.alive && !this.retired) {
      sandbox.setBusy(false);
      this.idle.push(sandbox);
      const timer = setTimeout(() => this.expire(sandbox), this.options.idleTimeoutMs);
      timer.unref();
      this.idleTimers.set(sandbox, timer);
    } else {
      sandbox.kill();
    }
    this.waiting.shift()?.();
  }

  /**
   * Shuts the idle environments down now and busy ones as they finish (or now, with `killBusy`: their
   * invocations end as crashed); waiting callers get 'retired'.
   */
  retire(killBusy = false): void {
    this.retired = true;
    for (const sandbox of this.idle.splice(0)) this.shutDown(sandbox);
    if (killBusy) for (const sandbox of this.busy) sandbox.kill();
    for (const wake of this.waiting.splice(0)) wake();
  }

  get warmCount(): number {
    return this.idle.length;
  }

  private takeIdle(): Sandbox | undefined {
    for (let sandbox = this.idle.pop(); sandbox; sandbox = this.idle.pop()) {
      clearTimeout(this.idleTimers.get(sandbox));
      this.idleTimers.delete(sandbox);
      if (sandbox.alive) return sandbox;
    }
    return undefined;
  }

  private expire(sandbox: Sandbox): void {
    const index = this.idle.indexOf(sandbox);
    if (index !== -1) this.idle.splice(index, 1);
    this.shutDown(sandbox);
  }

  private shutDown(sandbox: Sandbox): void {
    clearTimeout(this.idleTimers.get(sandbox));
    this.idleTimers.delete(sandbox);
    sandbox.kill();
  }
}
