/**
 * An execution history folded by state: one group per state visit (entered → exited) holding its events, so
 * a history of hundreds of events reads as the states it went through. States entered inside a Parallel or
 * Map open nested groups (depth); events outside any state (ExecutionStarted, ExecutionFailed, ...) form
 * groups of their own.
 */
import type { HistoryEvent } from '../stepfunctions/engine/history';

export interface HistoryGroup {
  /** The state's name, or "Execution" for events outside any state. */
  readonly name: string;
  /** The kind of state (`Task`, `Pass`, `Map`...) from its entered event; empty for execution events. */
  readonly kind: string;
  readonly depth: number;
  /** Inside a Map: the index of the iteration this state ran in. */
  readonly iteration?: number;
  readonly events: HistoryEvent[];
  /** A Fail state, or one of its events is a failure (TaskFailed, ParallelStateFailed, ExecutionFailed...). */
  failed: boolean;
}

const EXECUTION = 'Execution';
const enteredName = (event: HistoryEvent): string | undefined => {
  const details = event.stateEnteredEventDetails as { name?: unknown } | undefined;
  return typeof details?.name === 'string' ? details.name : undefined;
};
const exitedName = (event: HistoryEvent): string | undefined => {
  const details = event.stateExitedEventDetails as { name?: unknown } | undefined;
  return typeof details?.name === 'string' ? details.name : undefined;
};
const isFailure = (type: string) => /(?:Failed|TimedOut|Aborted)$/.test(type);

/**
 * Groups events by the state they belong to: a state-entered event opens a group, its exited event closes it;
 * an event named after an open state's kind (TaskScheduled, MapIterationStarted, ParallelStateFailed...) joins
 * the latest such group, and a state's failure or abort also closes what was open inside it (a Fail state in
 * a branch never exits). Execution events are the execution's own, and its end closes everything.
 */
export function foldByState(events: readonly HistoryEvent[]): HistoryGroup[] {
  const groups: HistoryGroup[] = [];
  const open: HistoryGroup[] = [];
  const add = (group: HistoryGroup, event: HistoryEvent) => {
    group.events.push(event);
    if (isFailure(event.type)) group.failed = true;
  };
  const executionGroup = () => {
    const last = groups.at(-1);
    if (last && last.name === EXECUTION && open.length === 0) return last;
    const group: HistoryGroup = { name: EXECUTION, kind: '', depth: 0, events: [], failed: false };
    groups.push(group);
    return group;
  };
  const closeFrom = (index: number) => open.splice(index);
  // The iteration each open Map is running, from its MapIterationStarted events.
  const iterations = new Map<HistoryGroup, number>();
  for (const event of events) {
    const { type } = event;
    const entered = type.endsWith('StateEntered') ? enteredName(event) : undefined;
    if (entered !== undefined) {
      const parent = open.at(-1);
      const iteration = parent ? iterations.get(parent) : undefined;
      const group: HistoryGroup = {
        name: entered,
        kind: type.replace(/StateEntered$/, ''),
        depth: open.length,
        ...(iteration === undefined ? {} : { iteration }),
        events: [event],
        // A Fail state is where the execution failed, though it has no failure event of its own.
        failed: type === 'FailStateEntered',
      };
      groups.push(group);
      open.push(group);
      continue;
    }
    if (type.startsWith('Execution')) {
      if (/^Execution(?:Succeeded|Failed|Aborted|TimedOut)$/.test(type)) closeFrom(0);
      add(executionGroup(), event);
      continue;
    }
    const exited = type.endsWith('StateExited') ? exitedName(event) : undefined;
    const owner =
      exited !== undefined
        ? open.findLastIndex((group) => group.name === exited)
        : open.findLastIndex((group) => group.kind !== '' && type.startsWith(group.kind));
    const index = owner >= 0 ? owner : open.length - 1;
    const group = open[index];
    if (!group) {
      add(executionGroup(), event);
      continue;
    }
    add(group, event);
    if (type === 'MapIterationStarted') {
      const { index: started } = (event.mapIterationStartedEventDetails ?? {}) as { index?: unknown };
      if (typeof started === 'number') iterations.set(group, started);
    }
    if (exited !== undefined || /State(?:Failed|Aborted)$/.test(type)) closeFrom(index);
  }
  return groups;
}
