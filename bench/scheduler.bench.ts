/**
 * Scheduler: memory held by 100,000 pending schedules, finding the next due one (heap vs linear scan), and
 * how late schedules fire on the real clock.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Clock } from '../infra/local/clock';
import { SchedulerService } from '../infra/local/scheduler/service';
import { type ScheduleDefinition, ScheduleStore } from '../infra/local/scheduler/store';
import type { TargetPorts } from '../infra/local/shared/ports';
import type { BenchRow } from './index';
import { median, megabytes, percentile } from './support/stats';

const ACCOUNT = { region: 'eu-west-1', accountId: '123456789012' };
const ROLE_ARN = 'arn:aws:iam::123456789012:role/scheduler';
const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:remind';
const SCHEDULE_COUNT = 100_000;
const POPS = 20_000;
const LATENESS_SCHEDULES = 300;

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

function heapAfterGc(): { heap: number; rss: number } {
  collectGarbage();
  collectGarbage();
  const usage = process.memoryUsage();
  return { heap: usage.heapUsed, rss: usage.rss };
}

class CountingPorts implements TargetPorts {
  readonly invokedAt: number[] = [];
  constructor(private readonly clock: Clock) {}
  async invokeLambdaAsync(): Promise<void> {
    this.invokedAt.push(this.clock.now());
  }
  async startExecution(): Promise<string> {
    return 'arn:aws:states:eu-west-1:123456789012:execution:x:y';
  }
  async sendToQueue(): Promise<void> {}
  async putEvents(): Promise<{ failedEntryCount: number }> {
    return { failedEntryCount: 0 };
  }
  async publishToTopic(): Promise<void> {}
  async putFirehoseRecord(): Promise<void> {}
}

/** A realistic mix: one-time reminders, daily crons in users' zones, and rates. */
function reminderBody(index: number, start: number): Record<string, unknown> {
  const kind = index % 3;
  const at = new Date(start + 86_400_000 + index * 1000).toISOString().slice(0, 19);
  return {
    ScheduleExpression:
      kind === 0
        ? `at(${at})`
        : kind === 1
          ? `cron(${index % 60} ${index % 24} * * ? *)`
          : `rate(${2 + (index % 50)} hours)`,
    ScheduleExpressionTimezone: kind === 1 ? 'Europe/Paris' : 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: {
      Arn: FUNCTION_ARN,
      RoleArn: ROLE_ARN,
      Input: JSON.stringify({ reminderId: `r-${index}`, userId: `u-${index % 1000}`, version: 1 }),
    },
  };
}

/** Heap held by 100,000 schedules, both as created through the API and as reloaded from disk by a restart. */
async function measureMemory(): Promise<BenchRow> {
  const stateDir = mkdtempSync(join(tmpdir(), 'scheduler-bench-'));
  const start = Date.parse('2026-07-01T10:00:00Z');
  const clock = new Clock('manual', start);
  const ports = new CountingPorts(clock);
  const heldBy = (build: () => SchedulerService): { heap: number; rss: number } => {
    const before = heapAfterGc();
    const service = build();
    const after = heapAfterGc();
    service.stop();
    return { heap: after.heap - before.heap, rss: after.rss - before.rss };
  };
  const created = heldBy(() => {
    const service = new SchedulerService({ clock, stateDir, account: ACCOUNT, ports });
    for (let index = 0; index < SCHEDULE_COUNT; index++) {
      service.createSchedule(`reminder-${index}`, reminderBody(index, start));
    }
    return service;
  });
  const reloaded = heldBy(() => new SchedulerService({ clock, stateDir, account: ACCOUNT, ports }));
  rmSync(stateDir, { recursive: true, force: true });
  const worst = Math.max(created.heap, reloaded.heap);
  return {
    name: `memory held by ${SCHEDULE_COUNT.toLocaleString('en-US')} pending schedules`,
    value: `created: ${megabytes(created.heap, 0)} heap (RSS +${megabytes(created.rss, 0)}); reloaded after restart: ${megabytes(reloaded.heap, 0)} heap`,
    target: '< 300 MB',
    met: worst < 300 * 1024 * 1024,
  };
}

