import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import {
  InvokeCommand,
  LambdaClient,
  ResourceNotFoundException as LambdaNotFound,
} from '@aws-sdk/client-lambda';
import {
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeFixture } from '../fixtures/local-cloud-app/app';
import { startTestCloud, TEST_START, type TestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';

let assembly: string;
let test: TestCloud;

beforeAll(async () => {
  assembly = synthesizeFixture(mkdtempSync(join(tmpdir(), 'aurora-fixture-')));
  test = await startTestCloud({ assemblyDirectory: assembly });
});

afterAll(async () => {
  await test?.stop();
  rmSync(assembly, { recursive: true, force: true });
});

const text = (bytes: Uint8Array | undefined) => Buffer.from(bytes ?? []).toString('utf8');

describe('the local cloud deploys a synthesized template', () => {
  it('reports what it deployed and what it skipped', async () => {
    const response = await fetch(`${test.cloud.edgeUrl}/_aurora/resources`);
    const resources = (await response.json()) as { deployed: Array<{ type: string; physicalId: string }> };
    expect(resources.deployed).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'AWS::DynamoDB::Table', physicalId: 'fixture-items' }),
        expect.objectContaining({ type: 'AWS::ApiGatewayV2::Route' }),
      ]),
    );
    const health = await fetch(`${test.cloud.edgeUrl}/_aurora/health`);
    expect(health.status).toBe(200);
  });

  it('serves an API route whose function writes to DynamoDB, and reads it back', async () => {
    const created = await fetch(`${test.cloud.apiUrl}/items`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'a1', name: 'call mum ☎️' }),
    });
    expect(created.status).toBe(201);
    const read = await fetch(`${test.cloud.apiUrl}/items/a1`);
    expect(await read.json()).toEqual({ id: 'a1', name: 'call mum ☎️' });

    const dynamodb = new DynamoDBClient(test.clientConfig);
    const item = await dynamodb.send(
      new GetItemCommand({ TableName: 'fixture-items', Key: { id: { S: 'a1' } } }),
    );
    expect(item.Item?.name?.S).toBe('call mum ☎️');
    expect((await fetch(`${test.cloud.apiUrl}/items/missing`)).status).toBe(404);
  });

  it('expires items by TTL once the clock passes their time', async () => {
    const expiresAt = Math.floor(TEST_START / 1000) + 3600;
    await fetch(`${test.cloud.apiUrl}/items`, {
      method: 'POST',
      body: JSON.stringify({ id: 'short-lived', name: 'x', expiresAt }),
    });
    const dynamodb = new DynamoDBClient(test.clientConfig);
    const get = () =>
      dynamodb.send(new GetItemCommand({ TableName: 'fixture-items', Key: { id: { S: 'short-lived' } } }));
    expect((await get()).Item).toBeDefined();
    test.cloud.clock.advanceBy(2 * 3600 * 1000);
    await eventually(async () => ((await get()).Item === undefined ? true : undefined), 5000, 'TTL deletion');
  });

  it('invokes functions with Lambda error shapes: a timeout and a thrown error', async () => {
    const lambda = new LambdaClient(test.clientConfig);
    const functions = test.cloud.deployment.resources.filter((r) => r.type === 'AWS::Lambda::Function');
    const named = (prefix: string) =>
      functions.find((r) => r.logicalId.startsWith(prefix))?.identity.ref ?? '';

    const slow = await lambda.send(new InvokeCommand({ FunctionName: named('SlowFunction') }));
    expect(slow.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(slow.Payload))).toMatchObject({
      errorType: 'Sandbox.Timedout',
      errorMessage: expect.stringMatching(/Task timed out after 1\.00 seconds/),
    });

    const failing = await lambda.send(new InvokeCommand({ FunctionName: named('FailingFunction') }));
    expect(failing.FunctionError).toBe('Unhandled');
    expect(JSON.parse(text(failing.Payload))).toMatchObject({
      errorType: 'ReminderNotFound',
      errorMessage: 'reminder 42 does not exist',
    });
  });

  it('raises the exception class AWS would raise for a missing resource', async () => {
    const lambda = new LambdaClient(test.clientConfig);
    await expect(lambda.send(new InvokeCommand({ FunctionName: 'nope' }))).rejects.toBeInstanceOf(
      LambdaNotFound,
    );
    const dynamodb = new DynamoDBClient(test.clientConfig);
    await expect(
      dynamodb.send(new GetItemCommand({ TableName: 'nope', Key: { id: { S: 'x' } } })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('round-trips a message through the template queue', async () => {
    const sqs = new SQSClient(test.clientConfig);
    const { QueueUrl } = await sqs.send(new GetQueueUrlCommand({ QueueName: 'fixture-jobs' }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: 'hello' }));
    const received = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
    expect(received.Messages?.map((message) => message.Body)).toEqual(['hello']);
  });
});
