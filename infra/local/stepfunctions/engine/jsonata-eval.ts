/**
 * JSONata as Step Functions uses it: `{% expression %}` strings inside a state's fields, evaluated with
 * `$states` and the workflow variables bound, plus AWS's added functions. Expressions are compiled once.
 */
import { randomUUID } from 'node:crypto';
import jsonata from 'jsonata';
import { queryEvaluationError, StatesError } from './errors';
import { arrayRange, hashText, parseJsonText, partition, seededRandom } from './intrinsics';
import { isObject, jsonTypeName } from './json-values';

export interface JsonataBindings {
  readonly states: Record<string, unknown>;
  readonly variables: Readonly<Record<string, unknown>>;
}

const expressions = new Map<string, jsonata.Expression>();
const EXPRESSION = /^\{%([\s\S]*)%\}$/;

/** The expression inside `{% ... %}`, or undefined for a plain value. */
export function jsonataExpression(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const match = EXPRESSION.exec(value);
  return match ? (match[1] as string).trim() : undefined;
}

function compile(text: string, field: string): jsonata.Expression {
  let expression = expressions.get(text);
  if (!expression) {
    try {
      expression = jsonata(text);
    } catch (error) {
      throw queryEvaluationError(
        `The JSONata expression '${text}' specified for the field '${field}' could not be parsed. ${describe(error)}`,
      );
    }
    registerAwsFunctions(expression);
    expressions.set(text, expression);
  }
  return expression;
}

function describe(error: unknown): string {
  if (error instanceof StatesError) return error.cause ?? error.error;
  // JSONata throws plain objects carrying a code and a message.
  if (error !== null && typeof error === 'object') {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === 'string') return `${code}: ${String(message)}`;
    if (typeof message === 'string') return message;
  }
  return String(error);
}

function registerAwsFunctions(expression: jsonata.Expression): void {
  expression.registerFunction('partition', (array: unknown, size: unknown) =>
    partition(Array.isArray(array) ? array : [array], Number(size)),
  );
  // AWS's $range yields a JSONata sequence, so a one-element range collapses to its value.
  expression.registerFunction('range', (start: unknown, end: unknown, step: unknown) => {
    const values = arrayRange(Number(start), Number(end), Number(step));
    return values.length === 1 ? values[0] : values;
  });
  expression.registerFunction('hash', (data: unknown, algorithm: unknown) => hashText(data, algorithm));
  expression.registerFunction('random', (seed?: unknown) =>
    seed === undefined ? Math.random() : seededRandom(Number(seed))(),
  );
  expression.registerFunction('uuid', () => randomUUID());
  expression.registerFunction('parse', (text: unknown) => parseJsonText(String(text)));
}

const isFunctionValue = (value: unknown): boolean =>
  typeof value === 'function' || (isObject(value) && value._jsonata_lambda === true);

/** Turns JSONata sequences into plain arrays and rejects values JSON cannot hold. */
function toJson(value: unknown, text: string, field: string): unknown {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'function') throw unsupported(text, field);
    return value;
  }
  if (isFunctionValue(value)) throw unsupported(text, field);
  return JSON.parse(JSON.stringify(value));
}

const unsupported = (text: string, field: string): StatesError =>
  queryEvaluationError(
    `The JSONata expression '${text}' specified for the field '${field}' returned an unsupported result type.`,
  );

export async function evaluateExpression(
  text: string,
  bindings: JsonataBindings,
  field: string,
): Promise<unknown> {
  const expression = compile(text, field);
  let result: unknown;
  try {
    result = await expression.evaluate(null, { ...bindings.variables, states: bindings.states });
  } catch (error) {
    throw queryEvaluationError(
      `The JSONata expression '${text}' specified for the field '${field}' threw an error during evaluation. ${describe(error)}`,
    );
  }
  if (result === undefined) {
    throw queryEvaluationError(
      `The JSONata expression '${text}' specified for the field '${field}' returned nothing (undefined).`,
    );
  }
  return toJson(result, text, field);
}

/** Evaluates every `{% %}` string inside a JSON template (Arguments, Output, Assign values...). */
export async function evaluateTemplate(
  template: unknown,
  bindings: JsonataBindings,
  field: string,
): Promise<unknown> {
  const text = jsonataExpression(template);
  if (text !== undefined) return evaluateExpression(text, bindings, field);
  if (Array.isArray(template)) {
    const items: unknown[] = [];
    for (let index = 0; index < template.length; index++) {
      items.push(await evaluateTemplate(template[index], bindings, `${field}[${index}]`));
    }
    return items;
  }
  if (isObject(template)) {
    const result: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(template)) {
      result[key] = await evaluateTemplate(value, bindings, `${field}/${key}`);
    }
    return result;
  }
  return template;
}

/** Evaluates a field that must produce a given JSON type (Items → array, Seconds → number...). */
export async function evaluateTyped(
  template: unknown,
  bindings: JsonataBindings,
  field: string,
  expected: 'array' | 'number' | 'string' | 'boolean',
): Promise<unknown> {
  const value = await evaluateTemplate(template, bindings, field);
  if (jsonTypeName(value) !== expected) {
    const text = jsonataExpression(template) ?? JSON.stringify(template);
    throw queryEvaluationError(
      `The JSONata expression '${text}' specified for the field '${field}' returned an unexpected result type. Expected '${expected}', but was '${jsonTypeName(value)}' for value: ${JSON.stringify(value)}`,
    );
  }
  return value;
}
