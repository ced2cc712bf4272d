import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LambdaRuntime } from '../../../../../infra/local/lambda/runtime';
import { ACCOUNT, EDGE_URL, FunctionFixtures, parse } from './fixtures';

const fixtures = new FunctionFixtures();
const runtime = new LambdaRuntime({ account: ACCOUNT, edgeUrl: EDGE_URL, maxConcurrencyPerFunction: 4 });

/** Module state tells environments apart: each environment counts its own invocations. */
const MISBEHAVING = `
const environment = Math.random().toString(36).slice(2);
let invocations = 0;
const hoard = [];
export const handler = async (event) => {
  invocations += 1;
  if (event.hang) for (;;) {}
  if (event.hoard) for (;;) hoard.push(new Array(100_000).fill({ x: Math.random() }));
  if (event.exit) process.exit(3);
  if (event.orphan) { Promise.reject(new Error('forgotten')); await new Promise((resolve) => setTimeout(resolve, 50)); }
  if (event.waitMs) await new Promise((resolve) => setTimeout(resolve, event.waitMs));
  return { environment, invocations, foo: process.env.FOO ?? null };
};
`;

beforeAll(() => {
  runtime.register(fixtures.add('misbehaving', { 'index.mjs': MISBEHAVING }, { timeoutSeconds: 1 }));
  runtime.register(fixtures.add('hoarder', { 'index.mjs': MISBEHAVING }, { timeoutSeconds: 30 }));
  runtime.register(fixtures.add('alpha', { 'index.mjs': MISBEHAVING }, { environment: { FOO: 'alpha' } }));
  runtime.register(fixtures.add('beta', { 'index.mjs': MISBEHAVING }, { environment: { FOO: 'beta' } }));
  runtime.register(fixtures.add('single', { 'index.mjs': MISBEHAVING }, { reservedConcurrency: 1 }));
  runtime.register(fixtures.add('disabled', { 'index.mjs': MISBEHAVING }, { reservedConcurrency: 0 }));
  runtime.register(fixtures.add('pooled', { 'index.mjs': MISBEHAVING }));
});

afterAll(() => {
  runtime.shutdown();
  fixtures.remove();
});

type Answer = { environment: string; invocations: number; foo: string | null };
const answer = async (name: string, event: object = {}): Promise<Answer> =>
  parse((await runtime.invoke(name, JSON.stringify(event))).payload) as Answer;

describe('LambdaRuntime limits', () => {
  it('terminates a hung function at its timeout, reports Sandbox.Timedout and replaces the environment', async () => {
    const warm = await answer('misbehaving');
    const started = Date.now();
    const result = await runtime.invoke('misbehaving', '{"hang":true}');
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(result).toMatchObject({ statusCode: 200, functionError: 'Unhandled' });
    expect(parse(result.payload)).toEqual({
      errorType: 'Sandbox.Timedout',
      errorMessage: `RequestId: ${result.requestId} Error: Task timed out after 1.00 seconds`,
    });
    const lines = runtime.logs('misbehaving', { requestId: result.requestId }).map((event) => event.message);
    expect(lines.some((line) => line.endsWith(`${result.requestId} Task timed out after 1.00 seconds`))).toBe(
      true,
    );
    expect(lines.at(-1)).toMatch(/\tDuration: 1000\.00 ms\t.*\tStatus: timeout$/);
    const after = await answer('misbehaving');
    expect(after.environment).not.toBe(warm.environment);
    expect(after.invocations).toBe(1);
  });

  it('stops a function that exceeds its memory size with Runtime.OutOfMemory', async () => {
    const result = await runtime.invoke('hoarder', '{"hoard":true}');
    expect(result.functionError).toBe('Unhandled');
    expect(parse(result.payload)).toMatchObject({ errorType: 'Runtime.OutOfMemory' });
    const report = runtime.logs('hoarder', { requestId: result.requestId }).at(-1)?.message;
    expect(report).toMatch(/Max Memory Used: 128 MB\t.*Status: error\tError Type: Runtime.OutOfMemory$/);
    expect((await answer('hoarder')).invocations).toBe(1);
  });

  it('reports process.exit as Runtime.ExitError and an unhandled rejection as Runtime.UnhandledPromiseRejection', async () => {
    const exited = await runtime.invoke('misbehaving', '{"exit":true}');
    expect(parse(exited.payload)).toEqual({
      errorType: 'Runtime.ExitError',
      errorMessage: `RequestId: ${exited.requestId} Error: Runtime exited with error: exit status 3`,
    });
    const orphaned = await runtime.invoke('misbehaving', '{"orphan":true}');
    expect(orphaned.functionError).toBe('Unhandled');
    expect(parse(orphaned.payload)).toMatchObject({
      errorType: 'Runtime.UnhandledPromiseRejection',
      errorMessage: 'Error: forgotten',
    });
    expect((await answer('misbehaving')).invocations).toBe(1);
  });

  it('gives each function its own environment variables without touching the host process', async () => {
    const [alpha, beta] = await Promise.all([answer('alpha'), answer('beta')]);
    expect(alpha.foo).toBe('alpha');
    expect(beta.foo).toBe('beta');
    expect(process.env.FOO).toBeUndefined();
    expect(process.env.AWS_LAMBDA_FUNCTION_NAME).toBeUndefined();
  });

  it('throttles beyond reserved concurrency with TooManyRequestsException', async () => {
    const slow = runtime.invoke('single', '{"waitMs":300}');
    const throttled = await runtime.invoke('single', '{}').catch((error: unknown) => error);
    expect(throttled).toMatchObject({
      code: 'TooManyRequestsException',
      statusCode: 429,
      message: 'Rate Exceeded.',
      extra: { Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded', Type: 'User' },
    });
    expect((await slow).functionError).toBeUndefined();
    expect((await runtime.invoke('single', '{}')).statusCode).toBe(200);
    await expect(runtime.invoke('disabled', '{}')).rejects.toMatchObject({
      code: 'TooManyRequestsException',
    });
  });

  it('grows the pool for concurrent invocations and reuses those environments afterwards', async () => {
    // Each invocation waits long enough that all three still overlap after cold starts on a loaded machine (the
    // pool adds a third environment only once the first two have started and a core is idle).
    const concurrent = await Promise.all([1, 2, 3].map(() => answer('pooled', { waitMs: 1000 })));
    const environments = new Set(concurrent.map((result) => result.environment));
    expect(environments.size).toBe(3);
    const later = await answer('pooled');
    expect(environments.has(later.environment)).toBe(true);
    expect(later.invocations).toBe(2);
  });

  it('queues invocations beyond the per-function pool size instead of refusing them', async () => {
    const results = await Promise.all([1, 2, 3, 4, 5, 6].map(() => answer('pooled', { waitMs: 50 })));
    expect(new Set(results.map((result) => result.environment)).size).toBeLessThanOrEqual(4);
  });

  it('applies PutFunctionConcurrency: 0 turns the function off, removing it turns it back on', async () => {
    runtime.setReservedConcurrency('alpha', 0);
    await expect(runtime.invoke('alpha', '{}')).rejects.toMatchObject({ code: 'TooManyRequestsException' });
    runtime.setReservedConcurrency('alpha', undefined);
    expect((await answer('alpha')).foo).toBe('alpha');
  });
});
