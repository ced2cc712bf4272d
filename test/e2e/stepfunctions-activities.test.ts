/**
 * Issue 12: Step Functions activities. A Task state whose Resource is an activity ARN waits until a worker
 * takes the task with GetActivityTask (long polling) and answers with its token.
 */
import {
  ActivityDoesNotExist,
  CreateActivityCommand,
  CreateStateMachineCommand,
  DeleteActivityCommand,
  DescribeActivityCommand,
  DescribeExecutionCommand,
  GetActivityTaskCommand,
  GetExecutionHistoryCommand,
  ListActivitiesCommand,
  SendTaskFailureCommand,
  SendTaskHeartbeatCommand,
  SendTaskSuccessCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { useTestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';

const test = useTestCloud();

const sfn = () => new SFNClient({ ...test.clientConfig, maxAttempts: 1 });
const ROLE = 'arn:aws:iam::000000000000:role/activities';

async function machineFor(
  activityArn: string | undefined,
  name: string,
  extra: Record<string, unknown> = {},
) {
  const { stateMachineArn } = await sfn().send(
    new CreateStateMachineCommand({
      name,
      roleArn: ROLE,
      definition: JSON.stringify({
        StartAt: 'Work',
        States: { Work: { Type: 'Task', Resource: activityArn, End: true, ...extra } },
      }),
    }),
  );
  return stateMachineArn;
}

const settled = (executionArn: string | undefined) =>
  eventually(async () => {
    const answer = await sfn().send(new DescribeExecutionCommand({ executionArn }));
    return answer.status === 'RUNNING' ? undefined : answer;
  }, 10_000);

async function historyTypes(executionArn: string | undefined): Promise<string[]> {
  const { events } = await sfn().send(new GetExecutionHistoryCommand({ executionArn }));
  return (events ?? []).map((event) => event.type ?? '');
}

describe('activities', () => {
  it('creates (idempotently), describes, lists and deletes an activity', async () => {
    const created = await sfn().send(new CreateActivityCommand({ name: 'resize' }));
    expect(created.activityArn).toBe('arn:aws:states:us-east-1:000000000000:activity:resize');
    const again = await sfn().send(new CreateActivityCommand({ name: 'resize' }));
    expect(again.creationDate).toEqual(created.creationDate);
    expect(await sfn().send(new DescribeActivityCommand({ activityArn: created.activityArn }))).toMatchObject(
      {
        name: 'resize',
        activityArn: created.activityArn,
      },
    );
    const { activities } = await sfn().send(new ListActivitiesCommand({}));
    expect(activities?.map((activity) => activity.name)).toContain('resize');
    await sfn().send(new DeleteActivityCommand({ activityArn: created.activityArn }));
    await expect(
      sfn().send(new DescribeActivityCommand({ activityArn: created.activityArn })),
    ).rejects.toBeInstanceOf(ActivityDoesNotExist);
  });

  it('hands a queued task to a worker, whose SendTaskSuccess completes the execution', async () => {
    const { activityArn } = await sfn().send(new CreateActivityCommand({ name: 'approve' }));
    const stateMachineArn = await machineFor(activityArn, 'approve-flow', { HeartbeatSeconds: 60 });
    const { executionArn } = await sfn().send(
      new StartExecutionCommand({ stateMachineArn, input: '{"order":7}' }),
    );
    const task = await eventually(async () => {
      const answer = await sfn().send(new GetActivityTaskCommand({ activityArn, workerName: 'worker-1' }));
      return answer.taskToken ? answer : undefined;
    }, 10_000);
    expect(JSON.parse(task.input ?? '')).toEqual({ order: 7 });
    await sfn().send(new SendTaskHeartbeatCommand({ taskToken: task.taskToken }));
    await sfn().send(new SendTaskSuccessCommand({ taskToken: task.taskToken, output: '{"approved":true}' }));
    const done = await settled(executionArn);
    expect(done.status).toBe('SUCCEEDED');
    expect(JSON.parse(done.output ?? '')).toEqual({ approved: true });
    const types = await historyTypes(executionArn);
    expect(types).toEqual(
      expect.arrayContaining(['ActivityScheduled', 'ActivityStarted', 'ActivitySucceeded']),
    );
    const { events } = await sfn().send(new GetExecutionHistoryCommand({ executionArn }));
    const started = events?.find((event) => event.type === 'ActivityStarted');
    expect(started?.activityStartedEventDetails?.workerName).toBe('worker-1');
  });

  it('a long poll waiting before the execution starts receives its task', async () => {
    const { activityArn } = await sfn().send(new CreateActivityCommand({ name: 'early' }));
    const stateMachineArn = await machineFor(activityArn, 'early-flow');
    const polling = sfn().send(new GetActivityTaskCommand({ activityArn, workerName: 'early-bird' }));
    const { executionArn } = await sfn().send(
      new StartExecutionCommand({ stateMachineArn, input: '{"n":1}' }),
    );
    const task = await polling;
    expect(task.input).toBe('{"n":1}');
    await sfn().send(
      new SendTaskFailureCommand({ taskToken: task.taskToken, error: 'Refused', cause: 'no' }),
    );
    const done = await settled(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'Refused', cause: 'no' });
    expect(await historyTypes(executionArn)).toContain('ActivityFailed');
  });

  it('an empty poll ends when the clock passes the 60-second wait', async () => {
    const { activityArn } = await sfn().send(new CreateActivityCommand({ name: 'idle' }));
    const polling = sfn().send(new GetActivityTaskCommand({ activityArn }));
    // Move the clock until the poll has registered and its wait has passed.
    const answer = await eventually(async () => {
      await fetch(`${test.cloud.edgeUrl}/_aurora/clock`, {
        method: 'POST',
        body: JSON.stringify({ advanceBy: 'PT61S' }),
      });
      return Promise.race([polling, Promise.resolve(undefined)]);
    }, 10_000);
    expect(answer.taskToken).toBeUndefined();
  });

  it('a missed heartbeat times the activity task out', async () => {
    const { activityArn } = await sfn().send(new CreateActivityCommand({ name: 'slow' }));
    const stateMachineArn = await machineFor(activityArn, 'slow-flow', { HeartbeatSeconds: 5 });
    const { executionArn } = await sfn().send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    await eventually(async () => {
      const answer = await sfn().send(new GetActivityTaskCommand({ activityArn }));
      return answer.taskToken;
    }, 10_000);
    await fetch(`${test.cloud.edgeUrl}/_aurora/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceBy: 'PT6S' }),
    });
    const done = await settled(executionArn);
    expect(done).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect(await historyTypes(executionArn)).toContain('ActivityTimedOut');
  });
});
