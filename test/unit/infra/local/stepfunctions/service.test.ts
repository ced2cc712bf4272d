import { describe, expect, test } from 'vitest';
import { AwsServiceError, type RequestContext } from '../../../../../infra/local/edge/contracts';
import {
  AwsCallError,
  type TaskCallOptions,
  type TaskPort,
} from '../../../../../infra/local/stepfunctions/engine/tasks';
import type { StepFunctionsService } from '../../../../../infra/local/stepfunctions/service';
import { ACCOUNT, settle, useStepFunctionsServices } from './harness';

const context: RequestContext = { ...ACCOUNT, requestId: 'test' };
const roleArn = 'arn:aws:iam::123456789012:role/sfn';

interface RecordedCall {
  service: string;
  action: string;
  input: Record<string, unknown>;
  options: TaskCallOptions;
}

/** A port that records calls and answers from a script; Lambda echoes its payload. */
function scriptedPort(answer: (call: RecordedCall) => unknown = () => ({})) {
  const calls: RecordedCall[] = [];
  const port: TaskPort = {
    async invokeLambda(functionName, payload, options) {
      calls.push({ service: 'lambda', action: 'Invoke', input: { FunctionName: functionName }, options });
      return { payload };
    },
    async callAws(service, action, input, options) {
      const call = { service, action, input, options };
      calls.push(call);
      return answer(call);
    },
  };
  return { port, calls };
}

const sfn = useStepFunctionsServices(Date.parse('2025-01-01T00:00:00Z'));
const newService = sfn.newService;

async function call(service: StepFunctionsService, operation: string, input: Record<string, unknown>) {
  const handler = service.edgeService.operations[operation];
  if (!handler) throw new Error(`no operation ${operation}`);
  return handler(input, context);
}

/** StartExecution over the wire: the new execution's ARN. */
async function startExecution(service: StepFunctionsService, input: Record<string, unknown>) {
  return (await call(service, 'StartExecution', input)) as { executionArn: string };
}

async function expectAwsError(promise: Promise<unknown>, code: string) {
  const error = await promise.then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(AwsServiceError);
  expect((error as AwsServiceError).code).toBe(code);
}

const definition = (states: Record<string, unknown>, startAt = Object.keys(states)[0]) =>
  JSON.stringify({ StartAt: startAt, States: states });

describe('state machines', () => {
  test('refuse a machine without a name or a role, as AWS does, and create nothing', async () => {
    const service = newService(scriptedPort().port);
    const states = definition({ Hello: { Type: 'Pass', End: true } });
    await expectAwsError(call(service, 'CreateStateMachine', { definition: states, roleArn }), 'InvalidName');
    const error = await Promise.resolve(
      call(service, 'CreateStateMachine', { name: 'roleless', definition: states }),
    ).catch((thrown: unknown) => thrown);
    expect(error).toMatchObject({
      code: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: Member must not be null",
    });
    expect(await call(service, 'ListStateMachines', {})).toMatchObject({ stateMachines: [] });
  });

  test('create, describe, list, validate and reject invalid definitions', async () => {
    const service = newService(scriptedPort().port);
    const created = service.createStateMachine({
      name: 'hello',
      definition: definition({ Hello: { Type: 'Pass', End: true } }),
      roleArn,
    });
    expect(created.stateMachineArn).toBe('arn:aws:states:eu-west-1:123456789012:stateMachine:hello');
    const described = (await call(service, 'DescribeStateMachine', {
      stateMachineArn: created.stateMachineArn,
    })) as {
      name: string;
      type: string;
    };
    expect(described).toMatchObject({ name: 'hello', type: 'STANDARD' });
    await expectAwsError(
      call(service, 'CreateStateMachine', {
        name: 'broken',
        definition: definition({ A: { Type: 'Pass', Next: 'Nowhere' } }),
        roleArn,
      }),
      'InvalidDefinition',
    );
    const validation = (await call(service, 'ValidateStateMachineDefinition', {
      definition: definition({ A: { Type: 'Pass', Next: 'Nowhere' } }),
    })) as { result: string; diagnostics: Array<{ message: string }> };
    expect(validation.result).toBe('FAIL');
    expect(validation.diagnostics[0]?.message).toContain('Nowhere');
    await expectAwsError(
      call(service, 'DescribeStateMachine', { stateMachineArn: `${created.stateMachineArn}-missing` }),
      'StateMachineDoesNotExist',
    );
    await expectAwsError(
      call(service, 'DescribeStateMachine', { stateMachineArn: 'not-an-arn' }),
      'InvalidArn',
    );
  });
});

