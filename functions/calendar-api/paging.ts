/**
 * Pages of a listing: `limit` (1 to 500, default 100) and an opaque cursor, the sort key of the last item
 * returned, base64url-encoded so that clients treat it as a token rather than build one. Every listing reads
 * its page with `pageRequest` and ends it with `nextCursor`.
 */
import type { FieldError } from '../shared/http/answers';

export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 500;

function pageLimit(value: string | undefined, errors: FieldError[]): number {
  if (value === undefined) return DEFAULT_PAGE;
  const limit = /^\d{1,3}$/.test(value) ? Number(value) : Number.NaN;
  if (limit >= 1 && limit <= MAX_PAGE) return limit;
  errors.push({
    field: 'limit',
    rule: 'range',
    message: `limit must be a whole number from 1 to ${MAX_PAGE}.`,
  });
  return DEFAULT_PAGE;
}

const encodeCursor = (key: string): string =>
  Buffer.from(JSON.stringify({ after: key })).toString('base64url');

const NOT_OURS: FieldError = {
  field: 'cursor',
  rule: 'cursor',
  message: 'cursor is not a nextCursor this API gave out.',
};

function decodeCursor(value: string | undefined, errors: FieldError[]): string | undefined {
  if (value === undefined) return undefined;
  try {
    const decoded: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (
      typeof decoded === 'object' &&
      decoded !== null &&
      'after' in decoded &&
      typeof decoded.after === 'string'
    ) {
      return decoded.after;
    }
  } catch {
    // Reported below, like any other cursor that is not one of ours.
  }
  errors.push(NOT_OURS);
  return undefined;
}

/**
 * The page a listing asks for: its size and the key it goes on after, problems added to `errors`. A listing
 * whose keys have a form passes `isKey`, so a well-encoded cursor with another key is refused like a forged one.
 */
export function pageRequest(
  query: Readonly<Record<string, string | undefined>>,
  errors: FieldError[],
  isKey: (key: string) => boolean = () => true,
): { readonly limit: number; readonly after: string | undefined } {
  const limit = pageLimit(query.limit, errors);
  const after = decodeCursor(query.cursor, errors);
  if (after === undefined || isKey(after)) return { limit, after };
  errors.push(NOT_OURS);
  return { limit, after: undefined };
}

/** The `nextCursor` field of a page that more items follow, after the one with `lastKey`; none on the last. */
export const nextCursor = (lastKey: string | undefined): { readonly nextCursor?: string } =>
  lastKey === undefined ? {} : { nextCursor: encodeCursor(lastKey) };
