/**
 * Step Functions on a started local cloud, driven by the real @aws-sdk/client-sfn: the API round trip, a
 * template state machine deployed with DefinitionSubstitutions whose Lambda task runs in the local runtime,
 * redrive after a fix, callbacks with task tokens, a heartbeat timeout on the manual clock, and an execution
 * that waits across a restart.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  DescribeStateMachineCommand,
  ExecutionDoesNotExist,
  ExecutionNotRedrivable,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
  TaskTimedOut,
} from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GREETING_MACHINE, GREETINGS_TABLE, synthesizeSfnFixture } from '../fixtures/sfn-app/app';
import { countVisitTask } from '../fixtures/state-machines';
import { startTestCloud, type TestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';

const ROLE = 'arn:aws:iam::000000000000:role/sfn-e2e';

let assembly: string;
let test: TestCloud;

beforeAll(async () => {
  assembly = synthesizeSfnFixture(mkdtempSync(join(tmpdir(), 'aurora-sfn-fixture-')));
  test = await startTestCloud({ assemblyDirectory: assembly });
}, 120_000);

afterAll(async () => {
  await test?.stop();
  rmSync(assembly, { recursive: true, force: true });
});

const sfn = () => new SFNClient(test.clientConfig);

async function createMachine(name: string, definition: unknown): Promise<string> {
  const created = await sfn().send(
    new CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify(definition) }),
  );
  return created.stateMachineArn ?? '';
}

async function start(stateMachineArn: string, input: unknown, name?: string): Promise<string> {
  const started = await sfn().send(
    new StartExecutionCommand({ stateMachineArn, input: JSON.stringify(input), ...(name ? { name } : {}) }),
  );
  return started.executionArn ?? '';
}

const describeExecution = (executionArn: string) =>
  sfn().send(new DescribeExecutionCommand({ executionArn }));

function settled(executionArn: string): Promise<DescribeExecutionCommandOutput> {
  return eventually(
    async () => {
      const described = await describeExecution(executionArn);
      return described.status === 'RUNNING' ? undefined : described;
    },
    15_000,
    `execution ${executionArn} to end`,
  );
}

async function historyTypes(executionArn: string): Promise<string[]> {
  const history = await sfn().send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000 }));
  return (history.events ?? []).map((event) => event.type ?? '');
}

/** A queue of its own per test, so that each reads only its own task tokens. */
async function tokenQueue(name: string): Promise<{ url: string; nextToken: () => Promise<string> }> {
  const sqs = new SQSClient(test.clientConfig);
  const { QueueUrl: url = '' } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const nextToken = () =>
    eventually(
      async () => {
        const client = new SQSClient(test.clientConfig);
        const received = await client.send(new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }));
        const message = received.Messages?.[0];
        if (!message) return undefined;
        await client.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
        return (JSON.parse(message.Body ?? '{}') as { token: string }).token;
      },
      10_000,
      `a task token on ${name}`,
    );
  return { url, nextToken };
}

const callbackDefinition = (queueUrl: string, extra: Record<string, unknown> = {}) => ({
  StartAt: 'AskForApproval',
  States: {
    AskForApproval: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: queueUrl, MessageBody: { 'token.$': '$$.Task.Token', 'order.$': '$.order' } },
      ...extra,
      End: true,
    },
  },
});

