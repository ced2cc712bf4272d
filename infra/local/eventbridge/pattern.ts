/**
 * The EventBridge event-pattern language, compiled once per rule into closures.
 *
 * A pattern is validated with AWS's error texts, then turned into a tree of small functions: one per field
 * (its terms fused by pattern-terms), one per nested object, one per `$or`. Matching an event then walks only
 * the paths the pattern names. Semantics follow AWS (event-ruler): arrays in the event are flattened, fields
 * under one array element must match within that same element, and keys joined with dots are the same path
 * as nested keys, in the pattern and in the event.
 */
import { AwsServiceError } from '../edge/contracts';
import { describeJsonError } from './json-error';
import { type CompiledField, compileField, PatternError } from './pattern-terms';
import { wildcardComplexity } from './wildcard';

export type EventMatcher = ((event: object) => boolean) & {
  /** The same test on an event already passed through `prepareEvent` (one preparation serves all rules). */
  readonly prepared: (event: PreparedEvent) => boolean;
  /** When the pattern only accepts these exact `source` strings: lets an index skip the rule cheaply. */
  readonly sources: readonly string[] | undefined;
};

declare const preparedBrand: unique symbol;
export type PreparedEvent = { readonly [preparedBrand]: true };

const REASON_PREFIX = 'Event pattern is not valid. Reason: ';
/** Above this many live wildcard positions on one field, AWS refuses the rule. */
const WILDCARD_COMPLEXITY_LIMIT = 10;
const OPERATOR_NAMES = new Set([
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'exists',
  'numeric',
  'cidr',
  'anything-but',
]);

export const invalidPattern = (reason: string): AwsServiceError =>
  new AwsServiceError('InvalidEventPatternException', `${REASON_PREFIX}${reason}`, 400);

interface PatternNode {
  readonly terms: unknown[];
  readonly children: Map<string, PatternNode>;
  readonly alternatives: PatternNode[][];
}

const newNode = (): PatternNode => ({ terms: [], children: new Map(), alternatives: [] });

/** A node's terms compiled once, however many passes (complexity, generation, absence) look at them. */
const compiledFields = new WeakMap<PatternNode, CompiledField>();
function fieldOf(node: PatternNode): CompiledField {
  let field = compiledFields.get(node);
  if (!field) {
    field = compileField(node.terms);
    compiledFields.set(node, field);
  }
  return field;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses (if text), validates and compiles a pattern; throws InvalidEventPatternException as AWS does. */
export function compileEventPattern(pattern: unknown): EventMatcher {
  const parsed = typeof pattern === 'string' ? parsePatternText(pattern) : pattern;
  if (!isPlainObject(parsed)) throw invalidPattern('Filter is not an object');
  try {
    const root = newNode();
    addObject(root, parsed);
    checkWildcardComplexity(root);
    const prepared = generateMatcher(root) as (event: PreparedEvent) => boolean;
    const matcher = (event: object): boolean => prepared(prepareEvent(event));
    return Object.assign(matcher, { prepared, sources: exactSources(root) });
  } catch (error) {
    if (error instanceof PatternError) throw invalidPattern(error.message);
    throw error;
  }
}

function parsePatternText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw invalidPattern(describeJsonError(text));
  }
}

/** TestEventPattern: the event must be a JSON object with AWS's envelope fields. */
/** TestEventPattern; either member may be missing or of any JSON type on the wire. */
export function testEventPattern(pattern: unknown, eventJson: string | undefined): boolean {
  const matcher = compileEventPattern(pattern);
  let event: unknown;
  try {
    event = eventJson === undefined ? undefined : JSON.parse(eventJson);
  } catch {
    event = undefined;
  }
  const required = ['id', 'account', 'source', 'time', 'region', 'detail-type'];
  if (!isPlainObject(event) || !required.every((field) => Object.hasOwn(event as object, field))) {
    throw new AwsServiceError('ValidationException', 'Parameter Event is not valid.', 400);
  }
  return matcher(event);
}

