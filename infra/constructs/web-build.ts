/**
 * The web app's build, `npm run web:build` (Vite: web/ → web/dist), shared by the WebStack's asset (CDK
 * local bundling) and `npm start`. A build is recorded with a hash of its sources, so both skip it while
 * web/dist is the build of the current sources, and a lock keeps two processes (a test run, `npm start`,
 * `cdk synth`) from writing web/dist at once.
 *
 * The build runs as a child process, not through Vite's JS API in-process: the command is the web app's
 * own (its flags and config stay in its package script), Vite sets NODE_ENV and loads plugins in whatever
 * process runs it, and a child uses the second core while the local cloud synthesizes and deploys.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from './aurora-function';
import { hashOfSources, shortDigest } from './source-hash';

export const WEB_DIRECTORY = join(REPOSITORY_ROOT, 'web');
export const WEB_DIST = join(WEB_DIRECTORY, 'dist');
export const WEB_BUILD_COMMAND = { command: 'npm', args: ['run', '--silent', 'web:build'] } as const;

const CACHE = join(REPOSITORY_ROOT, 'node_modules', '.cache', 'aurora-web');
const STAMP = join(CACHE, 'build.json');
const LOCK = join(CACHE, 'build.lock');
/** Outputs and caches inside web/, not sources. */
const EXCLUDED = new Set(['node_modules', 'dist', '.vite']);
/** The root manifest holds the web:build script; the lockfile pins Vite and the app's dependencies. */
const ROOT_INPUTS = ['package.json', 'package-lock.json'];

/** Hash of everything a build is made from. */
export const webSourceHash = (): string => shortDigest(hashOfSources(['web', ...ROOT_INPUTS], EXCLUDED));

/** Why there is nothing to build yet, or undefined when there is. */
export function webBuildUnavailable(): string | undefined {
  if (!existsSync(WEB_DIRECTORY)) return 'web/ does not exist yet';
  const manifest = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  if (!manifest.scripts?.['web:build']) return 'package.json has no web:build script yet';
  return undefined;
}

/** web/dist is the build of the sources with this hash. */
export function isWebBuildCurrent(hash: string): boolean {
  if (!existsSync(join(WEB_DIST, 'index.html'))) return false;
  try {
    return (JSON.parse(readFileSync(STAMP, 'utf8')) as { hash?: string }).hash === hash;
  } catch {
    return false;
  }
}

export function recordWebBuild(hash: string): void {
  mkdirSync(CACHE, { recursive: true });
  writeFileSync(STAMP, JSON.stringify({ hash, builtAt: new Date().toISOString() }));
}

/**
 * The build's environment: this process's, less what a test runner sets, so that a build made under
 * vitest (NODE_ENV=test) is the same production build `npm start` or `cdk deploy` makes.
 */
export function buildEnvironment(): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(process.env).filter(([name]) => name !== 'NODE_ENV' && !name.startsWith('VITEST')),
  );
}

/** Takes the build lock if it is free, or held by a process that has died (killed mid-build). */
export function tryLockWebBuild(): boolean {
  mkdirSync(CACHE, { recursive: true });
  try {
    writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  let holder = Number.NaN;
  try {
    holder = Number(readFileSync(LOCK, 'utf8'));
  } catch {
    return false; // released meanwhile: the next attempt takes it
  }
  if (Number.isInteger(holder) && holder > 0 && !isAlive(holder)) rmSync(LOCK, { force: true });
  return false;
}

export function unlockWebBuild(): void {
  rmSync(LOCK, { force: true });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const LOCK_POLL_MS = 250;

/**
 * Makes web/dist current, synchronously (CDK's local bundling cannot wait for a promise). Throws with the
 * build's output, or with what to do when there is nothing to build.
 */
export function buildWebSync(): void {
  const unavailable = webBuildUnavailable();
  if (unavailable) {
    throw new Error(`Cannot build the web app: ${unavailable}. It is built with \`npm run web:build\`.`);
  }
  const sleeper = new Int32Array(new SharedArrayBuffer(4));
  while (!tryLockWebBuild()) Atomics.wait(sleeper, 0, 0, LOCK_POLL_MS);
  try {
    const hash = webSourceHash();
    if (isWebBuildCurrent(hash)) return;
    const result = spawnSync(WEB_BUILD_COMMAND.command, WEB_BUILD_COMMAND.args, {
      cwd: REPOSITORY_ROOT,
      env: buildEnvironment(),
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    if (result.status !== 0 || !existsSync(join(WEB_DIST, 'index.html'))) {
      const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
      throw new Error(
        `\`npm run web:build\` failed (${result.error?.message ?? `exit ${result.status}`}; ` +
          `web/dist/index.html ${existsSync(join(WEB_DIST, 'index.html')) ? 'exists' : 'missing'}):\n${output}`,
      );
    }
    recordWebBuild(hash);
  } finally {
    unlockWebBuild();
  }
}