describe('Step Functions through the AWS SDK against the local cloud', () => {
  it('creates, starts, describes, lists, reads the history of and stops an execution', async () => {
    const stateMachineArn = await createMachine('e2e-wait', {
      StartAt: 'Nap',
      States: { Nap: { Type: 'Wait', Seconds: 3600, Next: 'Done' }, Done: { Type: 'Succeed' } },
    });
    const described = await sfn().send(new DescribeStateMachineCommand({ stateMachineArn }));
    expect(described).toMatchObject({ name: 'e2e-wait', status: 'ACTIVE', type: 'STANDARD' });

    const executionArn = await start(stateMachineArn, { n: 1 }, 'napping');
    expect(await describeExecution(executionArn)).toMatchObject({ status: 'RUNNING', input: '{"n":1}' });
    const running = await sfn().send(new ListExecutionsCommand({ stateMachineArn, statusFilter: 'RUNNING' }));
    expect(running.executions?.map((execution) => execution.name)).toEqual(['napping']);
    await eventually(async () =>
      (await historyTypes(executionArn)).includes('WaitStateEntered') ? true : undefined,
    );
    const reversed = await sfn().send(new GetExecutionHistoryCommand({ executionArn, reverseOrder: true }));
    expect(reversed.events?.at(-1)?.type).toBe('ExecutionStarted');

    await sfn().send(new StopExecutionCommand({ executionArn, error: 'Operator', cause: 'not needed' }));
    expect(await describeExecution(executionArn)).toMatchObject({
      status: 'ABORTED',
      error: 'Operator',
      cause: 'not needed',
    });
    expect((await historyTypes(executionArn)).at(-1)).toBe('ExecutionAborted');
    await expect(describeExecution(executionArn.replace('napping', 'never-started'))).rejects.toBeInstanceOf(
      ExecutionDoesNotExist,
    );
  });

  it('runs the template machine deployed with DefinitionSubstitutions; its Lambda task runs locally', async () => {
    const machines = await sfn().send(new ListStateMachinesCommand({}));
    const stateMachineArn =
      machines.stateMachines?.find((machine) => machine.name === GREETING_MACHINE)?.stateMachineArn ?? '';
    const { definition = '' } = await sfn().send(new DescribeStateMachineCommand({ stateMachineArn }));
    expect(definition).not.toContain('${');
    expect(definition).toContain(`"TableName":"${GREETINGS_TABLE}"`);

    const executionArn = await start(stateMachineArn, { name: 'Ada' });
    const finished = await settled(executionArn);
    expect(finished.status, finished.cause).toBe('SUCCEEDED');
    expect(JSON.parse(finished.output ?? 'null')).toEqual({ greeting: 'Hello, Ada!' });
    const stored = await new DynamoDBClient(test.clientConfig).send(
      new GetItemCommand({ TableName: GREETINGS_TABLE, Key: { id: { S: 'Ada' } } }),
    );
    expect(stored.Item?.greeting?.S).toBe('Hello, Ada!');

    const failed = await settled(await start(stateMachineArn, { name: '' }));
    expect(failed).toMatchObject({ status: 'FAILED', error: 'Error' });
    expect(failed.cause).toContain('name is required');
  });

  it('redrives a failed execution once what made it fail is fixed', async () => {
    const stateMachineArn = await createMachine('e2e-redrive', {
      StartAt: 'CountVisit',
      States: {
        CountVisit: { ...countVisitTask(GREETINGS_TABLE, 'redrive-me'), ResultPath: null, End: true },
      },
    });
    const executionArn = await start(stateMachineArn, {});
    expect(await settled(executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'DynamoDB.ConditionalCheckFailedException',
      redriveStatus: 'REDRIVABLE',
    });

    await new DynamoDBClient(test.clientConfig).send(
      new PutItemCommand({ TableName: GREETINGS_TABLE, Item: { id: { S: 'redrive-me' } } }),
    );
    await sfn().send(new RedriveExecutionCommand({ executionArn }));
    expect(await settled(executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    const types = await historyTypes(executionArn);
    expect(types.filter((type) => type === 'ExecutionStarted')).toHaveLength(1);
    expect(types).toContain('ExecutionRedriven');
    expect(types.at(-1)).toBe('ExecutionSucceeded');
    await expect(sfn().send(new RedriveExecutionCommand({ executionArn }))).rejects.toBeInstanceOf(
      ExecutionNotRedrivable,
    );
  });

  it('a .waitForTaskToken task waits until another client calls SendTaskSuccess', async () => {
    const queue = await tokenQueue('e2e-approvals');
    const stateMachineArn = await createMachine('e2e-callback', callbackDefinition(queue.url));
    const executionArn = await start(stateMachineArn, { order: 'o-1' });
    const token = await queue.nextToken();
    expect((await describeExecution(executionArn)).status).toBe('RUNNING');

    const approver = new SFNClient(test.clientConfig);
    await approver.send(new SendTaskSuccessCommand({ taskToken: token, output: '{"approved":true}' }));
    const finished = await settled(executionArn);
    expect(finished.status).toBe('SUCCEEDED');
    expect(JSON.parse(finished.output ?? 'null')).toEqual({ approved: true });
    await expect(
      approver.send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('fails the task with States.HeartbeatTimeout when no heartbeat comes in time', async () => {
    const queue = await tokenQueue('e2e-heartbeats');
    const stateMachineArn = await createMachine(
      'e2e-heartbeat',
      callbackDefinition(queue.url, { HeartbeatSeconds: 60, TimeoutSeconds: 3600 }),
    );
    const executionArn = await start(stateMachineArn, { order: 'o-2' });
    const token = await queue.nextToken();

    test.cloud.clock.advanceBy(45_000);
    await sfn().send(new SendTaskHeartbeatCommand({ taskToken: token }));
    test.cloud.clock.advanceBy(45_000);
    expect((await describeExecution(executionArn)).status).toBe('RUNNING');

    test.cloud.clock.advanceBy(20_000);
    expect(await settled(executionArn)).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect(await historyTypes(executionArn)).toContain('TaskTimedOut');
    await expect(
      sfn().send(new SendTaskSuccessCommand({ taskToken: token, output: '{}' })),
    ).rejects.toBeInstanceOf(TaskTimedOut);
  });

  it('an execution waiting for its task token survives a restart of the local cloud', async () => {
    const queue = await tokenQueue('e2e-restart');
    const stateMachineArn = await createMachine('e2e-restart', callbackDefinition(queue.url));
    const executionArn = await start(stateMachineArn, { order: 'o-3' });
    const token = await queue.nextToken();

    const { stateDir } = test;
    await test.stop({ keepState: true });
    test = await startTestCloud({ assemblyDirectory: assembly, stateDir });

    expect((await describeExecution(executionArn)).status).toBe('RUNNING');
    await sfn().send(new SendTaskSuccessCommand({ taskToken: token, output: '{"after":"restart"}' }));
    const finished = await settled(executionArn);
    expect(finished.status).toBe('SUCCEEDED');
    expect(JSON.parse(finished.output ?? 'null')).toEqual({ after: 'restart' });
    const types = await historyTypes(executionArn);
    expect(types.filter((type) => type === 'TaskStateEntered')).toHaveLength(1);
  }, 60_000);
});
