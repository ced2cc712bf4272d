/**
 * The scheduler's state: schedule groups, schedules with their next occurrence, and deliveries waiting for a
 * retry. The earliest due item is found through a min-heap with lazy deletion (an update or delete marks the
 * old entry superseded instead of searching the heap for it).
 *
 * Persistence survives `kill -9` without rewriting everything per change: each change is one appended JSON
 * line in `journal.jsonl`; once the journal outgrows the live state it is compacted into `snapshot.json`
 * (atomic rename) and truncated. Every journal entry states a whole value, so replaying a journal over a
 * snapshot that already contains it (a crash between the two steps) gives the same state.
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { MinHeap } from '../shared/min-heap';
import { appendJsonLine, readJsonLines, readJsonOr, writeJsonAtomic } from '../shared/persistence';

export interface ScheduleTarget {
  readonly Arn: string;
  readonly RoleArn: string;
  readonly Input?: string;
  readonly RetryPolicy?: {
    readonly MaximumRetryAttempts?: number;
    readonly MaximumEventAgeInSeconds?: number;
  };
  readonly DeadLetterConfig?: { readonly Arn?: string };
  readonly EventBridgeParameters?: { readonly DetailType: string; readonly Source: string };
  readonly SqsParameters?: { readonly MessageGroupId?: string };
  readonly [parameters: string]: unknown;
}

/** A schedule as the API describes it; dates are epoch ms. */
export interface ScheduleDefinition {
  readonly Name: string;
  readonly GroupName: string;
  readonly Arn: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly StartDate?: number;
  readonly EndDate?: number;
  readonly Description?: string;
  readonly State: 'ENABLED' | 'DISABLED';
  readonly KmsKeyArn?: string;
  readonly Target: ScheduleTarget;
  readonly FlexibleTimeWindow: {
    readonly Mode: 'OFF' | 'FLEXIBLE';
    readonly MaximumWindowInMinutes?: number;
  };
  readonly ActionAfterCompletion: 'NONE' | 'DELETE';
  readonly CreationDate: number;
  readonly LastModificationDate: number;
  readonly ClientToken?: string;
}

export interface ScheduleGroup {
  readonly Name: string;
  readonly Arn: string;
  readonly State: 'ACTIVE' | 'DELETING';
  readonly CreationDate: number;
  readonly LastModificationDate: number;
  readonly Tags?: readonly { Key: string; Value: string }[];
  readonly ClientToken?: string;
}

/** The next time a schedule fires: `occurrence` as the expression says, `dueAt` after the flexible window. */
export interface Occurrence {
  readonly occurrence: number;
  readonly dueAt: number;
}

/** One invocation of a target that failed and waits for its next attempt. */
export interface PendingDelivery {
  readonly id: string;
  readonly scheduleKey: string;
  readonly scheduleArn: string;
  readonly groupName: string;
  readonly occurrence: number;
  readonly target: ScheduleTarget;
  /** Attempts made so far. */
  readonly attempts: number;
  readonly dueAt: number;
  readonly lastError?: { readonly code: string; readonly message: string };
}

export type DueItem =
  | { readonly kind: 'fire'; readonly key: string; readonly occurrence: number; readonly dueAt: number }
  | { readonly kind: 'retry'; readonly delivery: PendingDelivery; readonly dueAt: number };

interface HeapEntry {
  readonly dueAt: number;
  readonly item: DueItem;
  superseded: boolean;
}

interface StoredSchedule {
  readonly schedule: ScheduleDefinition;
  readonly next?: Occurrence;
}

type JournalEntry =
  | { readonly op: 'group'; readonly group: ScheduleGroup }
  | { readonly op: 'dropGroup'; readonly name: string }
  | { readonly op: 'put'; readonly schedule: ScheduleDefinition; readonly next?: Occurrence }
  | { readonly op: 'next'; readonly key: string; readonly next?: Occurrence }
  | { readonly op: 'drop'; readonly key: string }
  | { readonly op: 'delivery'; readonly delivery: PendingDelivery }
  | { readonly op: 'delivered'; readonly id: string };

