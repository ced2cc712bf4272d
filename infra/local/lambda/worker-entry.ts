/**
 * The code of one execution environment, run in a worker thread (bundled to CommonJS by sandbox.ts).
 *
 * Init: load the handler module (ESM or CommonJS, top-level await allowed) once; module state then survives
 * across warm invocations, as in Lambda. Invoke: call the handler with the event and a context object, for
 * async and callback-style handlers. Everything the function prints is sent to the main thread as log lines
 * tagged with the current request id, in order with the response.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { format } from 'node:util';
import { getHeapStatistics } from 'node:v8';
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { cloudNow } from '../shared/clock-view';
import { toErrorPayload } from './function-errors';
import type { InvokeMessage, SandboxData, WorkerMessage } from './protocol';
import type { FunctionErrorPayload } from './types';

type Handler = (
  event: unknown,
  context: unknown,
  callback: (error?: unknown, result?: unknown) => void,
) => unknown;

const port = ((): MessagePort => {
  if (!parentPort) throw new Error('worker-entry runs only inside a worker thread');
  return parentPort;
})();
const data = workerData as SandboxData;
let currentRequestId: string | undefined;
const wallClockNow = Date.now;

/**
 * The function's `Date` is the cloud's clock (`new Date()`, `Date.now()`, `Date()`), as a deployed function
 * sees the one time of its region; dates built from a value and the rest of `Date` are the real ones.
 */
function followCloudClock(view: Float64Array): void {
  const RealDate = Date;
  const now = () => cloudNow(view, wallClockNow());
  globalThis.Date = new Proxy(RealDate, {
    construct: (target, args, newTarget) =>
      Reflect.construct(target, args.length === 0 ? [now()] : args, newTarget),
    apply: () => new RealDate(now()).toString(),
    get: (target, property, receiver) => (property === 'now' ? now : Reflect.get(target, property, receiver)),
  });
}
followCloudClock(data.clockView);

const post = (message: WorkerMessage): void => port.postMessage(message);

function emit(message: string): void {
  post({ kind: 'log', timestamp: wallClockNow(), message, requestId: currentRequestId });
}

// The Node.js runtime's text log format: timestamp, request id ("undefined" during init), level, message.
const CONSOLE_LEVELS = {
  log: 'INFO',
  info: 'INFO',
  warn: 'WARN',
  error: 'ERROR',
  debug: 'DEBUG',
  trace: 'TRACE',
};
for (const [method, level] of Object.entries(CONSOLE_LEVELS)) {
  Object.assign(console, {
    [method]: (...args: unknown[]) =>
      emit(`${new Date().toISOString()}\t${currentRequestId ?? 'undefined'}\t${level}\t${format(...args)}`),
  });
}

// Loggers that write to the streams directly (Powertools Logger) produce one log event per write.
for (const stream of [process.stdout, process.stderr]) {
  const write = (chunk: unknown, ...rest: unknown[]): boolean => {
    const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
    emit(text.endsWith('\n') ? text.slice(0, -1) : text);
    const callback = rest.find((argument) => typeof argument === 'function');
    if (callback) (callback as () => void)();
    return true;
  };
  stream.write = write as typeof stream.write;
}

const heapMb = (): number => Math.ceil(getHeapStatistics().total_heap_size / 1_048_576);

/**
 * A crash outside the handler's promise chain ends the environment, as the Node.js runtime exits; the main
 * thread terminates the worker on this message (exiting here could drop the message).
 */
function failFatally(error: FunctionErrorPayload): void {
  if (currentRequestId) {
    post({ kind: 'error', requestId: currentRequestId, error, heapMb: heapMb(), fatal: true });
  } else {
    post({ kind: 'init-failed', error });
  }
}

process.on('uncaughtException', (error) => failFatally(toErrorPayload(error)));
process.on('unhandledRejection', (reason) => {
  const cause = toErrorPayload(reason);
  console.error('Unhandled Promise Rejection', JSON.stringify(cause));
  failFatally({
    errorType: 'Runtime.UnhandledPromiseRejection',
    errorMessage: `${cause.errorType}: ${cause.errorMessage}`,
    trace: cause.trace,
  });
});

