/**
 * dynalite's store and actions, called in-process: the edge has already parsed the JSON body, so each
 * operation goes straight to dynalite's validations and action without a second HTTP hop or a reparse.
 */
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { AwsServiceError } from '../edge/service';
import type { LocalAccount } from '../shared/ports';

const require = createRequire(import.meta.url);

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

type Callback = (error: unknown, result?: unknown) => void;
type Action = (store: RawStore, data: unknown, callback: Callback) => void;
interface ActionValidation {
  readonly types: unknown;
  readonly custom?: unknown;
}
interface Validations {
  checkTypes(data: unknown, types: unknown): unknown;
  checkValidations(data: unknown, types: unknown, custom: unknown, store: RawStore): void;
}
interface RawStore {
  readonly tableDb: { awsAccountId: string; awsRegion: string };
  readonly lifecycleManager?: { gracefulClose(callback: (error?: unknown) => void): void };
  readonly db: { close(callback: (error?: unknown) => void): void };
}
interface DynaliteDb {
  create(options: Record<string, unknown>): RawStore;
}

const validations = require('dynalite/validations') as Validations;
const dynaliteDb = require('dynalite/db') as DynaliteDb;

const lowerFirst = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);

export class DynaliteStore {
  private readonly store: RawStore;
  private readonly handlers = new Map<string, { action: Action; validation: ActionValidation }>();

  /** `directory` undefined keeps tables in memory (for benchmarks). */
  constructor(directory: string | undefined, account: LocalAccount) {
    if (directory) mkdirSync(directory, { recursive: true });
    this.store = dynaliteDb.create({ path: directory, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
    // ARNs dynalite writes (TableArn, IndexArn) name the local account and region.
    this.store.tableDb.awsAccountId = account.accountId;
    this.store.tableDb.awsRegion = account.region;
    for (const operation of DYNALITE_OPERATIONS) {
      const name = lowerFirst(operation);
      this.handlers.set(operation, {
        action: require(`dynalite/actions/${name}`) as Action,
        validation: require(`dynalite/validations/${name}`) as ActionValidation,
      });
    }
  }

  /** Runs one DynamoDB operation; dynalite's errors become AwsServiceErrors with its exact `__type`. */
  call(operation: DynaliteOperation, input: unknown): Promise<unknown> {
    const handler = this.handlers.get(operation);
    if (!handler) return Promise.reject(new AwsServiceError('UnknownOperationException', operation));
    return new Promise((resolve, reject) => {
      let data: unknown;
      try {
        data = validations.checkTypes(input, handler.validation.types);
        validations.checkValidations(data, handler.validation.types, handler.validation.custom, this.store);
      } catch (error) {
        reject(asServiceError(error));
        return;
      }
      handler.action(this.store, data, (error, result) =>
        error ? reject(asServiceError(error)) : resolve(result),
      );
    });
  }

  close(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (error?: unknown) => (error ? reject(error) : resolve());
      if (this.store.lifecycleManager) this.store.lifecycleManager.gracefulClose(done);
      else this.store.db.close(done);
    });
  }
}

/** dynalite signals AWS errors as `{ statusCode, body: { __type, message } }`; anything else is a fault. */
function asServiceError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || !('statusCode' in error) || !('body' in error))
    return error;
  const { statusCode, body } = error as { statusCode: unknown; body: unknown };
  if (typeof statusCode !== 'number' || typeof body !== 'object' || body === null) return error;
  const { __type, message, Message, ...extra } = body as Record<string, unknown>;
  const text = typeof message === 'string' ? message : typeof Message === 'string' ? Message : '';
  return new AwsServiceError(String(__type), text, statusCode, extra);
}
