/**
 * The shapes of TransactWriteItems and TransactGetItems, checked by dynalite's own validation engine: each
 * member reuses the type rules and custom checks of the single-item operation it stands for (Put → PutItem,
 * Update → UpdateItem, Delete and ConditionCheck → DeleteItem, Get → GetItem), so expressions are parsed and
 * checked exactly as there, and errors carry AWS's member paths (`transactItems.1.member.put.tableName`).
 */
import { validationError } from '../edge/contracts';
import { type ActionValidation, type AttributeMap, loadValidation } from './dynalite-internals';
import type { DynaliteOperation } from './dynalite-store';

export type WriteKind = 'ConditionCheck' | 'Put' | 'Update' | 'Delete';

/** One validated TransactItems member, in the form dynalite's single-item action for it expects. */
export interface TransactWriteMember {
  readonly kind: WriteKind;
  /** The single-item action that applies it; a ConditionCheck only evaluates its condition. */
  readonly operation: DynaliteOperation | undefined;
  readonly request: {
    readonly TableName: string;
    readonly Item?: AttributeMap;
    readonly Key?: AttributeMap;
    readonly ReturnValuesOnConditionCheckFailure?: 'ALL_OLD' | 'NONE';
  };
}

export interface TransactWriteRequest {
  readonly ClientRequestToken?: string;
  readonly TransactItems: readonly Record<string, unknown>[];
}

export interface TransactGetMember {
  readonly request: { readonly TableName: string; readonly Key: AttributeMap };
}

/** Validates with dynalite's engine; the DynaliteStore supplies the store its custom checks consult. */
export type Validate = (validation: ActionValidation, input: unknown) => unknown;

const returnValuesOnConditionCheckFailure = { type: 'String', enum: ['ALL_OLD', 'NONE'] };

/** A member's validation: the single-item operation's, with the transaction's extra and required fields. */
function memberValidation(operationName: string, overrides: Record<string, unknown>): ActionValidation {
  const base = loadValidation(operationName);
  return {
    types: {
      ...base.types,
      ReturnValuesOnConditionCheckFailure: returnValuesOnConditionCheckFailure,
      ...overrides,
    },
    custom: base.custom,
  };
}

const WRITE_MEMBERS: Record<WriteKind, { validation: ActionValidation; operation?: DynaliteOperation }> = {
  ConditionCheck: {
    validation: memberValidation('deleteItem', { ConditionExpression: { type: 'String', notNull: true } }),
  },
  Put: { validation: memberValidation('putItem', {}), operation: 'PutItem' },
  Update: {
    validation: memberValidation('updateItem', { UpdateExpression: { type: 'String', notNull: true } }),
    operation: 'UpdateItem',
  },
  Delete: { validation: memberValidation('deleteItem', {}), operation: 'DeleteItem' },
};
const WRITE_KINDS = Object.keys(WRITE_MEMBERS) as WriteKind[];

const getItemValidation = loadValidation('getItem');
const GET_MEMBER: ActionValidation = {
  types: {
    TableName: getItemValidation.types.TableName,
    Key: getItemValidation.types.Key,
    ProjectionExpression: getItemValidation.types.ProjectionExpression,
    ExpressionAttributeNames: getItemValidation.types.ExpressionAttributeNames,
  },
  custom: getItemValidation.custom,
};

const transactItems = (children: Record<string, unknown>, memberName: string) => ({
  type: 'List',
  notNull: true,
  lengthGreaterThanOrEqual: 1,
  lengthLessThanOrEqual: 100,
  children: { type: `ValueStruct<${memberName}>`, children },
});
const returnConsumedCapacity = { type: 'String', enum: ['INDEXES', 'TOTAL', 'NONE'] };
/** dynalite checks `notNull` whenever the key is present, whatever its value: set it only when required. */
const fieldStruct = (name: string, validation: ActionValidation, required = false) => ({
  type: `FieldStruct<${name}>`,
  ...(required ? { notNull: true } : {}),
  children: validation.types,
});

const TRANSACT_WRITE: ActionValidation = {
  types: {
    ClientRequestToken: { type: 'String', lengthGreaterThanOrEqual: 1, lengthLessThanOrEqual: 36 },
    ReturnConsumedCapacity: returnConsumedCapacity,
    ReturnItemCollectionMetrics: { type: 'String', enum: ['SIZE', 'NONE'] },
    TransactItems: transactItems(
      Object.fromEntries(
        WRITE_KINDS.map((kind) => [kind, fieldStruct(kind, WRITE_MEMBERS[kind].validation)]),
      ),
      'TransactWriteItem',
    ),
  },
};

const TRANSACT_GET: ActionValidation = {
  types: {
    ReturnConsumedCapacity: returnConsumedCapacity,
    TransactItems: transactItems({ Get: fieldStruct('Get', GET_MEMBER, true) }, 'TransactGetItem'),
  },
};

export function parseTransactWrite(
  input: unknown,
  validate: Validate,
): { token: string | undefined; members: TransactWriteMember[] } {
  const data = validate(TRANSACT_WRITE, input) as TransactWriteRequest;
  const members = data.TransactItems.map((item): TransactWriteMember => {
    const kinds = WRITE_KINDS.filter((kind) => item[kind] !== undefined);
    const kind = kinds[0];
    if (kinds.length !== 1 || !kind)
      throw validationError('TransactItems can only contain one of Check, Put, Update or Delete');
    const { validation, operation } = WRITE_MEMBERS[kind];
    return { kind, operation, request: validate(validation, item[kind]) as TransactWriteMember['request'] };
  });
  return { token: data.ClientRequestToken, members };
}

export function parseTransactGet(input: unknown, validate: Validate): TransactGetMember[] {
  const data = validate(TRANSACT_GET, input) as { TransactItems: { Get: unknown }[] };
  return data.TransactItems.map((item) => ({
    request: validate(GET_MEMBER, item.Get) as TransactGetMember['request'],
  }));
}
