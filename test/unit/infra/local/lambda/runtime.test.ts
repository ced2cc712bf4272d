import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../../../../infra/local/edge/contracts';
import { LambdaRuntime } from '../../../../../infra/local/lambda/runtime';
import { ACCOUNT, EDGE_URL, FunctionFixtures, parse } from './fixtures';

const fixtures = new FunctionFixtures();
const runtime = new LambdaRuntime({ account: ACCOUNT, edgeUrl: EDGE_URL });

const ESM_ECHO = `
import { createHash } from 'node:crypto';
// Top-level await: the module finishes loading before the first invocation.
const loadedAt = await Promise.resolve(Date.now());
let invocations = 0;
console.log('cold start');
export const handler = async (event, context) => {
  invocations += 1;
  console.log('event', JSON.stringify(event));
  console.warn('careful');
  process.stdout.write(JSON.stringify({ level: 'INFO', message: 'structured' }) + '\\n');
  return {
    event,
    invocations,
    loadedAt,
    digest: createHash('sha256').update('x').digest('hex').slice(0, 8),
    env: {
      functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
      region: process.env.AWS_REGION,
      defaultRegion: process.env.AWS_DEFAULT_REGION,
      version: process.env.AWS_LAMBDA_FUNCTION_VERSION,
      memory: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
      logGroup: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
      handler: process.env._HANDLER,
      executionEnv: process.env.AWS_EXECUTION_ENV,
      taskRoot: process.env.LAMBDA_TASK_ROOT,
      tz: process.env.TZ,
      endpoint: process.env.AWS_ENDPOINT_URL,
      accessKey: process.env.AWS_ACCESS_KEY_ID,
      tableName: process.env.TABLE_NAME,
    },
    context: {
      awsRequestId: context.awsRequestId,
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      invokedFunctionArn: context.invokedFunctionArn,
      memoryLimitInMB: context.memoryLimitInMB,
      logGroupName: context.logGroupName,
      logStreamName: context.logStreamName,
      remaining: context.getRemainingTimeInMillis(),
      callbackWaitsForEmptyEventLoop: context.callbackWaitsForEmptyEventLoop,
      clientContext: context.clientContext,
    },
  };
};
`;

const CJS_CALLBACK = `
let calls = 0;
exports.handler = function (event, context, callback) {
  calls += 1;
  if (event.fail) return setTimeout(() => callback(new RangeError('bad input')), 5);
  setTimeout(() => callback(null, { calls, style: 'callback' }), 5);
};
`;

const THROWING = `
export const handler = async (event) => {
  if (event.reject) throw 'plain string';
  throw new TypeError('Cannot read properties of undefined');
};
`;

let esmEcho: ReturnType<FunctionFixtures['add']>;

beforeAll(() => {
  esmEcho = fixtures.add('esm-echo', { 'index.mjs': ESM_ECHO }, { environment: { TABLE_NAME: 'Reminders' } });
  runtime.register(esmEcho);
  runtime.register(fixtures.add('cjs-callback', { 'index.js': CJS_CALLBACK }));
  runtime.register(fixtures.add('throwing', { 'index.mjs': THROWING }));
  runtime.register(
    fixtures.add('legacy', {
      'index.js': `exports.handler = (event, context) => {
        if (event.succeed) return context.succeed({ legacy: true });
        return { ignored: true };
      };`,
    }),
  );
  runtime.register(
    fixtures.add(
      'nested',
      { 'src/app.mjs': 'export const api = { handler: async () => "nested" };' },
      { handler: 'src/app.api.handler' },
    ),
  );
  runtime.register(fixtures.add('missing-module', { 'other.mjs': 'export const handler = () => 1;' }));
  runtime.register(fixtures.add('missing-export', { 'index.mjs': 'export const other = () => 1;' }));
  runtime.register(fixtures.add('syntax-error', { 'index.mjs': 'export const handler = async () => {' }));
});

afterAll(() => {
  runtime.shutdown();
  fixtures.remove();
});

