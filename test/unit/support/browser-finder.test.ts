/**
 * Which Chromium the browser tests launch: a system one when the environment has it, else the packaged one,
 * so a machine with only Node and npm runs them too.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { chooseBrowser } from '../../support/browser';

const root = mkdtempSync(join(tmpdir(), 'browser-finder-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** A new folder holding the named executables, and the `nonExecutable` ones as plain files. */
function folderWith(name: string, executables: string[], nonExecutable: string[] = []): string {
  const folder = join(root, name);
  mkdirSync(folder);
  for (const file of executables) writeFileSync(join(folder, file), '#!/bin/sh\n', { mode: 0o755 });
  for (const file of nonExecutable) writeFileSync(join(folder, file), '', { mode: 0o644 });
  return folder;
}

const pathOf = (...folders: string[]) => folders.join(delimiter);

/** The choice in `env` on a machine whose only installed apps are `installLocations`. */
const choose = (env: NodeJS.ProcessEnv, installLocations: string[] = []) =>
  chooseBrowser(env, installLocations);

describe('chooseBrowser', () => {
  it('uses the packaged Chromium when neither PATH nor CHROME_PATH has a browser', () => {
    const empty = folderWith('empty', ['node']);
    expect(choose({ PATH: pathOf(empty, join(root, 'missing')) })).toEqual({ source: 'bundled' });
    expect(choose({})).toEqual({ source: 'bundled' });
  });

  it('finds a system browser on PATH under any of its usual names', () => {
    for (const name of ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable']) {
      const folder = folderWith(`only-${name}`, [name]);
      expect(choose({ PATH: pathOf(join(root, 'missing'), folder) })).toEqual({
        source: 'PATH',
        executablePath: join(folder, name),
      });
    }
  });

  it('prefers Chromium to Chrome wherever each is on PATH, and skips a file that is not executable', () => {
    const chrome = folderWith('chrome-first', ['google-chrome']);
    const chromium = folderWith('chromium-later', ['chromium-browser'], ['chromium']);
    expect(choose({ PATH: pathOf(chrome, chromium) })).toEqual({
      source: 'PATH',
      executablePath: join(chromium, 'chromium-browser'),
    });
  });

  it('falls back to an installed app (macOS) that is not on PATH, after PATH', () => {
    const app = join(folderWith('app', ['Google Chrome']), 'Google Chrome');
    const onPath = folderWith('path-before-app', ['chromium']);
    expect(choose({ PATH: join(root, 'missing') }, [join(root, 'no-app'), app])).toEqual({
      source: 'installed',
      executablePath: app,
    });
    expect(choose({ PATH: onPath }, [app])).toEqual({
      source: 'PATH',
      executablePath: join(onPath, 'chromium'),
    });
  });

  it('takes CHROME_PATH over PATH, and refuses one that is not executable instead of falling back', () => {
    const onPath = folderWith('on-path', ['chromium']);
    const chosen = join(folderWith('chosen', ['my-chrome']), 'my-chrome');
    expect(choose({ PATH: onPath, CHROME_PATH: chosen })).toEqual({
      source: 'CHROME_PATH',
      executablePath: chosen,
    });
    const missing = join(root, 'no-such-chrome');
    expect(() => choose({ PATH: onPath, CHROME_PATH: missing })).toThrow(
      `CHROME_PATH=${missing} is not an executable file`,
    );
  });

  it('uses the packaged Chromium when AURORA_BROWSER=bundled, whatever else is installed', () => {
    const onPath = folderWith('forced', ['chromium']);
    expect(
      choose({ AURORA_BROWSER: 'bundled', PATH: onPath, CHROME_PATH: join(onPath, 'chromium') }),
    ).toEqual({ source: 'bundled' });
  });
});
