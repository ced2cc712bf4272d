/**
 * `npm start`'s web build: `npm run web:build` in a child process, skipped while web/dist is the build of
 * the current sources (infra/constructs/web-build.ts keeps the hash and the lock). Its output goes to a
 * log file, not a pipe, so a chatty build never waits on the local cloud's event loop (busy synthesizing
 * while the build runs beside it).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { REPOSITORY_ROOT } from '../../constructs/aurora-function';
import {
  buildEnvironment,
  isWebBuildCurrent,
  LOCK_POLL_MS,
  recordWebBuild,
  tryLockWebBuild,
  unlockWebBuild,
  WEB_BUILD_COMMAND,
  WEB_DIST,
  webBuildUnavailable,
  webSourceHash,
} from '../../constructs/web-build';

export type WebBuildOutcome = (
  | { readonly status: 'built' | 'unchanged'; readonly directory: string }
  | {
      readonly status: 'unavailable' | 'failed';
      readonly reason: string;
      /** The end of the build's output, when it ran. */
      readonly output?: readonly string[];
    }
) & {
  /** Until the outcome was known here: a build's exit is seen once the event loop is free again. */
  readonly ms: number;
};

/** A build that has not finished in this long is stuck (a small SPA builds in seconds). */
const BUILD_TIMEOUT_MS = 5 * 60_000;
const LOG_TAIL_LINES = 12;

export async function buildWebAppCached(logFile: string): Promise<WebBuildOutcome> {
  const started = performance.now();
  const timed = (outcome: DistributiveOmit<WebBuildOutcome, 'ms'>): WebBuildOutcome => ({
    ...outcome,
    ms: Math.round(performance.now() - started),
  });
  const unavailable = webBuildUnavailable();
  if (unavailable) return timed({ status: 'unavailable', reason: unavailable });
  while (!tryLockWebBuild()) await sleep(LOCK_POLL_MS);
  try {
    const hash = webSourceHash();
    if (isWebBuildCurrent(hash)) return timed({ status: 'unchanged', directory: WEB_DIST });
    const exit = await run(logFile);
    if (exit !== 0) {
      return timed({ status: 'failed', reason: `${exit} (output in ${logFile})`, output: tail(logFile) });
    }
    if (!existsSync(join(WEB_DIST, 'index.html'))) {
      return timed({ status: 'failed', reason: 'npm run web:build wrote no web/dist/index.html' });
    }
    recordWebBuild(hash);
    return timed({ status: 'built', directory: WEB_DIST });
  } finally {
    unlockWebBuild();
  }
}

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function run(logFile: string): Promise<string | 0> {
  const log = openSync(logFile, 'w');
  return new Promise((resolvePromise) => {
    const child = spawn(WEB_BUILD_COMMAND.command, WEB_BUILD_COMMAND.args, {
      cwd: REPOSITORY_ROOT,
      env: buildEnvironment(),
      stdio: ['ignore', log, log],
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), BUILD_TIMEOUT_MS);
    let settled = false;
    // 'error' (could not spawn) and 'exit' can both arrive; the first one counts.
    const settle = (outcome: string | 0) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      closeSync(log);
      resolvePromise(outcome);
    };
    child.once('error', (error) => settle(`npm run web:build did not start (${error.message})`));
    child.once('exit', (code, signal) =>
      settle(
        code === 0 ? 0 : `npm run web:build ${signal ? `was stopped (${signal})` : `exited with ${code}`}`,
      ),
    );
  });
}

function tail(logFile: string): string[] {
  return readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES);
}
