/**
 * One execution of a state machine: starts (or resumes from a checkpoint), enforces the execution timeout,
 * can be stopped, and ends with the terminal history event and status.
 */
import type { Clock, TimerHandle } from '../../clock';
import { toStatesError } from './errors';
import { History, type HistoryEvent, payloadDetails } from './history';
import { type ExecutionHost, type NestedExecutions, runStates } from './interpreter';
import { Scheduler } from './scheduler';
import { STATE_HANDLERS } from './state-table';
import type { TaskTokens } from './task-tokens';
import type { PermissionCheck, TaskPort } from './tasks';
import { isoFormatter } from './timestamps';
import { AbortScope, BranchAborted, type Checkpoint, type Frame, type MachineDefinition } from './types';

export type ExecutionStatus =
  | 'RUNNING'
  | 'SUCCEEDED'
  | 'FAILED'
  | 'TIMED_OUT'
  | 'ABORTED'
  | 'PENDING_REDRIVE';

export interface ExecutionSpec {
  readonly executionArn: string;
  readonly name: string;
  readonly stateMachineArn: string;
  readonly stateMachineName: string;
  readonly roleArn: string;
  readonly region: string;
  readonly definition: MachineDefinition;
  readonly input: unknown;
  /** Epoch milliseconds. */
  readonly startTime: number;
  readonly redriveCount?: number;
  /** Overrides the definition's TimeoutSeconds (Express executions stop after 5 minutes). */
  readonly maxDurationSeconds?: number;
}

export interface ExecutionRuntime {
  readonly clock: Clock;
  readonly tasks: TaskPort;
  readonly tokens: TaskTokens;
  readonly checkPermission?: PermissionCheck;
  readonly enforceIam?: boolean;
  readonly log?: (message: string) => void;
  readonly nested?: NestedExecutions;
  /** Persistence hooks. */
  readonly onEvent?: (event: HistoryEvent) => void;
  readonly onCheckpoint?: (checkpoint: Checkpoint) => void;
  readonly onEnd?: (execution: Execution) => void;
}

export interface ExecutionResult {
  readonly status: ExecutionStatus;
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly stopDate?: number;
}

export class Execution {
  status: ExecutionStatus = 'RUNNING';
  output: unknown;
  error: string | undefined;
  cause: string | undefined;
  stopDate: number | undefined;
  readonly history: History;
  readonly done: Promise<ExecutionResult>;
  private resolveDone: (result: ExecutionResult) => void = () => undefined;
  private readonly abort = new AbortScope();
  private timeoutTimer: TimerHandle | undefined;

