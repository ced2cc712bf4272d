/**
 * JSONPath payload templates (Parameters, ResultSelector, ItemSelector, Assign, Arguments of a JSONPath
 * state): a key ending in `.$` takes its value from a path, the context object, a variable or an intrinsic
 * function. Each template is compiled once into a builder; subtrees without `.$` keys are shared as-is.
 */
import { evaluateIntrinsic, isIntrinsic } from './intrinsics';
import { isObject } from './json-values';
import { type DataScope, resolveReference } from './references';

export type Builder = (scope: DataScope) => unknown;

const compiled = new WeakMap<object, Builder>();

export function compileTemplate(template: unknown): Builder {
  if (template === null || typeof template !== 'object') return () => template;
  let builder = compiled.get(template);
  if (!builder) {
    builder = build(template) ?? (() => template);
    compiled.set(template, builder);
  }
  return builder;
}

/** A builder, or undefined when the subtree has no dynamic field and can be shared. */
function build(node: unknown): Builder | undefined {
  if (Array.isArray(node)) {
    const items = node.map((item) => build(item));
    if (items.every((item) => item === undefined)) return undefined;
    return (scope) => items.map((item, index) => (item ? item(scope) : node[index]));
  }
  if (!isObject(node)) return undefined;
  const fields: Array<{ key: string; builder: Builder | undefined; literal: unknown }> = [];
  let dynamic = false;
  for (const [key, value] of Object.entries(node)) {
    if (key.endsWith('.$') && typeof value === 'string') {
      dynamic = true;
      fields.push({ key: key.slice(0, -2), builder: expressionBuilder(value, key), literal: undefined });
    } else {
      const builder = build(value);
      if (builder) dynamic = true;
      fields.push({ key, builder, literal: value });
    }
  }
  if (!dynamic) return undefined;
  return (scope) => {
    const result: Record<string, unknown> = {};
    for (const field of fields) result[field.key] = field.builder ? field.builder(scope) : field.literal;
    return result;
  };
}

/** The value of one `.$` field: an intrinsic function call or a path. */
export function expressionBuilder(expression: string, field: string): Builder {
  if (isIntrinsic(expression)) {
    return (scope) => evaluateIntrinsic(expression, (path) => resolveReference(path, scope, field));
  }
  return (scope) => resolveReference(expression, scope, field);
}