// ---- building the pattern tree ----

function addObject(node: PatternNode, pattern: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(pattern)) {
    if (key === '$or' && isOrPrimitive(value)) {
      node.alternatives.push(
        value.map((alternative) => {
          const branch = newNode();
          addObject(branch, alternative);
          return branch;
        }),
      );
      continue;
    }
    const target = descend(node, key);
    if (Array.isArray(value)) {
      if (value.length === 0) throw new PatternError('Empty arrays are not allowed');
      target.terms.push(...value);
    } else if (isPlainObject(value)) {
      addObject(target, value);
    } else {
      throw new PatternError(`"${key}" must be an object or an array`);
    }
  }
}

/** `$or` is the OR primitive only as a list of 2+ sub-patterns; otherwise it is an ordinary field name. */
function isOrPrimitive(value: unknown): value is Record<string, unknown>[] {
  return (
    Array.isArray(value) &&
    value.length >= 2 &&
    value.every((item) => isPlainObject(item) && !Object.keys(item).some((key) => OPERATOR_NAMES.has(key)))
  );
}

/** A dotted key names the same path as the nested keys it joins. */
function descend(node: PatternNode, key: string): PatternNode {
  let current = node;
  for (const segment of key.split('.')) {
    let child = current.children.get(segment);
    if (!child) {
      child = newNode();
      current.children.set(segment, child);
    }
    current = child;
  }
  return current;
}

function checkWildcardComplexity(root: PatternNode): void {
  const byPath = new Map<string, string[][]>();
  const collect = (node: PatternNode, path: string): void => {
    if (node.terms.length > 0) {
      const wildcards = fieldOf(node).wildcards;
      if (wildcards.length > 0) byPath.set(path, [...(byPath.get(path) ?? []), ...wildcards]);
    }
    for (const [key, child] of node.children) collect(child, `${path}.${key}`);
    for (const branches of node.alternatives) for (const branch of branches) collect(branch, path);
  };
  collect(root, '');
  for (const patterns of byPath.values()) {
    if (wildcardComplexity(patterns) > WILDCARD_COMPLEXITY_LIMIT) {
      throw new PatternError(
        'Rule is too complex - try using fewer wildcard characters or fewer repeating character sequences after a wildcard character',
      );
    }
  }
}

// ---- generating the matcher ----

type NodeTest = (value: unknown) => boolean;

/**
 * Emits one JavaScript function per pattern node, specialised to that rule (property names and exact
 * strings inlined, so each rule's code stays monomorphic); operators that need real work call the field
 * closures from pattern-terms.
 */
