/**
 * The state loop: runs a block of states from StartAt to an end, applying each state's input/output
 * processing in its query language, Retry and Catch, and recording history. State-type specifics live in
 * `state-handlers.ts`, `task-state.ts` and `branches.ts`, reached through the host's handler table
 * (`state-table.ts`).
 */
import type { Clock } from '../../clock';
import { queryEvaluationError, runtimeError, StatesError, toStatesError, UNCATCHABLE_ERRORS } from './errors';
import { jsonText, payloadDetails } from './history';
import {
  compilePath,
  invalidPathMessage,
  lookup,
  type PathLookup,
  PathSetError,
  setAtPath,
} from './json-path';
import { isObject, PAYLOAD_LIMIT_BYTES } from './json-values';
import { evaluateTemplate, type JsonataBindings, jsonataExpression } from './jsonata-eval';
import { compileTemplate } from './payload-template';
import { type DataScope, lookupReference } from './references';
import type { Scheduler } from './scheduler';
import type { TaskTokens } from './task-tokens';
import type { PermissionCheck, TaskPort } from './tasks';
import {
  BranchAborted,
  type Checkpoint,
  type Frame,
  type QueryLanguage,
  type ResumePoint,
  type StateDefinition,
  type StatesBlock,
  type StateType,
} from './types';

/** `states:startExecution.sync`: how a nested execution is started and awaited (supplied by the service). */
export interface NestedExecutions {
  start(
    input: Record<string, unknown>,
    parentExecutionArn: string,
  ): Promise<{ executionArn: string; startDate: number }>;
  waitForCompletion(executionArn: string): Promise<Record<string, unknown>>;
}

/** Everything a running execution shares across its branches. */
export interface ExecutionHost {
  readonly clock: Clock;
  readonly tasks: TaskPort;
  readonly tokens: TaskTokens;
  readonly scheduler: Scheduler;
  readonly region: string;
  readonly roleArn: string;
  readonly executionArn: string;
  /** `Execution` and `StateMachine` members of the context object. */
  readonly contextBase: {
    readonly Execution: Record<string, unknown>;
    readonly StateMachine: Record<string, unknown>;
  };
  readonly checkPermission?: PermissionCheck;
  readonly enforceIam: boolean;
  readonly log: (message: string) => void;
  readonly nested?: NestedExecutions;
  readonly handlers: StateHandlers;
  /** Formats the times the context object carries (see `isoFormatter`). */
  readonly isoTime: (epochMs: number) => string;
  checkpoint(checkpoint: Checkpoint): void;
}

/** What a state's type-specific part hands back. */
export interface StateResult {
  /** The state's result before ResultSelector/ResultPath (JSONPath) or `$states.result` (JSONata). */
  readonly result: unknown;
  /** Choice picks the next state itself. */
  readonly next?: string;
  /** Fail and Succeed end the block. */
  readonly end?: boolean;
  /** Output-processing fields that replace the state's own (a Choice rule's Assign/Output). */
  readonly fields?: Record<string, unknown>;
}

/** Per-entry information a state handler needs. */
export interface StateRun {
  readonly name: string;
  readonly state: StateDefinition;
  readonly language: QueryLanguage;
  readonly rawInput: unknown;
  /** After InputPath (JSONPath); the raw input for JSONata. */
  readonly effectiveInput: unknown;
  readonly frame: Frame;
  readonly host: ExecutionHost;
  readonly enteredEventId: number;
  readonly context: Record<string, unknown>;
  readonly retryCount: number;
  readonly resume?: ResumePoint;
  scope(input?: unknown): DataScope;
  bindings(extra?: Record<string, unknown>): JsonataBindings;
}

/** A state type's own part; simple states answer synchronously when they can. */
export type StateHandler = (run: StateRun) => StateResult | Promise<StateResult>;

/** The handler of every state type; the execution supplies it (see `state-table.ts`). */
export type StateHandlers = Readonly<Record<StateType, StateHandler>>;

const FAILED_EVENT: Record<string, string> = { Map: 'MapStateFailed', Parallel: 'ParallelStateFailed' };

