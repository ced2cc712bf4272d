/** `npm run admin -- <args>` against a running local cloud's edge, as an operator runs it. */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { REPOSITORY_ROOT } from '../../infra/constructs/aurora-function';

export const runAdminCli = (edgeUrl: string, ...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', 'cli/admin/main.ts', ...args], {
    cwd: REPOSITORY_ROOT,
    env: {
      ...process.env,
      AWS_ENDPOINT_URL: edgeUrl,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
    },
  });
