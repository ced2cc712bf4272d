/**
 * The JSONPath intrinsic functions (`States.Format(...)` and friends): parsed once into a small tree, then
 * evaluated against a resolver that looks up `$...`, `$$...` and `$variable` paths.
 */
import { createHash, randomUUID } from 'node:crypto';
import { intrinsicFailure } from './errors';
import { canonicalJson, isObject, jsonEquals } from './json-values';

type Argument =
  | { kind: 'literal'; value: unknown; formatParts?: string[] }
  | { kind: 'path'; path: string }
  | { kind: 'call'; name: string; args: Argument[] };

export type PathResolver = (path: string) => unknown;

const cache = new Map<string, Argument>();

export const isIntrinsic = (text: string): boolean => text.startsWith('States.');

export function compileIntrinsic(text: string): Argument {
  let compiled = cache.get(text);
  if (!compiled) {
    const parser = new Parser(text);
    compiled = parser.parseCall();
    parser.expectEnd();
    cache.set(text, compiled);
  }
  return compiled;
}

export function evaluateIntrinsic(text: string, resolve: PathResolver): unknown {
  return evaluate(compileIntrinsic(text), resolve);
}

class Parser {
  private position = 0;
  constructor(private readonly text: string) {}

  parseCall(): Argument {
    const match = /^States\.[A-Za-z0-9]+/.exec(this.text.slice(this.position));
    if (!match) throw intrinsicFailure(`Invalid intrinsic function call: ${this.text}`);
    this.position += match[0].length;
    this.skipSpace();
    this.expect('(');
    const args: Argument[] = [];
    this.skipSpace();
    if (this.peek() === ')') {
      this.position++;
      return { kind: 'call', name: match[0], args };
    }
    for (;;) {
      args.push(this.parseArgument());
      this.skipSpace();
      const next = this.text[this.position++];
      if (next === ')') return { kind: 'call', name: match[0], args };
      if (next !== ',') throw intrinsicFailure(`Invalid intrinsic function call: ${this.text}`);
    }
  }

  expectEnd(): void {
    this.skipSpace();
    if (this.position !== this.text.length)
      throw intrinsicFailure(`Invalid intrinsic function call: ${this.text}`);
  }

  private parseArgument(): Argument {
    this.skipSpace();
    const char = this.peek();
    if (char === "'") return this.parseString();
    if (char === '$') return { kind: 'path', path: this.readUntilArgumentEnd() };
    if (this.text.startsWith('States.', this.position)) return this.parseCall();
    const word = this.readUntilArgumentEnd();
    if (word === 'true' || word === 'false') return { kind: 'literal', value: word === 'true' };
    if (word === 'null') return { kind: 'literal', value: null };
    const number = Number(word);
    if (word !== '' && Number.isFinite(number)) return { kind: 'literal', value: number };
    throw intrinsicFailure(`Invalid argument '${word}' in intrinsic function: ${this.text}`);
  }

  /** A quoted literal; `\'`, `\\`, `\{` and `\}` are escapes. Unescaped `{}` are Format placeholders. */
  private parseString(): Argument {
    this.position++;
    let value = '';
    let part = '';
    const formatParts: string[] = [];
    while (this.position < this.text.length) {
      const char = this.text[this.position++] as string;
      if (char === '\\') {
        const escaped = this.text[this.position++] ?? '';
        value += escaped;
        part += escaped;
      } else if (char === "'") {
        formatParts.push(part);
        return { kind: 'literal', value, formatParts };
      } else if (char === '{' && this.text[this.position] === '}') {
        this.position++;
        value += '{}';
        formatParts.push(part);
        part = '';
      } else {
        value += char;
        part += char;
      }
    }
    throw intrinsicFailure(`Unterminated string in intrinsic function: ${this.text}`);
  }

