/**
 * Asynchronous invocations across a restart: an accepted `Event` invocation is journalled before the 202, so
 * a runtime stopped before (or while) running it leaves it to the next runtime on the same directory, which
 * runs it once, with its request id, attempt count and retry due time.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import {
  AsyncInvocationJournal,
  type PendingInvocation,
} from '../../../../../infra/local/lambda/async-journal';
import { LambdaRuntime } from '../../../../../infra/local/lambda/runtime';
import type { InvocationRecord, LocalFunctionConfig } from '../../../../../infra/local/lambda/types';
import { staysFalse, until } from '../../../../support/polling';
import { ACCOUNT, EDGE_URL, FunctionFixtures } from './fixtures';

const START = Date.parse('2026-02-01T09:00:00Z');
const fixtures = new FunctionFixtures();
let directories = 0;
const running: LambdaRuntime[] = [];

afterEach(() => {
  for (const runtime of running.splice(0)) runtime.shutdown();
});

afterAll(() => fixtures.remove());

const ECHO = `
export const handler = async (event) => {
  if (event.fail) throw new Error('downstream unavailable');
  return { echoed: event.n };
};
`;
/** Announces that it runs, then works far longer than any test waits. */
const SLOW = `
export const handler = async (event) => {
  console.log('working on', event.n);
  await new Promise((resolve) => setTimeout(resolve, 60_000));
  return { slow: event.n };
};
`;

/** Works for a moment: a graceful stop waits for it. */
const FINISHES_SOON = `
export const handler = async (event) => {
  console.log('working on', event.n);
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { done: event.n };
};
`;

/** One "process": a runtime on a state folder and the attempts it reported. */
interface Run {
  readonly runtime: LambdaRuntime;
  readonly records: InvocationRecord[];
}

function start(journalDir: string, clock: Clock, functions: readonly LocalFunctionConfig[]): Run {
  const runtime = new LambdaRuntime({
    account: ACCOUNT,
    edgeUrl: EDGE_URL,
    clock,
    asyncJournalDir: journalDir,
  });
  running.push(runtime);
  const records: InvocationRecord[] = [];
  runtime.onInvocation((record) => records.push(record));
  for (const config of functions) runtime.register(config);
  return { runtime, records };
}

/** A fresh journal folder and function set per test, so tests do not share state. */
function setUp(source = ECHO, overrides: Partial<LocalFunctionConfig> = {}) {
  directories += 1;
  const journalDir = join(fixtures.root, `state-${directories}`, 'async');
  const config = fixtures.add(`durable-${directories}`, { 'index.mjs': source }, overrides);
  return { journalDir, config, clock: new Clock('manual', START) };
}

const stopped = (run: Run) => {
  run.runtime.shutdown();
  running.splice(running.indexOf(run.runtime), 1);
};

