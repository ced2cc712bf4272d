/**
 * Local DynamoDB behind a real edge, reached with an unmodified SDK client, for the e2e tests: each test gets a
 * manual clock and a fresh state directory; `restart` stops and starts it on the same directory.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { afterEach, beforeEach } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { DynamoDbService, type TableProperties } from '../../infra/local/dynamodb/service';
import { type Edge, startEdge } from '../../infra/local/edge/server';
import { edgeClientConfig } from './local-cloud';

export const DYNAMODB_ACCOUNT = { region: 'eu-west-1', accountId: '000000000000' };
export const DYNAMODB_START = Date.UTC(2030, 0, 1);

/** Reminders by user, with a `byStatus` index: the shape the app's table has. */
export const remindersTable = {
  TableName: 'Reminders',
  BillingMode: 'PAY_PER_REQUEST' as const,
  KeySchema: [
    { AttributeName: 'pk', KeyType: 'HASH' as const },
    { AttributeName: 'sk', KeyType: 'RANGE' as const },
  ],
  AttributeDefinitions: [
    { AttributeName: 'pk', AttributeType: 'S' as const },
    { AttributeName: 'sk', AttributeType: 'S' as const },
    { AttributeName: 'status', AttributeType: 'S' as const },
  ],
  GlobalSecondaryIndexes: [
    {
      IndexName: 'byStatus',
      KeySchema: [
        { AttributeName: 'status', KeyType: 'HASH' as const },
        { AttributeName: 'sk', KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    },
  ],
};

/** The sort keys of the `remindersTable` items with `status`, read through its `byStatus` index. */
export async function reminderKeysWithStatus(client: DynamoDBClient, status: string) {
  const { Items } = await client.send(
    new QueryCommand({
      TableName: remindersTable.TableName,
      IndexName: 'byStatus',
      KeyConditionExpression: '#status = :status',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': { S: status } },
    }),
  );
  return Items?.map((item) => item.sk?.S);
}

/** The app's single table (PK, SK) with the named indexes keyed `<index>PK` / `<index>SK`, as infra has it. */
export function appTable(...indexes: readonly string[]) {
  return {
    TableName: 'Aurora',
    BillingMode: 'PAY_PER_REQUEST' as const,
    KeySchema: [
      { AttributeName: 'PK', KeyType: 'HASH' as const },
      { AttributeName: 'SK', KeyType: 'RANGE' as const },
    ],
    AttributeDefinitions: ['PK', 'SK', ...indexes.flatMap((index) => [`${index}PK`, `${index}SK`])].map(
      (name) => ({ AttributeName: name, AttributeType: 'S' as const }),
    ),
    GlobalSecondaryIndexes: indexes.map((index) => ({
      IndexName: index,
      KeySchema: [
        { AttributeName: `${index}PK`, KeyType: 'HASH' as const },
        { AttributeName: `${index}SK`, KeyType: 'RANGE' as const },
      ],
      Projection: { ProjectionType: 'ALL' as const },
    })),
  };
}

interface Running {
  readonly dynamodb: DynamoDbService;
  readonly edge: Edge;
  readonly client: DynamoDBClient;
}

/** Registers the hooks; read the fields inside tests only. */
export function useDynamoDbThroughEdge(options: {
  tables: readonly TableProperties[];
  stateDirPrefix: string;
  /** SDK retries (default: the SDK's); 1 shows the first answer as it is. */
  maxAttempts?: number;
}) {
  let stateDir = '';
  let clock: Clock | undefined;
  let running: Running | undefined;
  const notRunning = () => new Error('DynamoDB through the edge is only running inside a test');
  const current = (): Running => {
    if (!running) throw notRunning();
    return running;
  };
  const currentClock = (): Clock => {
    if (!clock) throw notRunning();
    return clock;
  };

  async function start(): Promise<void> {
    const dynamodb = new DynamoDbService({ clock: currentClock(), stateDir, account: DYNAMODB_ACCOUNT });
    for (const table of options.tables) await dynamodb.createTable(table);
    const edge = await startEdge({ port: 0, services: [dynamodb.edgeService], account: DYNAMODB_ACCOUNT });
    const client = new DynamoDBClient({
      ...edgeClientConfig(edge.url, DYNAMODB_ACCOUNT.region),
      ...(options.maxAttempts !== undefined && { maxAttempts: options.maxAttempts }),
    });
    running = { dynamodb, edge, client };
  }

  async function stop(): Promise<void> {
    const { client, edge, dynamodb } = current();
    client.destroy();
    await edge.close();
    await dynamodb.close();
  }

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), options.stateDirPrefix));
    clock = new Clock('manual', DYNAMODB_START);
    await start();
  });
  afterEach(async () => {
    await stop();
    running = undefined;
    rmSync(stateDir, { recursive: true, force: true });
  });

  return {
    get client(): DynamoDBClient {
      return current().client;
    },
    get dynamodb(): DynamoDbService {
      return current().dynamodb;
    },
    get clock(): Clock {
      return currentClock();
    },
    /** Stops the service and starts it again on the same state directory, as a restarted process would. */
    async restart(): Promise<void> {
      await stop();
      await start();
    },
  };
}