export function languageOf(state: StateDefinition, inherited: QueryLanguage): QueryLanguage {
  return state.QueryLanguage === 'JSONata' || state.QueryLanguage === 'JSONPath'
    ? state.QueryLanguage
    : inherited;
}

/** Runs a block of states; resolves with the final output, or throws the StatesError that ended it. */
export async function runStates(
  block: StatesBlock,
  input: unknown,
  frame: Frame,
  host: ExecutionHost,
  from?: Checkpoint,
): Promise<unknown> {
  let name = from?.state ?? block.StartAt;
  let current = from ? from.input : input;
  let resume = from;
  for (;;) {
    if (frame.abort.isAborted) throw new BranchAborted();
    const state = block.States[name];
    if (!state) throw runtimeError(`The state '${name}' does not exist`);
    const outcome = await runState(name, state, current, frame, host, resume);
    resume = undefined;
    if (outcome.end) return outcome.output;
    name = outcome.next;
    current = outcome.output;
  }
}

type Outcome = { end: true; output: unknown } | { end: false; next: string; output: unknown };

/** What stays the same across one state's attempts (Retry runs the state again with the same entry). */
interface StateEntry {
  readonly name: string;
  readonly state: StateDefinition;
  readonly language: QueryLanguage;
  readonly rawInput: unknown;
  readonly frame: Frame;
  readonly host: ExecutionHost;
  readonly enteredEventId: number;
  readonly enteredTime: string;
  /** Attempts made so far, per retrier (shared with the checkpoint of a pending retry). */
  readonly retryAttempts: number[];
}

/**
 * One state from entry to exit: the attempts its retriers allow, then its catcher or its failure. Handler
 * and output results are awaited only when they are promises, so that simple states cost no extra turn.
 */
async function runState(
  name: string,
  state: StateDefinition,
  rawInput: unknown,
  frame: Frame,
  host: ExecutionHost,
  resumeFrom?: Checkpoint,
): Promise<Outcome> {
  const entry = enterState(name, state, rawInput, frame, host, resumeFrom);
  let retryCount = entry.retryAttempts.reduce((sum, count) => sum + count, 0);
  let resume = resumeFrom?.resume;
  for (;;) {
    try {
      if (resume?.kind === 'retry') {
        await sleepUntil(host, frame, resume.at);
        resume = undefined;
      }
      const run = stateRun(entry, retryCount, resume);
      resume = undefined;
      const handled = handlerOf(host, state)(run);
      const stateResult = handled instanceof Promise ? await handled : handled;
      const processed = processOutput(run, stateResult.result, stateResult.fields);
      return exitState(run, stateResult, processed instanceof Promise ? await processed : processed);
    } catch (thrown) {
      const recovery = await recover(entry, stateFailure(entry, thrown));
      if ('outcome' in recovery) return recovery.outcome;
      retryCount++;
      resume = recovery.retry;
    }
  }
}

/** Records StateEntered, unless a restarted execution resumes inside the state. */
function enterState(
  name: string,
  state: StateDefinition,
  rawInput: unknown,
  frame: Frame,
  host: ExecutionHost,
  resumeFrom: Checkpoint | undefined,
): StateEntry {
  let enteredEventId = resumeFrom?.enteredEventId;
  if (enteredEventId === undefined) {
    checkpointState(host, frame, name, rawInput);
    enteredEventId = frame.history.add(frame.thread, `${state.Type}StateEntered`, {
      name,
      ...payloadDetails('input', rawInput),
    });
  }
  return {
    name,
    state,
    language: languageOf(state, frame.queryLanguage),
    rawInput,
    frame,
    host,
    enteredEventId,
    enteredTime: host.isoTime(host.clock.now()),
    retryAttempts: resumeFrom?.resume?.kind === 'retry' ? [...resumeFrom.resume.attempts] : [],
  };
}

