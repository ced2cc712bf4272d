/**
 * Runs dynalite's own write actions against an overlay of its store: reads see what was staged, puts and
 * deletes (of items and of secondary-index entries) are collected instead of written, and `commit` applies
 * them all in one LevelDB batch. LevelDB logs a batch as one record and replays it whole or not at all, so a
 * kill -9 can never leave half of a transaction (or an item without its index entries) on disk.
 */
import type { BatchOperation, Callback, RawStore, SubDb } from './dynalite-internals';

/** Key prefixes of dynalite's sub-databases (dynalite/db `getSubDb`: `${name}~`). */
const itemPrefix = (tableName: string) => `item-${tableName}~`;
const indexPrefix = (indexType: string, tableName: string, indexName: string) =>
  `index-${indexType.toLowerCase()}~${tableName}~${indexName}~`;

/** Callers hold the table locks, which stand in for dynalite's per-key item locks. */
const heldLock = (_key: string, exec: (release: (done: Callback) => Callback) => void) =>
  exec((done) => done);

export class StagedWrites {
  /** Full LevelDB key → its last staged operation. */
  private readonly operations = new Map<string, BatchOperation>();
  /** A store for dynalite actions: everything as in `base`, except item and index reads and writes. */
  readonly store: RawStore;

  constructor(private readonly base: RawStore) {
    this.store = {
      ...base,
      getItemDb: (tableName) => this.overlay(itemPrefix(tableName), base.getItemDb(tableName)),
      getIndexDb: (indexType, tableName, indexName) =>
        this.overlay(
          indexPrefix(indexType, tableName, indexName),
          base.getIndexDb(indexType, tableName, indexName),
        ),
    };
  }

  /** Stages a write outside dynalite's tables (e.g. a transaction's client token record). */
  stage(operation: BatchOperation): void {
    this.operations.set(operation.key, operation);
  }

  get size(): number {
    return this.operations.size;
  }

  /** Writes what was staged in one batch; resolves with the operations written. */
  commit(): Promise<readonly BatchOperation[]> {
    if (this.operations.size === 0) return Promise.resolve([]);
    const batch = [...this.operations.values()];
    return new Promise((resolve, reject) =>
      this.base.db.batch(batch, (error) => (error ? reject(error) : resolve(batch))),
    );
  }

  private overlay(prefix: string, underlying: SubDb): SubDb {
    return {
      get: (key, callback) => {
        const staged = this.operations.get(prefix + key);
        if (!staged) return underlying.get(key, callback);
        setImmediate(callback, null, staged.type === 'put' ? staged.value : undefined);
      },
      put: (key, value, callback) => {
        this.stage({ type: 'put', key: prefix + key, value });
        setImmediate(callback);
      },
      del: (key, callback) => {
        this.stage({ type: 'del', key: prefix + key });
        setImmediate(callback);
      },
      lock: heldLock,
    };
  }
}
