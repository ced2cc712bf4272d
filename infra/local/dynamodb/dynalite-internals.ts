/**
 * Typed handles on the parts of dynalite the local DynamoDB reuses: its store, its request validations and
 * expression parsers, its actions, and its item helpers (keys, conditions). dynalite is CommonJS without types;
 * the interfaces below declare only what is called.
 */
import { createRequire } from 'node:module';
import { AwsServiceError } from '../edge/contracts';
import { installExpressionCache } from './expression-cache';

const require = createRequire(import.meta.url);

export type Callback = (error: unknown, result?: unknown) => void;

/** A DynamoDB item or key in wire form: attribute name → AttributeValue. */
export type AttributeMap = Record<string, unknown>;

/** One prefixed key space of dynalite's LevelDB (a table's items, or one index). */
export interface SubDb {
  get(key: string, callback: (error: unknown, value?: unknown) => void): void;
  put(key: string, value: unknown, callback: (error?: unknown) => void): void;
  del(key: string, callback: (error?: unknown) => void): void;
  /** dynalite's per-key lock: `exec` receives `release`, which wraps the callback that ends the locked work. */
  lock(key: string, exec: (release: (done: Callback) => Callback) => void): void;
}

export interface BatchOperation {
  readonly type: 'put' | 'del';
  readonly key: string;
  readonly value?: unknown;
}

/** The table metadata dynalite keeps (a DescribeTable `Table`). */
export interface DynaliteTable {
  readonly TableName: string;
  readonly KeySchema: readonly { readonly AttributeName: string }[];
}

export interface RawStore {
  readonly options: Record<string, unknown>;
  readonly tableDb: { awsAccountId: string; awsRegion: string };
  readonly lifecycleManager?: { gracefulClose(callback: (error?: unknown) => void): void };
  readonly db: {
    close(callback: (error?: unknown) => void): void;
    get(key: string, callback: (error: unknown, value?: unknown) => void): void;
    batch(operations: BatchOperation[], callback: (error?: unknown) => void): void;
  };
  getTable(name: string, callback: (error: unknown, table?: DynaliteTable) => void): void;
  getItemDb(tableName: string): SubDb;
  getIndexDb(indexType: string, tableName: string, indexName: string): SubDb;
}

export type Action = (store: RawStore, data: unknown, callback: Callback) => void;

export interface ActionValidation {
  readonly types: Record<string, unknown>;
  readonly custom?: unknown;
}

interface Validations {
  checkTypes(data: unknown, types: unknown): Record<string, unknown>;
  checkValidations(data: unknown, types: unknown, custom: unknown, store: RawStore): void;
  /** Parses a request's expressions into `_condition`, `_updates`, ...; returns an error message or nothing. */
  validateExpressions(data: Record<string, unknown>): string | undefined;
}

interface DynaliteDb {
  create(options: Record<string, unknown>): RawStore;
  /** Returns a ValidationException-shaped error, or null when the key matches the table's key schema. */
  validateKey(key: AttributeMap, table: DynaliteTable): unknown;
  validateItem(item: AttributeMap, table: DynaliteTable): unknown;
  /** The item's primary key as dynalite stores it; equal keys name the same item. */
  createKey(itemOrKey: AttributeMap, table: DynaliteTable): string;
  /** Evaluates `_condition` (a parsed ConditionExpression) or `Expected`; returns the failure or null. */
  checkConditional(data: unknown, existingItem: AttributeMap | undefined): unknown;
}

export const dynaliteValidations = require('dynalite/validations') as Validations;
export const dynaliteDb = require('dynalite/db') as DynaliteDb;

// Every request's expressions go through dynalite's parsers; memoise them (see expression-cache.ts).
installExpressionCache();

export const loadAction = (name: string): Action => require(`dynalite/actions/${name}`) as Action;
export const loadValidation = (name: string): ActionValidation =>
  require(`dynalite/validations/${name}`) as ActionValidation;

/** Runs dynalite's type checks and validations; returns the normalised request (expressions parsed). */
export function validateRequest(validation: ActionValidation, input: unknown, store: RawStore): unknown {
  try {
    const data = dynaliteValidations.checkTypes(input, validation.types);
    dynaliteValidations.checkValidations(data, validation.types, validation.custom, store);
    return data;
  } catch (error) {
    throw asServiceError(error);
  }
}

export function runAction(action: Action, store: RawStore, data: unknown): Promise<unknown> {
  return new Promise((resolve, reject) =>
    action(store, data, (error, result) => (error ? reject(asServiceError(error)) : resolve(result))),
  );
}

export function getTable(store: RawStore, name: string): Promise<DynaliteTable> {
  return new Promise((resolve, reject) =>
    store.getTable(name, (error, table) =>
      error || !table ? reject(asServiceError(error)) : resolve(table),
    ),
  );
}

export function getItem(subDb: SubDb, key: string): Promise<AttributeMap | undefined> {
  return new Promise((resolve, reject) =>
    subDb.get(key, (error, value) => {
      // Older level versions signal a missing key as NotFoundError rather than undefined.
      if (error && !(error instanceof Error && error.name === 'NotFoundError')) reject(error);
      else resolve(error ? undefined : (value as AttributeMap | undefined));
    }),
  );
}

/** dynalite signals AWS errors as `{ statusCode, body: { __type, message } }`; anything else is a fault. */
export function asServiceError(error: unknown): unknown {
  if (typeof error !== 'object' || error === null || !('statusCode' in error) || !('body' in error))
    return error;
  const { statusCode, body } = error as { statusCode: unknown; body: unknown };
  if (typeof statusCode !== 'number' || typeof body !== 'object' || body === null) return error;
  const { __type, message, Message, ...extra } = body as Record<string, unknown>;
  const text = typeof message === 'string' ? message : typeof Message === 'string' ? Message : '';
  return new AwsServiceError(String(__type), text, statusCode, extra);
}

/** True for an AwsServiceError whose code (with or without namespace) is `shortCode`. */
export const isServiceError = (error: unknown, shortCode: string): error is AwsServiceError =>
  error instanceof AwsServiceError && (error.code === shortCode || error.code.endsWith(`#${shortCode}`));
