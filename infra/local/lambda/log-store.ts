/**
 * Each function's recent log events in memory (what `logs()` and Invoke's LogType=Tail read), and, with a
 * log folder, every line appended to `<logDir>/<functionName>.log` for a person to tail. Lines are written
 * in batches (at the end of each invocation, and otherwise on the next turn of the event loop), one write per
 * batch to a file kept open, rather than an open, write and close per line.
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { LogEvent } from './types';

const TAIL_BYTES = 4096;

export class LogStore {
  private readonly eventsByFunction = new Map<string, LogEvent[]>();
  /** Lines not yet in the log files, by function name. */
  private readonly unwritten = new Map<string, string[]>();
  /** Open log files (append mode), by function name. */
  private readonly files = new Map<string, number>();
  private flushScheduled = false;
  /** After close, lines are kept in memory only: the state directory may already be gone. */
  private closed = false;

  constructor(
    private readonly logDir: string | undefined,
    private readonly retainedPerFunction = 10_000,
  ) {
    if (logDir) mkdirSync(logDir, { recursive: true });
  }

  append(functionName: string, event: LogEvent): void {
    let events = this.eventsByFunction.get(functionName);
    if (!events) {
      events = [];
      this.eventsByFunction.set(functionName, events);
    }
    events.push(event);
    // Trim in batches so that appending stays O(1) amortised.
    if (events.length > this.retainedPerFunction * 1.25)
      events.splice(0, events.length - this.retainedPerFunction);
    if (!this.logDir || this.closed) return;
    const lines = this.unwritten.get(functionName);
    if (lines) lines.push(event.message);
    else this.unwritten.set(functionName, [event.message]);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Writes the lines appended so far to the log files. */
  flush(): void {
    this.flushScheduled = false;
    if (!this.logDir) return;
    for (const [functionName, lines] of this.unwritten) {
      let file = this.files.get(functionName);
      if (file === undefined) {
        file = openSync(join(this.logDir, `${functionName}.log`), 'a');
        this.files.set(functionName, file);
      }
      writeSync(file, `${lines.join('\n')}\n`);
    }
    this.unwritten.clear();
  }

  /** Writes what is pending, then stops writing files (a worker may still log while it is retired). */
  close(): void {
    this.flush();
    this.closed = true;
    for (const file of this.files.values()) closeSync(file);
    this.files.clear();
  }

  /** The most recent `limit` events, oldest first; only one invocation's when `requestId` is given. */
  list(functionName: string, options: { limit?: number; requestId?: string } = {}): LogEvent[] {
    const events = this.eventsByFunction.get(functionName) ?? [];
    const limit = options.limit ?? 100;
    if (!options.requestId) return events.slice(Math.max(0, events.length - limit));
    const selected: LogEvent[] = [];
    for (let index = events.length - 1; index >= 0 && selected.length < limit; index--) {
      const event = events[index];
      if (event?.requestId !== options.requestId) continue;
      selected.push(event);
      if (event.message.startsWith('START RequestId:')) break;
    }
    return selected.reverse();
  }

  /** The last 4 KB of one invocation's log, base64-encoded, as Invoke returns it for LogType=Tail. */
  tail(functionName: string, requestId: string): string {
    const text = this.list(functionName, { requestId, limit: Number.POSITIVE_INFINITY })
      .map((event) => `${event.message}\n`)
      .join('');
    const bytes = Buffer.from(text, 'utf8');
    return bytes.subarray(Math.max(0, bytes.length - TAIL_BYTES)).toString('base64');
  }

  forget(functionName: string): void {
    this.eventsByFunction.delete(functionName);
    this.flush();
    const file = this.files.get(functionName);
    if (file !== undefined) closeSync(file);
    this.files.delete(functionName);
  }
}