describe('LambdaRuntime async invocations across a restart', () => {
  it('runs an event accepted but not yet run by a stopped runtime once, in the next runtime', async () => {
    const { journalDir, config, clock } = setUp(ECHO, { reservedConcurrency: 0 });
    const first = start(journalDir, clock, [config]);
    // Throttled to zero, the function holds the event: accepted (202) and never run here.
    const accepted = await first.runtime.invoke(config.functionName, '{"n":1}', { invocationType: 'Event' });
    expect(accepted.statusCode).toBe(202);
    expect(await staysFalse(() => first.records.length > 0)).toBe(true);
    expect(first.runtime.pendingAsync().length).toBe(1);
    stopped(first);

    const unthrottled = { ...config, reservedConcurrency: undefined };
    const second = start(journalDir, clock, [unthrottled]);
    await until(() => second.records.length === 1, 'the resumed event');
    expect(second.records[0]).toMatchObject({
      requestId: accepted.requestId,
      invocationType: 'Event',
      attempt: 0,
      payload: '{"echoed":1}',
    });
    await until(() => second.runtime.pendingAsync().length === 0, 'the event marked done');
    expect(await staysFalse(() => second.records.length > 1)).toBe(true);
    stopped(second);

    // Finished events are not replayed by later starts.
    const third = start(journalDir, clock, [unthrottled]);
    expect(third.runtime.pendingAsync().length).toBe(0);
    expect(await staysFalse(() => third.records.length > 0)).toBe(true);
  });

  it('runs again an event that was running when the runtime stopped (at-least-once)', async () => {
    const { journalDir, config, clock } = setUp(SLOW);
    const first = start(journalDir, clock, [config]);
    const { requestId } = await first.runtime.invoke(config.functionName, '{"n":2}', {
      invocationType: 'Event',
    });
    await until(
      () => first.runtime.logs(config.functionName).some((event) => event.message.includes('working on')),
      'the attempt under way',
    );
    stopped(first);
    // The aborted attempt neither finished the event nor counted as a failure to retry.
    expect(first.records).toEqual([]);

    const quick = fixtures.add(
      `${config.functionName}-v2`,
      { 'index.mjs': ECHO },
      {
        functionName: config.functionName,
        functionArn: config.functionArn,
      },
    );
    const second = start(journalDir, clock, [quick]);
    await until(() => second.records.length === 1, 'the resumed event');
    expect(second.records[0]).toMatchObject({ requestId, attempt: 0, payload: '{"echoed":2}' });
    await until(() => second.runtime.pendingAsync().length === 0, 'the event marked done');
  });

  it('lets a running event finish on a graceful stop, so the next runtime does not run it again', async () => {
    const { journalDir, config, clock } = setUp(FINISHES_SOON);
    const first = start(journalDir, clock, [config]);
    await first.runtime.invoke(config.functionName, '{"n":3}', { invocationType: 'Event' });
    await until(
      () => first.runtime.logs(config.functionName).some((event) => event.message.includes('working on')),
      'the attempt under way',
    );
    await first.runtime.drain();
    // Accepted while stopping: kept for the next start, not run here.
    const late = await first.runtime.invoke(config.functionName, '{"n":4}', { invocationType: 'Event' });
    stopped(first);
    expect(first.records.map((record) => record.payload)).toEqual(['{"done":3}']);
    expect(pendingIn(journalDir)).toMatchObject([{ requestId: late.requestId, attempt: 0 }]);

    const second = start(journalDir, clock, [config]);
    await until(() => second.records.length === 1, 'the event accepted while stopping');
    expect(second.records[0]).toMatchObject({ requestId: late.requestId, payload: '{"done":4}' });
    expect(await staysFalse(() => second.records.length > 1)).toBe(true);
  });

  it('keeps a pending retry with its attempt count and due time', async () => {
    const { journalDir, config, clock } = setUp();
    const first = start(journalDir, clock, [config]);
    const { requestId } = await first.runtime.invoke(config.functionName, '{"fail":true}', {
      invocationType: 'Event',
    });
    await until(() => first.records.length === 1, 'the first attempt');
    await until(() => first.runtime.pendingAsync()[0]?.attempt === 1, 'the retry journalled');
    stopped(first);
    expect(pendingIn(journalDir)).toMatchObject([{ requestId, attempt: 1, dueAt: START + 60_000 }]);

    const second = start(journalDir, clock, [config]);
    clock.advanceBy(59_000);
    expect(await staysFalse(() => second.records.length > 0)).toBe(true);
    clock.advanceBy(1_000);
    await until(() => second.records.length === 1, 'the first retry');
    await until(() => second.runtime.pendingAsync()[0]?.attempt === 2, 'the second retry journalled');
    stopped(second);

    // Its last retry is still two minutes after the first retry failed, whichever process runs it.
    const third = start(journalDir, clock, [config]);
    clock.advanceBy(120_000);
    await until(() => third.records.length === 1, 'the last retry');
    await until(() => third.runtime.pendingAsync().length === 0, 'the event dropped after its retries');
    expect([...second.records, ...third.records].map((record) => [record.requestId, record.attempt])).toEqual(
      [
        [requestId, 1],
        [requestId, 2],
      ],
    );
  });

  it('resumes overdue events oldest first', async () => {
    const { journalDir, config, clock } = setUp(ECHO, { reservedConcurrency: 0 });
    const first = start(journalDir, clock, [config]);
    for (const n of [1, 2, 3, 4]) {
      await first.runtime.invoke(config.functionName, JSON.stringify({ n }), { invocationType: 'Event' });
      clock.advanceBy(1_000);
    }
    stopped(first);

    // One environment at a time, so the order in which they start is the order of the records.
    const second = start(journalDir, clock, [{ ...config, reservedConcurrency: 1 }]);
    await until(() => second.records.length === 4, 'the resumed events');
    expect(second.records.map((record) => record.payload)).toEqual(
      [1, 2, 3, 4].map((n) => `{"echoed":${n}}`),
    );
  });

  it('holds resumed events until their function is deployed again, and drops them after six hours', async () => {
    const { journalDir, config, clock } = setUp(ECHO, { reservedConcurrency: 0 });
    const first = start(journalDir, clock, [config]);
    await first.runtime.invoke(config.functionName, '{"n":5}', { invocationType: 'Event' });
    stopped(first);

    // The local cloud creates its services before it redeploys the templates: the event waits.
    const second = start(journalDir, clock, []);
    clock.advanceBy(60_000);
    expect(await staysFalse(() => second.records.length > 0)).toBe(true);
    second.runtime.register({ ...config, reservedConcurrency: undefined });
    await until(() => second.records.length === 1, 'the event once its function is back');
    stopped(second);

    const third = start(journalDir, clock, [config]);
    await third.runtime.invoke(config.functionName, '{"n":6}', { invocationType: 'Event' });
    stopped(third);
    // A function that never comes back (removed from the template): its events go after six hours.
    const fourth = start(journalDir, clock, []);
    expect(fourth.runtime.pendingAsync().length).toBe(1);
    clock.advanceBy(6 * 3_600_000);
    await until(() => fourth.runtime.pendingAsync().length === 0, 'the unclaimed event dropped');
    stopped(fourth);
    expect(pendingIn(journalDir)).toEqual([]);
  });

  it('drops the events of a deleted function, as Lambda does', async () => {
    const { journalDir, config, clock } = setUp(ECHO, { reservedConcurrency: 0 });
    const first = start(journalDir, clock, [config]);
    await first.runtime.invoke(config.functionName, '{"n":7}', { invocationType: 'Event' });
    first.runtime.unregister(config.functionName);
    await until(() => first.runtime.pendingAsync().length === 0, 'the event dropped');
    stopped(first);
    expect(pendingIn(journalDir)).toEqual([]);
  });

  it('keeps the async path in memory only without a journal folder', async () => {
    const { config, clock } = setUp();
    const runtime = new LambdaRuntime({ account: ACCOUNT, edgeUrl: EDGE_URL, clock });
    running.push(runtime);
    runtime.register(config);
    const records: InvocationRecord[] = [];
    runtime.onInvocation((record) => records.push(record));
    await runtime.invoke(config.functionName, '{"n":8}', { invocationType: 'Event' });
    await until(() => records.length === 1 && runtime.pendingAsync().length === 0, 'the event done');
  });
});

