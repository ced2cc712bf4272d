/**
 * Local services in a child process, for tests that kill it with SIGKILL: `npm start`'s entry point on a state
 * directory, or a test's own program that prints its URL.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { REPOSITORY_ROOT } from '../../infra/constructs/aurora-function';

export interface CliProcess {
  readonly child: ChildProcess;
  readonly edgeUrl: string;
  readonly apiUrl: string;
}

/** Starts the CLI on free ports and resolves once it prints its endpoints; `started` collects every child. */
export function startCliProcess(
  stateDir: string,
  started: ChildProcess[],
  extraArguments: readonly string[] = [],
): Promise<CliProcess> {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'infra/local/cli.ts',
      `--state-dir=${stateDir}`,
      '--edge-port=0',
      '--http-port=0',
      ...extraArguments,
    ],
    { cwd: REPOSITORY_ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  started.push(child);
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const edgeUrl = /export AWS_ENDPOINT_URL=(\S+)/.exec(output)?.[1];
      const apiUrl = /HTTP API\s+(\S+)/.exec(output)?.[1];
      if (edgeUrl && apiUrl) {
        child.stdout?.off('data', onData);
        resolve({ child, edgeUrl, apiUrl });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`npm start exited with ${code} before it was ready:\n${output}`)),
    );
  });
}

/** A repository file as a child program imports it: its absolute path, quoted. */
export const repositoryModule = (path: string): string => JSON.stringify(join(REPOSITORY_ROOT, path));

/**
 * Runs `program` (TypeScript, an ES module importing with `repositoryModule`) in a child Node process and
 * resolves with the first line it prints, once printed: the URL it serves. `what` names it if it exits first.
 */
export function startChildProgram(
  program: string,
  what: string,
): Promise<{ child: ChildProcess; firstLine: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: REPOSITORY_ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolveStart, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n')[0];
      if (output.includes('\n') && line) resolveStart({ child, firstLine: line.trim() });
    });
    child.once('exit', (code) => reject(new Error(`${what} exited early with ${code}`)));
  });
}
