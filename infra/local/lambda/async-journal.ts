/**
 * The durable record of asynchronous (`Event`) invocations not yet finished: written before Invoke answers
 * 202, rewritten with each retry's attempt number and due time, and cleared once the function succeeded or
 * the event was dropped (retries exhausted, function deleted). A restart reads it back and carries on.
 *
 * The same design as EventBridge's delivery journal (eventbridge/delivery-journal.ts): each change is one
 * appended JSON line stating a whole value (`due`) or a removal (`done`), so replaying the journal over a
 * snapshot that already contains it gives the same state; once the journal outgrows the live entries it is
 * compacted into a snapshot (atomic rename) and truncated. Appends are not fsynced, as in the other journals:
 * a killed process loses nothing the kernel accepted; only a power cut could.
 *
 * Without a directory the journal keeps its entries in memory only (runtimes built for tests).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { appendJsonLine, readJsonLines, readJsonOr, writeJsonAtomic } from '../shared/persistence';

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
}

type JournalEntry =
  | { readonly op: 'due'; readonly invocation: PendingInvocation }
  | { readonly op: 'done'; readonly id: string };

/** Journal lines allowed beyond the live entry count before compaction (as the delivery journal). */
const COMPACTION_SLACK = 5_000;

export class AsyncInvocationJournal {
  private readonly live = new Map<string, PendingInvocation>();
  private readonly journalPath: string | undefined;
  private readonly snapshotPath: string | undefined;
  private journalLines = 0;

  constructor(directory: string | undefined) {
    if (directory === undefined) return;
    this.journalPath = join(directory, 'invocations.jsonl');
    this.snapshotPath = join(directory, 'invocations.json');
    for (const invocation of readJsonOr<PendingInvocation[]>(this.snapshotPath, [])) {
      this.live.set(invocation.requestId, invocation);
    }
    const journal = readJsonLines<JournalEntry>(this.journalPath);
    for (const entry of journal) this.apply(entry);
    // Starting from a snapshot means no later append can land on a line torn by an earlier crash.
    if (journal.length > 0) this.compact();
  }

  /** Invocations waiting for an attempt, or interrupted mid-attempt by a stop or a crash; no set order. */
  pending(): PendingInvocation[] {
    return [...this.live.values()];
  }

  get size(): number {
    return this.live.size;
  }

  /** Records (or replaces) an invocation: one appended line, no fsync. */
  put(invocation: PendingInvocation): void {
    this.record({ op: 'due', invocation });
  }

  done(requestId: string): void {
    if (this.live.has(requestId)) this.record({ op: 'done', id: requestId });
  }

  private record(entry: JournalEntry): void {
    this.apply(entry);
    if (this.journalPath === undefined) return;
    appendJsonLine(this.journalPath, entry);
    this.journalLines += 1;
    if (this.journalLines > COMPACTION_SLACK + 2 * this.live.size) this.compact();
  }

  private compact(): void {
    if (this.snapshotPath === undefined || this.journalPath === undefined) return;
    writeJsonAtomic(this.snapshotPath, [...this.live.values()]);
    rmSync(this.journalPath, { force: true });
    this.journalLines = 0;
  }

  private apply(entry: JournalEntry): void {
    if (entry.op === 'due') this.live.set(entry.invocation.requestId, entry.invocation);
    else this.live.delete(entry.id);
  }
}
