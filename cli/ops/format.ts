/** Pure helpers of the ops CLI: durations, aligned tables, grouping. No SDK here so they unit-test alone. */

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `15m`, `1h`, `24h`, `7d`, `30s` → milliseconds. */
export function parseDuration(text: string): number {
  const match = /^(\d+)([smhd])$/.exec(text.trim());
  const unit = match?.[2] ? UNIT_MS[match[2]] : undefined;
  if (!match?.[1] || unit === undefined)
    throw new Error(`not a duration: ${text} (use e.g. 30s, 15m, 1h, 7d)`);
  return Number(match[1]) * unit;
}

/** Milliseconds as a short human duration: `850ms`, `12.3s`, `4m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${String(Math.round((ms % 60_000) / 1000)).padStart(2, '0')}s`;
}

/** Rows as columns padded to the widest cell; the header is the keys of `columns`. */
export function table(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((title, index) =>
    Math.max(title.length, ...rows.map((row) => (row[index] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, index) => cell.padEnd(widths[index] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(columns), ...rows.map(line)].join('\n');
}

export interface FailureGroup {
  readonly machine: string;
  readonly state: string;
  readonly error: string;
  count: number;
  readonly example: string;
}

/** Groups failures by machine, failing state and error; the first one seen is the example. Most frequent first. */
export function groupFailures(
  failures: readonly { machine: string; state: string; error: string; arn: string }[],
): FailureGroup[] {
  const groups = new Map<string, FailureGroup>();
  for (const failure of failures) {
    const key = JSON.stringify([failure.machine, failure.state, failure.error]);
    const group = groups.get(key);
    if (group) group.count += 1;
    else
      groups.set(key, {
        machine: failure.machine,
        state: failure.state,
        error: failure.error,
        count: 1,
        example: failure.arn,
      });
  }
  return [...groups.values()].sort((a, b) => b.count - a.count || a.machine.localeCompare(b.machine));
}

/** Runs `work` over `items` with at most `limit` in flight, keeping the order. */
export async function mapBounded<T, R>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** JSON pretty-printed, cut to `limit` characters unless `all`. */
export function prettyJson(text: string | undefined, all: boolean, limit = 2000): string {
  if (text === undefined) return '(none)';
  let pretty = text;
  try {
    pretty = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON: shown as it is.
  }
  return all || pretty.length <= limit
    ? pretty
    : `${pretty.slice(0, limit)}\n… (truncated; --all shows it whole)`;
}

/** The `outcome` field of an execution's output, if it has one. */
export function outcomeOf(output: string | undefined): string {
  if (!output) return '';
  try {
    const parsed: unknown = JSON.parse(output);
    if (parsed && typeof parsed === 'object' && 'outcome' in parsed) return String(parsed.outcome);
  } catch {
    // An output that is not JSON has no outcome.
  }
  return '';
}

/** Whether a queue name looks like a dead-letter queue. */
export const isDlqName = (name: string): boolean => /(?:dlq|DLQ|dead-letter)$/.test(name);
