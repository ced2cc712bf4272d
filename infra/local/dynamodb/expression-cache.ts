/**
 * A memo around dynalite's expression parsers (condition, update, projection).
 *
 * Why it exists: dynalite PEG-parses every ConditionExpression, UpdateExpression, KeyConditionExpression,
 * FilterExpression and ProjectionExpression on every request, about 0.4 ms of main-thread CPU each time and
 * the largest single cost under webhook load (Powertools idempotency sends a conditional PutItem and an
 * UpdateItem per request). Applications send the same few expression strings over and over with changing
 * values (timestamps, ids), so a key holding value contents would never hit.
 *
 * Why the key leaves value contents out: the grammar reads a value only for its top-level type tag (operand
 * type checks) and places the value object itself in the tree. The key therefore holds the expression, the
 * full ExpressionAttributeNames mapping, and each ExpressionAttributeValues key with its type tag. The two
 * places where the grammar reads value contents (BETWEEN compares its bounds; attribute_type checks its type
 * name) are detected conservatively and parsed every time. A hit returns a fresh copy of the remembered tree
 * with the current request's value objects in place of the old ones, and marks the same names and values
 * used as a parse would have.
 */
import { createRequire } from 'node:module';

/** The `context` dynalite's validations pass to its parsers (validations/index.js `validateExpressions`). */
export interface ParseContext {
  attrNames?: Record<string, unknown>;
  attrVals?: Record<string, unknown>;
  /** Keys not yet used by any expression of the request; each parse deletes the ones it uses. */
  unusedAttrNames?: Record<string, unknown>;
  unusedAttrVals?: Record<string, unknown>;
  isKeyCondition?: boolean;
  /** Passed through to the parser, as are any other members. */
  isReserved?: (name: string) => boolean;
}

export interface ParseOptions {
  context: ParseContext;
}

/** A parser's `parse`: the parsed tree, an error message string, or a thrown SyntaxError. */
export type ParseFunction = (input: string, options: ParseOptions) => unknown;

export interface ParserModule {
  parse: ParseFunction;
}

export const DEFAULT_MAX_ENTRIES = 1000;

/** Grammar rules whose outcome depends on value contents, not only on value types. */
const READS_VALUE_CONTENTS = /between|attribute_type/i;

/** The AttributeValue type tags, in the order dynalite's `getImmediateType` tries them. */
const TYPE_TAGS = ['S', 'N', 'B', 'NULL', 'BOOL', 'SS', 'NS', 'BS', 'L', 'M'];

/** Marks the wrapped parser's original `parse`; registered so a re-evaluated module still recognises it. */
const UNCACHED = Symbol.for('aurora-time.dynamodb.expression-cache.uncached');

/** Where a request's value object goes in a remembered tree. */
class ValueSlot {
  constructor(readonly key: string) {}
}

interface Entry {
  /** The parsed tree with a ValueSlot in place of each value object. */
  readonly template: unknown;
  readonly usedNames: readonly string[];
  readonly usedValues: readonly string[];
}

/** Wraps `parse` with a bounded memo (oldest-used entries dropped first). */
export function cachedParse(parse: ParseFunction, maxEntries = DEFAULT_MAX_ENTRIES): ParseFunction {
  const entries = new Map<string, Entry>();
  const cached: ParseFunction = (input, options) => {
    const context = options?.context;
    const key = typeof input === 'string' && context ? cacheKey(input, context) : undefined;
    if (key === undefined || !context) return parse(input, options);
    const entry = entries.get(key);
    if (entry) {
      entries.delete(key);
      entries.set(key, entry);
      markUsed(context, entry.usedNames, entry.usedValues);
      return instantiate(entry.template, context.attrVals ?? {});
    }
    const { result, remembered } = parseAndRemember(parse, input, options, context);
    if (remembered) {
      entries.set(key, remembered);
      const oldest = entries.keys().next();
      if (entries.size > maxEntries && !oldest.done) entries.delete(oldest.value);
    }
    return result;
  };
  Object.defineProperty(cached, UNCACHED, { value: parse });
  return cached;
}

/** The original parser behind a `cachedParse` wrapper (or `parse` itself if it is not wrapped). */
export function uncachedParse(parse: ParseFunction): ParseFunction {
  const original: unknown = Reflect.get(parse, UNCACHED);
  return typeof original === 'function' ? (original as ParseFunction) : parse;
}

const require = createRequire(import.meta.url);

