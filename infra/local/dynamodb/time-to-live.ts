/**
 * DynamoDB Time to Live, which dynalite lacks: the per-table setting (UpdateTimeToLive / DescribeTimeToLive,
 * persisted next to the tables) and a sweeper that deletes expired items. The sweeper follows the shared
 * clock: it runs every second of real time and at once after the clock jumps. It learns the expiries from
 * the writes as they are committed (ExpiryIndex), after reading each table once when TTL is enabled or the
 * cloud starts, so a sweep costs what is due, not the size of the tables.
 */
import { join } from 'node:path';
import type { Clock } from '../clock';
import { AwsServiceError, validationError } from '../edge/contracts';
import { readJsonOr, writeJsonAtomic } from '../shared/persistence';
import type { AttributeMap } from './dynalite-internals';
import type { DynaliteStore } from './dynalite-store';
import { ExpiryIndex } from './expiry-index';

const SWEEP_INTERVAL_MS = 1000;
/** AWS does not delete items whose expiry lies more than five years in the past. */
const OLDEST_EXPIRY_SECONDS = 5 * 365 * 24 * 3600;

interface TimeToLiveSpecification {
  readonly Enabled?: boolean;
  readonly AttributeName?: string;
}

interface KeySchemaElement {
  readonly AttributeName: string;
}

export class TimeToLive {
  private readonly path: string;
  /** Table name → the attribute holding each item's expiry in epoch seconds. */
  private readonly attributes: Record<string, string>;
  private readonly interval: NodeJS.Timeout;
  private readonly stopFollowingClock: () => void;
  private readonly stopFollowingWrites: () => void;
  private readonly expiries = new ExpiryIndex();
  /** Per tracked table: resolves once the table's existing items are in the index. */
  private readonly seeded = new Map<string, Promise<void>>();
  private sweeping: Promise<number> | undefined;
  private sweepAgain = false;
  private closed = false;

  constructor(
    private readonly store: DynaliteStore,
    private readonly clock: Clock,
    directory: string | undefined,
    private readonly logError: (message: string, error: unknown) => void = console.error,
  ) {
    this.path = directory ? join(directory, 'time-to-live.json') : '';
    this.attributes = directory ? readJsonOr<Record<string, string>>(this.path, {}) : {};
    this.stopFollowingWrites = store.onCommit((operations) => this.expiries.observe(operations));
    for (const [tableName, attributeName] of Object.entries(this.attributes))
      this.track(tableName, attributeName);
    this.interval = setInterval(() => this.requestSweep(), SWEEP_INTERVAL_MS);
    this.interval.unref();
    this.stopFollowingClock = clock.onChange(() => this.requestSweep());
  }

  async update(input: { TableName?: string; TimeToLiveSpecification?: TimeToLiveSpecification }) {
    const tableName = input.TableName ?? '';
    const specification = input.TimeToLiveSpecification;
    const attributeName = specification?.AttributeName;
    if (!specification || typeof specification.Enabled !== 'boolean' || !attributeName) {
      throw validationError('TimeToLiveSpecification requires Enabled and AttributeName');
    }
    await this.store.call('DescribeTable', { TableName: tableName });
    const current = this.attributes[tableName];
    if (specification.Enabled) {
      if (current === attributeName) throw validationError('TimeToLive is already enabled');
      if (current) throw validationError('TimeToLive is active on a different AttributeName');
      this.attributes[tableName] = attributeName;
      this.track(tableName, attributeName);
    } else {
      if (!current) throw validationError('TimeToLive is already disabled');
      delete this.attributes[tableName];
      this.untrack(tableName);
    }
    this.save();
    this.requestSweep();
    return { TimeToLiveSpecification: { Enabled: specification.Enabled, AttributeName: attributeName } };
  }

  async describe(input: { TableName?: string }) {
    const tableName = input.TableName ?? '';
    await this.store.call('DescribeTable', { TableName: tableName });
    const attributeName = this.attributes[tableName];
    return {
      TimeToLiveDescription: attributeName
        ? { TimeToLiveStatus: 'ENABLED', AttributeName: attributeName }
        : { TimeToLiveStatus: 'DISABLED' },
    };
  }

  isEnabled(tableName: string): boolean {
    return tableName in this.attributes;
  }

  /** A deleted table takes its setting with it. */
  forget(tableName: string): void {
    if (!(tableName in this.attributes)) return;
    delete this.attributes[tableName];
    this.untrack(tableName);
    this.save();
  }

