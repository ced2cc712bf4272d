/**
 * What an execution's history says about each state: whether it ran, succeeded, failed, was aborted or is
 * still running, and which transitions were taken. State names are unique across a whole state machine
 * (nested branches included), so a name identifies a node of the graph.
 */
import type { HistoryEvent } from '../stepfunctions/engine/history';

export type StateStatus = 'running' | 'succeeded' | 'failed' | 'aborted';

export interface ExecutionPath {
  readonly states: ReadonlyMap<string, StateStatus>;
  /** `from→to` keys of the transitions the execution took. */
  readonly transitions: ReadonlySet<string>;
}

export const transitionKey = (from: string, to: string): string => `${from}→${to}`;

const ENTERED = /^[A-Za-z]+StateEntered$/;
const EXITED = /^[A-Za-z]+StateExited$/;
const ABORTED = /^[A-Za-z]+StateAborted$/;
/** Events that report a failure of the state they belong to (a task, a Map/Parallel, an expression). */
const FAILURE = /(?:Failed|TimedOut)$/;
const NOT_A_STATE_FAILURE = /^(?:Execution|MapIteration|MapRun)/;

function detailsName(event: HistoryEvent, key: string): string | undefined {
  const details = event[key];
  if (details === null || typeof details !== 'object') return undefined;
  const name = (details as { name?: unknown }).name;
  return typeof name === 'string' ? name : undefined;
}

export function executionPath(events: readonly HistoryEvent[], executionStatus: string): ExecutionPath {
  const byId = new Map(events.map((event) => [event.id, event]));
  const owner = new Map<number, string | undefined>();
  /** The state an event belongs to: follow previousEventId back to the nearest StateEntered. */
  const stateOf = (event: HistoryEvent): string | undefined => {
    const trail: number[] = [];
    let current: HistoryEvent | undefined = event;
    let found: string | undefined;
    while (current) {
      if (owner.has(current.id)) {
        found = owner.get(current.id);
        break;
      }
      trail.push(current.id);
      if (ENTERED.test(current.type)) {
        found = detailsName(current, 'stateEnteredEventDetails');
        break;
      }
      current = current.previousEventId > 0 ? byId.get(current.previousEventId) : undefined;
    }
    for (const id of trail) owner.set(id, found);
    return found;
  };

  const states = new Map<string, StateStatus>();
  const transitions = new Set<string>();
  for (const event of events) {
    if (ENTERED.test(event.type)) {
      const name = detailsName(event, 'stateEnteredEventDetails');
      if (!name) continue;
      states.set(name, event.type === 'FailStateEntered' ? 'failed' : 'running');
      const previous = byId.get(event.previousEventId);
      const from =
        previous && EXITED.test(previous.type) ? detailsName(previous, 'stateExitedEventDetails') : '';
      if (from) transitions.add(transitionKey(from, name));
    } else if (EXITED.test(event.type)) {
      const name = detailsName(event, 'stateExitedEventDetails');
      if (name) states.set(name, 'succeeded');
    } else if (ABORTED.test(event.type)) {
      const name = stateOf(event);
      // A Parallel branch's failing state is also reported aborted; the failure is what matters.
      if (name && states.get(name) !== 'failed') states.set(name, 'aborted');
    } else if (FAILURE.test(event.type) && !NOT_A_STATE_FAILURE.test(event.type)) {
      const name = stateOf(event);
      if (name) states.set(name, 'failed');
    }
  }
  const ended: StateStatus | undefined =
    executionStatus === 'ABORTED'
      ? 'aborted'
      : executionStatus === 'FAILED' || executionStatus === 'TIMED_OUT'
        ? 'failed'
        : undefined;
  if (ended) {
    for (const [name, status] of states) if (status === 'running') states.set(name, ended);
  }
  return { states, transitions };
}
