/**
 * Launches Chromium headless for the browser tests, with the background chatter that slows a test turned off.
 * A system browser is used when there is one (CI installs Debian's); otherwise the Chromium that the
 * `@sparticuz/chromium` devDependency ships, so `npm install && npm test` needs nothing but Node and npm.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';

/** Looked up on PATH in this order. */
export const SYSTEM_BROWSER_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** Where the installers put browsers that are not on PATH (macOS apps). */
export const INSTALL_LOCATIONS = [
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
];

export type BrowserChoice =
  | { source: 'CHROME_PATH' | 'PATH' | 'installed'; executablePath: string }
  | { source: 'bundled' };

/**
 * Which browser to launch given an environment: `AURORA_BROWSER=bundled` forces the packaged one, then
 * `CHROME_PATH` (which must be executable: a wrong setting fails loudly rather than silently falling back),
 * then the first of SYSTEM_BROWSER_NAMES found executable on PATH, then the first of `installLocations`,
 * else the packaged one.
 */
export function chooseBrowser(
  env: NodeJS.ProcessEnv,
  installLocations: readonly string[] = INSTALL_LOCATIONS,
): BrowserChoice {
  if (env.AURORA_BROWSER === 'bundled') return { source: 'bundled' };
  const chromePath = env.CHROME_PATH;
  if (chromePath) {
    if (!isExecutable(chromePath)) throw new Error(`CHROME_PATH=${chromePath} is not an executable file`);
    return { source: 'CHROME_PATH', executablePath: chromePath };
  }
  const pathDirectories = (env.PATH ?? '').split(delimiter).filter((directory) => directory !== '');
  for (const name of SYSTEM_BROWSER_NAMES) {
    for (const directory of pathDirectories) {
      const candidate = join(directory, name);
      if (isExecutable(candidate)) return { source: 'PATH', executablePath: candidate };
    }
  }
  const installed = installLocations.find(isExecutable);
  if (installed !== undefined) return { source: 'installed', executablePath: installed };
  return { source: 'bundled' };
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

const REPOSITORY_ROOT = join(import.meta.dirname, '..', '..');
const BUNDLE_PACKAGE = '@sparticuz/chromium';
const BUNDLE_CACHE = join(REPOSITORY_ROOT, 'node_modules', '.cache', 'aurora-chromium');

let bundledFolder: Promise<string> | undefined;

/**
 * The folder of the packaged Chromium, unpacked once per machine and version (~2 s) into node_modules/.cache.
 * The package unpacks into os.tmpdir() and reuses whatever is there, so it runs in a child whose TMPDIR is a
 * private folder, renamed into place when complete: a concurrent or interrupted unpack never leaves a
 * half-written binary where another run would take it.
 */
function bundledChromium(): Promise<string> {
  bundledFolder ??= (async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64') {
      throw new Error(
        `no Chromium found, and ${BUNDLE_PACKAGE} ships one for Linux x64 only: set CHROME_PATH`,
      );
    }
    const packageJson = join(REPOSITORY_ROOT, 'node_modules', BUNDLE_PACKAGE, 'package.json');
    if (!existsSync(packageJson)) {
      throw new Error(`no Chromium found, and ${BUNDLE_PACKAGE} is not installed (npm install)`);
    }
    const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
    const unpacked = join(BUNDLE_CACHE, version);
    const executable = join(unpacked, 'chromium');
    if (isExecutable(executable)) return unpacked;

    const staging = `${unpacked}.${process.pid}.partial`;
    await rm(staging, { recursive: true, force: true });
    await mkdir(staging, { recursive: true });
    const unpack = `import c from '${BUNDLE_PACKAGE}'; await c.executablePath();`;
    await promisify(execFile)(process.execPath, ['--input-type=module', '--eval', unpack], {
      cwd: REPOSITORY_ROOT,
      // A Lambda runtime is the package's switch for unpacking the NSS libraries it ships (al2023/lib) too.
      env: { ...process.env, TMPDIR: staging, AWS_LAMBDA_JS_RUNTIME: 'nodejs20.x' },
    });
    try {
      await rename(staging, unpacked);
    } catch (error) {
      // Another process finished first; its copy is as good as ours.
      await rm(staging, { recursive: true, force: true });
      if (!isExecutable(executable)) throw error;
    }
    return unpacked;
  })();
  return bundledFolder;
}

/** The executable, and for the packaged one the environment that lets it load its own libraries. */
async function browserToLaunch(): Promise<{ executablePath: string; env?: NodeJS.ProcessEnv }> {
  const choice = chooseBrowser(process.env);
  if (choice.source !== 'bundled') return { executablePath: choice.executablePath };
  const unpacked = await bundledChromium();
  // Its NSS libraries first, so the binary needs nothing from the system but libc (no apt install).
  const libraries = [join(unpacked, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  return { executablePath: join(unpacked, 'chromium'), env: { ...process.env, LD_LIBRARY_PATH: libraries } };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    ...(await browserToLaunch()),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
