/**
 * Durable state of the Step Functions service under `${stateDir}/stepfunctions/`:
 * - `state-machines.json`: every state machine (rewritten atomically on change);
 * - `executions/<id>/record.json`: an execution's description (atomic);
 * - `executions/<id>/history.jsonl`: its events, one line each, appended as they happen;
 * - `executions/<id>/checkpoint.json`: where it resumes after a restart (atomic).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { appendJsonLine, readJsonLines, readJsonOr, writeJsonAtomic } from '../shared/persistence';
import type { ExecutionStatus } from './engine/execution';
import type { HistoryEvent } from './engine/history';
import type { Checkpoint } from './engine/types';

export type StateMachineType = 'STANDARD' | 'EXPRESS';

export interface StateMachineRecord {
  readonly stateMachineArn: string;
  readonly name: string;
  definition: string;
  roleArn: string;
  readonly type: StateMachineType;
  readonly creationDate: number;
  updateDate?: number;
}

export interface ExecutionRecord {
  readonly executionArn: string;
  readonly stateMachineArn: string;
  readonly name: string;
  readonly type: StateMachineType;
  /** The definition the execution runs (a later UpdateStateMachine does not change it). */
  readonly definition: string;
  readonly roleArn: string;
  readonly input: unknown;
  readonly startDate: number;
  status: ExecutionStatus;
  stopDate?: number;
  output?: unknown;
  error?: string;
  cause?: string;
  redriveCount: number;
  redriveDate?: number;
}

export class StepFunctionsStore {
  private readonly root: string;
  private closed = false;

  constructor(stateDir: string) {
    this.root = join(stateDir, 'stepfunctions');
    mkdirSync(join(this.root, 'executions'), { recursive: true });
  }

  /** Stops all writes: an abandoned instance (a simulated crash) must not touch the files any more. */
  close(): void {
    this.closed = true;
  }

  loadStateMachines(): StateMachineRecord[] {
    return readJsonOr<StateMachineRecord[]>(join(this.root, 'state-machines.json'), []);
  }

  saveStateMachines(machines: Iterable<StateMachineRecord>): void {
    if (!this.closed) writeJsonAtomic(join(this.root, 'state-machines.json'), [...machines]);
  }

  private directory(executionArn: string): string {
    return join(this.root, 'executions', createHash('sha1').update(executionArn).digest('hex'));
  }

  saveExecution(record: ExecutionRecord): void {
    if (!this.closed) writeJsonAtomic(join(this.directory(record.executionArn), 'record.json'), record);
  }

  appendEvent(executionArn: string, event: HistoryEvent): void {
    if (!this.closed) appendJsonLine(join(this.directory(executionArn), 'history.jsonl'), event);
  }

  saveCheckpoint(executionArn: string, checkpoint: Checkpoint): void {
    if (!this.closed) writeJsonAtomic(join(this.directory(executionArn), 'checkpoint.json'), checkpoint);
  }

  loadCheckpoint(executionArn: string): Checkpoint | undefined {
    return readJsonOr<Checkpoint | undefined>(
      join(this.directory(executionArn), 'checkpoint.json'),
      undefined,
    );
  }

  loadHistory(executionArn: string): HistoryEvent[] {
    return readJsonLines<HistoryEvent>(join(this.directory(executionArn), 'history.jsonl'));
  }

  /** Replaces the history (after dropping events a restart will produce again). */
  rewriteHistory(executionArn: string, events: readonly HistoryEvent[]): void {
    if (this.closed) return;
    const path = join(this.directory(executionArn), 'history.jsonl');
    const temporary = `${path}.${process.pid}.tmp`;
    writeFileSync(temporary, events.map((event) => `${JSON.stringify(event)}\n`).join(''));
    renameSync(temporary, path);
  }

  loadExecutions(): ExecutionRecord[] {
    const base = join(this.root, 'executions');
    if (!existsSync(base)) return [];
    const records: ExecutionRecord[] = [];
    for (const entry of readdirSync(base)) {
      const record = readJsonOr<ExecutionRecord | undefined>(join(base, entry, 'record.json'), undefined);
      if (record) records.push(record);
    }
    return records;
  }
}