  constructor(
    readonly spec: ExecutionSpec,
    private readonly runtime: ExecutionRuntime,
    events: HistoryEvent[] = [],
  ) {
    this.history = new History(() => runtime.clock.now(), events, runtime.onEvent);
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  /** Starts from the beginning, or from `checkpoint` when resuming after a restart. */
  start(checkpoint?: Checkpoint): Promise<ExecutionResult> {
    const { spec, runtime } = this;
    if (!checkpoint) {
      this.history.add({ last: 0 }, 'ExecutionStarted', {
        ...payloadDetails('input', spec.input),
        roleArn: spec.roleArn,
      });
    }
    const timeoutSeconds = spec.maxDurationSeconds ?? spec.definition.TimeoutSeconds;
    if (typeof timeoutSeconds === 'number') {
      this.timeoutTimer = runtime.clock.at(spec.startTime + timeoutSeconds * 1000, () =>
        this.finish('TIMED_OUT', { error: 'States.Timeout', cause: undefined }),
      );
    }
    void this.run(checkpoint);
    return this.done;
  }

  /** StopExecution: ends the execution as ABORTED; branches still waiting are abandoned. */
  stop(error?: string, cause?: string): void {
    this.finish('ABORTED', { error, cause });
  }

  private async run(checkpoint: Checkpoint | undefined): Promise<void> {
    const scheduler = new Scheduler();
    const host = this.host(scheduler);
    const frame: Frame = {
      variables: checkpoint ? { ...checkpoint.variables } : {},
      thread: { last: checkpoint ? checkpoint.threadLast : 0 },
      history: this.history,
      order: [],
      abort: this.abort,
      queryLanguage: this.spec.definition.QueryLanguage === 'JSONata' ? 'JSONata' : 'JSONPath',
      topLevel: true,
    };
    const turn = scheduler.acquire(frame.order);
    if (turn) await turn;
    try {
      const output = await runStates(this.spec.definition, this.spec.input, frame, host, checkpoint);
      this.finish('SUCCEEDED', { output, thread: frame.thread.last });
    } catch (thrown) {
      if (!(thrown instanceof BranchAborted)) {
        const failure = toStatesError(thrown);
        this.finish('FAILED', { error: failure.error, cause: failure.cause, thread: frame.thread.last });
      }
    } finally {
      scheduler.release();
    }
  }

  private host(scheduler: Scheduler): ExecutionHost {
    const { spec, runtime } = this;
    return {
      clock: runtime.clock,
      tasks: runtime.tasks,
      tokens: runtime.tokens,
      scheduler,
      region: spec.region,
      roleArn: spec.roleArn,
      executionArn: spec.executionArn,
      contextBase: {
        Execution: {
          Id: spec.executionArn,
          Input: spec.input,
          StartTime: new Date(spec.startTime).toISOString(),
          Name: spec.name,
          RoleArn: spec.roleArn,
          RedriveCount: spec.redriveCount ?? 0,
        },
        StateMachine: { Id: spec.stateMachineArn, Name: spec.stateMachineName },
      },
      ...(runtime.checkPermission ? { checkPermission: runtime.checkPermission } : {}),
      enforceIam: runtime.enforceIam ?? false,
      log: runtime.log ?? ((message) => console.warn(`[stepfunctions] ${message}`)),
      ...(runtime.nested ? { nested: runtime.nested } : {}),
      handlers: STATE_HANDLERS,
      isoTime: isoFormatter(),
      checkpoint: (checkpoint) => {
        if (this.status === 'RUNNING') runtime.onCheckpoint?.(checkpoint);
      },
    };
  }

  private finish(
    status: Exclude<ExecutionStatus, 'RUNNING' | 'PENDING_REDRIVE'>,
    outcome: { output?: unknown; error?: string | undefined; cause?: string | undefined; thread?: number },
  ): void {
    if (this.status !== 'RUNNING') return;
    this.status = status;
    this.stopDate = this.runtime.clock.now();
    this.runtime.clock.cancel(this.timeoutTimer);
    const previous = { last: outcome.thread ?? this.history.events.length };
    const errorDetails = {
      ...(outcome.error ? { error: outcome.error } : {}),
      ...(outcome.cause !== undefined ? { cause: outcome.cause } : {}),
    };
    if (status === 'SUCCEEDED') {
      this.output = outcome.output;
      this.history.add(previous, 'ExecutionSucceeded', payloadDetails('output', outcome.output));
    } else {
      this.error = outcome.error || undefined;
      this.cause = outcome.cause;
      const type = { FAILED: 'ExecutionFailed', TIMED_OUT: 'ExecutionTimedOut', ABORTED: 'ExecutionAborted' }[
        status
      ];
      this.history.add(previous, type, errorDetails);
      this.abort.abort();
    }
    this.runtime.onEnd?.(this);
    this.resolveDone(this.result());
  }

  result(): ExecutionResult {
    return {
      status: this.status,
      ...(this.status === 'SUCCEEDED' ? { output: this.output } : {}),
      ...(this.error !== undefined ? { error: this.error } : {}),
      ...(this.cause !== undefined ? { cause: this.cause } : {}),
      ...(this.stopDate !== undefined ? { stopDate: this.stopDate } : {}),
    };
  }
}
