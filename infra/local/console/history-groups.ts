/**
 * An execution history folded by state: one group per state visit (entered → exited) holding its events, so
 * a history of hundreds of events reads as the states it went through. States entered inside a Parallel or
 * Map open nested groups (depth); events outside any state (ExecutionStarted, ExecutionFailed, ...) form
 * groups of their own. One fold for the console (the engine's events) and the ops CLI (the SDK's).
 */

/** What the fold reads of a history event: the engine's and the AWS SDK's both have it. */
export interface StateEvent {
  readonly type?: string;
  readonly stateEnteredEventDetails?: unknown;
  readonly stateExitedEventDetails?: unknown;
  readonly mapIterationStartedEventDetails?: unknown;
}

export interface HistoryGroup<E extends StateEvent = StateEvent> {
  /** The state's name, or "Execution" for events outside any state. */
  readonly name: string;
  /** The kind of state (`Task`, `Pass`, `Map`...) from its entered event; empty for execution events. */
  readonly kind: string;
  readonly depth: number;
  /** Inside a Map: the index of the iteration this state ran in. */
  readonly iteration?: number;
  readonly events: E[];
  /** A Fail state, or one of its events is a failure (TaskFailed, ParallelStateFailed, ExecutionFailed...). */
  failed: boolean;
}

const EXECUTION = 'Execution';
const EXECUTION_END = /^Execution(?:Succeeded|Failed|Aborted|TimedOut)$/;
const nameIn = (details: unknown): string | undefined => {
  const name = (details as { name?: unknown } | undefined)?.name;
  return typeof name === 'string' ? name : undefined;
};
const isFailure = (type: string) => /(?:Failed|TimedOut|Aborted)$/.test(type);

/** The groups as the events arrive, with the states still open (innermost last). */
class StateFold<E extends StateEvent> {
  readonly groups: HistoryGroup<E>[] = [];
  private readonly open: HistoryGroup<E>[] = [];
  /** The iteration each open Map is running, from its MapIterationStarted events. */
  private readonly iterations = new Map<HistoryGroup<E>, number>();

  add(event: E): void {
    const type = event.type ?? '';
    const entered = type.endsWith('StateEntered') ? nameIn(event.stateEnteredEventDetails) : undefined;
    if (entered !== undefined) this.enter(event, type, entered);
    else if (type.startsWith(EXECUTION)) this.addToExecution(event, type);
    else this.addToState(event, type);
  }

  private enter(event: E, type: string, name: string): void {
    const parent = this.open.at(-1);
    const iteration = parent ? this.iterations.get(parent) : undefined;
    const group: HistoryGroup<E> = {
      name,
      kind: type.replace(/StateEntered$/, ''),
      depth: this.open.length,
      ...(iteration === undefined ? {} : { iteration }),
      events: [event],
      // A Fail state is where the execution failed, though it has no failure event of its own.
      failed: type === 'FailStateEntered',
    };
    this.groups.push(group);
    this.open.push(group);
  }

  /** The execution's own events; its end closes everything. */
  private addToExecution(event: E, type: string): void {
    if (EXECUTION_END.test(type)) this.open.splice(0);
    this.join(this.executionGroup(), event, type);
  }

  private addToState(event: E, type: string): void {
    const exited = type.endsWith('StateExited') ? nameIn(event.stateExitedEventDetails) : undefined;
    const index = this.ownerIndex(type, exited);
    const group = this.open[index];
    if (!group) {
      this.join(this.executionGroup(), event, type);
      return;
    }
    this.join(group, event, type);
    if (type === 'MapIterationStarted') this.startIteration(group, event);
    if (exited !== undefined || /State(?:Failed|Aborted)$/.test(type)) this.open.splice(index);
  }

  /** The open state an event belongs to: the one it exits, else the latest of the kind it is named after. */
  private ownerIndex(type: string, exited: string | undefined): number {
    const owner =
      exited !== undefined
        ? this.open.findLastIndex((group) => group.name === exited)
        : this.open.findLastIndex((group) => group.kind !== '' && type.startsWith(group.kind));
    return owner >= 0 ? owner : this.open.length - 1;
  }

  private startIteration(group: HistoryGroup<E>, event: E): void {
    const { index } = (event.mapIterationStartedEventDetails ?? {}) as { index?: unknown };
    if (typeof index === 'number') this.iterations.set(group, index);
  }

  private join(group: HistoryGroup<E>, event: E, type: string): void {
    group.events.push(event);
    if (isFailure(type)) group.failed = true;
  }

  private executionGroup(): HistoryGroup<E> {
    const last = this.groups.at(-1);
    if (last && last.name === EXECUTION && this.open.length === 0) return last;
    const group: HistoryGroup<E> = { name: EXECUTION, kind: '', depth: 0, events: [], failed: false };
    this.groups.push(group);
    return group;
  }
}

/**
 * Groups events by the state they belong to: a state-entered event opens a group, its exited event closes it;
 * an event named after an open state's kind (TaskScheduled, MapIterationStarted, ParallelStateFailed...) joins
 * the latest such group, and a state's failure or abort also closes what was open inside it (a Fail state in
 * a branch never exits). Execution events are the execution's own, and its end closes everything.
 */
export function foldByState<E extends StateEvent>(events: readonly E[]): HistoryGroup<E>[] {
  const fold = new StateFold<E>();
  for (const event of events) fold.add(event);
  return fold.groups;
}
