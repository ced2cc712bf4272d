/**
 * A JSONPath reference as it appears in a `.$` field, a Choice `Variable` or an intrinsic argument: into the
 * state input (`$.x`), the context object (`$$.x`) or a variable (`$name.x`). Compiled once per text.
 */
import { runtimeError } from './errors';
import { type CompiledPath, compilePath, lookup, type PathLookup } from './json-path';

export interface DataScope {
  readonly input: unknown;
  readonly context: unknown;
  readonly variables: Readonly<Record<string, unknown>>;
}

interface Reference {
  readonly source: 'input' | 'context' | 'variable';
  readonly variable?: string;
  readonly path: CompiledPath;
}

const cache = new Map<string, Reference>();
const VARIABLE = /^\$([A-Za-z_][A-Za-z0-9_]*)/;

function compileReference(text: string): Reference {
  let reference = cache.get(text);
  if (reference) return reference;
  if (text.startsWith('$$')) reference = { source: 'context', path: compilePath(text.slice(1)) };
  else {
    const variable = VARIABLE.exec(text);
    reference = variable?.[1]
      ? { source: 'variable', variable: variable[1], path: compilePath(`$${text.slice(variable[0].length)}`) }
      : { source: 'input', path: compilePath(text) };
  }
  cache.set(text, reference);
  return reference;
}

export function lookupReference(text: string, scope: DataScope): PathLookup {
  const reference = compileReference(text);
  if (reference.source === 'input') return lookup(reference.path, scope.input);
  if (reference.source === 'context') return lookup(reference.path, scope.context);
  const name = reference.variable as string;
  if (!Object.hasOwn(scope.variables, name)) return { found: false, value: undefined };
  return lookup(reference.path, scope.variables[name]);
}

/** Resolves a reference for a payload field, failing as AWS does when it selects nothing. */
export function resolveReference(text: string, scope: DataScope, field: string): unknown {
  const result = lookupReference(text, scope);
  if (!result.found) {
    throw runtimeError(
      `The JSONPath '${text}' specified for the field '${field}' could not be found in the input '${JSON.stringify(scope.input)}'`,
    );
  }
  return result.value;
}
