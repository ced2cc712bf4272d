/**
 * The IAM check of Step Functions task calls, through the service and engine: each call is checked as the
 * action on the resource its parameters name, against a PolicyStore holding the role's statements.
 */
import { describe, expect, test } from 'vitest';
import { PolicyStore } from '../../../../../infra/local/iam/policies';
import type { TaskPort } from '../../../../../infra/local/stepfunctions/engine/tasks';
import { useStepFunctionsServices } from '../stepfunctions/harness';

// The harness's account and region.
const ARN = 'eu-west-1:123456789012';
const role = 'arn:aws:iam::123456789012:role/MachineRole';
const table = `arn:aws:dynamodb:${ARN}:table/app`;
const plan = `arn:aws:lambda:${ARN}:function:plan`;
const schedulerRole = 'arn:aws:iam::123456789012:role/SchedulerRole';

const policies = new PolicyStore();
policies.attach('MachineRole', {
  Statement: [
    { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: plan },
    {
      Effect: 'Allow',
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REMINDER#*'] } },
      Resource: table,
    },
    { Effect: 'Allow', Action: 'events:PutEvents', Resource: `arn:aws:events:${ARN}:event-bus/app` },
    {
      Effect: 'Allow',
      Action: 'scheduler:CreateSchedule',
      Resource: `arn:aws:scheduler:${ARN}:schedule/reminders/*`,
    },
    { Effect: 'Allow', Action: 'iam:PassRole', Resource: schedulerRole },
    { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: `arn:aws:sqs:${ARN}:dlq` },
  ],
});

function recordingPort() {
  const calls: string[] = [];
  const port: TaskPort = {
    async invokeLambda(functionName, payload) {
      calls.push(`lambda ${functionName}`);
      return { payload };
    },
    async callAws(service, action) {
      calls.push(`${service}:${action}`);
      return {};
    },
  };
  return { port, calls };
}

const sfn = useStepFunctionsServices(Date.parse('2026-01-01T00:00:00Z'));

function run(states: Record<string, unknown>, options: { enforceIam: boolean }) {
  const { port, calls } = recordingPort();
  const log: string[] = [];
  const service = sfn.newService(port, {
    checkPermission: (roleArn, action, resource) => policies.check(roleArn, action, resource),
    enforceIam: options.enforceIam,
    log: (line) => log.push(line),
  });
  const machine = service.createStateMachine({
    name: 'checked',
    definition: JSON.stringify({ QueryLanguage: 'JSONata', StartAt: Object.keys(states)[0], States: states }),
    roleArn: role,
  });
  const { executionArn } = service.startExecution({ stateMachineArn: machine.stateMachineArn, input: '{}' });
  return { finished: service.waitForExecution(executionArn), calls, log };
}

const ALLOWED = {
  Plan: {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Arguments: { FunctionName: plan, Payload: {} },
    Next: 'Persist',
  },
  Persist: {
    Type: 'Task',
    Resource: 'arn:aws:states:::dynamodb:putItem',
    Arguments: { TableName: 'app', Item: { PK: { S: 'REMINDER#1' } } },
    Next: 'Schedule',
  },
  Schedule: {
    Type: 'Task',
    Resource: 'arn:aws:states:::aws-sdk:scheduler:createSchedule',
    Arguments: {
      Name: 'r-1-v1',
      GroupName: 'reminders',
      ScheduleExpression: 'at(2026-01-02T00:00:00)',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { Arn: `arn:aws:states:${ARN}:stateMachine:delivery`, RoleArn: schedulerRole },
    },
    Next: 'Publish',
  },
  Publish: {
    Type: 'Task',
    Resource: 'arn:aws:states:::events:putEvents',
    Arguments: { Entries: [{ EventBusName: 'app', Source: 'test', DetailType: 'Done', Detail: {} }] },
    Next: 'KeepLetter',
  },
  KeepLetter: {
    Type: 'Task',
    Resource: 'arn:aws:states:::sqs:sendMessage',
    Arguments: { QueueUrl: 'http://127.0.0.1:4566/123456789012/dlq', MessageBody: {} },
    End: true,
  },
};

/** One state of ALLOWED as a machine's only state, with some arguments replaced. */
function alone(state: (typeof ALLOWED)['Schedule'], args: Record<string, unknown>) {
  const { Next: _next, ...rest } = state;
  return { ...rest, Arguments: { ...state.Arguments, ...args }, End: true };
}

describe('IAM checks of task calls', () => {
  test('calls the role allows, on the resources they touch, run with nothing reported', async () => {
    const { finished, calls, log } = run(ALLOWED, { enforceIam: true });
    expect((await finished).status).toBe('SUCCEEDED');
    expect(calls).toEqual([
      `lambda ${plan}`,
      'dynamodb:PutItem',
      'scheduler:CreateSchedule',
      'events:PutEvents',
      'sqs:SendMessage',
    ]);
    expect(log.filter((line) => line.includes('may not call'))).toEqual([]);
  });

  test('a call outside the role is reported with its action and resource, and made when not enforced', async () => {
    const states = { Schedule: alone(ALLOWED.Schedule, { GroupName: 'default' }) };
    const { finished, calls, log } = run(states, { enforceIam: false });
    expect((await finished).status).toBe('SUCCEEDED');
    expect(calls).toEqual(['scheduler:CreateSchedule']);
    expect(log).toEqual([
      `IAM: role ${role} may not call scheduler:CreateSchedule on ` +
        `arn:aws:scheduler:${ARN}:schedule/default/r-1-v1: User: ${role} is not authorized to perform: ` +
        `scheduler:CreateSchedule on resource: arn:aws:scheduler:${ARN}:schedule/default/r-1-v1 because no ` +
        'identity-based policy allows the scheduler:CreateSchedule action',
    ]);
  });

  test('with enforcement, the call is refused with the integration AccessDenied error and never made', async () => {
    const states = {
      Forget: {
        Type: 'Task',
        Resource: 'arn:aws:states:::dynamodb:deleteItem',
        Arguments: { TableName: 'app', Key: { PK: { S: 'REMINDER#1' } } },
        End: true,
      },
    };
    const { finished, calls, log } = run(states, { enforceIam: true });
    const execution = await finished;
    expect(execution).toMatchObject({ status: 'FAILED', error: 'DynamoDB.AccessDeniedException' });
    expect(execution.cause).toContain(
      `User: ${role} is not authorized to perform: dynamodb:DeleteItem on resource: ${table} because no ` +
        'identity-based policy allows the dynamodb:DeleteItem action',
    );
    expect(calls).toEqual([]);
    expect(log).toHaveLength(1);
  });

  test('every authorization of one call is checked: a missing iam:PassRole refuses CreateSchedule', async () => {
    const target = { ...ALLOWED.Schedule.Arguments.Target, RoleArn: 'arn:aws:iam::123456789012:role/Admin' };
    const states = { Schedule: alone(ALLOWED.Schedule, { Target: target }) };
    const { finished, calls } = run(states, { enforceIam: true });
    const execution = await finished;
    expect(execution).toMatchObject({ status: 'FAILED', error: 'Scheduler.AccessDeniedException' });
    expect(execution.cause).toContain('iam:PassRole on resource: arn:aws:iam::123456789012:role/Admin');
    expect(calls).toEqual([]);
  });
});
