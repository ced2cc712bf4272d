/**
 * Map (inline and distributed over inline items) and Parallel: run child blocks with their own frames,
 * collect their outputs in order, and stop the siblings of a branch that fails.
 */
import { queryEvaluationError, runtimeError, StatesError, toStatesError } from './errors';
import { History } from './history';
import {
  invalidSetting,
  languageOf,
  readSetting,
  runStates,
  type StateResult,
  type StateRun,
} from './interpreter';
import type { PathLookup } from './json-path';
import { isObject, jsonTypeName } from './json-values';
import { evaluateTemplate, evaluateTyped, jsonataExpression } from './jsonata-eval';
import { compileTemplate } from './payload-template';
import { lookupReference } from './references';
import { AbortScope, BranchAborted, type Frame, type QueryLanguage, type StatesBlock } from './types';

interface Branch {
  readonly block: StatesBlock;
  readonly input: unknown;
  readonly frame: Frame;
}

type BranchOutcome = 'Succeeded' | 'Failed' | 'Aborted';

/** What the Map or Parallel state does around its branches. */
interface BranchHooks {
  readonly onStart: (index: number, frame: Frame) => void;
  readonly onEnd: (index: number, frame: Frame, outcome: BranchOutcome) => void;
  /** Whether this many failed branches still let the rest run. */
  readonly tolerates: (failures: number) => boolean;
}

/** The branches' results so far (a failed branch's is its error), and the failure that stopped them. */
interface BranchTally {
  readonly results: unknown[];
  failures: number;
  failure?: StatesError;
}

/** Runs branches with at most `limit` at once; the first failure not tolerated stops the rest. */
async function runBranches(
  run: StateRun,
  branches: readonly (() => Branch)[],
  limit: number,
  scope: AbortScope,
  hooks: BranchHooks,
): Promise<unknown[]> {
  const { host } = run;
  const tally: BranchTally = { results: new Array(branches.length).fill(null), failures: 0 };
  let nextIndex = 0;
  const worker = async () => {
    while (nextIndex < branches.length && !scope.isAborted) {
      const index = nextIndex++;
      const branch = (branches[index] as () => Branch)();
      const turn = host.scheduler.acquire(branch.frame.order);
      if (turn) await turn;
      if (scope.isAborted) {
        host.scheduler.release();
        return;
      }
      hooks.onStart(index, branch.frame);
      try {
        tally.results[index] = await runStates(branch.block, branch.input, branch.frame, host);
        hooks.onEnd(index, branch.frame, 'Succeeded');
      } catch (thrown) {
        branchFailed(thrown, index, branch.frame, scope, hooks, tally);
      } finally {
        host.scheduler.release();
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, branches.length)) }, worker);
  await host.scheduler.whileBlocked(run.frame.order, run.frame.abort.race(Promise.all(workers)));
  if (tally.failure) throw tally.failure;
  return tally.results;
}

/** Records a branch that ended early; a failure beyond the tolerance aborts its siblings. */
function branchFailed(
  thrown: unknown,
  index: number,
  frame: Frame,
  scope: AbortScope,
  hooks: BranchHooks,
  tally: BranchTally,
): void {
  if (thrown instanceof BranchAborted) {
    hooks.onEnd(index, frame, 'Aborted');
    return;
  }
  const error = toStatesError(thrown);
  hooks.onEnd(index, frame, 'Failed');
  tally.failures++;
  tally.results[index] = {
    Error: error.error,
    ...(error.cause !== undefined ? { Cause: error.cause } : {}),
  };
  if (!hooks.tolerates(tally.failures)) {
    tally.failure ??= error;
    scope.abort('branch-failed');
  }
}

function childFrame(
  run: StateRun,
  order: number,
  history: History,
  scope: AbortScope,
  language = run.language,
  reportsAbortedState = false,
): Frame {
  return {
    variables: { ...run.frame.variables },
    thread: { last: run.frame.thread.last },
    history,
    order: [...run.frame.order, order],
    abort: scope,
    queryLanguage: language,
    topLevel: false,
    reportsAbortedState,
  };
}

/** Numeric Map settings: a literal, a `...Path` (whose text may hold the number), or a JSONata expression. */
async function numericSetting(
  run: StateRun,
  field: string,
  kind: 'integer' | 'float',
): Promise<number | undefined> {
  const setting = await readSetting(run, field);
  if (!setting) return undefined;
  const value = 'path' in setting ? numberAtPath(setting, `${field}Path`, kind) : setting.given;
  if (typeof value !== 'number') {
    throw invalidSetting(run, `The ${field} field must be a number but was: ${JSON.stringify(value)}`);
  }
  return value;
}

