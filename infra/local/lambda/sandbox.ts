/**
 * One execution environment: a worker thread with the function's own environment variables and memory limit,
 * running one invocation at a time. It enforces the timeout (a hung function is terminated from here, since
 * it may block its own thread) and turns a crash into the error Lambda reports. A sandbox that timed out or
 * crashed is dead; the pool replaces it.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { buildSync } from 'esbuild';
import { exitError, timeoutError } from './function-errors';
import type { InvokeMessage, SandboxData, WorkerMessage } from './protocol';
import type { FunctionErrorPayload } from './types';

/** Lambda gives on-demand initialisation 10 s, apart from the function's timeout. */
const INIT_TIMEOUT_MS = 10_000;

let workerSource: string | undefined;

/** worker-entry.ts bundled once per process, so workers run without a TypeScript loader. */
function bundledWorkerSource(): string {
  if (workerSource === undefined) {
    const entry = fileURLToPath(new URL('./worker-entry.ts', import.meta.url));
    const output = buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
    }).outputFiles[0];
    if (!output) throw new Error('esbuild produced no worker bundle');
    workerSource = output.text;
  }
  return workerSource;
}

export interface SandboxOptions {
  readonly data: SandboxData;
  readonly env: Readonly<Record<string, string>>;
  readonly memorySizeMb: number;
  readonly onLog: (timestamp: number, message: string, requestId: string | undefined) => void;
}

export interface SandboxInvocation {
  readonly requestId: string;
  readonly payload: string;
  readonly invokedFunctionArn: string;
  readonly clientContext?: unknown;
  readonly timeoutSeconds: number;
}

export type SandboxOutcome =
  | { readonly kind: 'response'; readonly payload: string }
  | { readonly kind: 'error' | 'timeout' | 'crash'; readonly error: FunctionErrorPayload };

export interface SandboxResult {
  readonly outcome: SandboxOutcome;
  readonly durationMs: number;
  readonly maxMemoryUsedMb: number;
  /** Set on the first invocation of the environment (a cold start). */
  readonly initDurationMs?: number;
}

/** An init failure as reported to the invocation that was waiting for it. */
type InitFailure = (requestId: string) => FunctionErrorPayload;

interface Pending {
  readonly requestId: string;
  readonly settle: (outcome: SandboxOutcome, heapMb?: number) => void;
}

export class Sandbox {
  private readonly worker: Worker;
  /** Resolves once the handler module is loaded: with nothing, or how to report the failure. */
  private readonly initialised: Promise<InitFailure | undefined>;
  private finishInit: (failure: InitFailure | undefined) => void = () => {};
  private readonly startedAt = performance.now();
  private initDurationMs: number | undefined;
  private coldStartReported = false;
  private pending: Pending | undefined;
  private dead = false;
  private outOfMemory = false;
  private maxHeapMb = 0;

  constructor(private readonly options: SandboxOptions) {
    this.initialised = new Promise((resolve) => {
      this.finishInit = resolve;
    });
    this.worker = new Worker(bundledWorkerSource(), {
      eval: true,
      name: `lambda:${options.data.functionName}`,
      env: { ...options.env },
      workerData: options.data,
      resourceLimits: { maxOldGenerationSizeMb: options.memorySizeMb },
      // The host's flags (a TypeScript loader, --inspect) are not the function's.
      execArgv: [],
      // stdio is not captured (`stdout: true` keeps the host process alive even with the worker unref'd);
      // the worker turns its console and stdout/stderr writes into log messages itself.
    });
    this.worker.on('message', (message: WorkerMessage) => this.receive(message));
    this.worker.on('error', (error: Error & { code?: string }) => {
      if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.outOfMemory = true;
    });
    this.worker.on('exit', (exitCode) => this.exited(exitCode));
    const initTimer = setTimeout(() => {
      this.finishInit((requestId) => timeoutError(requestId, INIT_TIMEOUT_MS / 1000));
      this.kill();
    }, INIT_TIMEOUT_MS);
    void this.initialised.then(() => clearTimeout(initTimer));
  }

