/**
 * `npm start` readiness: the time from nothing to a deployed, serving local cloud on a warm install (the
 * synthesized assembly cached), against the cold path that synthesizes and bundles the app first.
 * Target (brief §5): ready in under 15 s on a warm install.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCloud } from '../infra/local/cloud';
import { readLocalConfig } from '../infra/local/config';
import { synthesizeApp, synthesizeCached } from '../infra/local/synth';
import type { BenchRow } from './index';
import { median } from './support/stats';

async function timeStart(): Promise<number> {
  const stateDir = mkdtempSync(join(tmpdir(), 'aurora-bench-start-'));
  const config = { ...readLocalConfig([], {}), edgePort: 0, httpPort: 0, webPort: 0, stateDir };
  const started = performance.now();
  const cloud = await startLocalCloud(config, { log: () => {} });
  const elapsed = performance.now() - started;
  await cloud.stop();
  rmSync(stateDir, { recursive: true, force: true });
  return elapsed;
}

export async function run(): Promise<BenchRow[]> {
  const synthDir = mkdtempSync(join(tmpdir(), 'aurora-bench-synth-'));
  const synthStarted = performance.now();
  synthesizeApp(synthDir);
  const synthMs = performance.now() - synthStarted;
  rmSync(synthDir, { recursive: true, force: true });

  synthesizeCached();
  const warm: number[] = [];
  for (let round = 0; round < 3; round++) warm.push(await timeStart());
  const warmMedian = median(warm);
  const cold = warmMedian + synthMs;
  return [
    {
      name: 'npm start ready (warm install, median of 3)',
      value: `${(warmMedian / 1000).toFixed(2)} s`,
      baseline: `cold (synthesize + bundle first): ${(cold / 1000).toFixed(2)} s`,
      ratio: `${(cold / warmMedian).toFixed(1)}x faster than cold`,
      target: '< 15 s',
      met: warmMedian < 15_000,
    },
  ];
}
