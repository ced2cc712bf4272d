/** Pass, Choice, Wait, Succeed and Fail: the states that do not call out or branch. */
import { evaluateRule } from './choice';
import { queryEvaluationError, runtimeError, StatesError } from './errors';
import { checkpointState, type StateResult, type StateRun, sleepUntil } from './interpreter';
import { isObject } from './json-values';
import { evaluateExpression, evaluateTemplate, jsonataExpression } from './jsonata-eval';
import { compileTemplate, expressionBuilder } from './payload-template';
import { lookupReference } from './references';
import { parseTimestamp } from './timestamps';

export function pass(run: StateRun): StateResult {
  const { state } = run;
  if (run.language === 'JSONata') return { result: run.rawInput };
  if ('Result' in state) return { result: state.Result };
  if (isObject(state.Parameters)) return { result: compileTemplate(state.Parameters)(run.scope()) };
  return { result: run.effectiveInput };
}

export function choice(run: StateRun): StateResult | Promise<StateResult> {
  const choices = Array.isArray(run.state.Choices) ? run.state.Choices : [];
  if (run.language === 'JSONata') return chooseJsonata(run, choices);
  for (const candidate of choices) {
    if (isObject(candidate) && evaluateRule(candidate, run.scope())) return chosen(run, candidate);
  }
  return otherwise(run);
}

async function chooseJsonata(run: StateRun, choices: unknown[]): Promise<StateResult> {
  for (const candidate of choices) {
    if (isObject(candidate) && (await conditionHolds(run, candidate.Condition)))
      return chosen(run, candidate);
  }
  return otherwise(run);
}

function otherwise(run: StateRun): StateResult {
  if (typeof run.state.Default === 'string') return { result: run.effectiveInput, next: run.state.Default };
  throw new StatesError('States.NoChoiceMatched', 'No Matches!');
}

/** A matched rule can carry its own Assign/Output, which take the place of the state's. */
function chosen(run: StateRun, rule: Record<string, unknown>): StateResult {
  const fields = pick(rule, ['Assign', 'Output']);
  return {
    result: run.effectiveInput,
    next: String(rule.Next),
    ...(Object.keys(fields).length > 0 ? { fields } : {}),
  };
}

const pick = (source: Record<string, unknown>, keys: string[]): Record<string, unknown> =>
  Object.fromEntries(keys.filter((key) => key in source).map((key) => [key, source[key]]));

async function conditionHolds(run: StateRun, condition: unknown): Promise<boolean> {
  if (typeof condition === 'boolean') return condition;
  const text = jsonataExpression(condition);
  if (text === undefined) throw runtimeError('A JSONata Choice rule needs a Condition');
  const value = await evaluateExpression(text, run.bindings(), 'Condition');
  if (typeof value !== 'boolean') {
    throw queryEvaluationError(
      `The JSONata expression '${text}' specified for the field 'Condition' returned an unexpected result type. Expected 'boolean', but was '${typeof value}' for value: ${JSON.stringify(value)}`,
    );
  }
  return value;
}

/** Wait delays longer than this (2^31-1 seconds) are refused. */
const MAX_WAIT_SECONDS = 2_147_483_647;

export async function wait(run: StateRun): Promise<StateResult> {
  const until = run.resume?.kind === 'wait' ? run.resume.until : await waitUntil(run);
  if ((until - run.host.clock.now()) / 1000 > MAX_WAIT_SECONDS)
    throw runtimeError('Wait state delay is too long.');
  if (run.resume?.kind !== 'wait') {
    checkpointState(run.host, run.frame, run.name, run.rawInput, {
      enteredEventId: run.enteredEventId,
      resume: { kind: 'wait', until },
    });
  }
  await sleepUntil(run.host, run.frame, until);
  return { result: run.effectiveInput };
}

/** When the Wait state ends: from Seconds or Timestamp, or (JSONPath) their `...Path` references. */
async function waitUntil(run: StateRun): Promise<number> {
  const now = run.host.clock.now();
  return run.language === 'JSONata' ? jsonataWaitUntil(run, now) : jsonPathWaitUntil(run, now);
}

async function jsonataWaitUntil(run: StateRun, now: number): Promise<number> {
  const { state } = run;
  if ('Seconds' in state) {
    const seconds = await evaluateTemplate(state.Seconds, run.bindings(), 'Seconds');
    if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < 0) {
      throw queryEvaluationError(
        `The Seconds field must be a non-negative integer: ${JSON.stringify(seconds)}`,
      );
    }
    return now + seconds * 1000;
  }
  const timestamp = await evaluateTemplate(state.Timestamp, run.bindings(), 'Timestamp');
  const at = parseTimestamp(timestamp);
  if (at === undefined) {
    throw queryEvaluationError(
      `The Timestamp field cannot be parsed as an ISO-8601 extended offset date-time format string: ${String(timestamp)}`,
    );
  }
  return at;
}

function jsonPathWaitUntil(run: StateRun, now: number): number {
  const { state } = run;
  if (typeof state.Seconds === 'number') return now + state.Seconds * 1000;
  if (typeof state.Timestamp === 'string') {
    const at = parseTimestamp(state.Timestamp);
    if (at === undefined)
      throw runtimeError(`The Timestamp field is not a valid ISO-8601 timestamp: ${state.Timestamp}`);
    return at;
  }
  if (typeof state.SecondsPath === 'string') return now + secondsAtPath(run, state.SecondsPath) * 1000;
  return timestampAtPath(run, String(state.TimestampPath));
}

function secondsAtPath(run: StateRun, path: string): number {
  const value = referencedValue(run, path, 'SecondsPath');
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw runtimeError(
      `The SecondsPath parameter cannot be parsed as a long value: ${path} == ${JSON.stringify(value)}`,
    );
  }
  if (value < 0)
    throw runtimeError(`The SecondsPath parameter references a negative value: ${path} == ${value}`);
  return value;
}

function timestampAtPath(run: StateRun, path: string): number {
  const value = referencedValue(run, path, 'TimestampPath');
  const at = parseTimestamp(value);
  if (at === undefined) {
    throw runtimeError(
      `The TimestampPath parameter does not reference a valid ISO-8601 extended offset date-time format string: ${path} == ${typeof value === 'string' ? value : JSON.stringify(value)}`,
    );
  }
  return at;
}

function referencedValue(run: StateRun, path: string, field: 'SecondsPath' | 'TimestampPath'): unknown {
  const found = lookupReference(path, run.scope());
  if (!found.found) throw runtimeError(`The ${field} parameter does not reference an input value: ${path}`);
  return found.value;
}

export function succeed(run: StateRun): StateResult {
  return { result: run.effectiveInput, end: true };
}

export async function fail(run: StateRun): Promise<StateResult> {
  const error = await failField(run, 'Error');
  const cause = await failField(run, 'Cause');
  throw new StatesError(error ?? '', cause, false);
}

async function failField(run: StateRun, field: 'Error' | 'Cause'): Promise<string | undefined> {
  const { state } = run;
  if (run.language === 'JSONata') {
    if (!(field in state)) return undefined;
    const value = await evaluateTemplate(state[field], run.bindings(), field);
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  if (typeof state[field] === 'string') return state[field] as string;
  const path = state[`${field}Path`];
  if (typeof path !== 'string') return undefined;
  const value = expressionBuilder(path, `${field}Path`)(run.scope());
  return typeof value === 'string' ? value : JSON.stringify(value);
}
