/**
 * Map (inline and distributed over inline items) and Parallel: run child blocks with their own frames,
 * collect their outputs in order, and stop the siblings of a branch that fails.
 */
import { queryEvaluationError, runtimeError, StatesError, toStatesError } from './errors';
import { History } from './history';
import { languageOf, registerHandlers, runStates, type StateResult, type StateRun } from './interpreter';
import { isObject, jsonTypeName } from './json-values';
import { evaluateTemplate, evaluateTyped, jsonataExpression } from './jsonata-eval';
import { compileTemplate } from './payload-template';
import { lookupReference } from './references';
import { AbortScope, BranchAborted, type Frame, type StatesBlock } from './types';

interface Branch {
  readonly block: StatesBlock;
  readonly input: unknown;
  readonly frame: Frame;
}

/** Runs branches with at most `limit` at once; the first failure (beyond `tolerated`) stops the rest. */
async function runBranches(
  run: StateRun,
  branches: readonly (() => Branch)[],
  limit: number,
  scope: AbortScope,
  onStart: (index: number, frame: Frame) => void,
  onEnd: (index: number, frame: Frame, outcome: 'Succeeded' | 'Failed' | 'Aborted') => void,
  tolerance: (failures: number) => boolean,
): Promise<unknown[]> {
  const { host } = run;
  const results: unknown[] = new Array(branches.length).fill(null);
  let failure: StatesError | undefined;
  let failures = 0;
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
      onStart(index, branch.frame);
      try {
        results[index] = await runStates(branch.block, branch.input, branch.frame, host);
        onEnd(index, branch.frame, 'Succeeded');
      } catch (thrown) {
        if (thrown instanceof BranchAborted) {
          onEnd(index, branch.frame, 'Aborted');
        } else {
          const error = toStatesError(thrown);
          onEnd(index, branch.frame, 'Failed');
          failures++;
          results[index] = {
            Error: error.error,
            ...(error.cause !== undefined ? { Cause: error.cause } : {}),
          };
          if (!tolerance(failures)) {
            failure ??= error;
            scope.abort('branch-failed');
          }
        }
      } finally {
        host.scheduler.release();
      }
    }
  };
  const workers = Array.from({ length: Math.max(1, Math.min(limit, branches.length)) }, worker);
  await host.scheduler.whileBlocked(run.frame.order, run.frame.abort.race(Promise.all(workers)));
  if (failure) throw failure;
  return results;
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

