/**
 * Checks a response as it went over the wire against an operation's output shape in an AWS service model
 * (the JSON models that aws-sdk v2 ships in `aws-sdk/apis/*.min.json`, or botocore's `service-2.json`).
 * Both layouts are understood: the "normal" one (named shapes, members `{ shape }`) and the minified one
 * (shapes inlined, `{}` meaning string, `{ shape: 'S1e' }` for shared ones).
 *
 * Checked recursively: member names exist in the shape, the JSON type of each value, timestamps in epoch
 * seconds for JSON protocols (unless the shape says `timestampFormat: iso8601`), enum values (when the
 * model carries them: the minified models drop enums), and `required` members present.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';

/** One shape or a reference to one, as the model files have them. */
export interface ShapeRef {
  readonly shape?: string;
  readonly type?: string;
  readonly members?: Readonly<Record<string, ShapeRef>>;
  readonly member?: ShapeRef;
  readonly key?: ShapeRef;
  readonly value?: ShapeRef;
  readonly required?: readonly string[];
  readonly enum?: readonly string[];
  readonly timestampFormat?: string;
  readonly location?: string;
  readonly locationName?: string;
  readonly payload?: string;
  readonly flattened?: boolean;
  readonly union?: boolean;
  readonly document?: boolean;
}

export interface ServiceModel {
  readonly metadata: { readonly protocol: string; readonly serviceId?: string; readonly uid?: string };
  readonly operations: Readonly<Record<string, { readonly output?: ShapeRef }>>;
  readonly shapes: Readonly<Record<string, ShapeRef>>;
}

export interface Violation {
  readonly path: string;
  readonly problem: string;
}

/** What was received for one operation: the body text and, for REST protocols, the headers. */
export interface WireResponse {
  readonly body: string;
  readonly headers?: Readonly<Record<string, string | undefined>>;
}

/** Reads a model file: `.json` or gzipped `.json.gz` (botocore). */
export function loadServiceModel(file: string): ServiceModel {
  const bytes = readFileSync(file);
  const text = file.endsWith('.gz') ? gunzipSync(bytes).toString('utf8') : bytes.toString('utf8');
  return JSON.parse(text) as ServiceModel;
}

/** Does the model carry enums at all (the minified ones do not)? */
export function modelHasEnums(model: ServiceModel): boolean {
  return Object.values(model.shapes).some((shape) => Array.isArray(shape.enum));
}

const MAX_DEPTH = 40;

class Checker {
  readonly violations: Violation[] = [];
  constructor(
    private readonly model: ServiceModel,
    private readonly json: boolean,
  ) {}

  /** A reference merged with the named shape it points at; a bare `{}` is a string in the minified layout. */
  resolve(ref: ShapeRef): ShapeRef {
    if (ref.shape !== undefined) {
      const target = this.model.shapes[ref.shape];
      if (!target) return { type: 'unknown-shape' };
      const { shape: _name, ...rest } = ref;
      return { ...this.resolve(target), ...rest };
    }
    return ref.type === undefined ? { ...ref, type: 'string' } : ref;
  }

  fail(path: string, problem: string): void {
    this.violations.push({ path, problem });
  }

