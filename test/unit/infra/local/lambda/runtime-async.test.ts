import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { LambdaRuntime } from '../../../../../infra/local/lambda/runtime';
import type { InvocationRecord } from '../../../../../infra/local/lambda/types';
import { staysFalse, until } from '../../../../support/polling';
import { ACCOUNT, EDGE_URL, FunctionFixtures } from './fixtures';

const fixtures = new FunctionFixtures();
const clock = new Clock('manual', Date.parse('2025-01-01T00:00:00Z'));
const runtime = new LambdaRuntime({ account: ACCOUNT, edgeUrl: EDGE_URL, clock });
const records: InvocationRecord[] = [];
runtime.onInvocation((record) => records.push(record));

const SOMETIMES_FAILING = `
export const handler = async (event) => {
  if (event.fail) throw new Error('downstream unavailable');
  return { ok: event.id };
};
`;

beforeAll(() => {
  runtime.register(fixtures.add('events', { 'index.mjs': SOMETIMES_FAILING }));
  runtime.register(fixtures.add('queued', { 'index.mjs': SOMETIMES_FAILING }, { reservedConcurrency: 0 }));
});

afterAll(() => {
  runtime.shutdown();
  fixtures.remove();
});

const recordsOf = (requestId: string) => records.filter((record) => record.requestId === requestId);

describe('LambdaRuntime asynchronous invocations', () => {
  it('accepts an Event invocation with 202 and runs it in the background', async () => {
    const result = await runtime.invoke('events', '{"id":7}', { invocationType: 'Event' });
    expect(result.statusCode).toBe(202);
    expect(result.payload).toBeUndefined();
    await until(() => recordsOf(result.requestId).length === 1);
    expect(recordsOf(result.requestId)[0]).toMatchObject({
      functionName: 'events',
      invocationType: 'Event',
      attempt: 0,
      payload: '{"ok":7}',
      functionError: undefined,
    });
  });

  it('retries a failed event twice, one and then two minutes later on the clock, with the same request id', async () => {
    const { requestId } = await runtime.invoke('events', '{"fail":true}', { invocationType: 'Event' });
    await until(() => recordsOf(requestId).length === 1);
    clock.advanceBy(59_000);
    expect(await staysFalse(() => recordsOf(requestId).length > 1)).toBe(true);
    clock.advanceBy(1_000);
    await until(() => recordsOf(requestId).length === 2);
    clock.advanceBy(120_000);
    await until(() => recordsOf(requestId).length === 3);
    clock.advanceBy(3_600_000);
    expect(await staysFalse(() => recordsOf(requestId).length > 3)).toBe(true);
    expect(recordsOf(requestId).map((record) => [record.attempt, record.functionError])).toEqual([
      [0, 'Unhandled'],
      [1, 'Unhandled'],
      [2, 'Unhandled'],
    ]);
  });

  it('holds events for a function throttled to zero until concurrency is given back', async () => {
    const { requestId } = await runtime.invoke('queued', '{"id":1}', { invocationType: 'Event' });
    expect(await staysFalse(() => recordsOf(requestId).length > 0)).toBe(true);
    runtime.setReservedConcurrency('queued', 1);
    await until(() => recordsOf(requestId).length === 1);
    expect(recordsOf(requestId)[0]?.payload).toBe('{"ok":1}');
  });

  it('refuses an event payload over the asynchronous limit', async () => {
    const payload = `"${'x'.repeat(1_048_576)}"`;
    await expect(runtime.invoke('events', payload, { invocationType: 'Event' })).rejects.toMatchObject({
      code: 'RequestEntityTooLargeException',
      statusCode: 413,
      message: '1048578 byte payload is too large for the Event invocation type (limit 1048576 bytes)',
    });
  });
});
