/**
 * DynamoDB Time to Live, which dynalite lacks: the per-table setting (UpdateTimeToLive / DescribeTimeToLive,
 * persisted next to the tables) and a sweeper that deletes expired items. The sweeper follows the shared
 * clock: it runs every second of real time and at once after the clock jumps.
 */
import { join } from 'node:path';
import type { Clock } from '../clock';
import { AwsServiceError, validationError } from '../edge/service';
import { readJsonOr, writeJsonAtomic } from '../shared/persistence';
import type { DynaliteStore } from './dynalite-store';

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
    } else {
      if (!current) throw validationError('TimeToLive is already disabled');
      delete this.attributes[tableName];
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
        // The table may have been deleted by a raw DeleteTable between the listing and the scan.
        if (!(error instanceof AwsServiceError && error.code.endsWith('ResourceNotFoundException')))
          throw error;
      }
    }
    return deleted;
  }

  private async sweepTable(tableName: string, attributeName: string): Promise<number> {
    const description = (await this.store.call('DescribeTable', { TableName: tableName })) as {
      Table?: { KeySchema?: KeySchemaElement[] };
    };
    const keyNames = (description.Table?.KeySchema ?? []).map((key) => key.AttributeName);
    const nowSeconds = Math.floor(this.clock.now() / 1000);
    // Only expired items, and only while still expired: an item rewritten since the scan is kept.
    const condition = '#expiry BETWEEN :oldest AND :now';
    const values = {
      ':oldest': { N: String(nowSeconds - OLDEST_EXPIRY_SECONDS) },
      ':now': { N: String(nowSeconds) },
    };
    const scanNames: Record<string, string> = { '#expiry': attributeName };
    keyNames.forEach((name, index) => {
      scanNames[`#key${index}`] = name;
    });
    let deleted = 0;
    let startKey: unknown;
    do {
      const page = (await this.store.call('Scan', {
        TableName: tableName,
        FilterExpression: condition,
        ProjectionExpression: keyNames.map((_, index) => `#key${index}`).join(', '),
        ExpressionAttributeNames: scanNames,
        ExpressionAttributeValues: values,
        ExclusiveStartKey: startKey,
      })) as { Items?: unknown[]; LastEvaluatedKey?: unknown };
      for (const key of page.Items ?? []) {
        try {
          await this.store.call('DeleteItem', {
            TableName: tableName,
            Key: key,
            ConditionExpression: condition,
            ExpressionAttributeNames: { '#expiry': attributeName },
            ExpressionAttributeValues: values,
          });
          deleted++;
        } catch (error) {
          if (!(error instanceof AwsServiceError && error.code.endsWith('ConditionalCheckFailedException'))) {
            throw error;
          }
        }
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return deleted;
  }

  private save(): void {
    if (this.path) writeJsonAtomic(this.path, this.attributes);
  }
}
