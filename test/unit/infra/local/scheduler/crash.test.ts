import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { SchedulerService } from '../../../../../infra/local/scheduler/service';
import { RecordingPorts, temporaryStateDir } from '../../../../support/fake-ports';
import { ACCOUNT, FUNCTION_ARN } from './fixtures';

const here = dirname(fileURLToPath(import.meta.url));
const tsxLoader = createRequire(import.meta.url).resolve('tsx');
const stateDir = temporaryStateDir();
afterEach(() => stateDir.remove());

it('loses no acknowledged schedule when the process is killed with SIGKILL', async () => {
  const child = spawn(
    process.execPath,
    ['--import', tsxLoader, join(here, 'crash-child.ts'), stateDir.path, '15000'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  // Kill it mid-way through the creations, as soon as a few thousand have been acknowledged.
  const acknowledged = await new Promise<number>((resolve, reject) => {
    let latest = 0;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (text: string) => {
      const counts = [...text.matchAll(/acknowledged (\d+)/g)].map((match) => Number(match[1]));
      latest = Math.max(latest, ...counts);
      if (latest >= 3000 && child.exitCode === null && !child.killed) child.kill('SIGKILL');
    });
    child.on('exit', () => resolve(latest));
    child.on('error', reject);
  });
  expect(acknowledged).toBeGreaterThanOrEqual(3000);

  const clock = new Clock('manual', Date.parse('2026-07-02T07:00:00Z'));
  const ports = new RecordingPorts(clock);
  const scheduler = new SchedulerService({ clock, stateDir: stateDir.path, account: ACCOUNT, ports });
  for (let index = 0; index < acknowledged; index++) {
    expect(scheduler.getSchedule({ Name: `reminder-${index}` }).Name).toBe(`reminder-${index}`);
  }
  await scheduler.idle();
  expect(ports.callsTo(FUNCTION_ARN).length).toBeGreaterThanOrEqual(acknowledged);
  scheduler.stop();
}, 30_000);