/** One attempt's view of the state: its context object, its effective input (after InputPath) and scopes. */
function stateRun(entry: StateEntry, retryCount: number, resume: ResumePoint | undefined): StateRun {
  const { name, state, language, rawInput, frame, enteredTime } = entry;
  const context: Record<string, unknown> = {
    ...entry.host.contextBase,
    State:
      state.Type === 'Task'
        ? { EnteredTime: enteredTime, Name: name, RetryCount: retryCount }
        : { Name: name, EnteredTime: enteredTime },
  };
  const effectiveInput = language === 'JSONPath' ? applyInputPath(state, rawInput, context, frame) : rawInput;
  return {
    name,
    state,
    language,
    rawInput,
    effectiveInput,
    frame,
    host: entry.host,
    enteredEventId: entry.enteredEventId,
    context,
    retryCount,
    ...(resume ? { resume } : {}),
    scope: (input = effectiveInput) => ({ input, context, variables: frame.variables }),
    bindings: (extra = {}) => ({
      variables: frame.variables,
      states: { input: rawInput, context, ...extra },
    }),
  };
}

function handlerOf(host: ExecutionHost, state: StateDefinition): StateHandler {
  const handler = Object.hasOwn(host.handlers, state.Type)
    ? host.handlers[state.Type as StateType]
    : undefined;
  if (!handler) throw runtimeError(`Unsupported state type: ${state.Type}`);
  return handler;
}

/** Assigns the state's variables, records StateExited and says where the block goes next. */
function exitState(run: StateRun, stateResult: StateResult, { output, assigned }: Processed): Outcome {
  const { name, state, frame } = run;
  assignVariables(frame, assigned);
  frame.history.add(frame.thread, `${state.Type}StateExited`, exitDetails(name, output, assigned));
  if (stateResult.end || state.Type === 'Succeed' || state.End === true) return { end: true, output };
  const next = stateResult.next ?? (state.Next as string | undefined);
  if (!next) throw runtimeError(`The state '${name}' has neither Next nor End`);
  return { end: false, next, output };
}

/**
 * The error an attempt ended with, scoped to the state. An aborted branch, and a Fail state (which neither
 * retries nor catches), end the state at once.
 */
function stateFailure(entry: StateEntry, thrown: unknown): StatesError {
  const { name, state, frame } = entry;
  if (thrown instanceof BranchAborted) {
    if (frame.abort.reason === 'branch-failed') reportAborted(frame, state);
    throw thrown;
  }
  const raised = toStatesError(thrown);
  const error = scoped(raised, name, entry.enteredEventId);
  // Only the state whose expression failed reports it; enclosing Map/Parallel states just fail.
  if (raised.stateScoped && error.error === 'States.QueryEvaluationError') {
    frame.history.add(frame.thread, 'EvaluationFailed', {
      error: error.error,
      cause: error.cause,
      state: name,
    });
  }
  if (state.Type === 'Fail') throw error;
  return error;
}

/** After a failed attempt: retry it, or go on to a catcher's Next. */
type Recovery = { readonly retry: ResumePoint } | { readonly outcome: Outcome };

/**
 * Retry and Catch: when a retrier applies, the point to retry at (checkpointed, so that a restart waits for
 * it too); else the matching catcher's outcome. Throws the error when nothing handles it.
 */
async function recover(entry: StateEntry, error: StatesError): Promise<Recovery> {
  const { name, state, rawInput, frame, host, retryAttempts } = entry;
  const delay = retryDelay(state, error, retryAttempts);
  if (delay !== undefined) {
    const retry: ResumePoint = { kind: 'retry', at: host.clock.now() + delay, attempts: retryAttempts };
    checkpointState(host, frame, name, rawInput, { enteredEventId: entry.enteredEventId, resume: retry });
    return { retry };
  }
  const failedEvent = FAILED_EVENT[state.Type];
  // A runtime error ends the execution straight away, without the state's failure event.
  if (failedEvent && error.error !== 'States.Runtime') frame.history.add(frame.thread, failedEvent);
  return { outcome: caughtOutcome(entry, error, await applyCatch(entry, error)) };
}

/** The catcher's outcome, or the error again when no catcher matched. */
function caughtOutcome(entry: StateEntry, error: StatesError, caught: Caught | undefined): Outcome {
  const { name, state, frame } = entry;
  if (!caught) {
    // Map and Parallel states report their own failure.
    if (!FAILED_EVENT[state.Type] && error.error !== 'States.Runtime') {
      reportAborted(frame, state);
    }
    throw error;
  }
  assignVariables(frame, caught.assigned);
  frame.history.add(
    frame.thread,
    `${state.Type}StateExited`,
    exitDetails(name, caught.output, caught.assigned),
  );
  return { end: false, next: caught.next, output: caught.output };
}