  /** Deletes every expired item now; resolves with how many were deleted. Concurrent calls share a sweep. */
  sweep(): Promise<number> {
    if (this.sweeping) {
      this.sweepAgain = true;
      return this.sweeping;
    }
    this.sweeping = this.sweepAll().finally(() => {
      this.sweeping = undefined;
      if (this.sweepAgain) {
        this.sweepAgain = false;
        this.requestSweep();
      }
    });
    return this.sweeping;
  }

  /** Stops sweeping and waits for a sweep under way, so that the tables can close under no reader. */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.interval);
    this.stopFollowingClock();
    this.stopFollowingWrites();
    await Promise.all([...this.seeded.values()].map((seeding) => seeding.catch(() => undefined)));
    await this.sweeping?.catch(() => 0);
  }

  private requestSweep(): void {
    if (this.closed || Object.keys(this.attributes).length === 0) return;
    this.sweep().catch((error: unknown) => this.logError('dynamodb: TTL sweep failed', error));
  }

  private async sweepAll(): Promise<number> {
    let deleted = 0;
    for (const [tableName, attributeName] of Object.entries(this.attributes)) {
      try {
        deleted += await this.sweepTable(tableName, attributeName);
      } catch (error) {
        // The table may have been deleted by a raw DeleteTable between the listing and the sweep.
        if (!isNotFound(error)) throw error;
      }
    }
    return deleted;
  }

  private track(tableName: string, attributeName: string): void {
    const seeding = this.seed(tableName, attributeName);
    // A table that cannot be read now (deleted meanwhile) is seeded again by the next sweep.
    seeding.catch((error: unknown) => {
      if (this.seeded.get(tableName) === seeding) this.seeded.delete(tableName);
      if (!isNotFound(error)) this.logError('dynamodb: reading expiries failed', error);
    });
    this.seeded.set(tableName, seeding);
  }

  private untrack(tableName: string): void {
    this.seeded.delete(tableName);
    this.expiries.untrack(tableName);
  }

  /** Follows the table's writes from now on, then reads the expiries it already holds. */
  private async seed(tableName: string, attributeName: string): Promise<void> {
    const keyNames = await this.keyNames(tableName);
    this.expiries.track(tableName, attributeName, keyNames);
    const names: Record<string, string> = { '#expiry': attributeName };
    keyNames.forEach((name, index) => {
      names[`#key${index}`] = name;
    });
    let startKey: unknown;
    do {
      const page = (await this.store.call('Scan', {
        TableName: tableName,
        FilterExpression: 'attribute_exists(#expiry)',
        ProjectionExpression: ['#expiry', ...keyNames.map((_, index) => `#key${index}`)].join(', '),
        ExpressionAttributeNames: names,
        ExclusiveStartKey: startKey,
      })) as { Items?: AttributeMap[]; LastEvaluatedKey?: unknown };
      const items: { itemKey: string; item: AttributeMap }[] = [];
      for (const item of page.Items ?? []) {
        const itemKey = await this.store.itemKey(tableName, item);
        if (itemKey !== undefined) items.push({ itemKey, item });
      }
      this.expiries.seed(tableName, items);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }

  private async keyNames(tableName: string): Promise<string[]> {
    const description = (await this.store.call('DescribeTable', { TableName: tableName })) as {
      Table?: { KeySchema?: KeySchemaElement[] };
    };
    return (description.Table?.KeySchema ?? []).map((key) => key.AttributeName);
  }

  private async sweepTable(tableName: string, attributeName: string): Promise<number> {
    if (!this.seeded.has(tableName)) this.track(tableName, attributeName);
    await this.seeded.get(tableName);
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    // Only while still expired: an item rewritten since it was indexed is kept.
    const condition = '#expiry BETWEEN :oldest AND :now';
    const values = {
      ':oldest': { N: String(nowSeconds - OLDEST_EXPIRY_SECONDS) },
      ':now': { N: String(nowSeconds) },
    };
    let deleted = 0;
    for (const item of this.expiries.takeDue(tableName, nowSeconds, nowSeconds - OLDEST_EXPIRY_SECONDS)) {
      try {
        await this.store.call('DeleteItem', {
          TableName: tableName,
          Key: item.key,
          ConditionExpression: condition,
          ExpressionAttributeNames: { '#expiry': attributeName },
          ExpressionAttributeValues: values,
        });
        deleted++;
      } catch (error) {
        if (error instanceof AwsServiceError && error.code.endsWith('ConditionalCheckFailedException'))
          continue;
        this.expiries.putBack(tableName, item);
        throw error;
      }
    }
    return deleted;
  }

  private save(): void {
    if (this.path) writeJsonAtomic(this.path, this.attributes);
  }
}

const isNotFound = (error: unknown): boolean =>
  error instanceof AwsServiceError && error.code.endsWith('ResourceNotFoundException');