function generateMatcher(root: PatternNode): NodeTest {
  const helpers: unknown[] = [];
  const helper = (value: unknown): string => `h[${helpers.push(value) - 1}]`;
  const functions: string[] = [];

  const leafExpression = (node: PatternNode, variable: string): string => {
    const field = fieldOf(node);
    let onString: string;
    if (field.existsTrue) onString = 'true';
    else if (field.exactStringsOnly && field.exactStringsOnly.length <= 4) {
      const comparisons = field.exactStringsOnly.map((text) => `${variable} === ${JSON.stringify(text)}`);
      onString = comparisons.join(' || ') || 'false';
    } else onString = `${helper(field.testString)}(${variable})`;
    const onAbsent = String(field.existsFalse);
    return `(typeof ${variable} === 'string' ? (${onString}) : ${variable} === undefined ? ${onAbsent} : ${helper(field.test)}(${variable}))`;
  };

  /** Emits the function testing the value at `node`'s path; returns its name. */
  const emitNode = (node: PatternNode): string => {
    const name = `n${functions.length}`;
    functions.push(''); // reserve the slot so that children get later names
    const checks: string[] = [];
    if (node.terms.length > 0) checks.push(leafExpression(node, 'o'));
    const structure: string[] = [];
    // Leaf fields first: cheap, and usually decisive (source, detail-type).
    const children = [...node.children].sort(
      ([, a], [, b]) => Number(a.children.size > 0) - Number(b.children.size > 0),
    );
    for (const [key, child] of children) {
      const read =
        key in Object.prototype
          ? `(Object.hasOwn(o, ${JSON.stringify(key)}) ? o[${JSON.stringify(key)}] : undefined)`
          : `o[${JSON.stringify(key)}]`;
      if (child.children.size === 0 && child.alternatives.length === 0) {
        structure.push(`(v = ${read}, ${leafExpression(child, 'v')})`);
      } else {
        structure.push(`${emitNode(child)}(${read})`);
      }
    }
    for (const branches of node.alternatives) {
      structure.push(`(${branches.map((branch) => `${emitNode(branch)}(o)`).join(' || ')})`);
    }
    if (structure.length > 0) {
      // Not an object: every field below is absent, which is decided now, once.
      const absent = matchesAbsent({ ...node, terms: [] });
      checks.push(
        `(o === null || typeof o !== 'object' ? ${absent} : Array.isArray(o) ? (o.length === 0 ? ${absent} : some(o, ${name})) : (${structure.join(' && ')}))`,
      );
    }
    functions[Number(name.slice(1))] =
      `function ${name}(o) { let v; return ${checks.join(' && ') || 'true'}; }`;
    return name;
  };

  const rootName = emitNode(root);
  const source = `${functions.join('\n')}\nreturn ${rootName};`;
  const some = (items: readonly unknown[], test: NodeTest): boolean => {
    // Every field of a sub-pattern must hold within one element of the array.
    for (const item of items) if (test(item)) return true;
    return false;
  };
  return new Function('h', 'some', source)(helpers, some) as NodeTest;
}

function exactSources(root: PatternNode): readonly string[] | undefined {
  const source = root.children.get('source');
  if (!source || source.children.size > 0 || source.alternatives.length > 0) return undefined;
  const field = fieldOf(source);
  return field.existsTrue || field.existsFalse ? undefined : field.exactStringsOnly;
}

/** Whether a node holds for an absent value: its fields would all be absent. */
function matchesAbsent(node: PatternNode): boolean {
  if (node.terms.length > 0 && !fieldOf(node).existsFalse) return false;
  for (const child of node.children.values()) if (!matchesAbsent(child)) return false;
  return node.alternatives.every((branches) => branches.some(matchesAbsent));
}

// ---- preparing events ----

/**
 * Rewrites keys that contain dots into nested objects (`{"a.b": 1}` → `{"a": {"b": 1}}`), so that a dotted
 * key and nested keys are one path. Returns the event itself, uncopied, when no key has a dot.
 */
export function prepareEvent(event: object): PreparedEvent {
  return (hasDottedKey(event) ? nestDottedKeys(event) : event) as PreparedEvent;
}

function hasDottedKey(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (hasDottedKey(item)) return true;
    return false;
  }
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (key.includes('.') || hasDottedKey(record[key])) return true;
  }
  return false;
}

function nestDottedKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(nestDottedKeys);
  if (!isPlainObject(value)) return value;
  const result: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const [head = '', ...rest] = key.split('.');
    let nested = nestDottedKeys(child);
    for (let index = rest.length - 1; index >= 0; index--) nested = { [rest[index] ?? '']: nested };
    merge(result, head, nested);
  }
  return result;
}

function merge(target: Record<string, unknown>, key: string, value: unknown): void {
  if (!Object.hasOwn(target, key)) {
    // defineProperty, so that a "__proto__" key stays an ordinary field.
    Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
    return;
  }
  const existing = target[key];
  if (isPlainObject(existing) && isPlainObject(value)) {
    for (const [innerKey, inner] of Object.entries(value)) merge(existing, innerKey, inner);
    return;
  }
  // A path holding both a value and an object (or two arrays) flattens to the same fields as an array.
  const asList = (item: unknown): unknown[] => (Array.isArray(item) ? item : [item]);
  target[key] = [...asList(existing), ...asList(value)];
}
