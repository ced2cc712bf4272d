/**
 * The execution environments of one function: warm ones are reused, one invocation at a time each, and the
 * pool grows up to the function's concurrency. With reserved concurrency a synchronous invocation beyond it
 * is throttled, as Lambda does; otherwise (and for queued async events) the invocation waits for a slot,
 * since a local machine cannot scale out the way the account pool does.
 *
 * Scale-out is immediate up to `eagerEnvironments` (one per core). Beyond that, an invocation first waits
 * `scaleOutDelayMs` for a busy environment to free up, and a new one is added only while the machine has a
 * core to spare and no environment of the pool is still starting. Each environment is an isolate that pays a
 * cold start and then runs unoptimised code for its first few thousand invocations: on a saturated machine,
 * more environments only split the same cores and add warm-up work, so the queue grows faster (measured on 2
 * cores, webhook at 200 req/s: p50 over 380 ms when every burst added environments up to eight, 7 to 10 ms
 * with this rule). Environments that stay busy because they wait (on I/O, a timer, another service) leave the
 * CPU idle, so for them the pool still grows to its limit.
 */
/** What the pool needs of an execution environment (a Sandbox). */
export interface PooledEnvironment {
  readonly alive: boolean;
  /** Still loading the handler (a cold start in progress). */
  readonly initialising: boolean;
  /** Idle environments must not keep the process alive. */
  setBusy(busy: boolean): void;
  kill(): void;
}

export type Acquired<E> = { readonly sandbox: E } | 'throttled' | 'retired';

export interface InstancePoolOptions<E extends PooledEnvironment> {
  readonly create: () => E;
  readonly concurrency: number;
  /** Environments created as soon as an invocation finds the others busy. */
  readonly eagerEnvironments: number;
  /** Beyond `eagerEnvironments`, how long an invocation waits for a busy environment before adding one. */
  readonly scaleOutDelayMs: number;
  /** Whether adding an environment past the eager ones can help: false while the CPU is saturated. */
  readonly hasSpareCpu: () => boolean;
  /** Reserved concurrency: a synchronous invocation over the limit is refused rather than queued. */
  readonly throttles: boolean;
  /** An environment idle this long is shut down (Lambda recycles idle environments too). */
  readonly idleTimeoutMs: number;
}

export class InstancePool<E extends PooledEnvironment> {
  private readonly idle: E[] = [];
  private readonly idleTimers = new Map<E, NodeJS.Timeout>();
  private readonly busy = new Set<E>();
  private readonly waiting: Array<() => void> = [];
  private retired = false;

  constructor(private readonly options: InstancePoolOptions<E>) {}

  /** `wait`: queue for a slot even under reserved concurrency (async events are retried, not refused). */
  async acquire(wait: boolean): Promise<Acquired<E>> {
    let scaleOutAt = performance.now() + this.options.scaleOutDelayMs;
    for (;;) {
      if (this.retired) return 'retired';
      const idle = this.takeIdle();
      if (idle) return this.lend(idle);
      if (this.busy.size >= this.options.concurrency) {
        if (this.options.throttles && !wait) return 'throttled';
        await this.nextRelease();
        continue;
      }
      const scaleOutDue = performance.now() >= scaleOutAt;
      const added = this.grow(scaleOutDue);
      if (added) return this.lend(added);
      if (scaleOutDue) scaleOutAt = performance.now() + this.options.scaleOutDelayMs;
      await this.nextRelease(scaleOutAt - performance.now());
    }
  }

  /**
   * A new environment if one may be added now (the pool is below its concurrency): at once up to the eager
   * ones, past them only once the scale-out delay is over, while none is cold-starting and a core is spare.
   */
  private grow(scaleOutDue: boolean): E | undefined {
    if (this.busy.size < this.options.eagerEnvironments) return this.options.create();
    if (!scaleOutDue) return undefined;
    const coldStarting = [...this.busy].some((sandbox) => sandbox.initialising);
    return !coldStarting && this.options.hasSpareCpu() ? this.options.create() : undefined;
  }

  private lend(sandbox: E): Acquired<E> {
    this.busy.add(sandbox);
    sandbox.setBusy(true);
    return { sandbox };
  }

  /** Resolves when an environment is released (or the pool retires), or after `timeoutMs`. */
  private nextRelease(timeoutMs?: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        resolve();
      };
      const timer =
        timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              const index = this.waiting.indexOf(wake);
              if (index !== -1) this.waiting.splice(index, 1);
              resolve();
            }, timeoutMs);
      this.waiting.push(wake);
    });
  }

  release(sandbox: E): void {
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

  private takeIdle(): E | undefined {
    for (let sandbox = this.idle.pop(); sandbox; sandbox = this.idle.pop()) {
      clearTimeout(this.idleTimers.get(sandbox));
      this.idleTimers.delete(sandbox);
      if (sandbox.alive) return sandbox;
    }
    return undefined;
  }

  private expire(sandbox: E): void {
    const index = this.idle.indexOf(sandbox);
    if (index !== -1) this.idle.splice(index, 1);
    this.shutDown(sandbox);
  }

  private shutDown(sandbox: E): void {
    clearTimeout(this.idleTimers.get(sandbox));
    this.idleTimers.delete(sandbox);
    sandbox.kill();
  }
}
