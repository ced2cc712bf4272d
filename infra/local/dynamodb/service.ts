/**
 * Local DynamoDB: dynalite on LevelDB under `${stateDir}/dynamodb/` (writes reach the OS before the answer, so
 * they survive kill -9), reached through the edge as awsJson1_0 `DynamoDB_20120810`, plus Time to Live and
 * transactions, and a PartiQL subset (./partiql).
 */
import { join } from 'node:path';
import type {
  AttributeDefinition,
  DynamoDB,
  GlobalSecondaryIndex,
  KeySchemaElement,
  LocalSecondaryIndex,
  ProvisionedThroughput,
  TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { Clock } from '../clock';
import {
  AwsServiceError,
  type JsonProtocolService,
  type Operation,
  type OperationsOf,
  type RequestContext,
} from '../edge/contracts';
import type { LocalAccount } from '../shared/ports';
import { withSafeAttributeNames } from './attribute-names';
import { DYNALITE_OPERATIONS, DynaliteStore } from './dynalite-store';
import { PartiqlStatements } from './partiql';
import { TimeToLive } from './time-to-live';
import { Transactions } from './transactions';

/** The AWS::DynamoDB::Table properties the local cloud honours; others (SSE, PITR, tags) change nothing here. */
export interface TableProperties {
  readonly TableName: string;
  readonly KeySchema: KeySchemaElement[];
  readonly AttributeDefinitions: AttributeDefinition[];
  readonly BillingMode?: 'PROVISIONED' | 'PAY_PER_REQUEST';
  readonly ProvisionedThroughput?: ProvisionedThroughput;
  readonly GlobalSecondaryIndexes?: GlobalSecondaryIndex[];
  readonly LocalSecondaryIndexes?: LocalSecondaryIndex[];
  readonly TimeToLiveSpecification?: { readonly Enabled?: boolean | string; readonly AttributeName?: string };
  /** Accepted and ignored: dynalite has no streams. */
  readonly StreamSpecification?: unknown;
  readonly [other: string]: unknown;
}

export interface DynamoDbServiceOptions {
  readonly clock: Clock;
  /** Omit to keep tables in memory. */
  readonly stateDir?: string;
  readonly account: LocalAccount;
}

const ACTIVE_POLL_LIMIT = 500;

export class DynamoDbService {
  readonly edgeService: JsonProtocolService;
  private readonly store: DynaliteStore;
  private readonly timeToLive: TimeToLive;

  constructor({ clock, stateDir, account }: DynamoDbServiceOptions) {
    const directory = stateDir ? join(stateDir, 'dynamodb') : undefined;
    this.store = new DynaliteStore(directory && join(directory, 'tables'), account);
    this.timeToLive = new TimeToLive(this.store, clock, directory);
    const operations: Record<string, Operation> = {};
    for (const name of DYNALITE_OPERATIONS) {
      // dynalite answers the operations without output (TagResource, UntagResource) with '', AWS with {}.
      operations[name] = async (input: unknown) => {
        const result = await this.store.call(name, input);
        return result === '' ? {} : result;
      };
    }
    const transactions = new Transactions(this.store, clock);
    const owned: OperationsOf<DynamoDB> = {
      DeleteTable: async (input) => {
        const result = await this.store.call('DeleteTable', input);
        if (input.TableName) this.timeToLive.forget(input.TableName);
        return result;
      },
      UpdateTimeToLive: (input) => this.timeToLive.update(input),
      DescribeTimeToLive: (input) => this.timeToLive.describe(input),
      TransactWriteItems: (input) => transactions.write(input),
      TransactGetItems: (input) => transactions.get(input),
    };
    Object.assign(operations, owned);
    // Every operation, since item maps, key schemas and names appear in most of them (see attribute-names).
    for (const [name, operation] of Object.entries(operations))
      operations[name] = withSafeAttributeNames(operation);
    // PartiQL runs as the item operations above, renamings and all.
    const partiql = (context: RequestContext) =>
      new PartiqlStatements(async (name, input) => {
        const operation = operations[name];
        if (!operation) throw new Error(`PartiQL translated onto a missing operation ${name}`);
        return operation(input, context);
      });
    const statements: OperationsOf<DynamoDB> = {
      ExecuteStatement: (input, context) => partiql(context).execute(input),
      BatchExecuteStatement: (input, context) => partiql(context).batch(input),
    };
    Object.assign(operations, statements);
    this.edgeService = {
      protocol: 'awsJson1_0',
      signingName: 'dynamodb',
      targetPrefix: 'DynamoDB_20120810',
      operations,
    };
  }

  /**
   * Creates a table from its CloudFormation properties, or keeps the existing one and its items (a restart
   * redeploys the same template). Resolves once the table is ACTIVE.
   */
  async createTable(properties: TableProperties): Promise<TableDescription> {
    const { TableName } = properties;
    if (!(await this.tableExists(TableName))) {
      // Template numbers may arrive as strings; PROVISIONED without figures (CloudFormation would refuse it) gets 5/5.
      const throughput = (value: ProvisionedThroughput | undefined) =>
        properties.BillingMode === 'PAY_PER_REQUEST'
          ? undefined
          : {
              ReadCapacityUnits: Number(value?.ReadCapacityUnits ?? 5),
              WriteCapacityUnits: Number(value?.WriteCapacityUnits ?? 5),
            };
      await this.store.call('CreateTable', {
        TableName,
        KeySchema: properties.KeySchema,
        AttributeDefinitions: properties.AttributeDefinitions,
        BillingMode: properties.BillingMode,
        ProvisionedThroughput: throughput(properties.ProvisionedThroughput),
        GlobalSecondaryIndexes: properties.GlobalSecondaryIndexes?.map((index) => ({
          ...index,
          ProvisionedThroughput: throughput(index.ProvisionedThroughput),
        })),
        LocalSecondaryIndexes: properties.LocalSecondaryIndexes,
      });
    }
    const ttl = properties.TimeToLiveSpecification;
    const ttlEnabled = ttl?.Enabled === true || ttl?.Enabled === 'true';
    if (ttlEnabled && ttl?.AttributeName && !this.timeToLive.isEnabled(TableName)) {
      await this.timeToLive.update({
        TableName,
        TimeToLiveSpecification: { Enabled: true, AttributeName: ttl.AttributeName },
      });
    }
    return this.waitUntilActive(TableName);
  }

  /** Deletes expired items now (the sweeper also runs by itself); resolves with how many. */
  sweepExpiredItems(): Promise<number> {
    return this.timeToLive.sweep();
  }

  async close(): Promise<void> {
    await this.timeToLive.close();
    await this.store.close();
  }

  private async tableExists(tableName: string): Promise<boolean> {
    try {
      await this.store.call('DescribeTable', { TableName: tableName });
      return true;
    } catch (error) {
      if (error instanceof AwsServiceError && error.code.endsWith('ResourceNotFoundException')) return false;
      throw error;
    }
  }

  /** dynalite flips CREATING to ACTIVE on a zero-delay timer; wait for it so the deployer can write at once. */
  private async waitUntilActive(tableName: string): Promise<TableDescription> {
    for (let attempt = 0; attempt < ACTIVE_POLL_LIMIT; attempt++) {
      const { Table } = (await this.store.call('DescribeTable', { TableName: tableName })) as {
        Table: TableDescription;
      };
      if (Table.TableStatus === 'ACTIVE') return Table;
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error(`DynamoDB table ${tableName} did not become ACTIVE`);
  }
}