describe('AsyncInvocationJournal', () => {
  const invocation = (requestId: string, attempt = 0): PendingInvocation => ({
    requestId,
    functionName: 'f',
    payload: '{}',
    attempt,
    dueAt: START + attempt * 60_000,
    acceptedAt: START,
  });

  it('replays due and done lines over its snapshot, ignoring a torn last line', () => {
    directories += 1;
    const directory = join(fixtures.root, `journal-${directories}`);
    const journal = new AsyncInvocationJournal(directory);
    journal.put(invocation('a'));
    journal.put(invocation('b'));
    journal.put(invocation('a', 1));
    journal.done('b');
    const journalFile = join(directory, 'invocations.jsonl');
    expect(
      readFileSync(journalFile, 'utf8')
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line)),
    ).toEqual([
      { op: 'due', invocation: invocation('a') },
      { op: 'due', invocation: invocation('b') },
      { op: 'due', invocation: invocation('a', 1) },
      { op: 'done', id: 'b' },
    ]);
    // A crash in the middle of an append leaves at most a partial last line.
    writeTorn(journalFile, '{"op":"due","invocation":{"requestId":"c"');

    const reopened = new AsyncInvocationJournal(directory);
    expect(reopened.pending()).toEqual([invocation('a', 1)]);
    // Reopening compacts, so later appends never continue the torn line.
    expect(existsSync(journalFile)).toBe(false);
    reopened.put(invocation('d'));
    expect(new AsyncInvocationJournal(directory).pending()).toEqual([invocation('a', 1), invocation('d')]);
  });

  it('compacts into a snapshot once the journal outgrows the live entries', () => {
    directories += 1;
    const directory = join(fixtures.root, `journal-${directories}`);
    const journal = new AsyncInvocationJournal(directory);
    journal.put(invocation('kept'));
    for (let index = 0; index < 3_000; index += 1) {
      journal.put(invocation(`done-${index}`));
      journal.done(`done-${index}`);
    }
    const journalFile = join(directory, 'invocations.jsonl');
    const lines = existsSync(journalFile) ? readFileSync(journalFile, 'utf8').trim().split('\n').length : 0;
    expect(lines).toBeLessThan(5_010);
    expect(JSON.parse(readFileSync(join(directory, 'invocations.json'), 'utf8'))).toEqual([
      invocation('kept'),
    ]);
    expect(new AsyncInvocationJournal(directory).pending()).toEqual([invocation('kept')]);
  });
});

/** What a new runtime on the folder would resume; only once the last one stopped (opening compacts). */
function pendingIn(journalDir: string): PendingInvocation[] {
  return new AsyncInvocationJournal(journalDir).pending();
}

function writeTorn(file: string, partialLine: string): void {
  writeFileSync(file, readFileSync(file, 'utf8') + partialLine);
}
