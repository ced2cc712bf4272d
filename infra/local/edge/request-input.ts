/**
 * Narrowing helpers for decoded request input (JSON bodies, query parameters decoded by ./query-input): what
 * the SDK's request types promise is checked here, and a member of the wrong type reads as absent, which the
 * service then reports as AWS does.
 */

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

/** A map of text, e.g. decoded `Attributes.entry.N.key/value`; members that are not text are left out. */
export function textMap(value: unknown): Record<string, string> {
  return Object.fromEntries(
    Object.entries(record(value) ?? {}).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string',
    ),
  );
}
