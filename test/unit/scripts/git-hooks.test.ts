import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const REPOSITORY = resolve(import.meta.dirname, '../../..');
const UNFORMATTED = 'export const greeting   =  "hello"\n';
const FORMATTED = "export const greeting = 'hello';\n";

/** A throwaway repository with the project's Biome settings and hooks, as `npm install` leaves a checkout. */
describe('the pre-commit hook', () => {
  let repository: string;
  const git = (...args: string[]): string =>
    execFileSync('git', args, { cwd: repository, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const committed = (path: string): string => git('show', `HEAD:${path}`);
  const commitFails = (): boolean => {
    try {
      git('commit', '-qm', 'change');
      return false;
    } catch {
      return true;
    }
  };

  beforeEach(() => {
    repository = mkdtempSync(join(tmpdir(), 'aurora-hook-'));
    git('init', '-q');
    git('config', 'user.email', 'dev@example.com');
    git('config', 'user.name', 'Dev');
    git('config', 'core.hooksPath', join(REPOSITORY, '.githooks'));
    copyFileSync(join(REPOSITORY, 'biome.json'), join(repository, 'biome.json'));
    symlinkSync(join(REPOSITORY, 'node_modules'), join(repository, 'node_modules'));
    writeFileSync(join(repository, '.gitignore'), 'node_modules\n');
    git('add', '.');
    git('commit', '-qm', 'start', '--no-verify');
  });
  afterEach(() => rmSync(repository, { recursive: true, force: true }));

  it('formats a staged file and commits the formatted text', () => {
    writeFileSync(join(repository, 'greeting.ts'), UNFORMATTED);
    git('add', 'greeting.ts');
    git('commit', '-qm', 'greeting');
    expect(committed('greeting.ts')).toBe(FORMATTED);
    expect(readFileSync(join(repository, 'greeting.ts'), 'utf8')).toBe(FORMATTED);
  });

  it('refuses a commit whose staged file breaks a lint rule, and commits nothing', () => {
    writeFileSync(
      join(repository, 'compare.ts'),
      'export const same = (a: unknown, b: unknown) => a == b;\n',
    );
    git('add', 'compare.ts');
    expect(commitFails()).toBe(true);
    expect(git('log', '--format=%s')).toBe('start\n');
  });

  it('leaves unstaged edits of a partly staged file out of the commit', () => {
    writeFileSync(join(repository, 'greeting.ts'), FORMATTED);
    git('add', 'greeting.ts');
    writeFileSync(join(repository, 'greeting.ts'), `${FORMATTED}export const farewell = 'bye';\n`);
    git('commit', '-qm', 'greeting');
    expect(committed('greeting.ts')).toBe(FORMATTED);
    expect(git('status', '--porcelain')).toBe(' M greeting.ts\n');
  });
});
