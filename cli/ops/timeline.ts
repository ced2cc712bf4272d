/**
 * An execution history folded by state (the console's fold, infra/local/console/history-groups.ts): entered →
 * exited with the time spent, retries (a task scheduled again within the same state) counted, and the failure
 * with its error and cause.
 */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { foldByState, type HistoryGroup } from '../../infra/local/console/history-groups';

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

const SCHEDULED = /(?:TaskScheduled|LambdaFunctionScheduled)$/;
const EXECUTION_FAILURES = new Set(['ExecutionFailed', 'ExecutionTimedOut', 'ExecutionAborted']);
const timeOf = (event: HistoryEvent | undefined): Date => event?.timestamp ?? new Date(0);

function spanOf(group: HistoryGroup<HistoryEvent>): StateSpan {
  const exited = group.events.find((event) => event.type?.endsWith('StateExited'));
  return {
    name: group.name,
    enteredAt: timeOf(group.events[0]),
    ...(exited ? { exitedAt: timeOf(exited) } : {}),
    attempts: group.events.filter((event) => SCHEDULED.test(event.type ?? '')).length,
  };
}

/** The execution's failure, charged to the state it was in (the last one entered), which it ends. */
function failureOf(event: HistoryEvent, last: StateSpan | undefined): NonNullable<Timeline['failure']> {
  const details =
    event.executionFailedEventDetails ??
    event.executionTimedOutEventDetails ??
    event.executionAbortedEventDetails;
  const failure = {
    state: last?.name ?? '',
    error: details?.error ?? event.type ?? '',
    cause: details?.cause ?? '',
  };
  if (last) {
    last.exitedAt ??= timeOf(event);
    last.failed = { error: failure.error, cause: failure.cause };
  }
  return failure;
}

export function foldHistory(events: readonly HistoryEvent[]): Timeline {
  const states: StateSpan[] = [];
  let failure: Timeline['failure'];
  for (const group of foldByState(events)) {
    if (group.kind !== '') {
      states.push(spanOf(group));
      continue;
    }
    const ended = group.events.find((event) => EXECUTION_FAILURES.has(event.type ?? ''));
    if (ended) failure = failureOf(ended, states.at(-1));
  }
  return failure ? { states, failure } : { states };
}
