/**
 * `npm start` killed with SIGKILL and started again on the same state directory keeps what AWS would have
 * kept: DynamoDB items and queued SQS messages.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeCached } from '../../infra/local/synth';
import { startCliProcess } from '../support/cli-process';

const stateDir = mkdtempSync(join(tmpdir(), 'aurora-crash-'));
const children: ChildProcess[] = [];

const startCli = () => startCliProcess(stateDir, children);

const clients = (edgeUrl: string) => {
  const config = {
    endpoint: edgeUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  };
  return { dynamodb: new DynamoDBClient(config), sqs: new SQSClient(config) };
};

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
  rmSync(stateDir, { recursive: true, force: true });
});

describe('kill -9 and restart', () => {
  it('keeps DynamoDB items and queued messages', async () => {
    synthesizeCached(); // so that neither start pays for synthesis
    const first = await startCli();
    const before = clients(first.edgeUrl);
    await before.dynamodb.send(
      new PutItemCommand({
        TableName: 'aurora-dev',
        Item: { PK: { S: 'USER#crash' }, SK: { S: 'PROFILE' } },
      }),
    );
    const { QueueUrl } = await before.sqs.send(
      new GetQueueUrlCommand({ QueueName: 'aurora-dev-functions-dlq' }),
    );
    await before.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'survives' }));

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    const second = await startCli();
    const after = clients(second.edgeUrl);
    const item = await after.dynamodb.send(
      new GetItemCommand({ TableName: 'aurora-dev', Key: { PK: { S: 'USER#crash' }, SK: { S: 'PROFILE' } } }),
    );
    expect(item.Item?.PK?.S).toBe('USER#crash');
    const { QueueUrl: restartedUrl } = await after.sqs.send(
      new GetQueueUrlCommand({ QueueName: 'aurora-dev-functions-dlq' }),
    );
    const received = await after.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: restartedUrl, WaitTimeSeconds: 2 }),
    );
    expect(received.Messages?.map((message) => message.Body)).toEqual(['survives']);
    second.child.kill('SIGTERM');
  });
});