  check(ref: ShapeRef, value: unknown, path: string, depth = 0): void {
    const shape = this.resolve(ref);
    if (depth > MAX_DEPTH) return;
    if (value === null) {
      this.fail(path, `null where the model has a ${shape.type} (AWS leaves empty members out)`);
      return;
    }
    switch (shape.type) {
      case 'structure':
        this.structure(shape, value, path, depth);
        return;
      case 'list':
        if (!Array.isArray(value)) {
          this.fail(path, `expected a list, got ${describe(value)}`);
          return;
        }
        value.forEach((item, index) => {
          if (shape.member) this.check(shape.member, item, `${path}[${index}]`, depth + 1);
        });
        return;
      case 'map':
        if (!isObject(value)) {
          this.fail(path, `expected a map, got ${describe(value)}`);
          return;
        }
        for (const [key, item] of Object.entries(value)) {
          if (shape.key) this.check(shape.key, key, `${path}{key ${JSON.stringify(key)}}`, depth + 1);
          if (shape.value) this.check(shape.value, item, `${path}.${key}`, depth + 1);
        }
        return;
      case 'string':
        if (typeof value !== 'string') {
          this.fail(path, `expected a string, got ${describe(value)}`);
          return;
        }
        if (shape.enum && !shape.enum.includes(value)) {
          this.fail(path, `${JSON.stringify(value)} is not one of the enum values ${shape.enum.join(', ')}`);
        }
        return;
      case 'integer':
      case 'long':
        if (typeof value !== 'number' || !Number.isInteger(value)) {
          this.fail(path, `expected an ${shape.type}, got ${describe(value)}`);
        }
        return;
      case 'float':
      case 'double':
        if (typeof value !== 'number') this.fail(path, `expected a ${shape.type}, got ${describe(value)}`);
        return;
      case 'boolean':
        if (typeof value !== 'boolean') this.fail(path, `expected a boolean, got ${describe(value)}`);
        return;
      case 'blob':
        if (typeof value !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
          this.fail(path, `expected a base64 blob, got ${describe(value)}`);
        }
        return;
      case 'timestamp':
        this.timestamp(shape, value, path);
        return;
      default:
        // document and anything newer: any JSON value.
        return;
    }
  }

  private timestamp(shape: ShapeRef, value: unknown, path: string): void {
    const format = shape.timestampFormat ?? (this.json ? 'unixTimestamp' : 'iso8601');
    if (format === 'iso8601') {
      if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
        this.fail(path, `expected an ISO 8601 timestamp, got ${describe(value)}`);
      }
      return;
    }
    if (format === 'unixTimestamp') {
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        this.fail(path, `expected a timestamp in epoch seconds, got ${describe(value)}`);
      } else if (Math.abs(value) >= 1e11) {
        this.fail(path, `timestamp ${value} is in milliseconds, not epoch seconds`);
      }
      return;
    }
    if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) {
      this.fail(path, `expected an HTTP date, got ${describe(value)}`);
    }
  }

  private structure(shape: ShapeRef, value: unknown, path: string, depth: number): void {
    if (!isObject(value)) {
      this.fail(path, `expected a structure, got ${describe(value)}`);
      return;
    }
    const members = shape.members ?? {};
    const byWireName = new Map<string, [string, ShapeRef]>();
    for (const [name, member] of Object.entries(members)) {
      if (member.location !== undefined) continue; // bound to a header or the status code, not the body
      byWireName.set((this.json && member.locationName) || name, [name, member]);
    }
    for (const [key, item] of Object.entries(value)) {
      const entry = byWireName.get(key);
      if (!entry) {
        // The JSON protocols let `__type` through on error bodies only; outputs have none.
        this.fail(`${path}.${key}`, 'member not in the model');
        continue;
      }
      this.check(entry[1], item, `${path}.${key}`, depth + 1);
    }
    for (const name of shape.required ?? []) {
      const member = members[name];
      if (!member || member.location !== undefined) continue;
      if (!(((this.json && member.locationName) || name) in value)) {
        this.fail(`${path}.${name}`, 'required member missing');
      }
    }
    if (shape.union && Object.keys(value).length !== 1) {
      this.fail(path, `a union must have exactly one member, has ${Object.keys(value).length}`);
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.slice(0, 60))}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/**
 * Checks one operation's response. JSON protocols (`json`, `rest-json`): the body parsed as JSON, plus
 * header-bound members for rest-json (type-checked when present, required ones must be there). Query
 * protocol: the element names directly under `<OperationResult>` against the output members (not deeper).
 */
