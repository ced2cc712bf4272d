/**
 * dynalite's store and actions, called in-process: the edge has already parsed the JSON body, so each
 * operation goes straight to dynalite's validations and action without a second HTTP hop or a reparse.
 *
 * Every write holds locks and is staged, then committed as one LevelDB batch (StagedWrites): a single-item
 * write holds its item's lock (and shares its table's), batch writes and transactions hold their tables'
 * locks; so a condition checked is still true when the write lands, writes to different items of a table
 * proceed side by side, and a write reaches disk whole (item and index entries together) or not at all.
 */
import { mkdirSync } from 'node:fs';
import { AwsServiceError } from '../edge/contracts';
import type { LocalAccount } from '../shared/ports';
import { constraint, validationMessage } from '../shared/validation';
import {
  type Action,
  type ActionValidation,
  type AttributeMap,
  type BatchOperation,
  dynaliteDb,
  getItem,
  getTable,
  isServiceError,
  loadAction,
  loadValidation,
  type RawStore,
  runAction,
  validateRequest,
} from './dynalite-internals';
import { ResourceLocks } from './resource-locks';
import { StagedWrites } from './staged-writes';
import { readSynchronously } from './sync-reads';

/** Operations dynalite implements; TTL operations are answered by the service itself. */
export const DYNALITE_OPERATIONS = [
  'BatchGetItem',
  'BatchWriteItem',
  'CreateTable',
  'DeleteItem',
  'DeleteTable',
  'DescribeTable',
  'GetItem',
  'ListTables',
  'PutItem',
  'Query',
  'Scan',
  'TagResource',
  'UntagResource',
  'ListTagsOfResource',
  'UpdateItem',
  'UpdateTable',
] as const;

export type DynaliteOperation = (typeof DYNALITE_OPERATIONS)[number];

/**
 * `ReturnValuesOnConditionCheckFailure` of a PutItem, UpdateItem or DeleteItem (dynalite does not know it);
 * AWS allows only ALL_OLD and NONE.
 */
function returnValuesOnConditionCheckFailure(
  operation: DynaliteOperation,
  input: unknown,
): string | undefined {
  if (operation !== 'PutItem' && operation !== 'UpdateItem' && operation !== 'DeleteItem') return undefined;
  if (typeof input !== 'object' || input === null) return undefined;
  const value = (input as { ReturnValuesOnConditionCheckFailure?: unknown })
    .ReturnValuesOnConditionCheckFailure;
  if (value === undefined || value === null) return undefined;
  if (value !== 'ALL_OLD' && value !== 'NONE') {
    throw new AwsServiceError(
      'com.amazon.coral.validate#ValidationException',
      validationMessage([
        {
          value: String(value),
          member: 'returnValuesOnConditionCheckFailure',
          constraint: constraint.oneOf(['ALL_OLD', 'NONE']),
        },
      ]),
    );
  }
  return value;
}

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

/** The lock that serialises writes to one table. */
export const tableLock = (tableName: string): string => `table:${tableName}`;

/** The lock that serialises writes to one item (its key as dynalite stores it). */
const itemLock = (tableName: string, key: string): string => `item:${tableName}:${key}`;

interface WriteLocks {
  readonly exclusive: string[];
  readonly shared: string[];
}

type WriteRequest = {
  TableName?: string;
  Item?: unknown;
  Key?: unknown;
  RequestItems?: Record<string, unknown>;
};

export class DynaliteStore {
  private readonly store: RawStore;
  private readonly handlers = new Map<string, { action: Action; validation: ActionValidation }>();
  private readonly locks = new ResourceLocks();
  private readonly commitListeners = new Set<(operations: readonly BatchOperation[]) => void>();

