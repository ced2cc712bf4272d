/**
 * Each function's log file under logDir: lines are written in batches, yet an invocation's lines (START, the
 * handler's own, END and REPORT) are in the file by the time invoke() resolves, and nothing is lost on shutdown.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LogStore } from '../../../../../infra/local/lambda/log-store';
import { LambdaRuntime } from '../../../../../infra/local/lambda/runtime';
import { until } from '../../../../support/polling';
import { ACCOUNT, EDGE_URL, FunctionFixtures } from './fixtures';

const fixtures = new FunctionFixtures();
const logDir = join(fixtures.root, 'logs');
const runtime = new LambdaRuntime({ account: ACCOUNT, edgeUrl: EDGE_URL, logDir });

const LOGGING = `
export const handler = async (event) => {
  console.log('handling', event.n);
  if (event.fail) throw new Error('refused');
  return { n: event.n };
};
`;

beforeAll(() => {
  runtime.register(fixtures.add('logging', { 'index.mjs': LOGGING }));
  runtime.register(fixtures.add('other', { 'index.mjs': LOGGING }));
});

afterAll(() => {
  runtime.shutdown();
  fixtures.remove();
});

const logFile = (functionName: string): string[] => {
  const path = join(logDir, `${functionName}.log`);
  return existsSync(path) ? readFileSync(path, 'utf8').split('\n') : [];
};

/** The lines of one invocation in a log file, each reduced to what identifies it. */
function invocationLines(lines: string[], requestId: string): string[] {
  return lines.flatMap((line) => {
    if (line === `START RequestId: ${requestId} Version: $LATEST`) return ['START'];
    if (line === `END RequestId: ${requestId}`) return ['END'];
    if (line.startsWith(`REPORT RequestId: ${requestId}\tDuration: `)) return ['REPORT'];
    const own = line.split('\t');
    if (own[1] === requestId) return [`${own[2]} ${own[3]}`];
    return [];
  });
}

describe('Lambda log files', () => {
  it("holds an invocation's START, handler, END and REPORT lines as soon as invoke() resolves", async () => {
    const { requestId } = await runtime.invoke('logging', '{"n":1}');
    expect(invocationLines(logFile('logging'), requestId)).toEqual([
      'START',
      'INFO handling 1',
      'END',
      'REPORT',
    ]);
  });

  it('holds the lines of a failed invocation as soon as invoke() resolves', async () => {
    const { requestId, functionError } = await runtime.invoke('logging', '{"n":2,"fail":true}');
    expect(functionError).toBe('Unhandled');
    const lines = invocationLines(logFile('logging'), requestId);
    expect(lines.slice(0, 2)).toEqual(['START', 'INFO handling 2']);
    expect(lines.slice(-2)).toEqual(['END', 'REPORT']);
  });

  it('keeps concurrent invocations of two functions each in its own file, each whole when it resolves', async () => {
    const seen = await Promise.all(
      ['logging', 'other', 'logging', 'other'].map(async (functionName, n) => {
        const { requestId } = await runtime.invoke(functionName, JSON.stringify({ n: 10 + n }));
        return {
          requestId,
          ownFile: invocationLines(logFile(functionName), requestId),
          otherFile: invocationLines(logFile(functionName === 'other' ? 'logging' : 'other'), requestId),
          n: 10 + n,
        };
      }),
    );
    for (const { ownFile, otherFile, n } of seen) {
      expect(ownFile).toEqual(['START', `INFO handling ${n}`, 'END', 'REPORT']);
      expect(otherFile).toEqual([]);
    }
  });
});

describe('Lambda log files on shutdown', () => {
  it('hold every line logged before shutdown() returns', async () => {
    const shutdownLogDir = join(fixtures.root, 'shutdown-logs');
    let linesAtShutdown: string[] | undefined;
    const stopping: LambdaRuntime = new LambdaRuntime({
      account: ACCOUNT,
      edgeUrl: EDGE_URL,
      logDir: shutdownLogDir,
      // Stops the runtime the moment the late line arrives, before any batch could be written by itself.
      onLog: (_functionName, logged) => {
        if (!logged.message.endsWith('\tINFO\tafter return')) return;
        stopping.shutdown();
        linesAtShutdown = readFileSync(join(shutdownLogDir, 'late.log'), 'utf8').split('\n');
      },
    });
    try {
      stopping.register(
        fixtures.add('late', {
          'index.mjs': `export const handler = async () => {
            setTimeout(() => console.log('after return'), 0);
            return 'done';
          };`,
        }),
      );
      await stopping.invoke('late', '{}');
      await until(() => linesAtShutdown !== undefined, 'the lines at shutdown', 3_000);
      expect(linesAtShutdown?.some((line) => line.endsWith('\tINFO\tafter return'))).toBe(true);
    } finally {
      stopping.shutdown();
    }
  });
});

describe('LogStore', () => {
  const event = (message: string) => ({
    timestamp: 0,
    message,
    requestId: 'r-1',
    logStreamName: '2026/03/01/[$LATEST]0',
  });

  it('writes lines in batches: on flush, or by itself on the next turn of the event loop', async () => {
    const directory = join(fixtures.root, 'store-logs');
    const store = new LogStore(directory);
    const file = (functionName: string) => join(directory, `${functionName}.log`);
    store.append('a', event('a 1'));
    store.append('b', event('b 1'));
    store.append('a', event('a 2'));
    expect(existsSync(file('a'))).toBe(false);
    store.flush();
    expect(readFileSync(file('a'), 'utf8')).toBe('a 1\na 2\n');
    expect(readFileSync(file('b'), 'utf8')).toBe('b 1\n');

    store.append('a', event('a 3'));
    await until(() => readFileSync(file('a'), 'utf8') === 'a 1\na 2\na 3\n', 'the file written', 2_000);
    store.flush(); // nothing left to write: no line twice
    expect(readFileSync(file('a'), 'utf8')).toBe('a 1\na 2\na 3\n');
  });

  it('keeps lines in memory only without a log folder', () => {
    const store = new LogStore(undefined);
    store.append('a', event('a 1'));
    store.flush();
    expect(store.list('a').map((logged) => logged.message)).toEqual(['a 1']);
  });
});
