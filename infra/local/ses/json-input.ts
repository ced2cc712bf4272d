/** Narrowing helpers for decoded JSON request bodies: wrong types read as absent, which SES then reports. */

export type JsonRecord = Readonly<Record<string, unknown>>;

export function record(value: unknown): JsonRecord | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as JsonRecord)
    : undefined;
}

export function text(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function texts(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** `[{ Name, Value }]` → `{ [Name]: Value }`. */
export function nameValuePairs(value: unknown): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const item of Array.isArray(value) ? value : []) {
    const name = text(record(item)?.Name);
    if (name !== undefined) pairs[name] = text(record(item)?.Value) ?? '';
  }
  return pairs;
}