export function checkResponse(model: ServiceModel, operation: string, response: WireResponse): Violation[] {
  const op = model.operations[operation];
  if (!op) return [{ path: '', problem: `operation ${operation} is not in the model` }];
  const protocol = model.metadata.protocol;
  const json = protocol === 'json' || protocol === 'rest-json';
  const checker = new Checker(model, json);
  if (!op.output) {
    if (json && response.body.trim() !== '' && response.body.trim() !== '{}') {
      checker.fail('', `the model has no output, the body is ${response.body.slice(0, 80)}`);
    }
    return checker.violations;
  }
  const output = checker.resolve(op.output);
  if (protocol === 'query' || protocol === 'ec2')
    return checkQuery(checker, output, operation, response.body);
  if (!json) return [{ path: '', problem: `protocol ${protocol} is not checked` }];

  if (protocol === 'rest-json') checkHeaders(checker, output, response.headers ?? {});
  const payloadName = output.payload;
  if (payloadName !== undefined) {
    const payload = output.members?.[payloadName];
    const payloadShape = payload ? checker.resolve(payload) : undefined;
    if (payload && payloadShape?.type === 'structure') {
      const parsed = parseJson(checker, response.body);
      if (parsed !== undefined) checker.check(payload, parsed, `$.${payloadName}`);
    }
    return checker.violations; // blob or string payloads: nothing to check structurally
  }
  const parsed = parseJson(checker, response.body.trim() === '' ? '{}' : response.body);
  if (parsed !== undefined) checker.check(output, parsed, '$');
  return checker.violations;
}

function parseJson(checker: Checker, body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    checker.fail('$', `body is not JSON: ${body.slice(0, 80)}`);
    return undefined;
  }
}

function checkHeaders(
  checker: Checker,
  output: ShapeRef,
  headers: Readonly<Record<string, string | undefined>>,
): void {
  for (const [name, member] of Object.entries(output.members ?? {})) {
    if (member.location !== 'header') continue;
    const headerName = (member.locationName ?? name).toLowerCase();
    const value = headers[headerName];
    if (value === undefined) {
      if (output.required?.includes(name)) checker.fail(`header ${headerName}`, 'required header missing');
      continue;
    }
    const shape = checker.resolve(member);
    if ((shape.type === 'integer' || shape.type === 'long') && !/^-?\d+$/.test(value)) {
      checker.fail(`header ${headerName}`, `expected an ${shape.type}, got ${JSON.stringify(value)}`);
    }
    if (shape.type === 'boolean' && value !== 'true' && value !== 'false') {
      checker.fail(`header ${headerName}`, `expected a boolean, got ${JSON.stringify(value)}`);
    }
    if (shape.type === 'string' && shape.enum && !shape.enum.includes(value)) {
      checker.fail(`header ${headerName}`, `${JSON.stringify(value)} is not one of ${shape.enum.join(', ')}`);
    }
  }
}

/** The query protocol, shallowly: child element names of `<{Operation}Result>`. */
function checkQuery(checker: Checker, output: ShapeRef, operation: string, body: string): Violation[] {
  const match = new RegExp(`<${operation}Result>([\\s\\S]*)</${operation}Result>`).exec(body);
  if (!match?.[1]) {
    if (Object.keys(output.members ?? {}).length > 0 && !body.includes(`<${operation}Result/>`)) {
      checker.fail('$', `no <${operation}Result> element in ${body.slice(0, 120)}`);
    }
    return checker.violations;
  }
  const children = new Set<string>();
  // Each match spans a whole top-level element (up to its closing tag), so nested ones are skipped over.
  const element = /<([A-Za-z0-9_]+)(?:\s[^>]*)?(?:\/>|>[\s\S]*?<\/\1>)/g;
  for (const found of match[1].matchAll(element)) if (found[1]) children.add(found[1]);
  const members = output.members ?? {};
  const wireNames = new Map(Object.entries(members).map(([name, m]) => [m.locationName ?? name, name]));
  for (const child of children) {
    if (!wireNames.has(child)) checker.fail(`$.${child}`, 'member not in the model');
  }
  for (const name of output.required ?? []) {
    if (!children.has(members[name]?.locationName ?? name))
      checker.fail(`$.${name}`, 'required member missing');
  }
  return checker.violations;
}
