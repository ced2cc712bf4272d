/** The shapes the interpreter works with: the ASL definition (loosely typed JSON) and an execution's frame. */
import type { History, Thread } from './history';
import type { Order } from './scheduler';

export type QueryLanguage = 'JSONPath' | 'JSONata';

/** The state types the interpreter runs. */
export type StateType = 'Pass' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Task' | 'Map' | 'Parallel';

/** One state's definition: the raw ASL object. */
export type StateDefinition = Readonly<Record<string, unknown>> & { readonly Type: string };

export interface StatesBlock {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, StateDefinition>>;
  readonly QueryLanguage?: QueryLanguage;
}

export interface MachineDefinition extends StatesBlock {
  readonly Comment?: string;
  readonly TimeoutSeconds?: number;
  readonly Version?: string;
}

/** Why branches were stopped: a sibling branch failed, or the whole execution ended. */
export type AbortReason = 'branch-failed' | 'execution-ended';

/** Shared by all branches started by one Map run or Parallel state, so that one failure stops the rest. */
export class AbortScope {
  private abortReason: AbortReason | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(parent?: AbortScope) {
    parent?.onAbort(() => this.abort(parent.reason));
  }

  get isAborted(): boolean {
    return this.abortReason !== undefined;
  }

  get reason(): AbortReason | undefined {
    return this.abortReason;
  }

  abort(reason: AbortReason = 'execution-ended'): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    for (const listener of this.listeners) listener();
    this.listeners.clear();
  }

  onAbort(listener: () => void): () => void {
    if (this.abortReason !== undefined) {
      listener();
      return () => undefined;
    }
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Settles like `work`, or rejects with BranchAborted as soon as this scope is aborted. */
  race<T>(work: Promise<T>): Promise<T> {
    let stop: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      stop = this.onAbort(() => reject(new BranchAborted()));
    });
    return Promise.race([work, aborted]).finally(stop);
  }
}

/** Thrown inside a branch that was stopped because a sibling failed or the execution ended. */
export class BranchAborted extends Error {
  constructor() {
    super('Branch aborted');
  }
}

/** Where a branch of execution is: its variables, its history thread, its place in the scheduling order. */
export interface Frame {
  readonly variables: Record<string, unknown>;
  readonly thread: Thread;
  readonly history: History;
  readonly order: Order;
  readonly abort: AbortScope;
  readonly queryLanguage: QueryLanguage;
  /** Top-level frames persist checkpoints; nested branches restart with their Map/Parallel state. */
  readonly topLevel: boolean;
  /**
   * Parallel branches: when the Parallel state fails, the state a branch was in ends with a
   * `<Type>StateAborted` event (AWS does this for the failing branch's own state too).
   */
  readonly reportsAbortedState?: boolean;
}

/** Where a restarted execution picks up inside the state it was in. */
export type ResumePoint =
  | { readonly kind: 'wait'; readonly until: number }
  | {
      readonly kind: 'token';
      readonly token: string;
      readonly timeoutAt?: number;
      readonly heartbeatSeconds?: number;
    }
  | { readonly kind: 'retry'; readonly at: number; readonly attempts: readonly number[] };

export interface Checkpoint {
  readonly state: string;
  readonly input: unknown;
  readonly variables: Record<string, unknown>;
  readonly historyLength: number;
  readonly threadLast: number;
  readonly enteredEventId?: number;
  readonly resume?: ResumePoint;
}