  get alive(): boolean {
    return !this.dead;
  }

  /** Still loading the handler module (a cold start in progress). */
  get initialising(): boolean {
    return this.initDurationMs === undefined && !this.dead;
  }

  get logStreamName(): string {
    return this.options.data.logStreamName;
  }

  /** Idle environments must not keep the process alive. */
  setBusy(busy: boolean): void {
    if (busy) this.worker.ref();
    else this.worker.unref();
  }

  /** Resolves once the handler module has loaded (or failed to), so that init logs precede START. */
  async whenInitialised(): Promise<void> {
    await this.initialised;
  }

  async invoke(invocation: SandboxInvocation): Promise<SandboxResult> {
    const initFailure = await this.initialised;
    const initDurationMs = this.coldStartReported ? undefined : this.initDurationMs;
    this.coldStartReported = true;
    if (initFailure) {
      return {
        outcome: { kind: 'crash', error: initFailure(invocation.requestId) },
        durationMs: 0,
        maxMemoryUsedMb: this.maxHeapMb,
        initDurationMs,
      };
    }
    const started = performance.now();
    const outcome = await new Promise<SandboxOutcome>((resolve) => {
      const timer = setTimeout(() => {
        settle({ kind: 'timeout', error: timeoutError(invocation.requestId, invocation.timeoutSeconds) });
        this.kill();
      }, invocation.timeoutSeconds * 1000);
      const settle = (result: SandboxOutcome, heapMb?: number): void => {
        if (this.pending?.requestId !== invocation.requestId) return;
        clearTimeout(timer);
        this.pending = undefined;
        if (heapMb !== undefined) this.maxHeapMb = Math.max(this.maxHeapMb, heapMb);
        resolve(result);
      };
      this.pending = { requestId: invocation.requestId, settle };
      const message: InvokeMessage = {
        kind: 'invoke',
        requestId: invocation.requestId,
        payload: invocation.payload,
        invokedFunctionArn: invocation.invokedFunctionArn,
        deadline: Date.now() + invocation.timeoutSeconds * 1000,
        clientContext: invocation.clientContext,
      };
      this.worker.postMessage(message);
    });
    return {
      outcome,
      durationMs: performance.now() - started,
      maxMemoryUsedMb: this.maxHeapMb,
      initDurationMs,
    };
  }

  kill(): void {
    this.dead = true;
    void this.worker.terminate();
  }

  private receive(message: WorkerMessage): void {
    switch (message.kind) {
      case 'log':
        this.options.onLog(message.timestamp, message.message, message.requestId);
        return;
      case 'ready':
        this.maxHeapMb = message.heapMb;
        this.initDurationMs = performance.now() - this.startedAt;
        this.finishInit(undefined);
        return;
      case 'init-failed':
        this.initDurationMs = performance.now() - this.startedAt;
        this.finishInit(() => message.error);
        this.kill();
        return;
      case 'response':
        if (message.requestId !== this.pending?.requestId) return;
        this.pending.settle({ kind: 'response', payload: message.payload }, message.heapMb);
        return;
      case 'error':
        if (message.requestId !== this.pending?.requestId) return;
        this.pending.settle(
          { kind: message.fatal ? 'crash' : 'error', error: message.error },
          message.heapMb,
        );
        if (message.fatal) this.kill();
        return;
    }
  }

  private exited(exitCode: number): void {
    this.dead = true;
    if (this.outOfMemory) this.maxHeapMb = this.options.memorySizeMb;
    const failure: InitFailure = (requestId) => exitError(requestId, this.outOfMemory, exitCode);
    this.finishInit(failure);
    if (this.pending) this.pending.settle({ kind: 'crash', error: failure(this.pending.requestId) });
  }
}
