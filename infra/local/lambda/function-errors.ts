/**
 * The error documents Lambda's Node.js runtime returns as the payload of a failed invocation
 * (FunctionError: Unhandled). Used in the worker for errors raised by function code and in the main thread
 * for what the sandbox reports (timeouts, crashes).
 */
import { types } from 'node:util';
import type { FunctionErrorPayload } from './types';

/** As the Node.js runtime converts a thrown value: an Error keeps its name, message and stack lines. */
export function toErrorPayload(error: unknown): FunctionErrorPayload {
  if (types.isNativeError(error) || isErrorLike(error)) {
    return {
      errorType: error.name,
      errorMessage: error.message,
      trace: typeof error.stack === 'string' ? error.stack.split('\n') : [],
    };
  }
  return { errorType: typeof error, errorMessage: String(error), trace: [] };
}

function isErrorLike(value: unknown): value is Error {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as Error).name === 'string' &&
    typeof (value as Error).message === 'string'
  );
}

export const timeoutError = (requestId: string, seconds: number): FunctionErrorPayload => ({
  errorType: 'Sandbox.Timedout',
  errorMessage: `RequestId: ${requestId} Error: Task timed out after ${seconds.toFixed(2)} seconds`,
});

/** The environment died mid-invocation: `process.exit`, or V8 ran out of the function's memory. */
export const exitError = (requestId: string, outOfMemory: boolean, exitCode: number): FunctionErrorPayload =>
  outOfMemory
    ? {
        errorType: 'Runtime.OutOfMemory',
        errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: signal: killed`,
      }
    : {
        errorType: 'Runtime.ExitError',
        errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: exit status ${exitCode}`,
      };

export const LAMBDA_RESPONSE_LIMIT_BYTES = 6_291_556;

export const responseTooLargeError = (): FunctionErrorPayload => ({
  errorType: 'Function.ResponseSizeTooLarge',
  errorMessage: `Response payload size exceeded maximum allowed payload size (${LAMBDA_RESPONSE_LIMIT_BYTES} bytes).`,
});
