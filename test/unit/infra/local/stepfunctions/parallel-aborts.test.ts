/** How a failing Parallel branch ends its siblings, as AWS records it in the history. */
import { describe, expect, test } from 'vitest';
import type { TaskPort } from '../../../../../infra/local/stepfunctions/engine/tasks';
import type { MachineDefinition } from '../../../../../infra/local/stepfunctions/engine/types';
import { failingSqsPort, settle, startExecution } from './harness';

/** A service that never answers: its task stays in flight until something stops it. */
const silentPort: TaskPort = {
  invokeLambda: () => new Promise(() => undefined),
  callAws: () => new Promise(() => undefined),
};

const twoBranches = (failing: Record<string, unknown>): MachineDefinition => ({
  StartAt: 'Both',
  States: {
    Both: {
      Type: 'Parallel',
      End: true,
      Branches: [
        { StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 60, End: true } } },
        { StartAt: 'Send', States: { Send: failing as never } },
      ],
    },
  },
});

const sendTask = {
  Type: 'Task',
  Resource: 'arn:aws:states:::sqs:sendMessage',
  Parameters: { QueueUrl: 'q', MessageBody: 'x' },
  End: true,
};

describe('Parallel failure', () => {
  test("aborts the siblings' open states and the failing task's own state, then fails the Parallel", async () => {
    const { execution, done } = startExecution(twoBranches(sendTask), {}, failingSqsPort);
    const result = await done;
    expect(result).toMatchObject({ status: 'FAILED', error: expect.stringMatching(/^SQS\./) });
    const types = execution.history.events.map((event) => event.type);
    expect(types.slice(-5)).toEqual([
      'TaskFailed',
      'TaskStateAborted',
      'WaitStateAborted',
      'ParallelStateFailed',
      'ExecutionFailed',
    ]);
    const aborted = execution.history.events.find((event) => event.type === 'WaitStateAborted');
    const napEntered = execution.history.events.find(
      (event) =>
        event.type === 'WaitStateEntered' &&
        (event.stateEnteredEventDetails as { name: string }).name === 'Nap',
    );
    // The aborted event continues the sibling's own thread of events.
    expect(aborted?.previousEventId).toBe(napEntered?.id);
  });

  test('a Fail state in a branch completes by failing: no abort event for it', async () => {
    const { execution, done } = startExecution(
      twoBranches({ Type: 'Fail', Error: 'Nope' }),
      {},
      failingSqsPort,
    );
    expect(await done).toMatchObject({ status: 'FAILED', error: 'Nope' });
    const types = execution.history.events.map((event) => event.type);
    expect(types).not.toContain('FailStateAborted');
    expect(types.slice(-3)).toEqual(['WaitStateAborted', 'ParallelStateFailed', 'ExecutionFailed']);
  });

  test('a successful Parallel reports ParallelStateSucceeded before it exits', async () => {
    const { execution, done, clock } = startExecution(
      {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            End: true,
            Branches: [{ StartAt: 'Nap', States: { Nap: { Type: 'Wait', Seconds: 1, End: true } } }],
          },
        },
      },
      {},
      failingSqsPort,
    );
    await settle();
    clock.advanceBy(1000);
    expect(await done).toMatchObject({ status: 'SUCCEEDED', output: [{}] });
    expect(execution.history.events.map((event) => event.type).slice(-3)).toEqual([
      'ParallelStateSucceeded',
      'ParallelStateExited',
      'ExecutionSucceeded',
    ]);
  });

  test('StopExecution ends the history with ExecutionAborted: branches add nothing after it', async () => {
    const { execution, done } = startExecution(twoBranches(sendTask), {}, silentPort);
    await settle();
    execution.stop('Operator', 'enough');
    expect(await done).toMatchObject({ status: 'ABORTED' });
    await settle();
    const types = execution.history.events.map((event) => event.type);
    expect(types).toContain('TaskStarted');
    expect(types.at(-1)).toBe('ExecutionAborted');
    expect(types.filter((type) => type.endsWith('StateAborted'))).toEqual([]);
  });
});