/** dynalite's parser modules; validations/index.js calls `.parse` on these very objects. */
export const dynaliteParsers = {
  condition: require('dynalite/db/conditionParser') as ParserModule,
  update: require('dynalite/db/updateParser') as ParserModule,
  projection: require('dynalite/db/projectionParser') as ParserModule,
};

/** Wraps dynalite's three parsers with the memo, once per process. */
export function installExpressionCache(): void {
  for (const parser of Object.values(dynaliteParsers)) {
    if (uncachedParse(parser.parse) === parser.parse) parser.parse = cachedParse(parser.parse);
  }
}

/** The memo key, or undefined when the outcome may depend on more than the key can hold. */
function cacheKey(input: string, context: ParseContext): string | undefined {
  if (READS_VALUE_CONTENTS.test(input)) return undefined;
  const valueTypes: string[] = [];
  for (const [key, value] of Object.entries(context.attrVals ?? {})) {
    const tag = typeTag(value);
    if (tag === undefined) return undefined;
    valueTypes.push(key, tag);
  }
  return JSON.stringify([input, context.isKeyCondition === true, context.attrNames ?? null, valueTypes]);
}

/**
 * The value's type as the grammar sees it; undefined for anything but a well-formed AttributeValue (an
 * extra member such as `type` or `attrType` would change what the grammar does with it).
 */
function typeTag(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  if (Object.keys(value).some((member) => !TYPE_TAGS.includes(member))) return undefined;
  const members = value as Record<string, unknown>;
  return TYPE_TAGS.find((tag) => members[tag] != null) ?? '';
}

/**
 * Parses against a copy of the context whose unused sets hold every key, so that the keys this expression
 * uses are known even when an earlier expression of the request already used some of them.
 */
function parseAndRemember(
  parse: ParseFunction,
  input: string,
  options: ParseOptions,
  context: ParseContext,
): { result: unknown; remembered?: Entry } {
  const names = Object.keys(context.attrNames ?? {});
  const values = Object.keys(context.attrVals ?? {});
  const unusedAttrNames = keySet(names);
  const unusedAttrVals = keySet(values);
  const usedNames = () => names.filter((name) => !(name in unusedAttrNames));
  const usedValues = () => values.filter((value) => !(value in unusedAttrVals));
  let result: unknown;
  try {
    result = parse(input, { ...options, context: { ...context, unusedAttrNames, unusedAttrVals } });
  } finally {
    markUsed(context, usedNames(), usedValues());
  }
  if (typeof result !== 'object' || result === null) return { result };
  const slotByValue = new Map<unknown, ValueSlot>();
  for (const [key, value] of Object.entries(context.attrVals ?? {})) {
    // One object under two keys: which key a tree position means is ambiguous, so do not remember it.
    if (slotByValue.has(value)) return { result };
    slotByValue.set(value, new ValueSlot(key));
  }
  const template = copyGraph(result, (node) => slotByValue.get(node));
  return { result, remembered: { template, usedNames: usedNames(), usedValues: usedValues() } };
}

function instantiate(template: unknown, attrVals: Record<string, unknown>): unknown {
  return copyGraph(template, (node) => (node instanceof ValueSlot ? attrVals[node.key] : undefined));
}

function keySet(keys: readonly string[]): Record<string, true> {
  const set: Record<string, true> = Object.create(null);
  for (const key of keys) set[key] = true;
  return set;
}

function markUsed(context: ParseContext, names: readonly string[], values: readonly string[]): void {
  const { unusedAttrNames, unusedAttrVals } = context;
  if (unusedAttrNames) for (const name of names) Reflect.deleteProperty(unusedAttrNames, name);
  if (unusedAttrVals) for (const value of values) Reflect.deleteProperty(unusedAttrVals, value);
}

/**
 * A deep copy of a parsed tree: prototypes kept (dynalite uses `Object.create(null)` maps), shared nodes
 * stay shared, and any node `substitute` maps is replaced without being copied.
 */
function copyGraph(
  node: unknown,
  substitute: (node: object) => unknown,
  copies = new Map<object, unknown>(),
): unknown {
  if (typeof node !== 'object' || node === null) return node;
  if (copies.has(node)) return copies.get(node);
  const replacement = substitute(node);
  if (replacement !== undefined) return replacement;
  if (Array.isArray(node)) {
    const copy: unknown[] = [];
    copies.set(node, copy);
    for (const item of node) copy.push(copyGraph(item, substitute, copies));
    return copy;
  }
  const copy: Record<string, unknown> = Object.create(Object.getPrototypeOf(node));
  copies.set(node, copy);
  for (const [key, value] of Object.entries(node)) copy[key] = copyGraph(value, substitute, copies);
  return copy;
}
