import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { DynamoDbService } from '../../infra/local/dynamodb/service';
import { startEdge } from '../../infra/local/edge/server';
import { SqsService } from '../../infra/local/sqs/service';

const account = { region: 'eu-west-1', accountId: '000000000000' };
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const repoRoot = resolve(import.meta.dirname, '../..');
const table = {
  TableName: 'Sessions',
  BillingMode: 'PAY_PER_REQUEST' as const,
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
};

/** The services run in a child process, as `npm start` would; it prints the edge URL once ready. */
function startChild(stateDir: string): Promise<{ child: ChildProcess; url: string }> {
  const module = (path: string) => JSON.stringify(join(repoRoot, path));
  const program = `
    import { Clock } from ${module('infra/local/clock.ts')};
    import { DynamoDbService } from ${module('infra/local/dynamodb/service.ts')};
    import { startEdge } from ${module('infra/local/edge/server.ts')};
    import { SqsService } from ${module('infra/local/sqs/service.ts')};
    const account = ${JSON.stringify(account)};
    const clock = new Clock('real');
    const dynamodb = new DynamoDbService({ clock, stateDir: ${JSON.stringify(stateDir)}, account });
    await dynamodb.createTable(${JSON.stringify(table)});
    const sqs = new SqsService({ clock, stateDir: ${JSON.stringify(stateDir)}, account });
    sqs.createQueue({ QueueName: 'outbox' });
    const edge = await startEdge({ port: 0, services: [dynamodb.edgeService, sqs.edgeService], account });
    sqs.setEndpoint(edge.url);
    process.stdout.write(edge.url + '\\n');
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolveStart, reject) => {
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n')[0];
      if (output.includes('\n') && line) resolveStart({ child, url: line.trim() });
    });
    child.once('exit', (code) => reject(new Error(`child exited early with ${code}`)));
  });
}

describe('kill -9 of the local cloud', () => {
  let stateDir: string;
  let child: ChildProcess | undefined;

  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-crash-'));
  });

  afterAll(() => {
    if (child?.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('loses no acknowledged DynamoDB item and no queued message', async () => {
    const started = await startChild(stateDir);
    child = started.child;
    const { url } = started;
    const dynamo = new DynamoDBClient({ endpoint: url, region: account.region, credentials });
    const sqsClient = new SQSClient({ endpoint: url, region: account.region, credentials });
    await dynamo.send(
      new PutItemCommand({ TableName: 'Sessions', Item: { id: { S: 's1' }, email: { S: 'a@b.c' } } }),
    );
    await sqsClient.send(
      new SendMessageCommand({ QueueUrl: `${url}/000000000000/outbox`, MessageBody: 'deliver reminder r1' }),
    );
    const exited = new Promise((done) => started.child.once('exit', done));
    started.child.kill('SIGKILL');
    await exited;
    dynamo.destroy();
    sqsClient.destroy();

    const clock = new Clock('manual', Date.now());
    const dynamodb = new DynamoDbService({ clock, stateDir, account });
    await dynamodb.createTable(table);
    const sqs = new SqsService({ clock, stateDir, account });
    const edge = await startEdge({ port: 0, services: [dynamodb.edgeService, sqs.edgeService], account });
    sqs.setEndpoint(edge.url);
    const restartedDynamo = new DynamoDBClient({ endpoint: edge.url, region: account.region, credentials });
    const restartedSqs = new SQSClient({ endpoint: edge.url, region: account.region, credentials });
    try {
      const { Item } = await restartedDynamo.send(
        new GetItemCommand({ TableName: 'Sessions', Key: { id: { S: 's1' } } }),
      );
      expect(Item?.email).toEqual({ S: 'a@b.c' });
      const { Messages } = await restartedSqs.send(
        new ReceiveMessageCommand({ QueueUrl: `${edge.url}/000000000000/outbox` }),
      );
      expect(Messages?.[0]?.Body).toBe('deliver reminder r1');
    } finally {
      restartedDynamo.destroy();
      restartedSqs.destroy();
      sqs.close();
      await edge.close();
      await dynamodb.close();
    }
  });
});
