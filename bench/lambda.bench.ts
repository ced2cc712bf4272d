/**
 * Local Lambda runtime: warm invoke latency (worker round trip, JSON in and out, logs) against calling the
 * same handler in-process, and cold start (new worker + module load) against importing the module
 * in-process.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { LambdaRuntime } from '../infra/local/lambda/runtime';
import type { LocalFunctionConfig } from '../infra/local/lambda/types';
import { testFunctionConfig } from '../test/support/function-config';
import type { BenchRow } from './index';
import { ms as formatMs, percentile, timed } from './support/stats';

const WARM_INVOCATIONS = 2_000;
const COLD_STARTS = 15;

const HANDLER = `
import { randomUUID } from 'node:crypto';
export const handler = async (event, context) => {
  console.log('reminder', event.reminderId);
  return { id: randomUUID(), reminderId: event.reminderId, requestId: context.awsRequestId };
};
`;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

/** Single calls take well under a millisecond: three decimals. */
const ms = (value: number): string => formatMs(value, 3);

export async function run(): Promise<BenchRow[]> {
  const codeDirectory = mkdtempSync(join(tmpdir(), 'aurora-lambda-bench-'));
  writeFileSync(join(codeDirectory, 'index.mjs'), HANDLER);
  const runtime = new LambdaRuntime({
    account: { region: 'eu-west-1', accountId: '000000000000' },
    edgeUrl: 'http://127.0.0.1:4566',
  });
  const config = (functionName: string): LocalFunctionConfig =>
    testFunctionConfig(functionName, codeDirectory);
  try {
    const payload = JSON.stringify({ reminderId: 'r-1' });
    const moduleUrl = pathToFileURL(join(codeDirectory, 'index.mjs')).href;

    // Cold starts: a fresh registration has no warm environment; the baseline imports a fresh module copy.
    const cold: number[] = [];
    const coldBaseline: number[] = [];
    for (let index = 0; index < COLD_STARTS; index++) {
      runtime.register(config(`cold-${index}`));
      cold.push(await timed(() => runtime.invoke(`cold-${index}`, payload)));
      coldBaseline.push(await timed(() => import(`${moduleUrl}?copy=${index}`)));
      runtime.unregister(`cold-${index}`);
    }

    runtime.register(config('warm'));
    await runtime.invoke('warm', payload);
    const { handler } = (await import(moduleUrl)) as { handler: Handler };
    const context = { awsRequestId: 'direct', getRemainingTimeInMillis: () => 10_000 };
    const quietLog = console.log;
    const warm: number[] = [];
    const direct: number[] = [];
    console.log = () => {};
    try {
      // Interleaved, so that both see the same machine load.
      for (let index = 0; index < WARM_INVOCATIONS; index++) {
        warm.push(await timed(() => runtime.invoke('warm', payload)));
        direct.push(await timed(async () => JSON.stringify(await handler(JSON.parse(payload), context))));
      }
    } finally {
      console.log = quietLog;
    }

    const warmP50 = percentile(warm, 0.5);
    const directP50 = percentile(direct, 0.5);
    const coldP50 = percentile(cold, 0.5);
    const importP50 = percentile(coldBaseline, 0.5);
    return [
      {
        name: 'lambda warm invoke p50',
        value: ms(warmP50),
        baseline: `in-process call: ${ms(directP50)}`,
        ratio: `${(warmP50 / directP50).toFixed(1)}x slower`,
      },
      {
        name: 'lambda warm invoke p99',
        value: ms(percentile(warm, 0.99)),
        baseline: `in-process call: ${ms(percentile(direct, 0.99))}`,
        ratio: `${(percentile(warm, 0.99) / percentile(direct, 0.99)).toFixed(1)}x slower`,
      },
      {
        name: 'lambda cold start (first invoke) p50',
        value: ms(coldP50),
        baseline: `in-process module import: ${ms(importP50)}`,
        ratio: `${(coldP50 / importP50).toFixed(1)}x slower`,
      },
    ];
  } finally {
    runtime.shutdown();
    rmSync(codeDirectory, { recursive: true, force: true });
  }
}