/** Inside a Parallel branch, the state that was running when the Parallel failed ends as aborted. */
function reportAborted(frame: Frame, state: StateDefinition): void {
  if (frame.reportsAbortedState) frame.history.add(frame.thread, `${state.Type}StateAborted`);
}

function exitDetails(name: string, output: unknown, assigned: Record<string, unknown> | undefined) {
  const details: Record<string, unknown> = { name, ...payloadDetails('output', output) };
  if (assigned) {
    details.assignedVariables = Object.fromEntries(
      Object.entries(assigned).map(([key, value]) => [key, JSON.stringify(value)]),
    );
    details.assignedVariablesDetails = { truncated: false };
  }
  return details;
}

function assignVariables(frame: Frame, assigned: Record<string, unknown> | undefined): void {
  if (assigned) Object.assign(frame.variables, assigned);
}

/** Adds AWS's "An error occurred while executing the state ..." prefix to runtime and evaluation errors. */
function scoped(error: StatesError, name: string, enteredEventId: number): StatesError {
  if (!error.stateScoped) return error;
  return new StatesError(
    error.error,
    `An error occurred while executing the state '${name}' (entered at the event id #${enteredEventId}). ${error.cause ?? ''}`,
  );
}

/**
 * Records where a top-level state is, so that a restarted process resumes there. States inside Parallel and
 * Map branches are not checkpointed: a restart runs their enclosing state again.
 */
export function checkpointState(
  host: ExecutionHost,
  frame: Frame,
  state: string,
  input: unknown,
  progress: Pick<Checkpoint, 'enteredEventId' | 'resume'> = {},
): void {
  if (!frame.topLevel) return;
  host.checkpoint({
    state,
    input,
    variables: frame.variables,
    historyLength: frame.history.events.length,
    threadLast: frame.thread.last,
    ...progress,
  });
}

export async function sleepUntil(host: ExecutionHost, frame: Frame, at: number): Promise<void> {
  if (at <= host.clock.now()) return;
  let timer: ReturnType<Clock['at']> | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = host.clock.at(at, resolve);
  });
  try {
    await host.scheduler.whileBlocked(frame.order, frame.abort.race(elapsed));
  } finally {
    host.clock.cancel(timer);
  }
}

function applyInputPath(state: StateDefinition, rawInput: unknown, context: unknown, frame: Frame): unknown {
  if (!('InputPath' in state)) return rawInput;
  return selectPath(state.InputPath, rawInput, context, frame.variables);
}

/** InputPath/OutputPath: null gives `{}`; `$$...` reads the context object; nothing found is an error. */
function selectPath(
  path: unknown,
  document: unknown,
  context: unknown,
  variables: Record<string, unknown>,
): unknown {
  if (path === null) return {};
  if (typeof path !== 'string' || path === '$') return document;
  if (path.startsWith('$$')) {
    const compiled = compilePath(path.slice(1));
    const found = lookup(compiled, context);
    if (!found.found) throw runtimeError(invalidPathMessage(compilePath(path), found));
    return found.value;
  }
  const variable = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(path);
  if (variable?.[1]) {
    const compiled = compilePath(`$${path.slice(variable[0].length)}`);
    const found = lookup(compiled, variables[variable[1]]);
    if (!found.found) throw runtimeError(invalidPathMessage(compilePath(path), found));
    return found.value;
  }
  const compiled = compilePath(path);
  const found = lookup(compiled, document);
  if (!found.found) throw runtimeError(invalidPathMessage(compiled, found));
  return found.value;
}

/** The default output when a JSONata state has no Output: the result for Task/Map/Parallel, else the input. */
const RESULT_STATES = new Set(['Task', 'Map', 'Parallel']);

interface Processed {
  readonly output: unknown;
  readonly assigned: Record<string, unknown> | undefined;
}