describe('executions', () => {
  test('run to completion with a history in GetExecutionHistory shape, paginated and reversible', async () => {
    const service = newService(scriptedPort().port);
    const { stateMachineArn } = service.createStateMachine({
      name: 'flow',
      definition: definition({
        Start: { Type: 'Pass', Result: { greeting: 'hi' }, ResultPath: '$.pass', Next: 'Done' },
        Done: { Type: 'Succeed' },
      }),
      roleArn,
    });
    const { executionArn } = (await call(service, 'StartExecution', {
      stateMachineArn,
      name: 'run-1',
      input: '{"who":"me"}',
    })) as { executionArn: string };
    await service.waitForExecution(executionArn);
    const described = (await call(service, 'DescribeExecution', { executionArn })) as {
      status: string;
      output: string;
    };
    expect(described.status).toBe('SUCCEEDED');
    expect(JSON.parse(described.output)).toEqual({ who: 'me', pass: { greeting: 'hi' } });

    const firstPage = (await call(service, 'GetExecutionHistory', { executionArn, maxResults: 3 })) as {
      events: Array<{ type: string; timestamp: number }>;
      nextToken?: string;
    };
    expect(firstPage.events.map((event) => event.type)).toEqual([
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
    ]);
    expect(firstPage.events[0]?.timestamp).toBe(sfn.clock.now() / 1000);
    const rest = (await call(service, 'GetExecutionHistory', {
      executionArn,
      nextToken: firstPage.nextToken,
    })) as {
      events: Array<{ type: string }>;
    };
    expect(rest.events.map((event) => event.type)).toEqual([
      'SucceedStateEntered',
      'SucceedStateExited',
      'ExecutionSucceeded',
    ]);
    const reversed = (await call(service, 'GetExecutionHistory', { executionArn, reverseOrder: true })) as {
      events: Array<{ type: string }>;
    };
    expect(reversed.events[0]?.type).toBe('ExecutionSucceeded');
  });

  test('a reused name is idempotent for the same input and refused for another', async () => {
    const service = newService(scriptedPort().port);
    const { stateMachineArn } = service.createStateMachine({
      name: 'waiting',
      definition: definition({ Wait: { Type: 'Wait', Seconds: 60, End: true } }),
      roleArn,
    });
    const first = await startExecution(service, { stateMachineArn, name: 'same', input: '{}' });
    const again = await startExecution(service, { stateMachineArn, name: 'same', input: '{}' });
    expect(again.executionArn).toBe(first.executionArn);
    await expectAwsError(
      call(service, 'StartExecution', { stateMachineArn, name: 'same', input: '{"other":1}' }),
      'ExecutionAlreadyExists',
    );
    const running = (await call(service, 'ListExecutions', { stateMachineArn, statusFilter: 'RUNNING' })) as {
      executions: unknown[];
    };
    expect(running.executions).toHaveLength(1);
    sfn.clock.advanceBy(60_000);
    await service.waitForExecution(first.executionArn);
    const succeeded = (await call(service, 'ListExecutions', {
      stateMachineArn,
      statusFilter: 'SUCCEEDED',
    })) as {
      executions: unknown[];
    };
    expect(succeeded.executions).toHaveLength(1);
  });

  test('StopExecution aborts, and RedriveExecution re-runs the failed state', async () => {
    let failures = 1;
    const { port } = scriptedPort(() => {
      if (failures-- > 0) throw new AwsCallError('ProvisionedThroughputExceededException', 'slow down');
      return { Item: { id: { S: '1' } } };
    });
    const service = newService(port);
    const { stateMachineArn } = service.createStateMachine({
      name: 'redrivable',
      definition: definition({
        Prepare: { Type: 'Pass', Result: 'ready', ResultPath: '$.prepared', Next: 'Read' },
        Read: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:getItem',
          Parameters: { TableName: 't', Key: { id: { S: '1' } } },
          End: true,
        },
      }),
      roleArn,
    });
    const { executionArn } = await startExecution(service, { stateMachineArn });
    const failed = await service.waitForExecution(executionArn);
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('DynamoDB.ProvisionedThroughputExceededException');
    await call(service, 'RedriveExecution', { executionArn });
    const redriven = await service.waitForExecution(executionArn);
    expect(redriven).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
      output: { Item: { id: { S: '1' } } },
    });
    const history = service.getExecution(executionArn)?.history.map((event) => event.type) ?? [];
    expect(history).toContain('ExecutionRedriven');
    expect(history.filter((type) => type === 'PassStateEntered')).toHaveLength(1);

    const { stateMachineArn: waitArn } = service.createStateMachine({
      name: 'long-wait',
      definition: definition({ Wait: { Type: 'Wait', Seconds: 3600, End: true } }),
      roleArn,
    });
    const started = await startExecution(service, { stateMachineArn: waitArn });
    await call(service, 'StopExecution', {
      executionArn: started.executionArn,
      error: 'Manual',
      cause: 'operator',
    });
    expect(service.getExecution(started.executionArn)?.record).toMatchObject({
      status: 'ABORTED',
      error: 'Manual',
    });
  });

  test('Express machines run synchronously; Standard ones refuse StartSyncExecution', async () => {
    const service = newService(scriptedPort().port);
    const express = service.createStateMachine({
      name: 'quick',
      definition: definition({ Echo: { Type: 'Pass', End: true } }),
      roleArn,
      type: 'EXPRESS',
    });
    const result = (await call(service, 'StartSyncExecution', {
      stateMachineArn: express.stateMachineArn,
      input: '{"n":1}',
    })) as { status: string; output: string; executionArn: string };
    expect(result.status).toBe('SUCCEEDED');
    expect(JSON.parse(result.output)).toEqual({ n: 1 });
    expect(result.executionArn).toContain(':express:quick:');
    const standard = service.createStateMachine({
      name: 'slow',
      definition: definition({ Echo: { Type: 'Pass', End: true } }),
      roleArn,
    });
    await expectAwsError(
      call(service, 'StartSyncExecution', { stateMachineArn: standard.stateMachineArn }),
      'StateMachineTypeNotSupported',
    );
  });
});

