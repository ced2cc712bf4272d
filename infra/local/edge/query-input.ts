/**
 * The awsQuery request decoder, one for every query-protocol service (SQS's older clients, SNS, SES v1):
 * form parameters such as `Attributes.entry.1.key`, `Destination.ToAddresses.member.2` or
 * `Attribute.1.Name` become the SDK-shaped object the operation takes. Lists (`member.N`, or `N` when
 * flattened) come out in member order, maps (`entry.N`) keyed by their entries' keys, other dotted names as
 * nested structures. Flattened members whose SDK name differs from their wire name (SQS's) are declared.
 */
import type { Operation, QueryOperation, QueryParameters } from './contracts';

/** A flattened member under its SDK name: a list (`AttributeName.N`) or a map of `N.<key>/N.<value>` pairs. */
export type FlattenedMember =
  | { readonly list: string }
  | { readonly map: string; readonly key: string; readonly value: string };

export interface QueryDecoding {
  /** By wire name, e.g. SQS `Attribute` → the map `Attributes` of `Attribute.N.Name` / `Attribute.N.Value`. */
  readonly flattened?: Readonly<Record<string, FlattenedMember>>;
  /** Members the SDK declares as numbers, which arrive as text. */
  readonly numeric?: ReadonlySet<string>;
}

type Tree = { [part: string]: Tree | string };

/** The names a map entry gives its key and value: `key`/`value` by default, `Name`/`Value` where modelled. */
const ENTRY_KEYS = ['key', 'Name'];
const ENTRY_VALUES = ['value', 'Value'];

/** `Action` and `Version` address the operation; every other parameter is its input. */
export function decodeQueryInput(
  parameters: QueryParameters,
  decoding: QueryDecoding = {},
): Record<string, unknown> {
  const tree: Tree = {};
  for (const [name, value] of Object.entries(parameters)) {
    const path = name.split('.');
    // A `__proto__` part would reach Object.prototype; no AWS member is named so.
    if (name !== 'Action' && name !== 'Version' && !path.includes('__proto__')) plant(tree, path, value);
  }
  return structureOf(tree, decoding);
}

function plant(tree: Tree, path: readonly string[], value: string): void {
  const [part, ...rest] = path;
  if (part === undefined) return;
  if (rest.length === 0) {
    tree[part] = value;
    return;
  }
  const existing = tree[part];
  const child: Tree = typeof existing === 'object' ? existing : {};
  tree[part] = child;
  plant(child, rest, value);
}

function structureOf(tree: Tree, decoding: QueryDecoding): Record<string, unknown> {
  const structure: Record<string, unknown> = {};
  for (const [name, node] of Object.entries(tree)) {
    const flattened =
      decoding.flattened && Object.hasOwn(decoding.flattened, name) ? decoding.flattened[name] : undefined;
    if (!flattened) structure[name] = decodeNode(name, node, decoding);
    else if ('list' in flattened) structure[flattened.list] = itemsOf(node, decoding);
    else structure[flattened.map] = pairsOf(inOrder(node), flattened.key, flattened.value, decoding);
  }
  return structure;
}

function decodeNode(name: string, node: Tree | string, decoding: QueryDecoding): unknown {
  if (typeof node === 'string') return decoding.numeric?.has(name) ? Number(node) : node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'member') return itemsOf(node.member ?? {}, decoding);
  if (keys.length === 1 && keys[0] === 'entry') return entriesOf(node.entry ?? {}, decoding);
  return structureOf(node, decoding);
}

/** `{ '2': b, '1': a }` → `[a, b]`; a lone value (an empty list is sent as `Name=`) is a list of one. */
function inOrder(node: Tree | string): (Tree | string)[] {
  if (typeof node === 'string') return [node];
  return Object.entries(node)
    .sort(([left], [right]) => Number(left) - Number(right))
    .map(([, item]) => item);
}

function itemsOf(node: Tree | string, decoding: QueryDecoding): unknown[] {
  return inOrder(node).map((item) => (typeof item === 'string' ? item : structureOf(item, decoding)));
}

function entriesOf(node: Tree | string, decoding: QueryDecoding): Record<string, unknown> {
  const entries = inOrder(node);
  const first = entries.find((entry): entry is Tree => typeof entry === 'object') ?? {};
  const keyName = ENTRY_KEYS.find((name) => name in first) ?? 'key';
  const valueName = ENTRY_VALUES.find((name) => name in first) ?? 'value';
  return pairsOf(entries, keyName, valueName, decoding);
}

function pairsOf(
  entries: readonly (Tree | string)[],
  keyName: string,
  valueName: string,
  decoding: QueryDecoding,
): Record<string, unknown> {
  const map: Record<string, unknown> = {};
  for (const entry of entries) {
    if (typeof entry !== 'object') continue;
    const key = entry[keyName];
    const value = entry[valueName];
    if (typeof key === 'string' && value !== undefined) map[key] = decodeNode(valueName, value, decoding);
  }
  return map;
}

/** The query operations of a service whose operations take the decoded input, e.g. `WireOperationsOf<SNS, 'query'>`. */
export function decodedQueryOperations(
  operations: { readonly [action: string]: Operation | undefined },
  decoding?: QueryDecoding,
): Record<string, QueryOperation> {
  const decoded: Record<string, QueryOperation> = {};
  for (const [action, operation] of Object.entries(operations)) {
    if (operation)
      decoded[action] = (parameters, context) => operation(decodeQueryInput(parameters, decoding), context);
  }
  return decoded;
}
