/**
 * The durable record of EventBridge deliveries not yet finished: every accepted event's delivery to each
 * matched target, written before PutEvents answers, rewritten with each retry's due time, and cleared once
 * the target accepted it or it was dead-lettered. A restart reads it back and carries on.
 *
 * Like the scheduler's store, each change is one appended JSON line stating a whole value (or a removal), so
 * replaying the journal over a snapshot that already contains it gives the same state; once the journal
 * outgrows the live entries it is compacted into a snapshot (atomic rename) and truncated.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonLines, readJsonOr, writeJsonAtomic } from '../shared/persistence';
import type { EventEnvelope, TargetRecord } from './model';

/** One matched event for one rule target. */
export interface DeliveryJob {
  readonly event: EventEnvelope;
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly target: TargetRecord;
  /** Epoch ms the bus accepted the event. */
  readonly ingestedAt: number;
}

/** A delivery as persisted until it is finished. */
export interface PendingDelivery extends DeliveryJob {
  readonly id: string;
  /** The number of the next attempt (1 for the first). */
  readonly attempt: number;
  /** Epoch ms the next attempt is due. */
  readonly dueAt: number;
  readonly lastError?: { readonly code: string; readonly message: string };
}

type JournalEntry =
  | { readonly op: 'due'; readonly delivery: PendingDelivery }
  | { readonly op: 'done'; readonly id: string };

/** Journal lines allowed beyond the live entry count before compaction. */
const COMPACTION_SLACK = 5_000;

export class DeliveryJournal {
  private readonly live = new Map<string, PendingDelivery>();
  private readonly journalPath: string;
  private readonly snapshotPath: string;
  private journalLines = 0;

  constructor(private readonly directory: string) {
    this.journalPath = join(directory, 'deliveries.jsonl');
    this.snapshotPath = join(directory, 'deliveries.json');
    for (const delivery of readJsonOr<PendingDelivery[]>(this.snapshotPath, [])) {
      this.live.set(delivery.id, delivery);
    }
    const journal = readJsonLines<JournalEntry>(this.journalPath);
    for (const entry of journal) this.apply(entry);
    this.journalLines = journal.length;
  }

  /** Deliveries waiting for an attempt (or interrupted mid-attempt by a stop), in no particular order. */
  pending(): PendingDelivery[] {
    return [...this.live.values()];
  }

  get size(): number {
    return this.live.size;
  }

  /** Records (or replaces) deliveries with one write, so a whole PutEvents batch costs one system call. */
  put(deliveries: readonly PendingDelivery[]): void {
    this.record(deliveries.map((delivery) => ({ op: 'due', delivery })));
  }

  done(id: string): void {
    if (this.live.has(id)) this.record([{ op: 'done', id }]);
  }

  private record(entries: readonly JournalEntry[]): void {
    if (entries.length === 0) return;
    mkdirSync(this.directory, { recursive: true });
    appendFileSync(this.journalPath, entries.map((entry) => `${JSON.stringify(entry)}\n`).join(''));
    this.journalLines += entries.length;
    for (const entry of entries) this.apply(entry);
    if (this.journalLines > COMPACTION_SLACK + 2 * this.live.size) this.compact();
  }

  private compact(): void {
    writeJsonAtomic(this.snapshotPath, [...this.live.values()]);
    rmSync(this.journalPath, { force: true });
    this.journalLines = 0;
  }

  private apply(entry: JournalEntry): void {
    if (entry.op === 'due') this.live.set(entry.delivery.id, entry.delivery);
    else this.live.delete(entry.id);
  }
}
