import { describe, expect, it } from 'vitest';
import { DLQ_ARN, FUNCTION_ARN, minutes, ROLE_ARN, scheduleBody, useSchedulerHarness } from './fixtures';

const START = Date.parse('2026-07-01T10:00:00Z');

const harness = useSchedulerHarness(START);
const { advance } = harness;

describe('the Input a target receives', () => {
  it('has the context attributes replaced, with a new execution id and attempt number per attempt', async () => {
    const scheduler = harness.start();
    const { ScheduleArn } = scheduler.createSchedule(
      'with-context',
      scheduleBody({
        ScheduleExpression: 'at(2026-07-01T12:30:00)',
        ScheduleExpressionTimezone: 'Europe/Paris',
        Target: {
          Arn: FUNCTION_ARN,
          RoleArn: ROLE_ARN,
          Input: JSON.stringify({
            arn: '<aws.scheduler.schedule-arn>',
            time: '<aws.scheduler.scheduled-time>',
            execution: '<aws.scheduler.execution-id>',
            attempt: '<aws.scheduler.attempt-number>',
            other: '<aws.scheduler.not-an-attribute> <aws.scheduler.constructor> <x>',
          }),
          RetryPolicy: { MaximumRetryAttempts: 1 },
          DeadLetterConfig: { Arn: DLQ_ARN },
        },
      }),
    );
    harness.ports.failing.add(FUNCTION_ARN);
    await advance(scheduler, minutes(30));
    await advance(scheduler, 1000);
    const [first, second] = harness.ports.callsTo(FUNCTION_ARN).map((call) => JSON.parse(call.payload));
    expect(first).toMatchObject({
      arn: ScheduleArn,
      time: '2026-07-01T10:30:00Z',
      attempt: '1',
      other: '<aws.scheduler.not-an-attribute> <aws.scheduler.constructor> <x>',
    });
    expect(first.execution).toMatch(/^[0-9a-f]{16}$/);
    expect(second).toMatchObject({ arn: ScheduleArn, time: '2026-07-01T10:30:00Z', attempt: '2' });
    expect(second.execution).not.toBe(first.execution);
    const [deadLetter] = harness.ports.callsTo(DLQ_ARN);
    expect(JSON.parse(deadLetter?.payload ?? '{}')).toMatchObject({ attempt: '2' });
  });
});

describe('updating a schedule with the same timing', () => {
  it('keeps its pending occurrence, as a redeploy of an unchanged template at start-up does', async () => {
    const flexible = scheduleBody({
      ScheduleExpression: 'at(2026-07-01T10:00:00)',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
    });
    const first = harness.start(() => 0.9);
    first.createSchedule('flexible', flexible);
    first.stop();

    const second = harness.start(() => 0);
    second.updateSchedule('flexible', flexible);
    await advance(second, minutes(9) - 1);
    expect(harness.ports.calls).toEqual([]);
    await advance(second, 1);
    expect(harness.ports.calls).toHaveLength(1);

    second.updateSchedule('flexible', { ...flexible, ScheduleExpression: 'at(2026-07-01T10:20:00)' });
    await advance(second, minutes(11));
    expect(harness.ports.calls).toHaveLength(2); // a changed time is a new occurrence
  });
});