interface Snapshot {
  readonly groups: ScheduleGroup[];
  readonly schedules: StoredSchedule[];
  readonly deliveries: PendingDelivery[];
}

export const scheduleKey = (groupName: string, name: string): string => `${groupName}/${name}`;

/** Journal lines allowed beyond the live item count before compaction. */
const COMPACTION_SLACK = 10_000;

export class ScheduleStore {
  private readonly groups = new Map<string, ScheduleGroup>();
  private readonly schedules = new Map<string, StoredSchedule>();
  private readonly deliveries = new Map<string, PendingDelivery>();
  /** The live heap entry of each schedule's next occurrence and each pending delivery, by key or id. */
  private readonly liveEntries = new Map<string, HeapEntry>();
  private readonly heap = new MinHeap<HeapEntry>((entry) => entry.dueAt);
  private readonly journalPath: string;
  private readonly snapshotPath: string;
  private journalLines = 0;

  constructor(readonly directory: string) {
    this.journalPath = join(directory, 'journal.jsonl');
    this.snapshotPath = join(directory, 'snapshot.json');
    const snapshot = readJsonOr<Snapshot>(this.snapshotPath, { groups: [], schedules: [], deliveries: [] });
    for (const group of snapshot.groups) this.apply({ op: 'group', group });
    for (const stored of snapshot.schedules) this.apply({ op: 'put', ...stored });
    for (const delivery of snapshot.deliveries) this.apply({ op: 'delivery', delivery });
    const journal = readJsonLines<JournalEntry>(this.journalPath);
    for (const entry of journal) this.apply(entry);
    this.journalLines = journal.length;
  }

  get scheduleCount(): number {
    return this.schedules.size;
  }

  getGroup(name: string): ScheduleGroup | undefined {
    return this.groups.get(name);
  }

  listGroups(): ScheduleGroup[] {
    return [...this.groups.values()].sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
  }

  putGroup(group: ScheduleGroup): void {
    this.record({ op: 'group', group });
  }

  /** Removes the group and every schedule in it. */
  deleteGroup(name: string): void {
    for (const stored of [...this.schedules.values()]) {
      if (stored.schedule.GroupName === name)
        this.deleteSchedule(stored.schedule.GroupName, stored.schedule.Name);
    }
    this.record({ op: 'dropGroup', name });
  }

  getSchedule(groupName: string, name: string): ScheduleDefinition | undefined {
    return this.schedules.get(scheduleKey(groupName, name))?.schedule;
  }

  getScheduleByKey(key: string): ScheduleDefinition | undefined {
    return this.schedules.get(key)?.schedule;
  }

  nextOccurrence(groupName: string, name: string): Occurrence | undefined {
    return this.schedules.get(scheduleKey(groupName, name))?.next;
  }

  /** Schedules sorted by group then name, optionally only those after `afterKey` (for paging). */
  listSchedules(filter: (schedule: ScheduleDefinition) => boolean): ScheduleDefinition[] {
    const matching: ScheduleDefinition[] = [];
    for (const stored of this.schedules.values()) if (filter(stored.schedule)) matching.push(stored.schedule);
    return matching.sort((a, b) => {
      const left = scheduleKey(a.GroupName, a.Name);
      const right = scheduleKey(b.GroupName, b.Name);
      return left < right ? -1 : left > right ? 1 : 0;
    });
  }

  putSchedule(schedule: ScheduleDefinition, next: Occurrence | undefined): void {
    this.record(next ? { op: 'put', schedule, next } : { op: 'put', schedule });
  }

  setNext(key: string, next: Occurrence | undefined): void {
    if (!this.schedules.has(key)) return;
    this.record(next ? { op: 'next', key, next } : { op: 'next', key });
  }

  deleteSchedule(groupName: string, name: string): void {
    this.record({ op: 'drop', key: scheduleKey(groupName, name) });
  }

  putDelivery(delivery: PendingDelivery): void {
    this.record({ op: 'delivery', delivery });
  }

  deleteDelivery(id: string): void {
    if (this.deliveries.has(id)) this.record({ op: 'delivered', id });
  }