  /** `directory` undefined keeps tables in memory (for benchmarks). */
  constructor(directory: string | undefined, account: LocalAccount) {
    if (directory) mkdirSync(directory, { recursive: true });
    this.store = dynaliteDb.create({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    // ARNs dynalite writes (TableArn, IndexArn) name the local account and region.
    this.store.tableDb.awsAccountId = account.accountId;
    this.store.tableDb.awsRegion = account.region;
    readSynchronously(this.store.db);
    for (const operation of DYNALITE_OPERATIONS) {
      const name = lowerFirst(operation);
      this.handlers.set(operation, { action: loadAction(name), validation: loadValidation(name) });
    }
  }

  /** Runs one DynamoDB operation; dynalite's errors become AwsServiceErrors with its exact `__type`. */
  async call(operation: DynaliteOperation, input: unknown): Promise<unknown> {
    // dynalite's validation keeps only the members it knows; read this one from the request as sent.
    const returnOldOnFailure = returnValuesOnConditionCheckFailure(operation, input) === 'ALL_OLD';
    const data = this.validate(operation, input);
    const action = this.handler(operation).action;
    const locks = await this.writeLocks(operation, data as WriteRequest);
    if (!locks) return withoutDynaliteExtras(await runAction(action, this.store, data));
    return this.writeExclusively(
      locks.exclusive,
      async (staging) => {
        try {
          return await runAction(action, staging.store, data);
        } catch (error) {
          if (returnOldOnFailure && isServiceError(error, 'ConditionalCheckFailedException')) {
            // Still under the item's lock: the item read is the one the condition was checked against.
            const item = await this.currentItem(staging.store, data as WriteRequest, operation);
            if (item) throw new AwsServiceError(error.code, error.message, error.statusCode, { Item: item });
          }
          throw error;
        }
      },
      locks.shared,
    );
  }

  /** The stored item a single-item write addresses, if there is one. */
  private async currentItem(
    store: RawStore,
    request: WriteRequest,
    operation: DynaliteOperation,
  ): Promise<AttributeMap | undefined> {
    const tableName = request.TableName ?? '';
    const key = await this.itemKey(tableName, operation === 'PutItem' ? request.Item : request.Key);
    return key === undefined ? undefined : getItem(store.getItemDb(tableName), key);
  }

  /** The locks a validated write takes; undefined for reads and table operations. */
  private async writeLocks(
    operation: DynaliteOperation,
    request: WriteRequest,
  ): Promise<WriteLocks | undefined> {
    if (operation === 'BatchWriteItem') {
      return { exclusive: Object.keys(request.RequestItems ?? {}).map(tableLock), shared: [] };
    }
    if (operation !== 'PutItem' && operation !== 'UpdateItem' && operation !== 'DeleteItem') return undefined;
    const tableName = request.TableName ?? '';
    const key = await this.itemKey(tableName, operation === 'PutItem' ? request.Item : request.Key);
    // Without a key (no such table, a malformed key) the action only reports the error: lock the table.
    if (key === undefined) return { exclusive: [tableLock(tableName)], shared: [] };
    return { exclusive: [itemLock(tableName, key)], shared: [tableLock(tableName)] };
  }

  /** How dynalite keys the item (or key) in the table; undefined for no such table or a malformed key. */
  async itemKey(tableName: string, itemOrKey: unknown): Promise<string | undefined> {
    try {
      return dynaliteDb.createKey(itemOrKey as AttributeMap, await getTable(this.store, tableName));
    } catch {
      return undefined;
    }
  }

  /** dynalite's validation of `operation` applied to `input`: the normalised request, expressions parsed. */
  validate(operation: DynaliteOperation, input: unknown): unknown {
    return this.validateWith(this.handler(operation).validation, input);
  }

  /** dynalite's validation engine applied with `validation` (types and custom checks) to `input`. */
  validateWith(validation: ActionValidation, input: unknown): unknown {
    return validateRequest(validation, input, this.store);
  }

  /** Runs dynalite's action for an already validated request against `store` (the real one or a staging). */
  execute(operation: DynaliteOperation, store: RawStore, data: unknown): Promise<unknown> {
    return runAction(this.handler(operation).action, store, data);
  }

  /**
   * Runs `work` holding `lockNames` (and sharing `sharedLockNames`) with its writes staged, then commits them
   * in one batch; if `work` throws, nothing is written.
   */
  writeExclusively<T>(
    lockNames: string[],
    work: (staging: StagedWrites) => Promise<T>,
    sharedLockNames: string[] = [],
  ): Promise<T> {
    return this.locks.run(
      lockNames,
      async () => {
        const staging = new StagedWrites(this.store);
        const result = await work(staging);
        const written = await staging.commit();
        for (const listener of this.commitListeners) listener(written);
        return result;
      },
      sharedLockNames,
    );
  }

  /** Tells `listener` of every batch written (items, index entries, records), after it is on disk. */
  onCommit(listener: (operations: readonly BatchOperation[]) => void): () => void {
    this.commitListeners.add(listener);
    return () => this.commitListeners.delete(listener);
  }

  /** Runs `work` holding `lockNames`, so that no write to those tables lands between its reads. */
  readExclusively<T>(lockNames: string[], work: (store: RawStore) => Promise<T>): Promise<T> {
    return this.locks.run(lockNames, () => work(this.store));
  }

  /** Reads a record that lives beside dynalite's tables (written through `StagedWrites.stage`). */
  readRecord(key: string): Promise<unknown> {
    return new Promise((resolve, reject) =>
      this.store.db.get(key, (error, value) => {
        if (error && !(error instanceof Error && error.name === 'NotFoundError')) reject(error);
        else resolve(error ? undefined : value);
      }),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: unknown) => (error ? reject(error) : resolve());
      if (this.store.lifecycleManager) this.store.lifecycleManager.gracefulClose(done);
      else this.store.db.close(done);
    });
  }

  private handler(operation: DynaliteOperation) {
    const handler = this.handlers.get(operation);
    if (!handler) throw new AwsServiceError('UnknownOperationException', operation);
    return handler;
  }
}

/**
 * dynalite describes an on-demand table with a TableThroughputModeSummary that no DynamoDB model has; AWS
 * answers without it (test/conformance/service-models.test.ts checks the answers against the models).
 */
function withoutDynaliteExtras(output: unknown): unknown {
  if (typeof output !== 'object' || output === null) return output;
  for (const member of ['Table', 'TableDescription'] as const) {
    const table = (output as Record<string, unknown>)[member];
    if (typeof table === 'object' && table !== null)
      delete (table as Record<string, unknown>).TableThroughputModeSummary;
  }
  return output;
}
