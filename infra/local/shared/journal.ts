/**
 * The durable record of work accepted and not yet finished (EventBridge deliveries, Lambda `Event`
 * invocations): written before the call that accepted it answers, rewritten with each retry, cleared once
 * the work is done or given up. A restart reads it back and carries on.
 *
 * Each change is one appended JSON line stating a whole value (`due`) or a removal (`done`), so replaying the
 * journal over a snapshot that already contains it gives the same state; once the journal outgrows the live
 * entries it is compacted into a snapshot (atomic rename) and truncated. Opening compacts too, so no later
 * append can land on a line torn by an earlier crash. Appends are not fsynced: a killed process loses nothing
 * the kernel accepted; only a power cut could.
 */
import { appendFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonLines, readJsonOr, writeJsonAtomic } from './persistence';

export interface JournalOptions<Value> {
  /** The folder of the files; undefined keeps the entries in memory only (runtimes built for tests). */
  readonly directory: string | undefined;
  /** `${name}.jsonl` is the journal, `${name}.json` the snapshot. */
  readonly name: string;
  /** The member of a `due` line that holds the value (`delivery`, `invocation`), as written files name it. */
  readonly valueMember: string;
  readonly idOf: (value: Value) => string;
}

type JournalLine = { readonly op: 'due' } & Readonly<Record<string, unknown>>;
type DoneLine = { readonly op: 'done'; readonly id: string };

/** Journal lines allowed beyond the live entry count before compaction. */
const COMPACTION_SLACK = 5_000;

export class Journal<Value> {
  private readonly live = new Map<string, Value>();
  private readonly files: { readonly directory: string; journal: string; snapshot: string } | undefined;
  private journalLines = 0;

  constructor(private readonly options: JournalOptions<Value>) {
    const { directory, name } = options;
    if (directory === undefined) return;
    this.files = {
      directory,
      journal: join(directory, `${name}.jsonl`),
      snapshot: join(directory, `${name}.json`),
    };
    for (const value of readJsonOr<Value[]>(this.files.snapshot, []))
      this.live.set(options.idOf(value), value);
    const lines = readJsonLines<JournalLine | DoneLine>(this.files.journal);
    for (const line of lines) this.apply(line);
    if (lines.length > 0) this.compact();
  }

  /** The entries waiting (or interrupted mid-attempt by a stop or a crash), in no particular order. */
  pending(): Value[] {
    return [...this.live.values()];
  }

  get size(): number {
    return this.live.size;
  }

  /** Records (or replaces) values with one write, so a whole batch costs one system call. */
  put(...values: readonly Value[]): void {
    this.record(values.map((value) => ({ op: 'due', [this.options.valueMember]: value })));
  }

  done(id: string): void {
    if (this.live.has(id)) this.record([{ op: 'done', id }]);
  }

  private record(lines: readonly (JournalLine | DoneLine)[]): void {
    if (lines.length === 0) return;
    for (const line of lines) this.apply(line);
    if (this.files === undefined) return;
    mkdirSync(this.files.directory, { recursive: true });
    appendFileSync(this.files.journal, lines.map((line) => `${JSON.stringify(line)}\n`).join(''));
    this.journalLines += lines.length;
    if (this.journalLines > COMPACTION_SLACK + 2 * this.live.size) this.compact();
  }

  private compact(): void {
    if (this.files === undefined) return;
    writeJsonAtomic(this.files.snapshot, [...this.live.values()]);
    rmSync(this.files.journal, { force: true });
    this.journalLines = 0;
  }

  private apply(line: JournalLine | DoneLine): void {
    if (line.op === 'done') {
      this.live.delete(line.id);
      return;
    }
    const value = line[this.options.valueMember] as Value;
    this.live.set(this.options.idOf(value), value);
  }
}