describe('task tokens', () => {
  const tokenDefinition = definition({
    Ask: {
      Type: 'Task',
      Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
      Parameters: { QueueUrl: 'https://queue', MessageBody: { token: { 'value.$': '$$.Task.Token' } } },
      TimeoutSeconds: 900,
      Catch: [{ ErrorEquals: ['States.Timeout'], ResultPath: '$.timeout', Next: 'TimedOut' }],
      Next: 'Answered',
    },
    Answered: { Type: 'Succeed' },
    TimedOut: { Type: 'Pass', End: true },
  });
  /** Deploys the machine that asks for a token on `service`, and starts it. */
  const startAsking = (service: StepFunctionsService) =>
    startExecution(service, {
      stateMachineArn: service.createStateMachine({ name: 'ask', definition: tokenDefinition, roleArn })
        .stateMachineArn,
    });

  test('SendTaskSuccess completes the task; a spent token answers TaskTimedOut, a bad one InvalidToken', async () => {
    const { port, calls } = scriptedPort(() => ({ MessageId: 'm-1' }));
    const service = newService(port);
    const { executionArn } = await startAsking(service);
    await settle();
    const sent = calls[0];
    const body = JSON.parse(String(sent?.input.MessageBody)) as { token: { value: string } };
    expect(body.token.value).toBe(sent?.options.taskToken);
    await call(service, 'SendTaskSuccess', { taskToken: body.token.value, output: '{"code":"123456"}' });
    const finished = await service.waitForExecution(executionArn);
    expect(finished).toMatchObject({ status: 'SUCCEEDED', output: { code: '123456' } });
    const types = service.getExecution(executionArn)?.history.map((event) => event.type);
    expect(types).toEqual(
      expect.arrayContaining(['TaskScheduled', 'TaskStarted', 'TaskSubmitted', 'TaskSucceeded']),
    );
    await expectAwsError(
      call(service, 'SendTaskSuccess', { taskToken: body.token.value, output: '{}' }),
      'TaskTimedOut',
    );
    await expectAwsError(call(service, 'SendTaskFailure', { taskToken: 'x' }), 'InvalidToken');
  });

  test('a 15-minute token timeout passes with one clock jump', async () => {
    const service = newService(scriptedPort(() => ({ MessageId: 'm-1' })).port);
    const { executionArn } = await startAsking(service);
    await settle();
    sfn.clock.advanceBy(15 * 60_000);
    const finished = await service.waitForExecution(executionArn);
    expect(finished.status).toBe('SUCCEEDED');
    expect(finished.output).toMatchObject({ timeout: { Error: 'States.Timeout' } });
    expect(service.getExecution(executionArn)?.history.map((event) => event.type)).toContain('TaskTimedOut');
  });
});

