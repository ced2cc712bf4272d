import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { LambdaRuntime } from '../../../../../infra/local/lambda/runtime';
import type { InvocationRecord } from '../../../../../infra/local/lambda/types';
import { RecordingPorts } from '../../../../support/fake-ports';
import { staysFalse, until } from '../../../../support/polling';
import { ACCOUNT, EDGE_URL, FunctionFixtures } from './fixtures';

const QUEUE_ARN = `arn:aws:sqs:${ACCOUNT.region}:${ACCOUNT.accountId}:function-dlq`;
const SUCCESS_QUEUE_ARN = `arn:aws:sqs:${ACCOUNT.region}:${ACCOUNT.accountId}:function-results`;
const SOMETIMES_FAILING = `
export const handler = async (event) => {
  if (event.fail) throw new Error('downstream unavailable');
  return { ok: event.id };
};
`;

interface SentRecord {
  readonly requestContext?: { readonly requestId?: string };
}

const fixtures = new FunctionFixtures();
const journalDir = mkdtempSync(join(tmpdir(), 'aurora-lambda-destinations-'));
const clock = new Clock('manual', Date.parse('2025-01-01T00:00:00Z'));
const ports = new RecordingPorts(clock);

/** The records sent for the invocation, accepted or refused, oldest first. */
const sentFor = (requestId: string) =>
  ports.calls
    .map((call) => ({ queueArn: call.arn, body: JSON.parse(call.payload) as SentRecord }))
    .filter(({ body }) => body.requestContext?.requestId === requestId);

const runtimes: LambdaRuntime[] = [];
const records: InvocationRecord[] = [];

function startRuntime(): LambdaRuntime {
  const runtime = new LambdaRuntime({
    account: ACCOUNT,
    edgeUrl: EDGE_URL,
    clock,
    asyncJournalDir: journalDir,
    destinations: ports,
  });
  runtime.onInvocation((record) => records.push(record));
  runtimes.push(runtime);
  return runtime;
}

let runtime: LambdaRuntime;
const attemptsOf = (requestId: string) => records.filter((record) => record.requestId === requestId);

beforeAll(() => {
  runtime = startRuntime();
  runtime.register(fixtures.add('once', { 'index.mjs': SOMETIMES_FAILING }));
  runtime.register(fixtures.add('short-lived', { 'index.mjs': SOMETIMES_FAILING }));
  runtime.register(fixtures.add('defaults', { 'index.mjs': SOMETIMES_FAILING }));
  runtime.putEventInvokeConfig('once', {
    maximumRetryAttempts: 1,
    onFailure: QUEUE_ARN,
    onSuccess: SUCCESS_QUEUE_ARN,
  });
  runtime.putEventInvokeConfig(`arn:aws:lambda:${ACCOUNT.region}:${ACCOUNT.accountId}:function:short-lived`, {
    maximumEventAgeInSeconds: 120,
    onFailure: QUEUE_ARN,
  });
});

afterAll(() => {
  for (const started of runtimes) started.shutdown();
  fixtures.remove();
  rmSync(journalDir, { recursive: true, force: true });
});

