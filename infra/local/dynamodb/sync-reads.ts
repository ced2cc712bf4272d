/**
 * dynalite reads through LevelDB's asynchronous `get`, which hands every read to the thread pool and back: a
 * table description at the start of every item operation, the existing item before every write. Those reads
 * are answered from LevelDB's memtable and block cache in microseconds, far less than the hand-off costs, so
 * they are made with `getSync` instead, answering on the next turn of the event loop as before.
 */

type ReadCallback = (error: unknown, value?: unknown) => void;

/** The parts of an abstract-level database (classic-level on disk, memory-level in memory) used here. */
interface SyncReadableLevel {
  /** 'opening' until LevelDB has opened (reads before then wait, asynchronously), then 'open'. */
  readonly status: string;
  getSync(key: string): unknown;
  /** dynalite's callback form, or abstract-level's own promise form (which it also calls internally). */
  get(key: string, callbackOrOptions?: unknown): unknown;
}

const canReadSynchronously = (db: unknown): db is SyncReadableLevel =>
  typeof db === 'object' && db !== null && typeof (db as Partial<SyncReadableLevel>).getSync === 'function';

/** Replaces the callback form of `db.get` (through which all of dynalite's sub-databases read). */
export function readSynchronously(db: unknown): void {
  if (!canReadSynchronously(db)) return;
  const getSync = db.getSync.bind(db);
  const get = db.get.bind(db);
  db.get = (key, callbackOrOptions) => {
    if (typeof callbackOrOptions !== 'function' || db.status !== 'open') return get(key, callbackOrOptions);
    const callback = callbackOrOptions as ReadCallback;
    let value: unknown;
    try {
      value = getSync(key);
    } catch (error) {
      setImmediate(callback, asDynaliteError(error));
      return undefined;
    }
    setImmediate(callback, null, value);
    return undefined;
  };
}

/** dynalite's wrapper reports a closed database with this message; other errors (decoding) pass unchanged. */
function asDynaliteError(error: unknown): unknown {
  const closed = (error as { code?: unknown } | null)?.code === 'LEVEL_DATABASE_NOT_OPEN';
  return closed ? new Error('Database is closed') : error;
}
