/** What the local Lambda runtime knows about a function, taken from the template (AWS::Lambda::Function). */
export interface LocalFunctionConfig {
  readonly functionName: string;
  readonly functionArn: string;
  /** `file.export`, e.g. `index.handler`; the file may sit in a subfolder (`src/app.handler`). */
  readonly handler: string;
  /** The bundled asset folder as CDK's NodejsFunction writes it: `index.mjs` (ESM) or `index.js`. */
  readonly codeDirectory: string;
  /** e.g. `nodejs20.x`. */
  readonly runtime: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memorySizeMb: number;
  /** Unset: the function shares the account's pool; 0 turns the function off (every Invoke is throttled). */
  readonly reservedConcurrency?: number;
  readonly roleArn: string;
  readonly architectures: readonly string[];
  readonly description?: string;
}

export type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

export interface InvokeOptions {
  readonly invocationType?: InvocationType;
  readonly logType?: 'None' | 'Tail';
  /** Base64-encoded JSON, as the X-Amz-Client-Context header carries it. */
  readonly clientContext?: string;
  /** `$LATEST` is the only version a local function has. */
  readonly qualifier?: string;
}

/** The Invoke API's answer. */
export interface InvokeResult {
  /** 200 RequestResponse, 202 Event, 204 DryRun. */
  readonly statusCode: number;
  readonly payload?: string;
  readonly functionError?: 'Unhandled' | 'Handled';
  /** Base64 of the last 4 KB of the invocation's log, when `logType` is `Tail`. */
  readonly logResult?: string;
  readonly executedVersion?: string;
  readonly requestId: string;
}

/** The error document Lambda returns as the payload of a failed invocation. */
export interface FunctionErrorPayload {
  readonly errorType: string;
  readonly errorMessage: string;
  readonly trace?: readonly string[];
}

/** One line of a function's log, as CloudWatch Logs would hold it. */
export interface LogEvent {
  readonly timestamp: number;
  readonly message: string;
  readonly requestId?: string;
  readonly logStreamName: string;
}

/** Reported after every invocation attempt (sync or async), e.g. to wire destinations or to observe in tests. */
export interface InvocationRecord {
  readonly functionName: string;
  readonly requestId: string;
  readonly invocationType: InvocationType;
  /** 0 for the first attempt; async invocations are retried twice on error. */
  readonly attempt: number;
  readonly payload: string;
  readonly functionError?: 'Unhandled' | 'Handled';
}
