import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { DynamoDbService } from '../../infra/local/dynamodb/service';
import { startEdge } from '../../infra/local/edge/server';
import { SqsService } from '../../infra/local/sqs/service';
import { repositoryModule, startChildProgram } from '../support/cli-process';

const account = { region: 'eu-west-1', accountId: '000000000000' };
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const table = {
  TableName: 'Sessions',
  BillingMode: 'PAY_PER_REQUEST' as const,
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
};

/** The services run in a child process, as `npm start` would; it prints the edge URL once ready. */
async function startChild(stateDir: string): Promise<{ child: ChildProcess; url: string }> {
  const program = `
    import { Clock } from ${repositoryModule('infra/local/clock.ts')};
    import { DynamoDbService } from ${repositoryModule('infra/local/dynamodb/service.ts')};
    import { startEdge } from ${repositoryModule('infra/local/edge/server.ts')};
    import { SqsService } from ${repositoryModule('infra/local/sqs/service.ts')};
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
  const { child, firstLine } = await startChildProgram(program, 'the child');
  return { child, url: firstLine };
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