  /** Paths and bare words end at a top-level `,` or `)`; brackets and quotes inside a path are skipped. */
  private readUntilArgumentEnd(): string {
    const start = this.position;
    let depth = 0;
    let quote: string | undefined;
    while (this.position < this.text.length) {
      const char = this.text[this.position] as string;
      if (quote) {
        if (char === quote) quote = undefined;
      } else if (char === "'" || char === '"') quote = char;
      else if (char === '[' || char === '(') depth++;
      else if ((char === ']' || char === ')') && depth > 0) depth--;
      else if ((char === ',' || char === ')') && depth === 0) break;
      this.position++;
    }
    return this.text.slice(start, this.position).trim();
  }

  private skipSpace(): void {
    while (this.text[this.position] === ' ') this.position++;
  }

  private peek(): string | undefined {
    return this.text[this.position];
  }

  private expect(char: string): void {
    if (this.text[this.position] !== char)
      throw intrinsicFailure(`Invalid intrinsic function call: ${this.text}`);
    this.position++;
  }
}

function evaluate(argument: Argument, resolve: PathResolver): unknown {
  if (argument.kind === 'literal') return argument.value;
  if (argument.kind === 'path') return resolve(argument.path);
  const implementation = FUNCTIONS[argument.name];
  if (!implementation) throw intrinsicFailure(`Unsupported intrinsic function: ${argument.name}`);
  if (argument.name === 'States.Format') return format(argument.args, resolve);
  return implementation(argument.args.map((arg) => evaluate(arg, resolve)));
}

/** Java's `toString` rendering, which is what States.Format prints for objects and arrays. */
function formatValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `[${value.map(formatValue).join(', ')}]`;
  if (isObject(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}=${formatValue(item)}`)
      .join(', ')}}`;
  }
  return String(value);
}

function format(args: Argument[], resolve: PathResolver): string {
  const [template, ...rest] = args;
  if (!template) throw intrinsicFailure('States.Format needs a template as its first argument');
  const templateValue = evaluate(template, resolve);
  if (typeof templateValue !== 'string')
    throw intrinsicFailure('The States.Format template must be a string');
  // A literal template knows which braces were escaped; a template read from a path has no escapes.
  const parts =
    template.kind === 'literal' && template.formatParts ? template.formatParts : templateValue.split('{}');
  if (parts.length - 1 !== rest.length) {
    throw intrinsicFailure(
      `The number of arguments (${rest.length}) does not match the number of placeholders (${parts.length - 1}) in States.Format`,
    );
  }
  let text = parts[0] ?? '';
  rest.forEach((arg, index) => {
    text += formatValue(evaluate(arg, resolve)) + (parts[index + 1] ?? '');
  });
  return text;
}

function expectArray(value: unknown, name: string): unknown[] {
  if (!Array.isArray(value)) throw intrinsicFailure(`${name} expects an array argument`);
  return value;
}

function expectNumber(value: unknown, name: string): number {
  if (typeof value !== 'number') throw intrinsicFailure(`${name} expects a number argument`);
  return value;
}

function expectString(value: unknown, name: string): string {
  if (typeof value !== 'string') throw intrinsicFailure(`${name} expects a string argument`);
  return value;
}

const HASH_ALGORITHMS: Record<string, string> = {
  MD5: 'md5',
  'SHA-1': 'sha1',
  'SHA-256': 'sha256',
  'SHA-384': 'sha384',
  'SHA-512': 'sha512',
};

export function hashText(data: unknown, algorithm: unknown): string {
  const nodeAlgorithm = typeof algorithm === 'string' ? HASH_ALGORITHMS[algorithm] : undefined;
  if (!nodeAlgorithm) throw intrinsicFailure(`Unsupported hash algorithm: ${String(algorithm)}`);
  const text = typeof data === 'string' ? data : JSON.stringify(data);
  return createHash(nodeAlgorithm).update(text, 'utf8').digest('hex');
}

/** Inclusive range; AWS caps it at 1000 elements. */
export function arrayRange(start: number, end: number, step: number): number[] {
  if (step === 0) throw intrinsicFailure('States.ArrayRange step must not be 0');
  const values: number[] = [];
  for (let value = start; step > 0 ? value <= end : value >= end; value += step) values.push(value);
  if (values.length > 1000) throw intrinsicFailure('States.ArrayRange produces more than 1000 elements');
  return values;
}