/** Integer-valued Map settings: a literal, a `...Path`, or a JSONata expression. */
async function numericSetting(
  run: StateRun,
  field: string,
  kind: 'integer' | 'float',
): Promise<number | undefined> {
  const { state } = run;
  let value: unknown;
  const pathField = `${field}Path`;
  if (field in state) {
    value =
      run.language === 'JSONata' ? await evaluateTemplate(state[field], run.bindings(), field) : state[field];
  } else if (typeof state[pathField] === 'string') {
    const path = state[pathField] as string;
    const found = lookupReference(path, run.scope());
    value = typeof found.value === 'string' && found.value.trim() !== '' ? Number(found.value) : found.value;
    const valid =
      typeof value === 'number' && !Number.isNaN(value) && (kind === 'float' || Number.isInteger(value));
    value = valid ? value : found.value;
    if (!found.found || !valid) {
      const shown = typeof value === 'string' ? value : JSON.stringify(value);
      throw runtimeError(
        `The ${pathField} field refers to value "${shown}" which is not a valid ${kind}: ${path}`,
      );
    }
  } else {
    return undefined;
  }
  if (typeof value !== 'number') {
    throw (run.language === 'JSONata' ? queryEvaluationError : runtimeError)(
      `The ${field} field must be a number but was: ${JSON.stringify(value)}`,
    );
  }
  return value;
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

async function map(run: StateRun): Promise<StateResult> {
  const { state, frame, host } = run;
  const processor = (isObject(state.ItemProcessor) ? state.ItemProcessor : state.Iterator) as unknown;
  if (!isObject(processor)) throw runtimeError('A Map state needs an ItemProcessor');
  const block = processor as unknown as StatesBlock;
  const config = isObject(processor.ProcessorConfig) ? processor.ProcessorConfig : {};
  const distributed = config.Mode === 'DISTRIBUTED';

  const items = batched(run, await mapItems(run));
  const maxConcurrency = (await numericSetting(run, 'MaxConcurrency', 'integer')) ?? 0;
  if (maxConcurrency < 0) {
    // AWS accepts a negative MaxConcurrencyPath value and then never makes progress.
    await host.scheduler.whileBlocked(frame.order, frame.abort.race(new Promise<never>(() => undefined)));
  }
  frame.history.add(frame.thread, 'MapStateStarted', { length: items.length });
  const toleratedCount = await numericSetting(run, 'ToleratedFailureCount', 'integer');
  if (toleratedCount !== undefined && toleratedCount < 0)
    throw runtimeError('ToleratedFailureCount cannot be negative.');
  const toleratedPercentage = await numericSetting(run, 'ToleratedFailurePercentage', 'float');
  if (toleratedPercentage !== undefined && (toleratedPercentage < 0 || toleratedPercentage > 100)) {
    throw runtimeError('ToleratedFailurePercentage must be between 0 and 100.');
  }
  const tolerance = (failures: number) =>
    (toleratedCount !== undefined && failures <= toleratedCount) ||
    (toleratedPercentage !== undefined && (failures / items.length) * 100 <= toleratedPercentage);

  const scope = new AbortScope(frame.abort);
  const language = languageOf(
    { Type: 'Map', ...(block.QueryLanguage ? { QueryLanguage: block.QueryLanguage } : {}) },
    run.language,
  );
  const inputs: unknown[] = [];
  for (let index = 0; index < items.length; index++) inputs.push(await itemInput(run, items[index], index));

  let childHistory = frame.history;
  if (distributed) {
    childHistory = new History(() => host.clock.now());
    const label = typeof state.Label === 'string' ? state.Label : run.name;
    const mapRunArn = `${String(host.contextBase.StateMachine.Id).replace(':stateMachine:', ':mapRun:')}/${label}:${crypto.randomUUID()}`;
    frame.history.add(frame.thread, 'MapRunStarted', { mapRunArn });
  }
  const branches = inputs.map((input, index) => () => ({
    block,
    input,
    frame: childFrame(run, index, childHistory, scope, language),
  }));
  const iterationEvent = (type: string) => (index: number, child: Frame) => {
    if (!distributed) child.history.add(child.thread, `MapIteration${type}`, { name: run.name, index });
  };
  try {
    const results = await runBranches(
      run,
      branches,
      maxConcurrency === 0 ? items.length : maxConcurrency,
      scope,
      iterationEvent('Started'),
      (index, child, outcome) => iterationEvent(outcome)(index, child),
      (failures) =>
        toleratedCount !== undefined || toleratedPercentage !== undefined ? tolerance(failures) : false,
    ).catch((error: unknown) => {
      if (
        error instanceof BranchAborted ||
        (toleratedCount === undefined && toleratedPercentage === undefined)
      )
        throw error;
      throw new StatesError(
        'States.ExceedToleratedFailureThreshold',
        'The specified tolerated failure threshold was exceeded',
      );
    });
    if (distributed) frame.history.add(frame.thread, 'MapRunSucceeded');
    frame.history.add(frame.thread, 'MapStateSucceeded');
    return { result: results };
  } catch (error) {
    if (distributed && !(error instanceof BranchAborted)) {
      const failure = toStatesError(error);
      frame.history.add(frame.thread, 'MapRunFailed', {
        error: failure.error,
        ...(failure.cause ? { cause: failure.cause } : {}),
      });
    }
    throw error;
  }
}

async function parallel(run: StateRun): Promise<StateResult> {
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
    frame: childFrame(
      run,
      index,
      frame.history,
      scope,
      languageOf(
        { Type: 'Parallel', ...(block.QueryLanguage ? { QueryLanguage: block.QueryLanguage } : {}) },
        run.language,
      ),
      true,
    ),
  }));
  const results = await runBranches(
    run,
    branches,
    blocks.length,
    scope,
    () => undefined,
    () => undefined,
    () => false,
  );
  frame.history.add(frame.thread, 'ParallelStateSucceeded');
  return { result: results };
}

registerHandlers({ Map: map, Parallel: parallel });
