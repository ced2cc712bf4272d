/**
 * The JSONPath subset EventBridge evaluates in InputPath and InputPathsMap: `$`, dot names (with dashes,
 * underscores, slashes), `['name']`, array indexes and `*` wildcards.
 */
type Step =
  | { readonly kind: 'name'; readonly name: string }
  | { readonly kind: 'index'; readonly index: number }
  | { readonly kind: 'all' };

const cache = new Map<string, Step[]>();

export class JsonPathSyntaxError extends Error {}

export function parseJsonPath(path: string): Step[] {
  const cached = cache.get(path);
  if (cached) return cached;
  if (!path.startsWith('$')) throw new JsonPathSyntaxError(`"${path}" does not start with $`);
  const steps: Step[] = [];
  const pattern = /\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\[\*\]/y;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < path.length) {
    const match = pattern.exec(path);
    if (!match) throw new JsonPathSyntaxError(`"${path}" is not a supported JSON path`);
    const [, dotted, index, quoted] = match;
    if (dotted !== undefined) steps.push(dotted === '*' ? { kind: 'all' } : { kind: 'name', name: dotted });
    else if (index !== undefined) steps.push({ kind: 'index', index: Number(index) });
    else if (quoted !== undefined) steps.push({ kind: 'name', name: quoted });
    else steps.push({ kind: 'all' });
  }
  cache.set(path, steps);
  return steps;
}

/** The value at `path`, undefined when absent; a path with a wildcard yields the list of what it reached. */
export function readJsonPath(root: unknown, path: string): unknown {
  const steps = parseJsonPath(path);
  let values: unknown[] = [root];
  for (const step of steps) values = values.flatMap((value) => takeStep(value, step));
  return steps.some((step) => step.kind === 'all') ? values : values[0];
}

/** What one step reaches from `value`: nothing, one value, or (for `*`) all of its members. */
function takeStep(value: unknown, step: Step): unknown[] {
  if (typeof value !== 'object' || value === null) return [];
  if (step.kind === 'all') return Object.values(value);
  if (step.kind === 'index') {
    return Array.isArray(value) && step.index < value.length ? [value[step.index]] : [];
  }
  return !Array.isArray(value) && Object.hasOwn(value, step.name)
    ? [(value as Record<string, unknown>)[step.name]]
    : [];
}