  /** The earliest live item, without removing it. */
  peekDue(): DueItem | undefined {
    for (;;) {
      const top = this.heap.peek();
      if (!top) return undefined;
      if (!top.superseded) return top.item;
      this.heap.pop();
    }
  }

  /** Removes and returns the earliest live item if it is due at `now`; the item stays in the state. */
  popDue(now: number): DueItem | undefined {
    const item = this.peekDue();
    if (!item || item.dueAt > now) return undefined;
    const entry = this.heap.pop();
    if (entry) {
      entry.superseded = true;
      this.liveEntries.delete(item.kind === 'fire' ? item.key : deliveryEntryKey(item.delivery.id));
    }
    return item;
  }

  /** Every schedule's pending occurrence, for start-up catch-up. */
  *occurrences(): Iterable<{
    readonly key: string;
    readonly schedule: ScheduleDefinition;
    readonly next: Occurrence;
  }> {
    for (const [key, stored] of this.schedules) {
      if (stored.next) yield { key, schedule: stored.schedule, next: stored.next };
    }
  }

  /** Writes the whole state as a snapshot and empties the journal. */
  compact(): void {
    const snapshot: Snapshot = {
      groups: [...this.groups.values()],
      schedules: [...this.schedules.values()],
      deliveries: [...this.deliveries.values()],
    };
    writeJsonAtomic(this.snapshotPath, snapshot);
    rmSync(this.journalPath, { force: true });
    this.journalLines = 0;
  }

  private record(entry: JournalEntry): void {
    appendJsonLine(this.journalPath, entry);
    this.journalLines++;
    this.apply(entry);
    const live = this.groups.size + this.schedules.size + this.deliveries.size;
    if (this.journalLines > COMPACTION_SLACK + 2 * live) this.compact();
  }

  private apply(entry: JournalEntry): void {
    switch (entry.op) {
      case 'group':
        this.groups.set(entry.group.Name, entry.group);
        return;
      case 'dropGroup':
        this.groups.delete(entry.name);
        return;
      case 'put': {
        const key = scheduleKey(entry.schedule.GroupName, entry.schedule.Name);
        this.schedules.set(
          key,
          entry.next ? { schedule: entry.schedule, next: entry.next } : { schedule: entry.schedule },
        );
        this.index(key, entry.next && { kind: 'fire', key, ...entry.next });
        return;
      }
      case 'next': {
        const stored = this.schedules.get(entry.key);
        if (!stored) return;
        this.schedules.set(
          entry.key,
          entry.next ? { schedule: stored.schedule, next: entry.next } : { schedule: stored.schedule },
        );
        this.index(entry.key, entry.next && { kind: 'fire', key: entry.key, ...entry.next });
        return;
      }
      case 'drop':
        this.schedules.delete(entry.key);
        this.index(entry.key, undefined);
        return;
      case 'delivery':
        this.deliveries.set(entry.delivery.id, entry.delivery);
        this.index(deliveryEntryKey(entry.delivery.id), {
          kind: 'retry',
          delivery: entry.delivery,
          dueAt: entry.delivery.dueAt,
        });
        return;
      case 'delivered':
        this.deliveries.delete(entry.id);
        this.index(deliveryEntryKey(entry.id), undefined);
        return;
    }
  }

  private index(entryKey: string, item: DueItem | undefined): void {
    const previous = this.liveEntries.get(entryKey);
    if (previous) previous.superseded = true;
    if (!item) {
      this.liveEntries.delete(entryKey);
      return;
    }
    const entry: HeapEntry = { dueAt: item.dueAt, item, superseded: false };
    this.liveEntries.set(entryKey, entry);
    this.heap.push(entry);
    if (this.heap.size > 2 * this.liveEntries.size + 1024) this.rebuildHeap();
  }

  /** Drops superseded entries once they outnumber live ones, so frequent updates do not grow the heap. */
  private rebuildHeap(): void {
    while (this.heap.size > 0) this.heap.pop();
    for (const entry of this.liveEntries.values()) this.heap.push(entry);
  }
}

/** Delivery ids share the entry map with schedule keys, which always contain '/' and never ':'. */
const deliveryEntryKey = (id: string): string => `delivery:${id}`;
