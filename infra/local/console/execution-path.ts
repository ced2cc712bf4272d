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

/** The state each event belongs to: follow previousEventId back to the nearest StateEntered (memoised). */
function stateFinder(byId: ReadonlyMap<number, HistoryEvent>): (event: HistoryEvent) => string | undefined {
  const owner = new Map<number, string | undefined>();
  const previousOf = (event: HistoryEvent) =>
    event.previousEventId > 0 ? byId.get(event.previousEventId) : undefined;
  return (event) => {
    const trail: number[] = [];
    let current: HistoryEvent | undefined = event;
    while (current && !owner.has(current.id) && !ENTERED.test(current.type)) {
      trail.push(current.id);
      current = previousOf(current);
    }
    let found: string | undefined;
    if (current && owner.has(current.id)) found = owner.get(current.id);
    else if (current) {
      trail.push(current.id);
      found = detailsName(current, 'stateEnteredEventDetails');
    }
    for (const id of trail) owner.set(id, found);
    return found;
  };
}

interface PathDraft {
  readonly states: Map<string, StateStatus>;
  readonly transitions: Set<string>;
  readonly byId: ReadonlyMap<number, HistoryEvent>;
  readonly stateOf: (event: HistoryEvent) => string | undefined;
}

type EventReader = (draft: PathDraft, event: HistoryEvent) => void;

const entered: EventReader = ({ states, transitions, byId }, event) => {
  const name = detailsName(event, 'stateEnteredEventDetails');
  if (!name) return;
  states.set(name, event.type === 'FailStateEntered' ? 'failed' : 'running');
  const previous = byId.get(event.previousEventId);
  const from = previous && EXITED.test(previous.type) ? detailsName(previous, 'stateExitedEventDetails') : '';
  if (from) transitions.add(transitionKey(from, name));
};

const exited: EventReader = ({ states }, event) => {
  const name = detailsName(event, 'stateExitedEventDetails');
  if (name) states.set(name, 'succeeded');
};

const aborted: EventReader = ({ states, stateOf }, event) => {
  const name = stateOf(event);
  // A Parallel branch's failing state is also reported aborted; the failure is what matters.
  if (name && states.get(name) !== 'failed') states.set(name, 'aborted');
};

const failed: EventReader = ({ states, stateOf }, event) => {
  const name = stateOf(event);
  if (name) states.set(name, 'failed');
};

/** Which events say something about a state, and what; the first that matches an event reads it. */
const EVENT_READERS: ReadonlyArray<readonly [(type: string) => boolean, EventReader]> = [
  [(type) => ENTERED.test(type), entered],
  [(type) => EXITED.test(type), exited],
  [(type) => ABORTED.test(type), aborted],
  [(type) => FAILURE.test(type) && !NOT_A_STATE_FAILURE.test(type), failed],
];

/** What an execution that ended this way makes of the states it left running. */
const ENDED_AS: Readonly<Record<string, StateStatus>> = {
  ABORTED: 'aborted',
  FAILED: 'failed',
  TIMED_OUT: 'failed',
};

export function executionPath(events: readonly HistoryEvent[], executionStatus: string): ExecutionPath {
  const byId = new Map(events.map((event) => [event.id, event]));
  const draft: PathDraft = { states: new Map(), transitions: new Set(), byId, stateOf: stateFinder(byId) };
  for (const event of events) EVENT_READERS.find(([reads]) => reads(event.type))?.[1](draft, event);
  const { states, transitions } = draft;
  const ended = ENDED_AS[executionStatus];
  if (ended) {
    for (const [name, status] of states) if (status === 'running') states.set(name, ended);
  }
  return { states, transitions };
}
