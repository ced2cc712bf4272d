/**
 * Starts a local cloud for a test: free ports, a temporary state directory, a manual clock. `useTestCloud`
 * starts one before a file's (or a describe block's) tests and stops it after them.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../infra/local/cloud';
import { isolatedCloudConfig, type LocalCloudConfig } from '../../infra/local/config';

export const TEST_START = Date.parse('2026-11-22T09:00:00.000Z');

export interface TestCloud {
  readonly cloud: LocalCloud;
  readonly stateDir: string;
  /** AWS SDK client settings that point at the edge. */
  readonly clientConfig: EdgeClientConfig;
  /** Stops the cloud; `keepState` leaves the directory for a restart. */
  stop(options?: { keepState?: boolean }): Promise<void>;
}

export interface EdgeClientConfig {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
}

/** SDK client settings for a local edge: it reads the region and service from the signature, not the keys. */
export function edgeClientConfig(endpoint: string, region: string): EdgeClientConfig {
  return { endpoint, region, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
}

/** Only tests that open the app ask for it (`config: { web: true }`): a Vite build is not free. */
export const testConfig = (stateDir: string, overrides: Partial<LocalCloudConfig> = {}): LocalCloudConfig =>
  isolatedCloudConfig(stateDir, TEST_START, overrides);

export async function startTestCloud(
  options: {
    assemblyDirectory?: string;
    stateDir?: string;
    config?: Partial<LocalCloudConfig>;
    /** Serve this folder as the web app's build (with `config: { web: true }`) instead of building web/. */
    webRoot?: string;
    /** Where the cloud's log lines go; nowhere by default. */
    log?: (line: string) => void;
  } = {},
): Promise<TestCloud> {
  const stateDir = options.stateDir ?? mkdtempSync(join(tmpdir(), 'aurora-test-'));
  const cloud = await startLocalCloud(testConfig(stateDir, options.config), {
    ...(options.assemblyDirectory ? { assemblyDirectory: options.assemblyDirectory } : {}),
    ...(options.webRoot ? { webRoot: options.webRoot } : {}),
    log: options.log ?? (() => {}),
  });
  return {
    cloud,
    stateDir,
    clientConfig: edgeClientConfig(cloud.edgeUrl, cloud.config.region),
    stop: async ({ keepState = false } = {}) => {
      await cloud.stop();
      if (!keepState) rmSync(stateDir, { recursive: true, force: true });
    },
  };
}

/**
 * A local cloud with no app deployed (an empty cloud assembly): the emulated services alone, started in
 * about a second, for tests of the services' own wire behaviour. `stop` removes the assembly too.
 */
export async function startBareTestCloud(
  options: Omit<NonNullable<Parameters<typeof startTestCloud>[0]>, 'assemblyDirectory'> = {},
): Promise<TestCloud> {
  const assemblyDirectory = mkdtempSync(join(tmpdir(), 'aurora-empty-assembly-'));
  writeFileSync(
    join(assemblyDirectory, 'manifest.json'),
    JSON.stringify({ version: '36.0.0', artifacts: {} }),
  );
  const test = await startTestCloud({ ...options, assemblyDirectory });
  return {
    ...test,
    stop: async (stopOptions) => {
      await test.stop(stopOptions);
      rmSync(assemblyDirectory, { recursive: true, force: true });
    },
  };
}

/** A bare cloud starts in about a second; one with the app deployed synthesizes and bundles it first. */
const START_TIMEOUT_MS = { bare: 60_000, app: 300_000 };

/**
 * Starts a cloud before the tests of the enclosing file or describe block and stops it after them, and
 * answers a handle that reads the started cloud: call it at the top level, use it inside hooks and tests.
 * `app: false` (the default) starts a bare cloud; `app: true` the cloud with the app deployed.
 */
export function useTestCloud(options: { app?: boolean } = {}): TestCloud {
  let started: TestCloud | undefined;
  const start = options.app ? startTestCloud : startBareTestCloud;
  beforeAll(
    async () => {
      started = await start();
    },
    options.app ? START_TIMEOUT_MS.app : START_TIMEOUT_MS.bare,
  );
  afterAll(async () => {
    await started?.stop();
  });
  const current = (): TestCloud => {
    if (!started) throw new Error('The test cloud is used before its beforeAll hook started it');
    return started;
  };
  return {
    get cloud() {
      return current().cloud;
    },
    get stateDir() {
      return current().stateDir;
    },
    get clientConfig() {
      return current().clientConfig;
    },
    stop: (stopOptions) => current().stop(stopOptions),
  };
}
