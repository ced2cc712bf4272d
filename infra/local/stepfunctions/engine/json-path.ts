/**
 * JSONPath as Step Functions uses it. Paths are compiled once and cached: definite paths (names and indexes
 * only) walk the document directly; anything else (wildcards, filters, slices, `..`) goes to jsonpath-plus.
 */
import { JSONPath } from 'jsonpath-plus';

type Segment = string | number;

export interface CompiledPath {
  readonly text: string;
  /** Names and indexes, when the path selects at most one value. */
  readonly segments: readonly Segment[] | undefined;
}

export interface PathLookup {
  readonly found: boolean;
  readonly value: unknown;
  /** For a definite path that was not found: the first segment missing, for AWS's error message. */
  readonly missingAt?: number;
}

const cache = new Map<string, CompiledPath>();

export function compilePath(text: string): CompiledPath {
  let compiled = cache.get(text);
  if (!compiled) {
    compiled = { text, segments: parseDefinite(text) };
    cache.set(text, compiled);
  }
  return compiled;
}

/** `$`, `$.a.b`, `$['a'][0]`, ...; `undefined` for anything that needs a full JSONPath engine. */
function parseDefinite(text: string): Segment[] | undefined {
  if (!text.startsWith('$')) return undefined;
  const segments: Segment[] = [];
  let index = 1;
  while (index < text.length) {
    const char = text[index];
    if (char === '.') {
      const match = /^[^.[\]*@?()'" ]+/.exec(text.slice(index + 1));
      if (!match || text[index + 1] === '.') return undefined;
      segments.push(match[0]);
      index += 1 + match[0].length;
    } else if (char === '[') {
      const rest = text.slice(index);
      const numeric = /^\[(\d+)\]/.exec(rest);
      const quoted = /^\[(['"])((?:(?!\1).)*)\1\]/.exec(rest);
      if (numeric?.[1] !== undefined) {
        segments.push(Number(numeric[1]));
        index += numeric[0].length;
      } else if (quoted?.[2] !== undefined) {
        segments.push(quoted[2]);
        index += quoted[0].length;
      } else {
        return undefined;
      }
    } else {
      return undefined;
    }
  }
  return segments;
}

export function lookup(path: CompiledPath, document: unknown): PathLookup {
  const segments = path.segments;
  if (!segments) {
    const values = JSONPath({ path: path.text, json: document as object, wrap: true }) as unknown[];
    // An indefinite path always yields a list, possibly empty.
    return { found: true, value: values };
  }
  let current = document;
  for (let position = 0; position < segments.length; position++) {
    const segment = segments[position] as Segment;
    if (typeof segment === 'number') {
      if (!Array.isArray(current) || segment >= current.length) {
        return { found: false, value: undefined, missingAt: position };
      }
      current = current[segment];
    } else {
      if (current === null || typeof current !== 'object' || Array.isArray(current)) {
        return { found: false, value: undefined, missingAt: position };
      }
      if (!Object.hasOwn(current, segment)) return { found: false, value: undefined, missingAt: position };
      current = (current as Record<string, unknown>)[segment];
    }
  }
  return { found: true, value: current };
}

/** `$['a']['b']`, as AWS prints a path in its "Invalid path" messages. */
export function bracketNotation(path: CompiledPath, upTo?: number): string {
  const segments = (path.segments ?? []).slice(0, upTo === undefined ? undefined : upTo + 1);
  return `$${segments.map((segment) => (typeof segment === 'number' ? `[${segment}]` : `['${segment}']`)).join('')}`;
}

/** AWS's (Jayway's) message for a path that selects nothing, as used for InputPath and OutputPath. */
export function invalidPathMessage(path: CompiledPath, result: PathLookup): string {
  const segments = path.segments ?? [];
  const missingAt = result.missingAt ?? segments.length - 1;
  const detail =
    missingAt < segments.length - 1
      ? `Missing property in path ${bracketNotation(path, missingAt)}`
      : `No results for path: ${bracketNotation(path)}`;
  return `Invalid path '${path.text}' : ${detail}`;
}

/**
 * Writes `value` at a reference path (ResultPath) into a copy of `document`, sharing every branch it does
 * not change. Missing objects on the way are created, as AWS does.
 */
export function setAtPath(path: CompiledPath, document: unknown, value: unknown): unknown {
  const segments = path.segments;
  if (!segments)
    throw new PathSetError(`Invalid path '${path.text}': ResultPath must be a reference path`, 0);
  return setAt(segments, 0, document, value, path);
}

export class PathSetError extends Error {
  constructor(
    message: string,
    readonly position: number,
  ) {
    super(message);
  }
}

function setAt(
  segments: readonly Segment[],
  position: number,
  node: unknown,
  value: unknown,
  path: CompiledPath,
): unknown {
  if (position === segments.length) return value;
  const segment = segments[position] as Segment;
  if (typeof segment === 'number') {
    if (!Array.isArray(node) || segment >= node.length) {
      throw new PathSetError(
        `Invalid path '${path.text}' : Missing property in path ${bracketNotation(path, position)}`,
        position,
      );
    }
    const copy = node.slice();
    copy[segment] = setAt(segments, position + 1, node[segment], value, path);
    return copy;
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) {
    throw new PathSetError(
      `Invalid path '${path.text}' : Missing property in path ${bracketNotation(path, position)}`,
      position,
    );
  }
  const record = node as Record<string, unknown>;
  const child = Object.hasOwn(record, segment)
    ? record[segment]
    : position + 1 < segments.length
      ? {}
      : undefined;
  return { ...record, [segment]: setAt(segments, position + 1, child, value, path) };
}
