/**
 * Configuration of the local cloud, from command-line flags and environment variables, with a default for
 * everything so that `npm start` needs none.
 */
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import type { ClockMode } from './clock';
import { readJsonOr, writeJsonAtomic } from './shared/persistence';

export interface LocalCloudConfig {
  /** Edge endpoint port (AWS APIs and `/_aurora`); 0 picks a free one. */
  readonly edgePort: number;
  /** API Gateway port; 0 picks a free one. */
  readonly httpPort: number;
  /** The web app's port; 0 picks a free one. */
  readonly webPort: number;
  /**
   * Serve the single-page app (web/dist and a generated /config.json), building it first when its sources
   * changed. Off for tests that do not open the app, so they never wait for a Vite build.
   */
  readonly web: boolean;
  readonly host: string;
  readonly region: string;
  readonly account: string;
  readonly stateDir: string;
  readonly clockMode: ClockMode;
  /** Start of a manual clock (epoch ms); defaults to now. */
  readonly clockStart?: number;
  /** Wipe the state directory before starting. */
  readonly fresh: boolean;
  /** Refuse integration calls that the role in the template does not allow (Step Functions). */
  readonly enforceIam: boolean;
}

export const LOCAL_ACCOUNT = '000000000000';

/**
 * A cloud of its own beside any other on this machine (tests, `npm run cost -- --measure`): free ports, no
 * web app, a manual clock standing at `clockStart`, everything in `stateDir`.
 */
export function isolatedCloudConfig(
  stateDir: string,
  clockStart: number,
  overrides: Partial<LocalCloudConfig> = {},
): LocalCloudConfig {
  return {
    edgePort: 0,
    httpPort: 0,
    webPort: 0,
    web: false,
    host: '127.0.0.1',
    region: 'us-east-1',
    account: LOCAL_ACCOUNT,
    stateDir,
    clockMode: 'manual',
    clockStart,
    fresh: false,
    enforceIam: false,
    ...overrides,
  };
}

export function readLocalConfig(
  argv: readonly string[] = process.argv.slice(2),
  env: NodeJS.ProcessEnv = process.env,
): LocalCloudConfig {
  const flag = (name: string) => argv.includes(`--${name}`);
  const option = (name: string) =>
    argv.find((argument) => argument.startsWith(`--${name}=`))?.slice(name.length + 3);
  const port = (value: string | undefined, fallback: number, name: string) => {
    const parsed = Number(value ?? fallback);
    if (!Number.isInteger(parsed) || parsed < 0 || parsed > 65535)
      throw new Error(`${name} must be a port number`);
    return parsed;
  };
  const clockMode = option('clock') ?? env.AURORA_CLOCK ?? 'real';
  if (clockMode !== 'real' && clockMode !== 'manual') throw new Error('--clock must be "real" or "manual"');
  const clockStartText = option('clock-start') ?? env.AURORA_CLOCK_START;
  const clockStart = clockStartText === undefined ? undefined : Date.parse(clockStartText);
  if (clockStart !== undefined && Number.isNaN(clockStart))
    throw new Error('--clock-start must be an ISO-8601 instant');
  return {
    edgePort: port(option('edge-port') ?? env.AURORA_EDGE_PORT, 4566, 'AURORA_EDGE_PORT'),
    httpPort: port(option('http-port') ?? env.AURORA_HTTP_PORT, 3000, 'AURORA_HTTP_PORT'),
    webPort: port(option('web-port') ?? env.AURORA_WEB_PORT, 5173, 'AURORA_WEB_PORT'),
    web: !flag('no-web') && env.AURORA_WEB !== 'false',
    host: env.AURORA_HOST ?? '127.0.0.1',
    region: option('region') ?? env.AURORA_REGION ?? 'us-east-1',
    account: LOCAL_ACCOUNT,
    stateDir: resolve(option('state-dir') ?? env.AURORA_STATE_DIR ?? '.aurora'),
    clockMode,
    ...(clockStart === undefined ? {} : { clockStart }),
    fresh: flag('fresh'),
    enforceIam: flag('enforce-iam') || env.AURORA_ENFORCE_IAM === 'true',
  };
}

/**
 * Local values of the template's secrets, by the last segment of the secret's name. The Messenger values can
 * be set from the environment (to talk to a real Meta app through a tunnel); keys are random, generated once
 * per state directory, so hashed codes and issued sessions stay valid across restarts.
 */
const SECRET_ENVIRONMENT: Record<string, { variable: string; devDefault?: string }> = {
  'messenger-app-secret': { variable: 'MESSENGER_APP_SECRET', devDefault: 'aurora-dev-app-secret' },
  'messenger-page-token': { variable: 'MESSENGER_PAGE_TOKEN', devDefault: 'aurora-dev-page-token' },
  'messenger-verify-token': { variable: 'MESSENGER_VERIFY_TOKEN', devDefault: 'aurora-dev-verify-token' },
};

export function localSecretValue(
  secretName: string,
  stateDir: string,
  env: NodeJS.ProcessEnv = process.env,
): { value: string; source: string } {
  const key = secretName.split('/').pop() ?? secretName;
  const known = SECRET_ENVIRONMENT[key];
  const fromEnvironment = known ? env[known.variable] : undefined;
  if (known && fromEnvironment) return { value: fromEnvironment, source: known.variable };
  if (known?.devDefault) return { value: known.devDefault, source: `dev default (set ${known.variable})` };
  const file = join(stateDir, 'secrets.json');
  const generated = readJsonOr<Record<string, string>>(file, {});
  if (!generated[key]) {
    generated[key] = randomBytes(32).toString('base64url');
    writeJsonAtomic(file, generated);
  }
  return { value: generated[key], source: `generated, kept in ${file}` };
}
