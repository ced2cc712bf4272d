/**
 * Messages between the runtime (main thread) and one execution environment (a worker thread). A worker runs
 * one invocation at a time; every message about an invocation carries its request id.
 */
import type { FunctionErrorPayload } from './types';

/** `workerData` of an execution environment. */
export interface SandboxData {
  readonly codeDirectory: string;
  readonly handler: string;
  readonly functionName: string;
  readonly functionVersion: string;
  readonly memoryLimitInMB: string;
  readonly logGroupName: string;
  readonly logStreamName: string;
  /** The cloud clock's state (shared/clock-view.ts): the functions' `Date` follows it. */
  readonly clockView: Float64Array;
}

export interface InvokeMessage {
  readonly kind: 'invoke';
  readonly requestId: string;
  readonly payload: string;
  readonly invokedFunctionArn: string;
  /** Epoch ms after which the invocation is cut off, for `context.getRemainingTimeInMillis()`. */
  readonly deadline: number;
  readonly clientContext?: unknown;
}

export type WorkerMessage =
  | {
      readonly kind: 'log';
      readonly timestamp: number;
      readonly message: string;
      readonly requestId?: string;
    }
  | { readonly kind: 'ready'; readonly heapMb: number }
  | { readonly kind: 'init-failed'; readonly error: FunctionErrorPayload }
  | {
      readonly kind: 'response';
      readonly requestId: string;
      readonly payload: string;
      readonly heapMb: number;
    }
  | {
      readonly kind: 'error';
      readonly requestId: string;
      readonly error: FunctionErrorPayload;
      readonly heapMb: number;
      /** The environment cannot be reused (an uncaught exception or unhandled rejection); it exits next. */
      readonly fatal: boolean;
    };
