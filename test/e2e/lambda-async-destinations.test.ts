/**
 * A failing asynchronous invocation on the local cloud, as on AWS: retried as its event invoke configuration
 * says, then its invocation record lands in the OnFailure queue, and it is not run again. Real SDK v3 clients
 * configure the function (PutFunctionEventInvokeConfig), invoke it and read the queue.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  GetFunctionEventInvokeConfigCommand,
  InvokeCommand,
  LambdaClient,
  PutFunctionEventInvokeConfigCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-lambda';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  type Message,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvocationRecord } from '../../infra/local/lambda/types';
import { testFunctionConfig } from '../support/function-config';
import { useTestCloud } from '../support/local-cloud';
import { eventually, staysFalse, until } from '../support/polling';

const test = useTestCloud();
const codeDirectory = mkdtempSync(join(tmpdir(), 'aurora-async-destinations-'));
const FUNCTION_NAME = 'always-failing';
const attempts: InvocationRecord[] = [];
let lambda: LambdaClient;
let sqs: SQSClient;
let queueUrl: string;
let queueArn: string;
let functionArn: string;

beforeAll(async () => {
  writeFileSync(
    join(codeDirectory, 'index.mjs'),
    "export const handler = async () => { throw new TypeError('poison event'); };\n",
  );
  const { account, region } = test.cloud.config;
  functionArn = `arn:aws:lambda:${region}:${account}:function:${FUNCTION_NAME}`;
  const runtime = test.cloud.services.lambda;
  runtime.register(testFunctionConfig(FUNCTION_NAME, codeDirectory, { region, accountId: account }));
  runtime.onInvocation((record) => attempts.push(record));
  lambda = new LambdaClient(test.clientConfig);
  sqs = new SQSClient(test.clientConfig);
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'function-dlq' }))).QueueUrl ?? '';
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  queueArn = Attributes?.QueueArn ?? '';
});

afterAll(() => {
  rmSync(codeDirectory, { recursive: true, force: true });
});

async function receive(): Promise<Message[]> {
  const { Messages = [] } = await sqs.send(
    new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
  );
  return Messages;
}

describe('Lambda asynchronous invocation destinations', () => {
  it('answers GetFunctionEventInvokeConfig with ResourceNotFound before a configuration is put', async () => {
    await expect(
      lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: FUNCTION_NAME })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('stores the configuration PutFunctionEventInvokeConfig sends', async () => {
    const put = await lambda.send(
      new PutFunctionEventInvokeConfigCommand({
        FunctionName: FUNCTION_NAME,
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 3_600,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      }),
    );
    const got = await lambda.send(new GetFunctionEventInvokeConfigCommand({ FunctionName: FUNCTION_NAME }));
    for (const config of [put, got]) {
      expect(config).toMatchObject({
        FunctionArn: `${functionArn}:$LATEST`,
        MaximumRetryAttempts: 1,
        MaximumEventAgeInSeconds: 3_600,
        DestinationConfig: { OnFailure: { Destination: queueArn } },
      });
      expect(config.LastModified).toBeInstanceOf(Date);
    }
  });

  it('sends a poison event to the OnFailure queue after its retries, and runs it no more', async () => {
    const invoked = await lambda.send(
      new InvokeCommand({
        FunctionName: FUNCTION_NAME,
        InvocationType: 'Event',
        Payload: Buffer.from('{"order":42}'),
      }),
    );
    expect(invoked.StatusCode).toBe(202);
    await until(() => attempts.length === 1);
    test.cloud.clock.advanceBy(60_000);
    await until(() => attempts.length === 2);

    const messages = await eventually(async () => {
      const received = await receive();
      return received.length > 0 ? received : undefined;
    });
    expect(messages).toHaveLength(1);
    const record = JSON.parse(messages[0]?.Body ?? '{}');
    const requestId = attempts[0]?.requestId;
    expect(record).toEqual({
      version: '1.0',
      timestamp: expect.any(String),
      requestContext: {
        requestId,
        functionArn: `${functionArn}:$LATEST`,
        condition: 'RetriesExhausted',
        approximateInvokeCount: 2,
      },
      requestPayload: { order: 42 },
      responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
      responsePayload: expect.objectContaining({ errorType: 'TypeError', errorMessage: 'poison event' }),
    });
    expect(Date.parse(record.timestamp)).toBe(test.cloud.clock.now());

    test.cloud.clock.advanceBy(6 * 3_600_000);
    expect(await staysFalse(() => attempts.length > 2)).toBe(true);
    expect(test.cloud.services.lambda.pendingAsync()).toEqual([]);
  });
});
