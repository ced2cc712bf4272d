/**
 * Edge overhead per DynamoDB GetItem: the same SDK v3 client calls dynalite through the edge (in-process
 * dynalite behind the router) and a dynalite server listening on its own port, alternately in one process.
 */
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { Clock } from '../infra/local/clock';
import { DynamoDbService } from '../infra/local/dynamodb/service';
import { startEdge } from '../infra/local/edge/server';
import type { BenchRow } from './index';
import { median } from './support/stats';

/** dynalite ships no types; this is the one call the baseline needs. */
const dynalite = createRequire(import.meta.url)('dynalite') as (options: { createTableMs: number }) => Server;

const account = { region: 'us-east-1', accountId: '000000000000' };
const ROUNDS = 5;
const CALLS_PER_ROUND = 1000;

const clientFor = (endpoint: string) =>
  new DynamoDBClient({
    endpoint,
    region: account.region,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });

async function seed(client: DynamoDBClient): Promise<void> {
  await client
    .send(
      new CreateTableCommand({
        TableName: 'Bench',
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
      }),
    )
    .catch(() => undefined);
  for (let attempt = 0; ; attempt++) {
    try {
      await client.send(
        new PutItemCommand({ TableName: 'Bench', Item: { id: { S: 'k' }, value: { S: 'v'.repeat(200) } } }),
      );
      return;
    } catch (error) {
      if (attempt > 200) throw error;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
}

/** Milliseconds per GetItem over `CALLS_PER_ROUND` sequential calls. */
async function timeGets(client: DynamoDBClient): Promise<number> {
  const command = new GetItemCommand({ TableName: 'Bench', Key: { id: { S: 'k' } } });
  const started = performance.now();
  for (let call = 0; call < CALLS_PER_ROUND; call++) await client.send(command);
  return (performance.now() - started) / CALLS_PER_ROUND;
}

export async function run(): Promise<BenchRow[]> {
  const dynamodb = new DynamoDbService({ clock: new Clock('real'), account });
  const edge = await startEdge({ port: 0, services: [dynamodb.edgeService], account });
  const direct = dynalite({ createTableMs: 0 });
  await new Promise<void>((resolve) => direct.listen(0, '127.0.0.1', resolve));
  const directUrl = `http://127.0.0.1:${(direct.address() as AddressInfo).port}`;
  const viaEdge = clientFor(edge.url);
  const viaDirect = clientFor(directUrl);
  try {
    await seed(viaEdge);
    await seed(viaDirect);
    await timeGets(viaEdge);
    await timeGets(viaDirect);
    const edgeTimes: number[] = [];
    const directTimes: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      edgeTimes.push(await timeGets(viaEdge));
      directTimes.push(await timeGets(viaDirect));
    }
    const edgeMs = median(edgeTimes);
    const directMs = median(directTimes);
    return [
      {
        name: 'DynamoDB GetItem through the edge (SDK v3)',
        value: `${(edgeMs * 1000).toFixed(0)} µs/call`,
        baseline: `dynalite on its own port: ${(directMs * 1000).toFixed(0)} µs/call`,
        ratio: `${(edgeMs / directMs).toFixed(2)}x the direct time`,
      },
    ];
  } finally {
    viaEdge.destroy();
    viaDirect.destroy();
    await edge.close();
    await dynamodb.close();
    await new Promise((resolve) => direct.close(resolve));
  }
}