describe('LambdaRuntime async invocation destinations', () => {
  it('validates the configuration as PutFunctionEventInvokeConfig does', () => {
    expect(() => runtime.putEventInvokeConfig('once', { maximumRetryAttempts: 3 })).toThrow(
      /MaximumRetryAttempts/,
    );
    expect(() => runtime.putEventInvokeConfig('once', { maximumEventAgeInSeconds: 59 })).toThrow(
      /MaximumEventAgeInSeconds/,
    );
    expect(() => runtime.putEventInvokeConfig('missing', {})).toThrow(/Function not found/);
    expect(runtime.eventInvokeConfig('once')?.config).toMatchObject({ maximumRetryAttempts: 1 });
    expect(runtime.eventInvokeConfig('defaults')).toBeUndefined();
    expect(runtime.eventInvokeConfig('once')?.lastModified).toEqual(new Date(clock.now()));
  });

  it('honours MaximumRetryAttempts and sends the failure record, in AWS shape, to OnFailure once', async () => {
    const { requestId } = await runtime.invoke('once', '{"fail":true,"id":1}', { invocationType: 'Event' });
    await until(() => attemptsOf(requestId).length === 1);
    clock.advanceBy(60_000);
    await until(() => sentFor(requestId).length === 1);
    expect(attemptsOf(requestId)).toHaveLength(2);
    expect(sentFor(requestId)[0]).toEqual({
      queueArn: QUEUE_ARN,
      body: {
        version: '1.0',
        timestamp: new Date(clock.now()).toISOString(),
        requestContext: {
          requestId,
          functionArn: `arn:aws:lambda:${ACCOUNT.region}:${ACCOUNT.accountId}:function:once:$LATEST`,
          condition: 'RetriesExhausted',
          approximateInvokeCount: 2,
        },
        requestPayload: { fail: true, id: 1 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
        responsePayload: expect.objectContaining({
          errorType: 'Error',
          errorMessage: 'downstream unavailable',
        }),
      },
    });
    clock.advanceBy(3_600_000);
    expect(await staysFalse(() => attemptsOf(requestId).length > 2)).toBe(true);
    expect(runtime.pendingAsync().map((pending) => pending.requestId)).not.toContain(requestId);
  });

  it('sends a success record to OnSuccess', async () => {
    const { requestId } = await runtime.invoke('once', '{"id":2}', { invocationType: 'Event' });
    await until(() => sentFor(requestId).length === 1);
    expect(sentFor(requestId)[0]).toMatchObject({
      queueArn: SUCCESS_QUEUE_ARN,
      body: {
        requestContext: { condition: 'Success', approximateInvokeCount: 1 },
        responseContext: { statusCode: 200, executedVersion: '$LATEST' },
        responsePayload: { ok: 2 },
      },
    });
    expect(sentFor(requestId)[0]?.body).not.toHaveProperty('responseContext.functionError');
  });

  it('honours MaximumEventAgeInSeconds: a retry past the age finishes with EventAgeExceeded', async () => {
    const { requestId } = await runtime.invoke('short-lived', '{"fail":true}', { invocationType: 'Event' });
    await until(() => attemptsOf(requestId).length === 1);
    // The first retry (one minute on) is within 120 s; the second (two more minutes) would not be.
    clock.advanceBy(60_000);
    await until(() => sentFor(requestId).length === 1);
    expect(attemptsOf(requestId)).toHaveLength(2);
    expect(sentFor(requestId)[0]?.body).toMatchObject({
      requestContext: { condition: 'EventAgeExceeded', approximateInvokeCount: 2 },
    });
  });

  it('sends an event-bus destination the result event Lambda puts on it', async () => {
    const busArn = `arn:aws:events:${ACCOUNT.region}:${ACCOUNT.accountId}:event-bus/results`;
    runtime.putEventInvokeConfig('defaults', { onSuccess: busArn });
    const { requestId } = await runtime.invoke('defaults', '{"id":4}', { invocationType: 'Event' });
    await until(() => sentFor(requestId).length === 1);
    const [entry] = ports.callsTo(busArn).at(-1)?.entries ?? [];
    expect(entry).toMatchObject({
      EventBusName: busArn,
      Source: 'lambda',
      DetailType: 'Lambda Function Invocation Result - Success',
      Resources: [busArn, `arn:aws:lambda:${ACCOUNT.region}:${ACCOUNT.accountId}:function:defaults:$LATEST`],
    });
    expect(JSON.parse(entry?.Detail ?? '{}')).toMatchObject({ responsePayload: { ok: 4 } });
    runtime.putEventInvokeConfig('defaults', {});
  });

  it('keeps the defaults when the configuration sets none: two retries, then dropped', async () => {
    const { requestId } = await runtime.invoke('defaults', '{"fail":true}', { invocationType: 'Event' });
    await until(() => attemptsOf(requestId).length === 1);
    clock.advanceBy(60_000);
    await until(() => attemptsOf(requestId).length === 2);
    clock.advanceBy(120_000);
    await until(() => attemptsOf(requestId).length === 3);
    await until(() => !runtime.pendingAsync().some((pending) => pending.requestId === requestId));
    expect(sentFor(requestId)).toHaveLength(0);
  });

  it('keeps a record its destination refuses journalled, retries it, and resends it after a restart', async () => {
    ports.failing.add(QUEUE_ARN);
    const { requestId } = await runtime.invoke('once', '{"fail":true,"id":3}', { invocationType: 'Event' });
    await until(() => attemptsOf(requestId).length === 1);
    clock.advanceBy(60_000);
    await until(() => runtime.pendingAsync().some((pending) => pending.destination?.failedSends === 1));
    clock.advanceBy(1_000);
    await until(() => runtime.pendingAsync().some((pending) => pending.destination?.failedSends === 2));
    expect(sentFor(requestId)).toHaveLength(2);
    runtime.shutdown();

    ports.failing.delete(QUEUE_ARN);
    runtime = startRuntime();
    expect(runtime.pendingAsync().map((pending) => pending.requestId)).toContain(requestId);
    runtime.register(fixtures.add('once', { 'index.mjs': SOMETIMES_FAILING }));
    clock.advanceBy(2_000);
    await until(() => sentFor(requestId).length === 3);
    expect(sentFor(requestId)[2]?.body).toMatchObject({
      requestContext: { condition: 'RetriesExhausted', approximateInvokeCount: 2 },
      requestPayload: { fail: true, id: 3 },
    });
    // Resending the record runs the function no more.
    expect(attemptsOf(requestId)).toHaveLength(2);
    await until(() => !runtime.pendingAsync().some((pending) => pending.requestId === requestId));
  });
});
