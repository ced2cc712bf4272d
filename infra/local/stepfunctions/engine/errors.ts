/**
 * Errors as Step Functions names them. A `StatesError` travels through Retry/Catch; `stateScoped` errors get
 * AWS's "An error occurred while executing the state ..." prefix once the state that raised them is known.
 */
export class StatesError extends Error {
  constructor(
    readonly error: string,
    override readonly cause: string | undefined,
    /** Runtime and evaluation failures are reported with the state's name and entered-event id. */
    readonly stateScoped = false,
  ) {
    super(cause ?? error);
    this.name = 'StatesError';
  }
}

export const runtimeError = (message: string): StatesError =>
  new StatesError('States.Runtime', message, true);

export const queryEvaluationError = (message: string): StatesError =>
  new StatesError('States.QueryEvaluationError', message, true);

export const intrinsicFailure = (message: string): StatesError =>
  new StatesError('States.IntrinsicFailure', message, true);

/** Errors that States.ALL does not catch, and that no Retry can retry. */
export const UNCATCHABLE_ERRORS = new Set(['States.Runtime', 'States.DataLimitExceeded']);

export function toStatesError(thrown: unknown): StatesError {
  if (thrown instanceof StatesError) return thrown;
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new StatesError('States.Runtime', message, true);
}
