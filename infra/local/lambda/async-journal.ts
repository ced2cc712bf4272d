/**
 * The durable record of asynchronous (`Event`) invocations not yet finished (shared/journal.ts): written
 * before Invoke answers 202, rewritten with each retry's attempt number and due time, and cleared once the
 * function succeeded or the event was dropped (retries exhausted, function deleted) and, when the function's
 * event invoke configuration names a destination, that destination accepted the invocation record.
 *
 * Without a directory the journal keeps its entries in memory only (runtimes built for tests).
 */
import { Journal } from '../shared/journal';
import type { PendingDestination } from './async-destinations';

/** An accepted `Event` invocation as persisted until it is finished. */
export interface PendingInvocation {
  /** Kept across retries and restarts, as Lambda keeps an event's request id across its retries. */
  readonly requestId: string;
  readonly functionName: string;
  readonly payload: string;
  /** The decoded client context (JSON), if the caller sent one. */
  readonly clientContext?: unknown;
  /** The number of the next attempt, 0 for the first (as InvocationRecord counts them). */
  readonly attempt: number;
  /** Epoch ms on the shared clock the next attempt is due. */
  readonly dueAt: number;
  /** Epoch ms on the shared clock Invoke accepted the event. */
  readonly acceptedAt: number;
  /** Set once the invocation finished: its record, which `dueAt` is the next send to the destination of. */
  readonly destination?: PendingDestination;
}

/** The pending invocations under `directory`, in `invocations.jsonl` and `invocations.json`. */
export class AsyncInvocationJournal extends Journal<PendingInvocation> {
  constructor(directory: string | undefined) {
    super({
      directory,
      name: 'invocations',
      valueMember: 'invocation',
      idOf: (invocation) => invocation.requestId,
    });
  }
}
