/**
 * What every ops command is given: the SDK clients (standard AWS settings only), the parsed options, output
 * in text or JSON, and "now" as the service sees it.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { parseDuration } from './format';

export interface OpsOptions {
  readonly json?: boolean;
  readonly machine?: string;
  readonly status?: string;
  readonly since?: string;
  readonly all?: boolean;
  readonly failed?: boolean;
  readonly 'dry-run'?: boolean;
  readonly interval?: string;
  readonly for?: string;
  readonly 'until-idle'?: string;
}

export interface OpsContext {
  readonly sfn: SFNClient;
  readonly sqs: SQSClient;
  readonly options: OpsOptions;
  readonly json: boolean;
  /** Prints `data` as JSON with --json, else the text `text()` renders. */
  print(data: unknown, text: () => string): void;
  /** A progress line on stderr, so stdout stays a table or JSON. */
  progress(text: string): void;
  /** Epoch milliseconds on the service's clock (see serviceClockOffset). */
  now(): number;
  /** The --since window in milliseconds, or `fallback` when none was given. */
  since(fallback?: string): number | undefined;
}

/**
 * How far the service's clock is from this machine's. AWS runs on real time (0); the local edge may run a
 * manual or shifted clock, which it answers at /_aurora/clock, and execution dates follow it, so windows
 * like `--since 1h` must be measured on it.
 */
async function serviceClockOffset(endpoint: string | undefined): Promise<number> {
  if (!endpoint) return 0;
  try {
    const response = await fetch(new URL('/_aurora/clock', endpoint), { signal: AbortSignal.timeout(2000) });
    if (!response.ok) return 0;
    const { now } = (await response.json()) as { now?: unknown };
    const serviceNow = typeof now === 'string' ? Date.parse(now) : Number.NaN;
    return Number.isNaN(serviceNow) ? 0 : serviceNow - Date.now();
  } catch {
    // Not the local edge (or not answering): its clock is real time.
    return 0;
  }
}

export async function createContext(options: OpsOptions): Promise<OpsContext> {
  const offset = await serviceClockOffset(process.env.AWS_ENDPOINT_URL);
  const json = options.json === true;
  return {
    sfn: new SFNClient({}),
    sqs: new SQSClient({}),
    options,
    json,
    print: (data, text) => console.log(json ? JSON.stringify(data, null, 2) : text()),
    progress: (text) => process.stderr.write(`${text}\n`),
    now: () => Date.now() + offset,
    since: (fallback) => {
      const text = options.since ?? fallback;
      return text === undefined ? undefined : parseDuration(text);
    },
  };
}
