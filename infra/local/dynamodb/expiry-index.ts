/**
 * Which items of the TTL-enabled tables expire when, kept up to date from the writes as they are committed
 * (DynaliteStore.onCommit), so that the TTL sweeper finds what is due in O(log n) per item instead of
 * scanning every table every second (a scan of a table that a busy function writes to grows with the table:
 * idempotency records alone add 200 items a second under the webhook benchmark).
 */
import { MinHeap } from '../shared/min-heap';
import type { AttributeMap, BatchOperation } from './dynalite-internals';

/** An item whose expiry is due or known: its dynalite key, its DynamoDB key, its expiry in epoch seconds. */
export interface ExpiringItem {
  readonly itemKey: string;
  readonly key: AttributeMap;
  readonly expiresAt: number;
}

/** dynalite keeps a table's items under `item-<table>~<item key>` (dynalite/db `getSubDb`). */
const ITEM_PREFIX = 'item-';

class TableExpiries {
  private readonly queue = new MinHeap<ExpiringItem>((item) => item.expiresAt);
  /** The expiry each item has now; queue entries that disagree are stale and skipped. */
  private readonly current = new Map<string, ExpiringItem>();

  constructor(
    private readonly attributeName: string,
    private readonly keyNames: readonly string[],
  ) {}

  /** Records the item as written (undefined: deleted); `ifUnknown` leaves an item already recorded alone. */
  record(itemKey: string, item: AttributeMap | undefined, ifUnknown = false): void {
    if (ifUnknown && this.current.has(itemKey)) return;
    const expiry = item?.[this.attributeName] as { N?: unknown } | undefined;
    const expiresAt = typeof expiry?.N === 'string' ? Number(expiry.N) : Number.NaN;
    if (!item || !Number.isFinite(expiresAt)) {
      this.current.delete(itemKey);
      return;
    }
    const key: AttributeMap = {};
    for (const name of this.keyNames) key[name] = item[name];
    const entry = { itemKey, key, expiresAt };
    this.current.set(itemKey, entry);
    this.queue.push(entry);
  }

  /** Takes out the items expired at `nowSeconds`, skipping (and dropping) expiries before `oldestSeconds`. */
  takeDue(nowSeconds: number, oldestSeconds: number): ExpiringItem[] {
    const due: ExpiringItem[] = [];
    for (let next = this.queue.peek(); next && next.expiresAt <= nowSeconds; next = this.queue.peek()) {
      this.queue.pop();
      if (this.current.get(next.itemKey) !== next) continue;
      this.current.delete(next.itemKey);
      if (next.expiresAt >= oldestSeconds) due.push(next);
    }
    return due;
  }

  putBack(item: ExpiringItem): void {
    if (this.current.has(item.itemKey)) return;
    this.current.set(item.itemKey, item);
    this.queue.push(item);
  }

  get size(): number {
    return this.current.size;
  }
}

export class ExpiryIndex {
  private readonly tables = new Map<string, TableExpiries>();

  /** Starts following a table's items; `seed` with what the table already holds. */
  track(tableName: string, attributeName: string, keyNames: readonly string[]): void {
    this.tables.set(tableName, new TableExpiries(attributeName, keyNames));
  }

  untrack(tableName: string): void {
    this.tables.delete(tableName);
  }

  /** Items read from the table itself; a write recorded since (it is newer) is kept. */
  seed(tableName: string, items: readonly { itemKey: string; item: AttributeMap }[]): void {
    const table = this.tables.get(tableName);
    for (const { itemKey, item } of items) table?.record(itemKey, item, true);
  }

  /** Follows a committed LevelDB batch: item puts and deletes of the tracked tables. */
  observe(operations: readonly BatchOperation[]): void {
    if (this.tables.size === 0) return;
    for (const operation of operations) {
      if (!operation.key.startsWith(ITEM_PREFIX)) continue;
      const separator = operation.key.indexOf('~', ITEM_PREFIX.length);
      if (separator === -1) continue;
      const table = this.tables.get(operation.key.slice(ITEM_PREFIX.length, separator));
      table?.record(
        operation.key.slice(separator + 1),
        operation.type === 'put' ? (operation.value as AttributeMap) : undefined,
      );
    }
  }

  takeDue(tableName: string, nowSeconds: number, oldestSeconds: number): ExpiringItem[] {
    return this.tables.get(tableName)?.takeDue(nowSeconds, oldestSeconds) ?? [];
  }

  /** Puts back an item taken out whose deletion failed, unless a newer write was recorded meanwhile. */
  putBack(tableName: string, item: ExpiringItem): void {
    this.tables.get(tableName)?.putBack(item);
  }

  /** Items with an expiry, in a tracked table. */
  size(tableName: string): number {
    return this.tables.get(tableName)?.size ?? 0;
  }
}