function measureNextDue(): BenchRow {
  const stateDir = mkdtempSync(join(tmpdir(), 'scheduler-bench-'));
  const store = new ScheduleStore(stateDir);
  const dueTimes: number[] = [];
  for (let index = 0; index < SCHEDULE_COUNT; index++) {
    const dueAt = Math.floor(Math.random() * 1e9);
    dueTimes.push(dueAt);
    store.putSchedule(definition(index), { occurrence: dueAt, dueAt });
  }

  const heapStarted = performance.now();
  for (let pop = 0; pop < POPS; pop++) store.popDue(Number.POSITIVE_INFINITY);
  const heapMs = performance.now() - heapStarted;

  // Baseline: scan every pending time for the earliest, then remove it.
  const scanStarted = performance.now();
  for (let pop = 0; pop < POPS; pop++) {
    let earliest = 0;
    for (let index = 1; index < dueTimes.length; index++) {
      if ((dueTimes[index] as number) < (dueTimes[earliest] as number)) earliest = index;
    }
    dueTimes[earliest] = dueTimes[dueTimes.length - 1] as number;
    dueTimes.pop();
  }
  const scanMs = performance.now() - scanStarted;
  rmSync(stateDir, { recursive: true, force: true });
  const perPop = (ms: number): string => `${((ms * 1000) / POPS).toFixed(2)} µs`;
  return {
    name: `find and pop the next due of ${SCHEDULE_COUNT.toLocaleString('en-US')}`,
    value: `${perPop(heapMs)} per pop (heap)`,
    baseline: `linear scan: ${perPop(scanMs)} per pop`,
    ratio: `${(scanMs / heapMs).toFixed(0)}x faster`,
    met: heapMs < scanMs,
  };
}

function definition(index: number): ScheduleDefinition {
  return {
    Name: `s-${index}`,
    GroupName: 'default',
    Arn: `arn:aws:scheduler:eu-west-1:123456789012:schedule/default/s-${index}`,
    ScheduleExpression: 'rate(1 hour)',
    State: 'ENABLED',
    Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN },
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'NONE',
    CreationDate: 0,
    LastModificationDate: 0,
  };
}

async function measureLateness(): Promise<BenchRow> {
  const stateDir = mkdtempSync(join(tmpdir(), 'scheduler-bench-'));
  const clock = new Clock('real');
  const ports = new CountingPorts(clock);
  const service = new SchedulerService({ clock, stateDir, account: ACCOUNT, ports });
  const firstSecond = Math.ceil(clock.now() / 1000) * 1000 + 1000;
  const dueTimes: number[] = [];
  for (let index = 0; index < LATENESS_SCHEDULES; index++) {
    const due = firstSecond + (index % 3) * 1000;
    dueTimes.push(due);
    service.createSchedule(`late-${index}`, {
      ScheduleExpression: `at(${new Date(due).toISOString().slice(0, 19)})`,
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: '{}' },
    });
  }
  const deadline = Date.now() + 10_000;
  while (ports.invokedAt.length < LATENESS_SCHEDULES && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await service.idle();
  service.stop();
  clock.dispose();
  rmSync(stateDir, { recursive: true, force: true });
  // Invocations happen in due order, so the sorted lists pair each invocation with its due time.
  const fired = ports.invokedAt.slice().sort((a, b) => a - b);
  const due = dueTimes.slice().sort((a, b) => a - b);
  const lateness = fired.map((firedAt, index) => firedAt - (due[index] ?? firedAt));
  const p99 = percentile(lateness, 0.99);
  return {
    name: `firing lateness, ${LATENESS_SCHEDULES} schedules due within 3 s (real clock)`,
    value: `p50 ${median(lateness).toFixed(0)} ms, p99 ${p99.toFixed(0)} ms (${ports.invokedAt.length} fired)`,
    baseline: 'AWS promises 60 s',
    ratio: `${(60_000 / Math.max(p99, 1)).toFixed(0)}x inside AWS's bound`,
    target: 'p99 < 1 s',
    met: ports.invokedAt.length === LATENESS_SCHEDULES && p99 < 1000,
  };
}

export async function run(): Promise<BenchRow[]> {
  return [await measureMemory(), measureNextDue(), await measureLateness()];
}
