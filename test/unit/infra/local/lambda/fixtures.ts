/** Small function bundles written to a temp folder, and configurations for them. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LocalFunctionConfig } from '../../../../../infra/local/lambda/types';
import { testFunctionConfig } from '../../../../support/function-config';

export const ACCOUNT = { region: 'eu-west-1', accountId: '000000000000' } as const;
export const EDGE_URL = 'http://127.0.0.1:4566';

export class FunctionFixtures {
  readonly root = mkdtempSync(join(tmpdir(), 'aurora-lambda-'));

  /** Writes `files` (relative path → source) into a fresh asset folder and returns a config for it. */
  add(
    functionName: string,
    files: Record<string, string>,
    overrides: Partial<LocalFunctionConfig> = {},
  ): LocalFunctionConfig {
    const codeDirectory = join(this.root, functionName);
    for (const [path, source] of Object.entries(files)) {
      const file = join(codeDirectory, path);
      mkdirSync(join(file, '..'), { recursive: true });
      writeFileSync(file, source);
    }
    return testFunctionConfig(functionName, codeDirectory, ACCOUNT, { timeoutSeconds: 3, ...overrides });
  }

  remove(): void {
    rmSync(this.root, { recursive: true, force: true });
  }
}

export const parse = (payload: string | undefined): unknown => JSON.parse(payload ?? 'null');