describe('durability', () => {
  test('an execution waiting on a token or a Wait survives a restart on the same state directory', async () => {
    const first = newService(scriptedPort(() => ({ MessageId: 'm-1' })).port);
    const ask = first.createStateMachine({
      name: 'ask',
      definition: definition({
        Remember: { Type: 'Pass', Assign: { attempt: 1 }, Next: 'Ask' },
        Ask: {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl: 'https://queue', 'MessageBody.$': '$$.Task.Token' },
          Next: 'Report',
        },
        Report: { Type: 'Pass', Parameters: { 'answer.$': '$', 'attempt.$': '$attempt' }, End: true },
      }),
      roleArn,
    });
    const sleeper = first.createStateMachine({
      name: 'sleeper',
      definition: definition({
        Nap: { Type: 'Wait', Seconds: 3 * 86_400, Next: 'Up' },
        Up: { Type: 'Succeed' },
      }),
      roleArn,
    });
    const asking = await startExecution(first, { stateMachineArn: ask.stateMachineArn });
    const sleeping = await startExecution(first, { stateMachineArn: sleeper.stateMachineArn });
    await settle();
    const scheduled = first
      .getExecution(asking.executionArn)
      ?.history.find((event) => event.type === 'TaskScheduled');
    const parameters = (scheduled?.taskScheduledEventDetails as { parameters: string } | undefined)
      ?.parameters;
    const token = String((JSON.parse(parameters ?? '{}') as { MessageBody?: string }).MessageBody);
    first.close(); // the process dies: nothing more is written by this instance

    const { port, calls } = scriptedPort();
    const second = newService(port);
    await settle();
    expect(calls).toHaveLength(0); // the message is not sent twice
    await call(second, 'SendTaskSuccess', { taskToken: token, output: '"yes"' });
    const answered = await second.waitForExecution(asking.executionArn);
    expect(answered).toMatchObject({ status: 'SUCCEEDED', output: { answer: 'yes', attempt: 1 } });
    const types = second.getExecution(asking.executionArn)?.history.map((event) => event.type) ?? [];
    expect(types.filter((type) => type === 'TaskScheduled')).toHaveLength(1);

    sfn.clock.advanceBy(3 * 86_400_000);
    expect((await second.waitForExecution(sleeping.executionArn)).status).toBe('SUCCEEDED');
  });

  test('a retry backoff pending at a crash resumes after restart', async () => {
    const first = newService(
      scriptedPort(() => {
        throw new AwsCallError('InternalServerError', 'boom', 500);
      }).port,
    );
    const { stateMachineArn } = first.createStateMachine({
      name: 'retrying',
      definition: definition({
        Put: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: { TableName: 't', Item: {} },
          Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 60, MaxAttempts: 2 }],
          End: true,
        },
      }),
      roleArn,
    });
    const { executionArn } = await startExecution(first, { stateMachineArn });
    await settle();
    first.close();
    const second = newService(scriptedPort(() => ({ ok: true })).port);
    sfn.clock.advanceBy(60_000);
    expect(await second.waitForExecution(executionArn)).toMatchObject({
      status: 'SUCCEEDED',
      output: { ok: true },
    });
  });
});

describe('task dispatch and permissions', () => {
  test('service errors become <Service>.<Code> and can be caught; IAM denials are refused when enforced', async () => {
    const { port, calls } = scriptedPort((recorded) => {
      if (recorded.service === 'dynamodb') {
        throw new AwsCallError('ConditionalCheckFailedException', 'The conditional request failed');
      }
      return { FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] };
    });
    const log: string[] = [];
    const service = newService(port, {
      checkPermission: (_role, action) =>
        action === 'events:PutEvents' ? 'no policy allows events:PutEvents' : 'allowed',
      log: (message) => log.push(message),
    });
    const { stateMachineArn } = service.createStateMachine({
      name: 'dispatch',
      definition: definition({
        Put: {
          Type: 'Task',
          Resource: 'arn:aws:states:::dynamodb:putItem',
          Parameters: { TableName: 't', Item: {}, ConditionExpression: 'attribute_not_exists(id)' },
          Catch: [
            {
              ErrorEquals: ['DynamoDB.ConditionalCheckFailedException'],
              ResultPath: '$.error',
              Next: 'Publish',
            },
          ],
          Next: 'Publish',
        },
        Publish: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: { Entries: [{ Source: 'aurora.test', DetailType: 'Tested', Detail: { ok: true } }] },
          End: true,
        },
      }),
      roleArn,
    });
    const { executionArn } = await startExecution(service, { stateMachineArn });
    const finished = await service.waitForExecution(executionArn);
    expect(finished.status).toBe('SUCCEEDED');
    expect(calls.map((recorded) => `${recorded.service}:${recorded.action}`)).toEqual([
      'dynamodb:PutItem',
      'events:PutEvents',
    ]);
    const entries = (calls[1]?.input.Entries ?? []) as Array<{ Detail: unknown }>;
    expect(entries[0]?.Detail).toBe('{"ok":true}');
    expect(log.join('\n')).toContain('events:PutEvents');

    const strict = newService(port, {
      checkPermission: () => 'denied by test',
      enforceIam: true,
      log: () => undefined,
    });
    const strictMachine = strict.createStateMachine({
      name: 'strict',
      definition: definition({
        Publish: {
          Type: 'Task',
          Resource: 'arn:aws:states:::events:putEvents',
          Parameters: { Entries: [] },
          End: true,
        },
      }),
      roleArn,
    });
    const refused = await startExecution(strict, {
      stateMachineArn: strictMachine.stateMachineArn,
    });
    expect(await strict.waitForExecution(refused.executionArn)).toMatchObject({
      status: 'FAILED',
      error: 'EventBridge.AccessDeniedException',
    });
  });
});
