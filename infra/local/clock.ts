import { CLOCK_VIEW_BYTES, writeClockView } from './shared/clock-view';
import { MinHeap } from './shared/min-heap';

/**
 * The one clock every local service follows: timers, TTL, schedules, Wait states and task timeouts.
 *
 * `real` follows the wall clock plus an offset that `advanceBy`/`set` can move forward (a demo can jump
 * 3 days ahead and keep running); `manual` stands still until it is moved, which makes tests
 * deterministic. Timers fire in due order, each at most once, when the clock reaches their time.
 */
export type ClockMode = 'real' | 'manual';

export interface TimerHandle {
  readonly dueAt: number;
  cancelled: boolean;
}

interface Timer extends TimerHandle {
  readonly sequence: number;
  readonly callback: () => void;
}

const MAX_NODE_DELAY_MS = 2_147_483_647;
/** The last instant with a four-digit year. */
export const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

export class Clock {
  private offsetMs = 0;
  private frozenAt: number;
  private readonly timers = new MinHeap<Timer>((timer) => timer.dueAt + timer.sequence / 1e9);
  private sequence = 0;
  private wakeUp: NodeJS.Timeout | undefined;
  private wakeUpAt = Number.POSITIVE_INFINITY;
  private readonly listeners = new Set<(now: number) => void>();
  /** The clock's state for Lambda worker threads (shared/clock-view.ts), kept current on every change. */
  readonly view = new Float64Array(new SharedArrayBuffer(CLOCK_VIEW_BYTES));

  constructor(
    readonly mode: ClockMode = 'real',
    start: number = Date.now(),
  ) {
    this.frozenAt = start;
    if (mode === 'real') this.offsetMs = start - Date.now();
    this.publishView();
  }

  private publishView(): void {
    writeClockView(this.view, this.mode, this.mode === 'manual' ? this.frozenAt : this.offsetMs);
  }

  /** Milliseconds since the epoch, as the local cloud sees them. */
  now(): number {
    return this.mode === 'manual' ? this.frozenAt : Date.now() + this.offsetMs;
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Runs `callback` once the clock reaches `dueAt` (epoch ms); a time already passed fires on the next tick. */
  at(dueAt: number, callback: () => void): TimerHandle {
    const timer: Timer = { dueAt, callback, cancelled: false, sequence: this.sequence++ };
    this.timers.push(timer);
    this.arm();
    return timer;
  }

  after(delayMs: number, callback: () => void): TimerHandle {
    return this.at(this.now() + Math.max(0, delayMs), callback);
  }

  cancel(handle: TimerHandle | undefined): void {
    if (handle) handle.cancelled = true;
  }

  /** Resolves once the clock has moved `delayMs` forward (by itself or by a jump). */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.after(delayMs, resolve));
  }

  /** Moves the clock forward and fires every timer that became due, in order. */
  advanceBy(deltaMs: number): void {
    if (!Number.isFinite(deltaMs) || deltaMs < 0) throw new RangeError('The clock only moves forward');
    // Refused before anything moves: past the year 9999 no ISO-8601 timestamp (and no AWS API) can say it.
    if (this.now() + deltaMs > LAST_INSTANT) {
      throw new RangeError(`The clock cannot pass ${new Date(LAST_INSTANT).toISOString()}`);
    }
    if (this.mode === 'manual') this.frozenAt += deltaMs;
    else this.offsetMs += deltaMs;
    this.changed();
  }

  set(instant: number): void {
    const delta = instant - this.now();
    if (delta < 0) throw new RangeError('The clock only moves forward');
    this.advanceBy(delta);
  }

  /** Called after every jump, so that services that poll (TTL sweeps) can catch up at once. */
  onChange(listener: (now: number) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Stops the wall-clock wake-up so that a stopped process can exit. */
  dispose(): void {
    if (this.wakeUp) clearTimeout(this.wakeUp);
    this.wakeUp = undefined;
    this.wakeUpAt = Number.POSITIVE_INFINITY;
  }

  private changed(): void {
    this.publishView();
    // A wake-up armed before the jump waits out a wall-clock delay the jump has shortened: arm it afresh.
    if (this.wakeUp) clearTimeout(this.wakeUp);
    this.wakeUp = undefined;
    this.wakeUpAt = Number.POSITIVE_INFINITY;
    this.fireDue();
    for (const listener of this.listeners) listener(this.now());
  }

  private fireDue(): void {
    const now = this.now();
    for (;;) {
      const next = this.timers.peek();
      if (!next || next.dueAt > now) break;
      this.timers.pop();
      if (!next.cancelled) queueMicrotask(next.callback);
    }
    this.arm();
  }

  private arm(): void {
    const next = this.timers.peek();
    if (!next) return;
    const now = this.now();
    if (next.dueAt <= now) {
      this.scheduleWakeUp(now, 0);
      return;
    }
    // A manual clock only moves when told to; nothing to wait for on the wall clock.
    if (this.mode === 'manual') return;
    this.scheduleWakeUp(next.dueAt, Math.min(next.dueAt - now, MAX_NODE_DELAY_MS));
  }

  private scheduleWakeUp(at: number, delayMs: number): void {
    if (this.wakeUp && at >= this.wakeUpAt) return;
    if (this.wakeUp) clearTimeout(this.wakeUp);
    this.wakeUpAt = at;
    this.wakeUp = setTimeout(() => {
      this.wakeUp = undefined;
      this.wakeUpAt = Number.POSITIVE_INFINITY;
      this.fireDue();
    }, delayMs);
    this.wakeUp.unref();
  }
}

/** Parses the ISO-8601 durations the clock endpoint accepts (PT15M, P3D, PT1H30M, PT0.5S). */
export function parseIsoDuration(text: string): number {
  const match =
    /^P(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      text,
    );
  if (!match || text === 'P' || text.endsWith('T')) {
    throw new RangeError(`"${text}" is not an ISO-8601 duration such as PT15M or P3D`);
  }
  const [, days = '0', hours = '0', minutes = '0', seconds = '0'] = match;
  return Math.round(
    ((Number(days) * 24 + Number(hours)) * 60 + Number(minutes)) * 60_000 + Number(seconds) * 1000,
  );
}
