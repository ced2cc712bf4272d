import { describe, expect, it } from 'vitest';
import type { BatchOperation, RawStore, SubDb } from '../../../../../infra/local/dynamodb/dynalite-internals';
import { StagedWrites } from '../../../../../infra/local/dynamodb/staged-writes';

/** A stand-in for dynalite's store: one key space with prefixed keys, and a record of every batch. */
function fakeStore(initial: Record<string, unknown>) {
  const data = new Map(Object.entries(initial));
  const batches: BatchOperation[][] = [];
  const subDb = (prefix: string): SubDb => ({
    get: (key, callback) => setImmediate(callback, null, data.get(prefix + key)),
    put: () => {
      throw new Error('a staged write must not reach the store');
    },
    del: () => {
      throw new Error('a staged delete must not reach the store');
    },
    lock: () => {
      throw new Error('dynalite locks are replaced by the table locks');
    },
  });
  const store = {
    options: {},
    tableDb: { awsAccountId: '000000000000', awsRegion: 'eu-west-1' },
    db: {
      close: (callback: (error?: unknown) => void) => callback(),
      get: (key: string, callback: (error: unknown, value?: unknown) => void) =>
        callback(null, data.get(key)),
      batch: (operations: BatchOperation[], callback: (error?: unknown) => void) => {
        batches.push(operations);
        for (const operation of operations) {
          if (operation.type === 'put') data.set(operation.key, operation.value);
          else data.delete(operation.key);
        }
        callback();
      },
    },
    getTable: () => {
      throw new Error('not used');
    },
    getItemDb: (tableName: string) => subDb(`item-${tableName}~`),
    getIndexDb: (indexType: string, tableName: string, indexName: string) =>
      subDb(`index-${indexType.toLowerCase()}~${tableName}~${indexName}~`),
  } satisfies RawStore;
  return { store, data, batches };
}

const read = (subDb: SubDb, key: string) =>
  new Promise((resolve, reject) =>
    subDb.get(key, (error, value) => (error ? reject(error) : resolve(value))),
  );
const write = (subDb: SubDb, key: string, value?: unknown) =>
  new Promise<void>((resolve, reject) => {
    const done = (error?: unknown) => (error ? reject(error) : resolve());
    if (value === undefined) subDb.del(key, done);
    else subDb.put(key, value, done);
  });

describe('StagedWrites', () => {
  it('shows staged writes to later reads but keeps them out of the store until commit', async () => {
    const { store, data, batches } = fakeStore({ 'item-Users~a': { v: 1 }, 'item-Users~b': { v: 2 } });
    const staging = new StagedWrites(store);
    const users = staging.store.getItemDb('Users');
    await write(users, 'a', { v: 10 });
    await write(users, 'b');
    expect(await read(users, 'a')).toEqual({ v: 10 });
    expect(await read(users, 'b')).toBeUndefined();
    expect(await read(users, 'c')).toBeUndefined();
    expect(data.get('item-Users~a')).toEqual({ v: 1 });
    expect(batches).toEqual([]);
  });

  it('commits items, index entries and extra records in one batch under dynalite key prefixes', async () => {
    const { store, batches } = fakeStore({});
    const staging = new StagedWrites(store);
    await write(staging.store.getItemDb('Users'), 'a', { v: 1 });
    await write(staging.store.getIndexDb('Global', 'Users', 'byEmail'), 'x', { v: 1 });
    await write(staging.store.getIndexDb('Global', 'Users', 'byEmail'), 'old');
    staging.stage({ type: 'put', key: 'token~t1', value: { digest: 'd' } });
    await staging.commit();
    expect(batches).toEqual([
      [
        { type: 'put', key: 'item-Users~a', value: { v: 1 } },
        { type: 'put', key: 'index-global~Users~byEmail~x', value: { v: 1 } },
        { type: 'del', key: 'index-global~Users~byEmail~old' },
        { type: 'put', key: 'token~t1', value: { digest: 'd' } },
      ],
    ]);
  });

  it('keeps only the last write to a key and sends nothing when nothing was staged', async () => {
    const { store, batches } = fakeStore({});
    const empty = new StagedWrites(store);
    await empty.commit();
    expect(batches).toEqual([]);

    const staging = new StagedWrites(store);
    const users = staging.store.getItemDb('Users');
    await write(users, 'a');
    await write(users, 'a', { v: 2 });
    await staging.commit();
    expect(batches).toEqual([[{ type: 'put', key: 'item-Users~a', value: { v: 2 } }]]);
  });

  it('hands dynalite a lock that runs the locked work at once', async () => {
    const { store } = fakeStore({});
    const staging = new StagedWrites(store);
    const ran = await new Promise<string>((resolve) =>
      staging.store.getItemDb('Users').lock('a', (release) => release(() => resolve('released'))(null)),
    );
    expect(ran).toBe('released');
  });
});