function numberAtPath(
  { path, found }: { readonly path: string; readonly found: PathLookup },
  pathField: string,
  kind: 'integer' | 'float',
): number {
  const value =
    typeof found.value === 'string' && found.value.trim() !== '' ? Number(found.value) : found.value;
  const valid =
    typeof value === 'number' && !Number.isNaN(value) && (kind === 'float' || Number.isInteger(value));
  if (found.found && valid) return value;
  const shown = valid
    ? String(value)
    : typeof found.value === 'string'
      ? found.value
      : JSON.stringify(found.value);
  throw runtimeError(
    `The ${pathField} field refers to value "${shown}" which is not a valid ${kind}: ${path}`,
  );
}

async function mapItems(run: StateRun): Promise<unknown[]> {
  const { state } = run;
  if (run.language === 'JSONata') {
    if ('Items' in state) {
      if (jsonataExpression(state.Items) === undefined) {
        if (!Array.isArray(state.Items)) throw queryEvaluationError('The Items field must be an array');
        return (await evaluateTemplate(state.Items, run.bindings(), 'Items')) as unknown[];
      }
      return (await evaluateTyped(state.Items, run.bindings(), 'Items', 'array')) as unknown[];
    }
    if (!Array.isArray(run.rawInput)) {
      throw queryEvaluationError(`Map state input must be an array but was: ${JSON.stringify(run.rawInput)}`);
    }
    return run.rawInput;
  }
  const path = typeof state.ItemsPath === 'string' ? state.ItemsPath : '$';
  const found = lookupReference(path, run.scope());
  if (!found.found)
    throw runtimeError(`Invalid path '${path}': The ItemsPath field could not be found in the input`);
  if (!Array.isArray(found.value)) {
    throw runtimeError(
      `The ItemsPath field must reference an array but was ${jsonTypeName(found.value)}: ${JSON.stringify(found.value)}`,
    );
  }
  return found.value;
}

/** Groups items as `{ Items: [...] }` batches when an ItemBatcher is configured. */
function batched(run: StateRun, items: unknown[]): unknown[] {
  const batcher = run.state.ItemBatcher;
  if (!isObject(batcher)) return items;
  const size = typeof batcher.MaxItemsPerBatch === 'number' ? batcher.MaxItemsPerBatch : items.length || 1;
  const batches: unknown[] = [];
  for (let index = 0; index < items.length; index += size) {
    batches.push({
      ...(isObject(batcher.BatchInput) ? { BatchInput: batcher.BatchInput } : {}),
      Items: items.slice(index, index + size),
    });
  }
  return batches;
}

async function itemInput(run: StateRun, item: unknown, index: number): Promise<unknown> {
  const { state } = run;
  const context = { ...run.context, Map: { Item: { Index: index, Value: item } } };
  if (run.language === 'JSONata') {
    if (!('ItemSelector' in state)) return item;
    return evaluateTemplate(
      state.ItemSelector,
      { variables: run.frame.variables, states: { input: run.rawInput, context } },
      'ItemSelector',
    );
  }
  const selector = isObject(state.ItemSelector)
    ? state.ItemSelector
    : isObject(state.Parameters)
      ? state.Parameters
      : undefined;
  if (!selector) return item;
  return compileTemplate(selector)({ input: run.effectiveInput, context, variables: run.frame.variables });
}

export async function map(run: StateRun): Promise<StateResult> {
  const { frame, host } = run;
  const block = itemProcessor(run);
  const distributed = isObject(block.ProcessorConfig) && block.ProcessorConfig.Mode === 'DISTRIBUTED';

  const items = batched(run, await mapItems(run));
  const maxConcurrency = (await numericSetting(run, 'MaxConcurrency', 'integer')) ?? 0;
  if (maxConcurrency < 0) {
    // AWS accepts a negative MaxConcurrencyPath value and then never makes progress.
    await host.scheduler.whileBlocked(frame.order, frame.abort.race(new Promise<never>(() => undefined)));
  }
  frame.history.add(frame.thread, 'MapStateStarted', { length: items.length });
  const tolerance = await failureTolerance(run, items.length);

  const scope = new AbortScope(frame.abort);
  const language = blockLanguage(run, block);
  const inputs: unknown[] = [];
  for (let index = 0; index < items.length; index++) inputs.push(await itemInput(run, items[index], index));

  const childHistory = distributed ? startMapRun(run) : frame.history;
  const branches = inputs.map((input, index) => () => ({
    block,
    input,
    frame: childFrame(run, index, childHistory, scope, language),
  }));
  const iterationEvent = (type: string) => (index: number, child: Frame) => {
    if (!distributed) child.history.add(child.thread, `MapIteration${type}`, { name: run.name, index });
  };
  const hooks: BranchHooks = {
    onStart: iterationEvent('Started'),
    onEnd: (index, child, outcome) => iterationEvent(outcome)(index, child),
    tolerates: tolerance ?? (() => false),
  };
  try {
    const limit = maxConcurrency === 0 ? items.length : maxConcurrency;
    const results = await runBranches(run, branches, limit, scope, hooks).catch((error: unknown) => {
      if (error instanceof BranchAborted || !tolerance) throw error;
      throw new StatesError(
        'States.ExceedToleratedFailureThreshold',
        'The specified tolerated failure threshold was exceeded',
      );
    });
    if (distributed) frame.history.add(frame.thread, 'MapRunSucceeded');
    frame.history.add(frame.thread, 'MapStateSucceeded');
    return { result: results };
  } catch (error) {
    if (distributed && !(error instanceof BranchAborted)) mapRunFailed(run, toStatesError(error));
    throw error;
  }
}

