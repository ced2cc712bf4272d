import { describe, expect, test } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import type { TaskPort } from '../../../../../infra/local/stepfunctions/engine/tasks';
import type { MachineDefinition } from '../../../../../infra/local/stepfunctions/engine/types';
import { settle, startExecution, unusedPort } from './harness';

describe('engine', () => {
  test('Map honours MaxConcurrency while iterations wait on their tasks', async () => {
    let inFlight = 0;
    let peak = 0;
    const release: Array<() => void> = [];
    const port: TaskPort = {
      ...unusedPort,
      callAws: async (_service, _action, input) => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        await new Promise<void>((resolve) => release.push(resolve));
        inFlight--;
        return { echoed: input.MessageBody };
      },
    };
    const { done, execution } = startExecution(
      {
        StartAt: 'Each',
        States: {
          Each: {
            Type: 'Map',
            MaxConcurrency: 2,
            ItemProcessor: {
              StartAt: 'Send',
              States: {
                Send: {
                  Type: 'Task',
                  Resource: 'arn:aws:states:::sqs:sendMessage',
                  Parameters: { QueueUrl: 'q', 'MessageBody.$': '$' },
                  End: true,
                },
              },
            },
            End: true,
          },
        },
      },
      ['a', 'b', 'c', 'd', 'e'],
      port,
    );
    while (execution.status === 'RUNNING') {
      await settle();
      release.shift()?.();
    }
    const result = await done;
    expect(peak).toBe(2);
    expect(result.output).toEqual(['a', 'b', 'c', 'd', 'e'].map((echoed) => ({ echoed })));
  });

  test('variables are visible inside a Map iteration, and what it assigns stays inside', async () => {
    const { done } = startExecution(
      {
        StartAt: 'Remember',
        States: {
          Remember: { Type: 'Pass', Assign: { greeting: 'hello', kept: 'outer' }, Next: 'Each' },
          Each: {
            Type: 'Map',
            ItemProcessor: {
              StartAt: 'Inner',
              States: {
                Inner: {
                  Type: 'Pass',
                  Assign: { kept: 'inner' },
                  Parameters: { 'text.$': "States.Format('{} {}', $greeting, $)" },
                  End: true,
                },
              },
            },
            Next: 'After',
          },
          After: { Type: 'Pass', Parameters: { 'results.$': '$', 'kept.$': '$kept' }, End: true },
        },
      },
      ['ann', 'bob'],
      unusedPort,
    );
    expect((await done).output).toEqual({
      results: [{ text: 'hello ann' }, { text: 'hello bob' }],
      kept: 'outer',
    });
  });

  test('a failing Parallel branch stops its siblings, and the execution timeout is on the shared clock', async () => {
    const parallel = startExecution(
      {
        StartAt: 'Both',
        States: {
          Both: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'Slow', States: { Slow: { Type: 'Wait', Seconds: 3600, End: true } } },
              { StartAt: 'Broken', States: { Broken: { Type: 'Fail', Error: 'Boom', Cause: 'branch 2' } } },
            ],
            Catch: [{ ErrorEquals: ['Boom'], Next: 'Handled' }],
            End: true,
          },
          Handled: { Type: 'Pass', End: true },
        },
      },
      {},
      unusedPort,
    );
    expect((await parallel.done).output).toEqual({ Error: 'Boom', Cause: 'branch 2' });

    const slow = startExecution(
      { StartAt: 'Nap', TimeoutSeconds: 10, States: { Nap: { Type: 'Wait', Seconds: 60, End: true } } },
      {},
      unusedPort,
    );
    await settle();
    slow.clock.advanceBy(10_000);
    const timedOut = await slow.done;
    expect(timedOut).toMatchObject({ status: 'TIMED_OUT', error: 'States.Timeout' });
    expect(slow.execution.history.events.at(-1)?.type).toBe('ExecutionTimedOut');
  });

  test('a callback task without heartbeats fails with States.HeartbeatTimeout; heartbeats keep it alive', async () => {
    const definition: MachineDefinition = {
      StartAt: 'Wait for human',
      States: {
        'Wait for human': {
          Type: 'Task',
          Resource: 'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
          Parameters: { QueueUrl: 'q', 'MessageBody.$': '$$.Task.Token' },
          HeartbeatSeconds: 60,
          End: true,
        },
      },
    };
    const tokens: string[] = [];
    const port: TaskPort = {
      ...unusedPort,
      callAws: async (_service, _action, input) => {
        tokens.push(String(input.MessageBody));
        return {};
      },
    };
    const run = startExecution(definition, {}, port);
    await settle();
    const token = tokens[0] ?? '';
    run.clock.advanceBy(50_000);
    run.tokens.get(token)?.heartbeat();
    run.clock.advanceBy(50_000);
    await settle();
    expect(run.execution.status).toBe('RUNNING');
    run.clock.advanceBy(10_000);
    expect(await run.done).toMatchObject({ status: 'FAILED', error: 'States.HeartbeatTimeout' });
    expect(run.tokens.has(token)).toBe(false);
  });

  test('Retry waits IntervalSeconds × BackoffRate^n on the clock before each new attempt', async () => {
    const attempts: number[] = [];
    const clock = new Clock('manual', 0);
    const port: TaskPort = {
      ...unusedPort,
      invokeLambda: async () => {
        attempts.push(clock.now());
        return attempts.length < 3
          ? { payload: '{"errorType":"Flaky","errorMessage":"again"}', functionError: 'Unhandled' }
          : { payload: '"done"' };
      },
    };
    const { done } = startExecution(
      {
        StartAt: 'Call',
        States: {
          Call: {
            Type: 'Task',
            Resource: 'arn:aws:lambda:eu-west-1:123456789012:function:flaky',
            Retry: [{ ErrorEquals: ['Flaky'], IntervalSeconds: 2, BackoffRate: 3, MaxAttempts: 5 }],
            End: true,
          },
        },
      },
      {},
      port,
      clock,
    );
    for (let step = 0; step < 10; step++) {
      await settle();
      clock.advanceBy(1000);
    }
    expect((await done).output).toBe('done');
    expect(attempts).toEqual([0, 2000, 8000]);
  });
});
