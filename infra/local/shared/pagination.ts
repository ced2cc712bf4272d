/**
 * One pagination for every emulated list operation. The token names the list it came from and the key of the
 * last item returned, so the next page starts right after that key even when items were added or removed
 * between calls: nothing is skipped or repeated. A token from another list (or another service) is refused,
 * as AWS refuses it, with the service's own error.
 */

/** How one list operation pages: the items it is given must already be in `compare` order of `keyOf`. */
export interface ListPaging<T> {
  /** Names the list, e.g. `states:ListExecutions`; a token minted for another list is refused. */
  readonly list: string;
  /** Unique per item; the item's place in the list follows it. */
  readonly keyOf: (item: T) => string;
  /** The list's order over keys; code-unit order when not given. */
  readonly compare?: (left: string, right: string) => number;
  /** The service's own error for a token it did not issue. */
  readonly invalidToken: () => Error;
}

export interface Page<T> {
  readonly items: T[];
  /** Present only when more items follow. */
  readonly nextToken?: string;
}

interface TokenContent {
  readonly list: string;
  readonly after: string;
}

/** Plain string order (not locale order), as sorting by `<` gives. */
export const codeUnitOrder = (left: string, right: string): number =>
  left < right ? -1 : left > right ? 1 : 0;

/** For lists newest first. */
export const descendingOrder = (left: string, right: string): number => codeUnitOrder(right, left);

function encodeToken(content: TokenContent): string {
  return Buffer.from(JSON.stringify(content), 'utf8').toString('base64url');
}

function decodeToken(token: string, list: string): string | undefined {
  try {
    const content: unknown = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (typeof content !== 'object' || content === null) return undefined;
    const { list: tokenList, after } = content as Partial<Record<keyof TokenContent, unknown>>;
    return tokenList === list && typeof after === 'string' ? after : undefined;
  } catch {
    return undefined;
  }
}

/** The page of at most `pageSize` items following `token` (from the start when there is none). */
export function paginate<T>(
  items: readonly T[],
  request: { readonly token?: string | undefined; readonly pageSize: number },
  paging: ListPaging<T>,
): Page<T> {
  const compare = paging.compare ?? codeUnitOrder;
  let remaining = items;
  if (request.token) {
    const after = decodeToken(request.token, paging.list);
    if (after === undefined) throw paging.invalidToken();
    remaining = items.filter((item) => compare(paging.keyOf(item), after) > 0);
  }
  const page = remaining.slice(0, Math.max(1, request.pageSize));
  const last = page.at(-1);
  return remaining.length > page.length && last !== undefined
    ? { items: page, nextToken: encodeToken({ list: paging.list, after: paging.keyOf(last) }) }
    : { items: page };
}

/** Keys that order numbers as text, for lists ordered by a time or sequence number. */
export function numberKey(value: number): string {
  return String(Math.trunc(value)).padStart(16, '0');
}