/** The block each item runs: ItemProcessor, or the older Iterator. */
function itemProcessor(run: StateRun): StatesBlock & { readonly ProcessorConfig?: unknown } {
  const { state } = run;
  const processor = (isObject(state.ItemProcessor) ? state.ItemProcessor : state.Iterator) as unknown;
  if (!isObject(processor)) throw runtimeError('A Map state needs an ItemProcessor');
  return processor as unknown as StatesBlock & { readonly ProcessorConfig?: unknown };
}

/** A child block's query language: its own, else the state's. */
function blockLanguage(run: StateRun, block: StatesBlock): QueryLanguage {
  return languageOf(
    { Type: run.state.Type, ...(block.QueryLanguage ? { QueryLanguage: block.QueryLanguage } : {}) },
    run.language,
  );
}

/**
 * ToleratedFailureCount / ToleratedFailurePercentage: whether a number of failed items is still tolerated,
 * or undefined when the state sets neither (the first failure then fails the Map).
 */
async function failureTolerance(
  run: StateRun,
  itemCount: number,
): Promise<((failures: number) => boolean) | undefined> {
  const toleratedCount = await numericSetting(run, 'ToleratedFailureCount', 'integer');
  if (toleratedCount !== undefined && toleratedCount < 0)
    throw runtimeError('ToleratedFailureCount cannot be negative.');
  const toleratedPercentage = await numericSetting(run, 'ToleratedFailurePercentage', 'float');
  if (toleratedPercentage !== undefined && (toleratedPercentage < 0 || toleratedPercentage > 100)) {
    throw runtimeError('ToleratedFailurePercentage must be between 0 and 100.');
  }
  if (toleratedCount === undefined && toleratedPercentage === undefined) return undefined;
  return (failures) =>
    (toleratedCount !== undefined && failures <= toleratedCount) ||
    (toleratedPercentage !== undefined && (failures / itemCount) * 100 <= toleratedPercentage);
}

/** A distributed Map's items run in a Map Run with a history of its own. */
function startMapRun(run: StateRun): History {
  const { state, frame, host } = run;
  const label = typeof state.Label === 'string' ? state.Label : run.name;
  const mapRunArn = `${String(host.contextBase.StateMachine.Id).replace(':stateMachine:', ':mapRun:')}/${label}:${crypto.randomUUID()}`;
  frame.history.add(frame.thread, 'MapRunStarted', { mapRunArn });
  return new History(() => host.clock.now());
}

function mapRunFailed(run: StateRun, failure: StatesError): void {
  run.frame.history.add(run.frame.thread, 'MapRunFailed', {
    error: failure.error,
    ...(failure.cause ? { cause: failure.cause } : {}),
  });
}

export async function parallel(run: StateRun): Promise<StateResult> {
  const { state, frame } = run;
  const blocks = Array.isArray(state.Branches) ? (state.Branches as StatesBlock[]) : [];
  frame.history.add(frame.thread, 'ParallelStateStarted');
  const scope = new AbortScope(frame.abort);
  const input =
    run.language === 'JSONata' && 'Arguments' in state
      ? await evaluateTemplate(state.Arguments, run.bindings(), 'Arguments')
      : run.language === 'JSONPath' && isObject(state.Parameters)
        ? compileTemplate(state.Parameters)(run.scope())
        : run.effectiveInput;
  const branches = blocks.map((block, index) => () => ({
    block,
    input,
    frame: childFrame(run, index, frame.history, scope, blockLanguage(run, block), true),
  }));
  const results = await runBranches(run, branches, blocks.length, scope, {
    onStart: () => undefined,
    onEnd: () => undefined,
    tolerates: () => false,
  });
  frame.history.add(frame.thread, 'ParallelStateSucceeded');
  return { result: results };
}