export function partition(array: unknown[], size: number): unknown[][] {
  if (!Number.isInteger(size) || size <= 0)
    throw intrinsicFailure('The chunk size must be a positive integer');
  const chunks: unknown[][] = [];
  for (let index = 0; index < array.length; index += size) chunks.push(array.slice(index, index + size));
  return chunks;
}

/** A seeded generator (mulberry32), so a seed gives a repeatable sequence. */
export function seededRandom(seed: number): () => number {
  let state = Math.trunc(seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function parseJsonText(text: string): unknown {
  if (text.trim() === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    throw intrinsicFailure(`The input '${text}' is not a valid JSON text`);
  }
}

const FUNCTIONS: Record<string, (args: unknown[]) => unknown> = {
  'States.Format': () => undefined,
  'States.StringToJson': ([text]) => parseJsonText(expectString(text, 'States.StringToJson')),
  'States.JsonToString': ([value]) => JSON.stringify(value),
  'States.Array': (args) => args,
  'States.ArrayPartition': ([array, size]) =>
    partition(expectArray(array, 'States.ArrayPartition'), expectNumber(size, 'States.ArrayPartition')),
  'States.ArrayContains': ([array, value]) =>
    expectArray(array, 'States.ArrayContains').some((item) => jsonEquals(item, value)),
  'States.ArrayRange': ([start, end, step]) =>
    arrayRange(
      expectNumber(start, 'States.ArrayRange'),
      expectNumber(end, 'States.ArrayRange'),
      expectNumber(step, 'States.ArrayRange'),
    ),
  'States.ArrayGetItem': ([array, index]) => {
    const items = expectArray(array, 'States.ArrayGetItem');
    const position = expectNumber(index, 'States.ArrayGetItem');
    if (!Number.isInteger(position) || position < 0 || position >= items.length) {
      throw intrinsicFailure(`Index ${position} is out of bounds for an array of length ${items.length}`);
    }
    return items[position];
  },
  'States.ArrayLength': ([array]) => expectArray(array, 'States.ArrayLength').length,
  'States.ArrayUnique': ([array]) => {
    const seen = new Set<string>();
    return expectArray(array, 'States.ArrayUnique').filter((item) => {
      const key = canonicalJson(item);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  },
  'States.Base64Encode': ([text]) =>
    Buffer.from(expectString(text, 'States.Base64Encode'), 'utf8').toString('base64'),
  'States.Base64Decode': ([text]) =>
    Buffer.from(expectString(text, 'States.Base64Decode'), 'base64').toString('utf8'),
  'States.Hash': ([data, algorithm]) => hashText(data, algorithm),
  'States.JsonMerge': ([left, right, deep]) => {
    if (deep !== false) throw intrinsicFailure('States.JsonMerge only supports a shallow merge (false)');
    if (!isObject(left) || !isObject(right))
      throw intrinsicFailure('States.JsonMerge expects two JSON objects');
    return { ...left, ...right };
  },
  'States.MathRandom': ([start, end, seed]) => {
    const low = Math.round(expectNumber(start, 'States.MathRandom'));
    const high = Math.round(expectNumber(end, 'States.MathRandom'));
    const random =
      seed === undefined ? Math.random() : seededRandom(expectNumber(seed, 'States.MathRandom'))();
    return low + Math.floor(random * (high - low));
  },
  // Each operand is rounded first (Java's Math.round, which JavaScript's matches), as AWS does.
  'States.MathAdd': ([left, right]) =>
    Math.round(expectNumber(left, 'States.MathAdd')) + Math.round(expectNumber(right, 'States.MathAdd')),
  'States.StringSplit': ([text, delimiters]) => {
    const separators = new Set(expectString(delimiters, 'States.StringSplit'));
    const parts: string[] = [];
    let current = '';
    for (const char of expectString(text, 'States.StringSplit')) {
      if (separators.has(char)) {
        if (current) parts.push(current);
        current = '';
      } else current += char;
    }
    if (current) parts.push(current);
    return parts;
  },
  'States.UUID': () => randomUUID(),
};
