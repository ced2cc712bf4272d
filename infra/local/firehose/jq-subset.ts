/**
 * The subset of JQ that Firehose dynamic partitioning (MetadataExtraction) uses in our template:
 * object construction whose values are field paths, optionally sliced as strings, e.g.
 * `{day: .time[0:10], type: .detail.kind}`. Anything else is refused at deploy time, so a template
 * the local cloud cannot partition fails loudly instead of writing objects under the wrong prefix.
 */
import { NotEmulatedLocally } from '../deployer/deploy';

interface KeyExpression {
  readonly key: string;
  readonly path: readonly string[];
  readonly slice?: { readonly start: number; readonly end: number | undefined };
}

export type PartitionQuery = (record: unknown) => Record<string, string>;

const ENTRY =
  /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*:\s*((?:\.[A-Za-z_][A-Za-z0-9_]*)+)\s*(?:\[\s*(-?\d*)\s*:\s*(-?\d*)\s*\])?\s*$/;

export function compilePartitionQuery(query: string): PartitionQuery {
  const body = /^\s*\{(.*)\}\s*$/s.exec(query)?.[1];
  if (body === undefined) throw notEmulated(query);
  const entries = body.split(',').map((text): KeyExpression => {
    const match = ENTRY.exec(text);
    if (!match?.[1] || !match[2]) throw notEmulated(query);
    const path = match[2].slice(1).split('.');
    if (match[3] === undefined) return { key: match[1], path };
    return {
      key: match[1],
      path,
      slice: { start: match[3] === '' ? 0 : Number(match[3]), end: match[4] ? Number(match[4]) : undefined },
    };
  });
  return (record) => Object.fromEntries(entries.map((entry) => [entry.key, evaluate(entry, record)]));
}

function evaluate(entry: KeyExpression, record: unknown): string {
  let value: unknown = record;
  for (const name of entry.path) {
    value =
      typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[name] : undefined;
  }
  // Firehose fails the record (to the error prefix) when a partition key is missing.
  if (value === undefined || value === null)
    throw new Error(`partition key ${entry.key} is missing from the record`);
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return entry.slice ? text.slice(entry.slice.start, entry.slice.end) : text;
}

function notEmulated(query: string): NotEmulatedLocally {
  return new NotEmulatedLocally(
    `Firehose MetadataExtraction query ${JSON.stringify(query)} is outside the JQ subset emulated locally ({key: .path[a:b], ...})`,
  );
}