describe('LambdaRuntime invocations', () => {
  it('runs an ESM handler with the Lambda environment, its template variables and a context object', async () => {
    const clientContext = Buffer.from(JSON.stringify({ custom: { tenant: 'a' } })).toString('base64');
    const result = await runtime.invoke('esm-echo', '{"hello":"world"}', { clientContext });
    expect(result).toMatchObject({ statusCode: 200, executedVersion: '$LATEST', functionError: undefined });
    const body = parse(result.payload) as Record<string, Record<string, unknown>>;
    expect(body.event).toEqual({ hello: 'world' });
    expect(body.digest).toBe('2d711642');
    expect(body.env).toEqual({
      functionName: 'esm-echo',
      region: 'eu-west-1',
      defaultRegion: 'eu-west-1',
      version: '$LATEST',
      memory: '128',
      logGroup: '/aws/lambda/esm-echo',
      handler: 'index.handler',
      executionEnv: 'AWS_Lambda_nodejs20.x',
      taskRoot: esmEcho.codeDirectory,
      tz: ':UTC',
      endpoint: EDGE_URL,
      accessKey: 'test',
      tableName: 'Reminders',
    });
    const context = body.context as Record<string, unknown>;
    expect(context).toMatchObject({
      awsRequestId: result.requestId,
      functionName: 'esm-echo',
      functionVersion: '$LATEST',
      invokedFunctionArn: esmEcho.functionArn,
      memoryLimitInMB: '128',
      logGroupName: '/aws/lambda/esm-echo',
      callbackWaitsForEmptyEventLoop: true,
      clientContext: { custom: { tenant: 'a' } },
    });
    expect(context.logStreamName).toMatch(/^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    expect(context.remaining).toBeGreaterThan(2_000);
    expect(context.remaining).toBeLessThanOrEqual(3_000);
  });

  it('reuses a warm environment: module state survives between invocations', async () => {
    const first = parse((await runtime.invoke('esm-echo', '{}')).payload) as {
      invocations: number;
      loadedAt: number;
    };
    const second = parse((await runtime.invoke('esm-echo', '{}')).payload) as typeof first;
    expect(second.invocations).toBe(first.invocations + 1);
    expect(second.loadedAt).toBe(first.loadedAt);
  });

  it('accepts a function by ARN, partial ARN and $LATEST qualifier', async () => {
    for (const identifier of [esmEcho.functionArn, '000000000000:function:esm-echo', 'esm-echo:$LATEST']) {
      expect((await runtime.invoke(identifier, '{}')).statusCode).toBe(200);
    }
  });

  it('runs a CommonJS callback-style handler and reports a callback error as Unhandled', async () => {
    const ok = await runtime.invoke('cjs-callback', '{}');
    expect(parse(ok.payload)).toEqual({ calls: 1, style: 'callback' });
    const failed = await runtime.invoke('cjs-callback', '{"fail":true}');
    expect(failed.functionError).toBe('Unhandled');
    expect(parse(failed.payload)).toMatchObject({ errorType: 'RangeError', errorMessage: 'bad input' });
  });

  it('answers null for a non-async handler that returns a value, and honours context.succeed', async () => {
    expect((await runtime.invoke('legacy', '{}')).payload).toBe('null');
    expect(parse((await runtime.invoke('legacy', '{"succeed":true}')).payload)).toEqual({ legacy: true });
  });

  it('follows a handler path into a subfolder and a nested export', async () => {
    expect(parse((await runtime.invoke('nested', '{}')).payload)).toBe('nested');
  });

  it('turns a thrown error into the error document with FunctionError Unhandled', async () => {
    const result = await runtime.invoke('throwing', '{}');
    expect(result.statusCode).toBe(200);
    expect(result.functionError).toBe('Unhandled');
    const error = parse(result.payload) as { errorType: string; errorMessage: string; trace: string[] };
    expect(error.errorType).toBe('TypeError');
    expect(error.errorMessage).toBe('Cannot read properties of undefined');
    expect(error.trace[0]).toBe('TypeError: Cannot read properties of undefined');
    expect(error.trace.some((line) => line.includes('index.mjs'))).toBe(true);
    const rejected = await runtime.invoke('throwing', '{"reject":true}');
    expect(parse(rejected.payload)).toEqual({ errorType: 'string', errorMessage: 'plain string', trace: [] });
  });

  it('reports init failures as the Node.js runtime does', async () => {
    const cases = [
      ['missing-module', 'Runtime.ImportModuleError', "Error: Cannot find module 'index'"],
      ['missing-export', 'Runtime.HandlerNotFound', 'index.handler is undefined or not exported'],
      ['syntax-error', 'Runtime.UserCodeSyntaxError', 'SyntaxError'],
    ] as const;
    for (const [name, errorType, message] of cases) {
      const result = await runtime.invoke(name, '{}');
      expect(result.functionError).toBe('Unhandled');
      const error = parse(result.payload) as { errorType: string; errorMessage: string };
      expect(error.errorType).toBe(errorType);
      expect(error.errorMessage).toContain(message);
    }
  });

  it('keeps each invocation log with START, END and REPORT lines and returns the tail on request', async () => {
    const result = await runtime.invoke('esm-echo', '{"n":1}', { logType: 'Tail' });
    const lines = runtime.logs('esm-echo', { requestId: result.requestId }).map((event) => event.message);
    expect(lines[0]).toBe(`START RequestId: ${result.requestId} Version: $LATEST`);
    expect(lines[1]).toMatch(
      new RegExp(`^\\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\t${result.requestId}\\tINFO\\tevent {"n":1}$`),
    );
    expect(lines[2]).toMatch(/\tWARN\tcareful$/);
    expect(lines[3]).toBe('{"level":"INFO","message":"structured"}');
    expect(lines[4]).toBe(`END RequestId: ${result.requestId}`);
    expect(lines[5]).toMatch(
      new RegExp(
        `^REPORT RequestId: ${result.requestId}\\tDuration: [\\d.]+ ms\\tBilled Duration: \\d+ ms\\tMemory Size: 128 MB\\tMax Memory Used: \\d+ MB$`,
      ),
    );
    const tail = Buffer.from(result.logResult ?? '', 'base64').toString('utf8');
    expect(tail).toBe(`${lines.join('\n')}\n`);
    // Init output is logged once, before the first START, with the request id "undefined".
    const all = runtime.logs('esm-echo', { limit: 1_000 }).map((event) => event.message);
    expect(all.filter((line) => line.endsWith('\tundefined\tINFO\tcold start'))).toHaveLength(1);
  });

  it('answers DryRun with 204 without running the function', async () => {
    const before = runtime.logs('esm-echo', { limit: 1_000 }).length;
    expect(await runtime.invoke('esm-echo', '{}', { invocationType: 'DryRun' })).toMatchObject({
      statusCode: 204,
    });
    expect(runtime.logs('esm-echo', { limit: 1_000 })).toHaveLength(before);
  });

  it('rejects unknown functions, foreign ARNs, other versions and payloads that are not JSON', async () => {
    const expectError = async (promise: Promise<unknown>, code: string, status: number, message: string) => {
      const error = await promise.then(
        () => undefined,
        (caught: unknown) => caught,
      );
      expect(error).toBeInstanceOf(AwsServiceError);
      expect(error).toMatchObject({ code, statusCode: status, extra: { Type: 'User' } });
      expect((error as Error).message).toBe(message);
    };
    const arn = 'arn:aws:lambda:eu-west-1:000000000000:function';
    await expectError(
      runtime.invoke('nope', '{}'),
      'ResourceNotFoundException',
      404,
      `Function not found: ${arn}:nope`,
    );
    await expectError(
      runtime.invoke('arn:aws:lambda:us-east-1:000000000000:function:esm-echo', '{}'),
      'ResourceNotFoundException',
      404,
      'Function not found: arn:aws:lambda:us-east-1:000000000000:function:esm-echo',
    );
    await expectError(
      runtime.invoke('esm-echo', '{}', { qualifier: '3' }),
      'ResourceNotFoundException',
      404,
      `Function not found: ${arn}:esm-echo:3`,
    );
    const invalid = await runtime.invoke('esm-echo', '{not json').catch((error: unknown) => error);
    expect(invalid).toMatchObject({ code: 'InvalidRequestContentException', statusCode: 400 });
    expect((invalid as Error).message).toMatch(/^Could not parse request body into json: /);
    await expectError(
      runtime.invoke('esm-echo', `"${'x'.repeat(6_291_456)}"`),
      'RequestEntityTooLargeException',
      413,
      '6291458 byte payload is too large for the RequestResponse invocation type (limit 6291456 bytes)',
    );
  });

  it('appends every log line to <logDir>/<function>.log and reports it to onLog', async () => {
    const logDir = join(fixtures.root, 'logs');
    const seen: string[] = [];
    const logging = new LambdaRuntime({
      account: ACCOUNT,
      edgeUrl: EDGE_URL,
      logDir,
      onLog: (functionName, event) => seen.push(`${functionName}: ${event.message}`),
    });
    try {
      logging.register(esmEcho);
      const { requestId } = await logging.invoke('esm-echo', '{"n":2}');
      const file = readFileSync(join(logDir, 'esm-echo.log'), 'utf8').split('\n');
      expect(file).toContain(`START RequestId: ${requestId} Version: $LATEST`);
      expect(file.some((line) => line.endsWith(`${requestId}\tINFO\tevent {"n":2}`))).toBe(true);
      expect(seen).toContain(`esm-echo: END RequestId: ${requestId}`);
    } finally {
      logging.shutdown();
    }
  });

  it('passes an empty payload as an empty object', async () => {
    expect((parse((await runtime.invoke('esm-echo', '')).payload) as { event: unknown }).event).toEqual({});
  });
});