/** Output processing; synchronous for JSONPath so that simple states cost no extra turn of the event loop. */
function processOutput(
  run: StateRun,
  result: unknown,
  fields: Record<string, unknown> | undefined,
): Processed | Promise<Processed> {
  const state = fields ? { ...run.state, ...fields } : run.state;
  return run.language === 'JSONata'
    ? processJsonataOutput(run, state, result)
    : processJsonPathOutput(run, state, result);
}

async function processJsonataOutput(
  run: StateRun,
  state: StateDefinition,
  result: unknown,
): Promise<Processed> {
  const bindings = run.bindings(RESULT_STATES.has(state.Type) || state.Type === 'Pass' ? { result } : {});
  const output =
    'Output' in state
      ? await evaluateTemplate(state.Output, bindings, 'Output')
      : RESULT_STATES.has(state.Type)
        ? result
        : run.rawInput;
  const assigned = 'Assign' in state ? await assignJsonata(state.Assign, bindings) : undefined;
  checkSize(run.name, output);
  return { output, assigned };
}

function processJsonPathOutput(run: StateRun, state: StateDefinition, result: unknown): Processed {
  const producesResult = RESULT_STATES.has(state.Type) || state.Type === 'Pass';
  let selected = result;
  if (isObject(state.ResultSelector) && RESULT_STATES.has(state.Type)) {
    selected = compileTemplate(state.ResultSelector)(run.scope(result));
  }
  // Assign sees the state's result (after ResultSelector); Choice and Wait have only their input.
  const assigned = isObject(state.Assign)
    ? (compileTemplate(state.Assign)(run.scope(producesResult ? selected : run.effectiveInput)) as Record<
        string,
        unknown
      >)
    : undefined;
  const combined = producesResult
    ? applyResultPath(state.ResultPath, run.rawInput, selected, 'ResultPath' in state)
    : run.effectiveInput;
  const output =
    'OutputPath' in state
      ? selectPath(state.OutputPath, combined, run.context, run.frame.variables)
      : combined;
  checkSize(run.name, output);
  return { output, assigned };
}

async function assignJsonata(assign: unknown, bindings: JsonataBindings): Promise<Record<string, unknown>> {
  if (!isObject(assign)) throw runtimeError('Assign must be a JSON object');
  const values: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(assign))
    values[key] = await evaluateTemplate(value, bindings, `Assign/${key}`);
  return values;
}

function applyResultPath(resultPath: unknown, rawInput: unknown, result: unknown, present: boolean): unknown {
  if (!present || resultPath === '$') return result;
  if (resultPath === null) return rawInput;
  if (typeof resultPath !== 'string') return result;
  try {
    return setAtPath(compilePath(resultPath), rawInput, result);
  } catch (error) {
    if (error instanceof PathSetError) throw runtimeError(error.message);
    throw error;
  }
}

function checkSize(name: string, output: unknown): void {
  const text = jsonText(output);
  // UTF-8 needs at most 3 bytes per UTF-16 unit: short texts need no exact count.
  if (text.length * 3 > PAYLOAD_LIMIT_BYTES && Buffer.byteLength(text, 'utf8') > PAYLOAD_LIMIT_BYTES) {
    throw new StatesError(
      'States.DataLimitExceeded',
      `The state/task '${name}' returned a result with a size exceeding the maximum number of bytes service limit.`,
    );
  }
}

function matches(errorEquals: unknown, error: StatesError): boolean {
  if (!Array.isArray(errorEquals)) return false;
  if (error.error === 'States.Runtime') return false;
  return errorEquals.some(
    (name) =>
      name === error.error ||
      name === 'States.ALL' ||
      (name === 'States.TaskFailed' &&
        error.error !== 'States.Timeout' &&
        !UNCATCHABLE_ERRORS.has(error.error)),
  );
}

