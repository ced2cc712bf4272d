/**
 * An execution history folded by state: entered → exited with the time spent, retries (a task scheduled
 * again within the same state) counted, and the failure with its error and cause.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';

export interface StateSpan {
  readonly name: string;
  readonly enteredAt: Date;
  exitedAt?: Date;
  attempts: number;
  failed?: { error: string; cause: string };
}

export interface Timeline {
  readonly states: StateSpan[];
  readonly failure?: { state: string; error: string; cause: string };
}

export function foldHistory(events: readonly HistoryEvent[]): Timeline {
  const states: StateSpan[] = [];
  let current: StateSpan | undefined;
  let failure: Timeline['failure'];
  for (const event of events) {
    const type = event.type ?? '';
    const at = event.timestamp ?? new Date(0);
    if (type.endsWith('StateEntered')) {
      current = { name: event.stateEnteredEventDetails?.name ?? '?', enteredAt: at, attempts: 0 };
      states.push(current);
    } else if (type.endsWith('StateExited') && current) {
      current.exitedAt = at;
    } else if (/(?:TaskScheduled|LambdaFunctionScheduled)$/.test(type) && current) {
      current.attempts += 1;
    } else if (type === 'ExecutionFailed' || type === 'ExecutionTimedOut' || type === 'ExecutionAborted') {
      const details =
        event.executionFailedEventDetails ??
        event.executionTimedOutEventDetails ??
        event.executionAbortedEventDetails;
      const last = states.at(-1);
      failure = { state: last?.name ?? '', error: details?.error ?? type, cause: details?.cause ?? '' };
      if (last) {
        last.exitedAt ??= at;
        last.failed = { error: failure.error, cause: failure.cause };
      }
    }
  }
  return failure ? { states, failure } : { states };
}
