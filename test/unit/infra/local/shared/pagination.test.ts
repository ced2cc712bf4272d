/** One pagination for every emulated list: a token names the last key returned, and only its own list. */
import { describe, expect, it } from 'vitest';
import {
  descendingOrder,
  type ListPaging,
  numberKey,
  paginate,
} from '../../../../../infra/local/shared/pagination';

class InvalidToken extends Error {}

const byName: ListPaging<string> = {
  list: 'test:ListNames',
  keyOf: (name) => name,
  invalidToken: () => new InvalidToken('The NextToken is not valid.'),
};

/** Every item from the first page to the last, calling `itemsNow` afresh before each page. */
function walk(itemsNow: (call: number) => readonly string[], pageSize: number, paging = byName): string[][] {
  const pages: string[][] = [];
  let token: string | undefined;
  do {
    const page = paginate(itemsNow(pages.length), { token, pageSize }, paging);
    pages.push(page.items);
    token = page.nextToken;
  } while (token !== undefined);
  return pages;
}

describe('paginate', () => {
  it('pages through a list in order and gives no token after the last page', () => {
    expect(walk(() => ['a', 'b', 'c', 'd', 'e'], 2)).toEqual([['a', 'b'], ['c', 'd'], ['e']]);
    expect(paginate(['a', 'b'], { pageSize: 2 }, byName)).toEqual({ items: ['a', 'b'] });
  });

  it('neither skips nor repeats an item when items are added or removed between calls', () => {
    const lists = [
      ['b', 'd', 'f', 'h'],
      // 'b' (already returned) and 'd' (the last key returned) removed, 'a' added before the position, 'e' after.
      ['a', 'e', 'f', 'h'],
      ['a', 'e', 'f', 'h'],
    ];
    const pages = walk((call) => lists[call] ?? [], 2);
    expect(pages).toEqual([['b', 'd'], ['e', 'f'], ['h']]);
  });

  it('follows the order the list is sorted in, newest first included', () => {
    const newestFirst: ListPaging<number> = {
      list: 'test:ListByTime',
      keyOf: numberKey,
      compare: descendingOrder,
      invalidToken: () => new InvalidToken(),
    };
    const first = paginate([300, 20, 1], { pageSize: 1 }, newestFirst);
    expect(first.items).toEqual([300]);
    expect(paginate([400, 300, 20, 1], { token: first.nextToken, pageSize: 2 }, newestFirst).items).toEqual([
      20, 1,
    ]);
  });

  it("refuses a token another list gave, or one it never gave, with the service's own error", () => {
    const other = paginate(['a', 'b'], { pageSize: 1 }, { ...byName, list: 'other:ListNames' });
    expect(other.nextToken).toBeDefined();
    expect(() => paginate(['a', 'b'], { token: other.nextToken, pageSize: 1 }, byName)).toThrow(InvalidToken);
    expect(() => paginate(['a', 'b'], { token: 'MQ==', pageSize: 1 }, byName)).toThrow(InvalidToken);
    expect(() => paginate(['a', 'b'], { token: 'not a token', pageSize: 1 }, byName)).toThrow(InvalidToken);
  });
});