/** The delay before the next attempt, or undefined when no retrier applies any more. */
function retryDelay(state: StateDefinition, error: StatesError, attempts: number[]): number | undefined {
  if (!Array.isArray(state.Retry)) return undefined;
  for (let index = 0; index < state.Retry.length; index++) {
    const retrier = state.Retry[index] as Record<string, unknown>;
    if (!matches(retrier.ErrorEquals, error)) continue;
    const maxAttempts = typeof retrier.MaxAttempts === 'number' ? retrier.MaxAttempts : 3;
    const done = attempts[index] ?? 0;
    if (done >= maxAttempts) return undefined;
    attempts[index] = done + 1;
    const interval = typeof retrier.IntervalSeconds === 'number' ? retrier.IntervalSeconds : 1;
    const backoff = typeof retrier.BackoffRate === 'number' ? retrier.BackoffRate : 2;
    let seconds = interval * backoff ** done;
    if (typeof retrier.MaxDelaySeconds === 'number') seconds = Math.min(seconds, retrier.MaxDelaySeconds);
    if (retrier.JitterStrategy === 'FULL') seconds = Math.random() * seconds;
    return seconds * 1000;
  }
  return undefined;
}

interface Caught {
  readonly next: string;
  readonly output: unknown;
  readonly assigned: Record<string, unknown> | undefined;
}

/** The first matching catcher's Next, output and assigned variables; undefined when none matches. */
async function applyCatch(entry: StateEntry, error: StatesError): Promise<Caught | undefined> {
  const { name, state, rawInput, frame, host } = entry;
  if (!Array.isArray(state.Catch)) return undefined;
  const catcher = state.Catch.find((candidate) =>
    matches((candidate as Record<string, unknown>).ErrorEquals, error),
  ) as Record<string, unknown> | undefined;
  if (!catcher) return undefined;
  const errorOutput = { Error: error.error, Cause: error.cause ?? '' };
  const context = {
    ...host.contextBase,
    State: { Name: name, EnteredTime: new Date(host.clock.now()).toISOString() },
  };
  if (entry.language === 'JSONata') {
    const bindings: JsonataBindings = {
      variables: frame.variables,
      states: { input: rawInput, context, errorOutput },
    };
    const output =
      'Output' in catcher ? await evaluateTemplate(catcher.Output, bindings, 'Output') : errorOutput;
    const assigned = 'Assign' in catcher ? await assignJsonata(catcher.Assign, bindings) : undefined;
    return { next: String(catcher.Next), output, assigned };
  }
  const scope: DataScope = { input: errorOutput, context, variables: frame.variables };
  const assigned = isObject(catcher.Assign)
    ? (compileTemplate(catcher.Assign)(scope) as Record<string, unknown>)
    : undefined;
  const output = applyResultPath(catcher.ResultPath, rawInput, errorOutput, 'ResultPath' in catcher);
  return { next: String(catcher.Next), output, assigned };
}

/** Evaluates a field that may be a literal, a `{% %}` expression (JSONata) or absent. */
export async function jsonataOrLiteral(run: StateRun, value: unknown, field: string): Promise<unknown> {
  if (run.language === 'JSONata' && jsonataExpression(value) !== undefined) {
    return evaluateTemplate(value, run.bindings(), field);
  }
  return value;
}

/** A setting given in the state itself (a literal or a JSONata expression), or read through its `...Path`. */
export type Setting = { readonly given: unknown } | { readonly path: string; readonly found: PathLookup };

/**
 * Reads a setting such as TimeoutSeconds or MaxConcurrency: `field` itself (evaluated in JSONata), else
 * `${field}Path` looked up in `scope`; undefined when the state has neither.
 */
export async function readSetting(
  run: StateRun,
  field: string,
  scope: DataScope = run.scope(),
  bindings: JsonataBindings = run.bindings(),
): Promise<Setting | undefined> {
  const { state } = run;
  if (field in state) {
    return {
      given:
        run.language === 'JSONata' ? await evaluateTemplate(state[field], bindings, field) : state[field],
    };
  }
  const path = state[`${field}Path`];
  if (typeof path !== 'string') return undefined;
  return { path, found: lookupReference(path, scope) };
}

/** A setting's value of the wrong type: an evaluation error in JSONata, a runtime error in JSONPath. */
export function invalidSetting(run: StateRun, message: string): StatesError {
  return run.language === 'JSONata' ? queryEvaluationError(message) : runtimeError(message);
}
