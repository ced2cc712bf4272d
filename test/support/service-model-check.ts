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

/** The problem with a scalar value of a shape's type, if any; `json` says which timestamp format is the default. */
type ScalarCheck = (shape: ShapeRef, value: unknown, json: boolean) => string | undefined;

const integral: ScalarCheck = (shape, value) =>
  typeof value === 'number' && Number.isInteger(value)
    ? undefined
    : `expected an ${shape.type}, got ${describe(value)}`;

const numeric: ScalarCheck = (shape, value) =>
  typeof value === 'number' ? undefined : `expected a ${shape.type}, got ${describe(value)}`;

function stringProblem(shape: ShapeRef, value: unknown): string | undefined {
  if (typeof value !== 'string') return `expected a string, got ${describe(value)}`;
  if (shape.enum && !shape.enum.includes(value)) {
    return `${JSON.stringify(value)} is not one of the enum values ${shape.enum.join(', ')}`;
  }
  return undefined;
}

function timestampProblem(shape: ShapeRef, value: unknown, json: boolean): string | undefined {
  const format = shape.timestampFormat ?? (json ? 'unixTimestamp' : 'iso8601');
  if (format === 'unixTimestamp') {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return `expected a timestamp in epoch seconds, got ${describe(value)}`;
    }
    return Math.abs(value) >= 1e11 ? `timestamp ${value} is in milliseconds, not epoch seconds` : undefined;
  }
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return undefined;
  const expected = format === 'iso8601' ? 'an ISO 8601 timestamp' : 'an HTTP date';
  return `expected ${expected}, got ${describe(value)}`;
}

/** The scalar types; any other type that is not a container (document and anything newer) takes any JSON value. */
const SCALAR_CHECKS: ReadonlyMap<string, ScalarCheck> = new Map<string, ScalarCheck>([
  ['string', stringProblem],
  ['integer', integral],
  ['long', integral],
  ['float', numeric],
  ['double', numeric],
  [
    'boolean',
    (_shape, value) =>
      typeof value === 'boolean' ? undefined : `expected a boolean, got ${describe(value)}`,
  ],
  [
    'blob',
    (_shape, value) =>
      typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value)
        ? undefined
        : `expected a base64 blob, got ${describe(value)}`,
  ],
  ['timestamp', timestampProblem],
]);

type ContainerCheck = (shape: ShapeRef, value: unknown, path: string, depth: number) => void;

class Checker {
  readonly violations: Violation[] = [];
  /** The types whose values hold other values, checked member by member. */
  private readonly containers: ReadonlyMap<string, ContainerCheck> = new Map<string, ContainerCheck>([
    ['structure', (shape, value, path, depth) => this.structure(shape, value, path, depth)],
    ['list', (shape, value, path, depth) => this.list(shape, value, path, depth)],
    ['map', (shape, value, path, depth) => this.map(shape, value, path, depth)],
  ]);

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
    const type = shape.type ?? '';
    const container = this.containers.get(type);
    if (container) {
      container(shape, value, path, depth);
      return;
    }
    const problem = SCALAR_CHECKS.get(type)?.(shape, value, this.json);
    if (problem) this.fail(path, problem);
  }

  private list(shape: ShapeRef, value: unknown, path: string, depth: number): void {
    if (!Array.isArray(value)) {
      this.fail(path, `expected a list, got ${describe(value)}`);
      return;
    }
    const member = shape.member;
    if (!member) return;
    value.forEach((item, index) => {
      this.check(member, item, `${path}[${index}]`, depth + 1);
    });
  }

  private map(shape: ShapeRef, value: unknown, path: string, depth: number): void {
    if (!isObject(value)) {
      this.fail(path, `expected a map, got ${describe(value)}`);
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      if (shape.key) this.check(shape.key, key, `${path}{key ${JSON.stringify(key)}}`, depth + 1);
      if (shape.value) this.check(shape.value, item, `${path}.${key}`, depth + 1);
    }
  }

  /** The name a body member has on the wire: JSON protocols may rename it (`locationName`). */
  private wireName(name: string, member: ShapeRef): string {
    return (this.json && member.locationName) || name;
  }

  private structure(shape: ShapeRef, value: unknown, path: string, depth: number): void {
    if (!isObject(value)) {
      this.fail(path, `expected a structure, got ${describe(value)}`);
      return;
    }
    // Members with a location are bound to a header or the status code, not the body.
    const bodyMembers = Object.entries(shape.members ?? {}).filter(
      ([, member]) => member.location === undefined,
    );
    const byWireName = new Map(bodyMembers.map(([name, member]) => [this.wireName(name, member), member]));
    for (const [key, item] of Object.entries(value)) {
      const member = byWireName.get(key);
      // The JSON protocols let `__type` through on error bodies only; outputs have none.
      if (member) this.check(member, item, `${path}.${key}`, depth + 1);
      else this.fail(`${path}.${key}`, 'member not in the model');
    }
    for (const name of shape.required ?? []) {
      const member = shape.members?.[name];
      if (!member || member.location !== undefined) continue;
      if (!(this.wireName(name, member) in value)) this.fail(`${path}.${name}`, 'required member missing');
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
    const body = response.body.trim();
    if (json && body !== '' && body !== '{}') {
      checker.fail('', `the model has no output, the body is ${response.body.slice(0, 80)}`);
    }
    return checker.violations;
  }
  const checkProtocol = PROTOCOL_CHECKS.get(protocol);
  if (!checkProtocol) return [{ path: '', problem: `protocol ${protocol} is not checked` }];
  checkProtocol(checker, checker.resolve(op.output), operation, response);
  return checker.violations;
}

/** How a response is checked against its output shape (already resolved), per protocol. */
type ProtocolCheck = (checker: Checker, output: ShapeRef, operation: string, response: WireResponse) => void;

const checkQueryResponse: ProtocolCheck = (checker, output, operation, response) =>
  checkQuery(checker, output, operation, response.body);

const PROTOCOL_CHECKS: ReadonlyMap<string, ProtocolCheck> = new Map<string, ProtocolCheck>([
  ['query', checkQueryResponse],
  ['ec2', checkQueryResponse],
  ['json', (checker, output, _operation, response) => checkJsonBody(checker, output, response.body)],
  [
    'rest-json',
    (checker, output, _operation, response) => {
      checkHeaders(checker, output, response.headers ?? {});
      checkJsonBody(checker, output, response.body);
    },
  ],
]);

/** The JSON body against the output, or against its payload member when the output names one. */
function checkJsonBody(checker: Checker, output: ShapeRef, body: string): void {
  const payloadName = output.payload;
  if (payloadName === undefined) {
    const parsed = parseJson(checker, body.trim() === '' ? '{}' : body);
    if (parsed !== undefined) checker.check(output, parsed, '$');
    return;
  }
  const payload = output.members?.[payloadName];
  // Blob or string payloads: nothing to check structurally.
  if (!payload || checker.resolve(payload).type !== 'structure') return;
  const parsed = parseJson(checker, body);
  if (parsed !== undefined) checker.check(payload, parsed, `$.${payloadName}`);
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
function checkQuery(checker: Checker, output: ShapeRef, operation: string, body: string): void {
  const match = new RegExp(`<${operation}Result>([\\s\\S]*)</${operation}Result>`).exec(body);
  if (!match?.[1]) {
    if (Object.keys(output.members ?? {}).length > 0 && !body.includes(`<${operation}Result/>`)) {
      checker.fail('$', `no <${operation}Result> element in ${body.slice(0, 120)}`);
    }
    return;
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
}
