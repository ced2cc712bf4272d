/** `npm start`'s entry point as a child process on a state directory, for tests that kill it with SIGKILL. */
import { type ChildProcess, spawn } from 'node:child_process';
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