class InitError extends Error {
  constructor(
    readonly errorType: string,
    message: string,
  ) {
    super(message);
  }
}

/** `src/app.handler` → file `src/app` (.js, .mjs or .cjs), export `handler` (a dotted path is followed). */
async function loadHandler(): Promise<Handler> {
  const slash = data.handler.lastIndexOf('/');
  const dot = data.handler.indexOf('.', slash + 1);
  if (dot === -1) throw new InitError('Runtime.MalformedHandlerName', `Bad handler ${data.handler}`);
  const modulePath = data.handler.slice(0, dot);
  const exportPath = data.handler.slice(dot + 1).split('.');
  const file = ['.js', '.mjs', '.cjs']
    .map((extension) => join(data.codeDirectory, `${modulePath}${extension}`))
    .find((candidate) => existsSync(candidate));
  if (!file) throw new InitError('Runtime.ImportModuleError', `Error: Cannot find module '${modulePath}'`);
  let namespace: unknown;
  try {
    namespace = await import(pathToFileURL(file).href);
  } catch (error) {
    if (error instanceof SyntaxError) throw new InitError('Runtime.UserCodeSyntaxError', `${error}`);
    throw error;
  }
  const handler = followPath(namespace, exportPath) ?? followPath(namespace, ['default', ...exportPath]);
  if (typeof handler !== 'function') {
    throw new InitError('Runtime.HandlerNotFound', `${data.handler} is undefined or not exported`);
  }
  return handler as Handler;
}

function followPath(root: unknown, path: readonly string[]): unknown {
  let value = root;
  for (const key of path) {
    if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return undefined;
    value = (value as Record<string, unknown>)[key];
  }
  return value;
}

/** Resolves with the handler's result, whether it returns a promise or calls back (or context.done). */
function runHandler(handler: Handler, message: InvokeMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const callback = (error?: unknown, result?: unknown): void =>
      error !== undefined && error !== null ? reject(error) : resolve(result);
    const context = {
      awsRequestId: message.requestId,
      functionName: data.functionName,
      functionVersion: data.functionVersion,
      invokedFunctionArn: message.invokedFunctionArn,
      memoryLimitInMB: data.memoryLimitInMB,
      logGroupName: data.logGroupName,
      logStreamName: data.logStreamName,
      clientContext: message.clientContext,
      identity: undefined,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, message.deadline - wallClockNow()),
      done: callback,
      succeed: (result?: unknown) => callback(null, result),
      fail: (error?: unknown) => callback(error ?? 'handled'),
    };
    const returned = handler(JSON.parse(message.payload), context, callback);
    if (isThenable(returned)) {
      returned.then(resolve, reject);
    } else if (handler.length < 3) {
      // Lambda ignores what a non-async handler returns: without a callback the answer is null.
      resolve(null);
    }
  });
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as PromiseLike<unknown> | undefined)?.then === 'function';
}

async function invoke(handler: Handler, message: InvokeMessage): Promise<void> {
  currentRequestId = message.requestId;
  try {
    const result = await runHandler(handler, message);
    const payload = JSON.stringify(result === undefined ? null : result);
    post({ kind: 'response', requestId: message.requestId, payload, heapMb: heapMb() });
  } catch (error) {
    const payload = toErrorPayload(error);
    console.error('Invoke Error', JSON.stringify(payload));
    post({ kind: 'error', requestId: message.requestId, error: payload, heapMb: heapMb(), fatal: false });
  } finally {
    currentRequestId = undefined;
  }
}

async function start(): Promise<void> {
  try {
    const handler = await loadHandler();
    port.on('message', (message: InvokeMessage) => void invoke(handler, message));
    post({ kind: 'ready', heapMb: heapMb() });
  } catch (error) {
    const payload =
      error instanceof InitError
        ? { errorType: error.errorType, errorMessage: error.message }
        : toErrorPayload(error);
    post({ kind: 'init-failed', error: payload });
  }
}

void start();
