/**
 * TransactWriteItems and TransactGetItems on top of dynalite, which has neither.
 *
 * A write transaction holds the locks of every table it touches (and of its client token), evaluates each
 * member with dynalite's own single-item action against one StagedWrites overlay (so conditions and update
 * expressions behave exactly as for PutItem/UpdateItem/DeleteItem), and commits only if every member
 * succeeded: all writes, and the client token record, in one LevelDB batch.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../clock';
import { AwsServiceError, validationError } from '../edge/contracts';
import {
  type AttributeMap,
  asServiceError,
  type DynaliteTable,
  dynaliteDb,
  getItem,
  getTable,
  isServiceError,
  type RawStore,
} from './dynalite-internals';
import { type DynaliteStore, tableLock } from './dynalite-store';
import type { StagedWrites } from './staged-writes';
import { parseTransactGet, parseTransactWrite, type TransactWriteMember } from './transaction-requests';

/** AWS honours a ClientRequestToken for 10 minutes after the request that used it completed. */
export const CLIENT_TOKEN_WINDOW_MS = 10 * 60_000;

const DYNAMODB = 'com.amazonaws.dynamodb.v20120810';

export interface CancellationReason {
  readonly Code: string;
  readonly Message?: string;
  readonly Item?: AttributeMap;
}

interface ClientTokenRecord {
  readonly digest: string;
  readonly expiresAt: number;
}

const NO_REASON: CancellationReason = { Code: 'None' };
const tokenRecordKey = (token: string) => `aurora-client-token~${token}`;
const tokenLock = (token: string) => `client-token:${token}`;

export function transactionCanceled(reasons: readonly CancellationReason[]): AwsServiceError {
  const message = `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons
    .map((reason) => reason.Code)
    .join(', ')}]`;
  return new AwsServiceError(`${DYNAMODB}#TransactionCanceledException`, message, 400, {
    Message: message,
    CancellationReasons: reasons,
  });
}

export class Transactions {
  constructor(
    private readonly store: DynaliteStore,
    private readonly clock: Clock,
  ) {}

  async write(input: unknown): Promise<Record<string, never>> {
    // Digest the request as sent: dynalite's validation normalises it in place.
    const digest = createHash('sha256').update(JSON.stringify(input)).digest('hex');
    const { token, members } = parseTransactWrite(input, (validation, data) =>
      this.store.validateWith(validation, data),
    );
    const locks = members.map((member) => tableLock(member.request.TableName));
    if (token) locks.push(tokenLock(token));
    return this.store.writeExclusively(locks, async (staging) => {
      if (token && (await this.alreadyApplied(token, digest))) return {};
      const targets = await this.resolveTargets(staging.store, members);
      const reasons: CancellationReason[] = [];
      for (const [index, member] of members.entries()) {
        const target = targets[index];
        if (target) reasons.push(await this.evaluate(staging, member, target));
      }
      if (reasons.some((reason) => reason.Code !== NO_REASON.Code)) throw transactionCanceled(reasons);
      if (token) {
        const record: ClientTokenRecord = { digest, expiresAt: this.clock.now() + CLIENT_TOKEN_WINDOW_MS };
        staging.stage({ type: 'put', key: tokenRecordKey(token), value: record });
      }
      return {};
    });
  }

  async get(input: unknown): Promise<{ Responses: { Item?: AttributeMap }[] }> {
    const members = parseTransactGet(input, (validation, data) => this.store.validateWith(validation, data));
    const locks = members.map((member) => tableLock(member.request.TableName));
    return this.store.readExclusively(locks, async (store) => {
      const Responses: { Item?: AttributeMap }[] = [];
      for (const member of members) {
        const { Item } = (await this.store.execute('GetItem', store, member.request)) as {
          Item?: AttributeMap;
        };
        Responses.push(Item ? { Item } : {});
      }
      return { Responses };
    });
  }

  /** True if `token` completed within the window with the same request; a different request is refused. */
  private async alreadyApplied(token: string, digest: string): Promise<boolean> {
    const record = (await this.store.readRecord(tokenRecordKey(token))) as ClientTokenRecord | undefined;
    if (!record || record.expiresAt <= this.clock.now()) return false;
    if (record.digest === digest) return true;
    throw new AwsServiceError(
      `${DYNAMODB}#IdempotentParameterMismatchException`,
      'The request uses the same client token as a previous, but non-identical request.',
    );
  }

  /** Each member's table and stored key; refuses a missing table, a bad key, or two members on one item. */
  private async resolveTargets(
    store: RawStore,
    members: readonly TransactWriteMember[],
  ): Promise<{ table: DynaliteTable; key: string }[]> {
    const seen = new Set<string>();
    const targets: { table: DynaliteTable; key: string }[] = [];
    for (const { request } of members) {
      const table = await getTable(store, request.TableName);
      const keySource = request.Item ?? request.Key ?? {};
      const invalid = request.Item
        ? dynaliteDb.validateItem(request.Item, table)
        : dynaliteDb.validateKey(keySource, table);
      if (invalid) throw asServiceError(invalid);
      const key = dynaliteDb.createKey(keySource, table);
      const itemId = `${table.TableName}\u0000${key}`;
      if (seen.has(itemId))
        throw validationError('Transaction request cannot include multiple operations on one item');
      seen.add(itemId);
      targets.push({ table, key });
    }
    return targets;
  }

  /** Applies one member to the overlay; a refused condition or invalid result becomes its reason. */
  private async evaluate(
    staging: StagedWrites,
    member: TransactWriteMember,
    target: { table: DynaliteTable; key: string },
  ): Promise<CancellationReason> {
    const existing = await getItem(staging.store.getItemDb(target.table.TableName), target.key);
    const conditionFailed = (): CancellationReason => ({
      Code: 'ConditionalCheckFailed',
      Message: 'The conditional request failed',
      ...(member.request.ReturnValuesOnConditionCheckFailure === 'ALL_OLD' && existing
        ? { Item: existing }
        : {}),
    });
    if (!member.operation)
      return dynaliteDb.checkConditional(member.request, existing) ? conditionFailed() : NO_REASON;
    try {
      await this.store.execute(member.operation, staging.store, member.request);
      return NO_REASON;
    } catch (error) {
      if (isServiceError(error, 'ConditionalCheckFailedException')) return conditionFailed();
      if (isServiceError(error, 'ValidationException'))
        return { Code: 'ValidationError', Message: error.message };
      throw error;
    }
  }
}
