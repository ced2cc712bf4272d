import { describe, expect, it } from 'vitest';
import {
  BUS_ARN,
  DLQ_ARN,
  FUNCTION_ARN,
  minutes,
  QUEUE_ARN,
  ROLE_ARN,
  STATE_MACHINE_ARN,
  scheduleBody,
  useSchedulerHarness,
} from './fixtures';

const START = Date.parse('2026-07-01T10:00:00Z'); // 12:00 in Paris

const harness = useSchedulerHarness(START);
const { advance } = harness;

describe('one-time schedules', () => {
  it('fires an at() time in Europe/Paris when the clock reaches it, not before, and deletes itself', async () => {
    const scheduler = harness.start();
    scheduler.createSchedule(
      'call-mum',
      scheduleBody({
        ScheduleExpression: 'at(2026-07-01T12:10:00)',
        ScheduleExpressionTimezone: 'Europe/Paris',
        ActionAfterCompletion: 'DELETE',
      }),
    );
    await advance(scheduler, minutes(10) - 1000);
    expect(harness.ports.calls).toEqual([]);

    await advance(scheduler, 1000);
    expect(harness.ports.calls).toEqual([
      { port: 'lambda', arn: FUNCTION_ARN, payload: '{"reminder":"call mum"}', at: START + minutes(10) },
    ]);
    expect(() => scheduler.getSchedule({ Name: 'call-mum' })).toThrow(
      expect.objectContaining({ code: 'ResourceNotFoundException', statusCode: 404 }),
    );

    await advance(scheduler, minutes(60 * 24));
    expect(harness.ports.calls).toHaveLength(1);
  });

  it('keeps a completed schedule with ActionAfterCompletion NONE, without firing it again', async () => {
    const scheduler = harness.start();
    scheduler.createSchedule('once', scheduleBody({ ScheduleExpression: 'at(2026-07-01T10:05:00)' }));
    await advance(scheduler, minutes(5));
    await advance(scheduler, minutes(60));
    expect(harness.ports.calls).toHaveLength(1);
    expect(scheduler.getSchedule({ Name: 'once' })).toMatchObject({
      Name: 'once',
      ActionAfterCompletion: 'NONE',
    });
  });

  it('fires at once an at() time that passed a moment before the schedule was created', async () => {
    const scheduler = harness.start();
    scheduler.createSchedule('late', scheduleBody({ ScheduleExpression: 'at(2026-07-01T09:59:30)' }));
    await advance(scheduler, 0);
    expect(harness.ports.calls.map((call) => call.at)).toEqual([START]);
  });
});

describe('recurring schedules', () => {
  it('fires a Europe/Paris cron at 09:00 local time on both sides of the spring-forward change', async () => {
    harness.restartAt(Date.parse('2026-03-27T00:00:00Z'));
    const scheduler = harness.start();
    scheduler.createSchedule(
      'morning',
      scheduleBody({ ScheduleExpression: 'cron(0 9 * * ? *)', ScheduleExpressionTimezone: 'Europe/Paris' }),
    );
    for (let hour = 0; hour < 4 * 24; hour++) await advance(scheduler, minutes(60));
    expect(harness.ports.calls.map((call) => new Date(call.at).toISOString())).toEqual([
      '2026-03-27T08:00:00.000Z',
      '2026-03-28T08:00:00.000Z',
      '2026-03-29T07:00:00.000Z',
      '2026-03-30T07:00:00.000Z',
    ]);
  });

  it('fires an America/New_York cron once in the hour repeated at fall-back', async () => {
    harness.restartAt(Date.parse('2026-10-31T12:00:00Z'));
    const scheduler = harness.start();
    scheduler.createSchedule(
      'night',
      scheduleBody({
        ScheduleExpression: 'cron(30 1 * * ? *)',
        ScheduleExpressionTimezone: 'America/New_York',
      }),
    );
    for (let step = 0; step < 3 * 48; step++) await advance(scheduler, minutes(30));
    expect(harness.ports.calls.map((call) => new Date(call.at).toISOString())).toEqual([
      '2026-11-01T05:30:00.000Z', // 01:30 EDT; not again at 01:30 EST
      '2026-11-02T06:30:00.000Z',
      '2026-11-03T06:30:00.000Z',
    ]);
  });

  it('starts a rate() schedule at once and keeps its cadence until the end date', async () => {
    const scheduler = harness.start();
    scheduler.createSchedule(
      'every-20',
      scheduleBody({ ScheduleExpression: 'rate(20 minutes)', EndDate: (START + minutes(50)) / 1000 }),
    );
    await scheduler.idle();
    for (let step = 0; step < 12; step++) await advance(scheduler, minutes(10));
    expect(harness.ports.calls.map((call) => (call.at - START) / 60_000)).toEqual([0, 20, 40]);
  });

  it('waits for StartDate, and a disabled schedule fires only once enabled again', async () => {
    const scheduler = harness.start();
    const body = scheduleBody({
      ScheduleExpression: 'rate(30 minutes)',
      StartDate: (START + minutes(60)) / 1000,
    });
    scheduler.createSchedule('later', { ...body, State: 'DISABLED' });
    await advance(scheduler, minutes(90));
    expect(harness.ports.calls).toEqual([]);

    scheduler.updateSchedule('later', body);
    await advance(scheduler, 0);
    await advance(scheduler, minutes(30));
    expect(harness.ports.calls.map((call) => (call.at - START) / 60_000)).toEqual([90, 120]);
  });

  it('invokes within the flexible time window', async () => {
    const scheduler = harness.start(() => 0.5);
    scheduler.createSchedule(
      'flexible',
      scheduleBody({
        ScheduleExpression: 'at(2026-07-01T11:00:00)',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 10 },
      }),
    );
    await advance(scheduler, minutes(64));
    expect(harness.ports.calls).toEqual([]);
    await advance(scheduler, minutes(1));
    expect(harness.ports.calls.map((call) => (call.at - START) / 60_000)).toEqual([65]);
  });

  it('fires once, not once per missed occurrence, after the clock jumps ahead', async () => {
    const scheduler = harness.start();
    scheduler.createSchedule('hourly', scheduleBody({ ScheduleExpression: 'cron(0 * * * ? *)' }));
    await advance(scheduler, minutes(60 * 5 + 30));
    expect(harness.ports.calls).toHaveLength(1);
    await advance(scheduler, minutes(30));
    expect(harness.ports.calls.map((call) => (call.at - START) / 60_000)).toEqual([330, 360]);
  });
});

describe('targets', () => {
  it('passes Input as-is to Step Functions and SQS, and as the Detail of an EventBridge event', async () => {
    const scheduler = harness.start();
    const at = { ScheduleExpression: 'at(2026-07-01T10:01:00)' };
    scheduler.createSchedule(
      'to-sfn',
      scheduleBody({ ...at, Target: { Arn: STATE_MACHINE_ARN, RoleArn: ROLE_ARN, Input: '{"id": 1}' } }),
    );
    scheduler.createSchedule(
      'to-sqs',
      scheduleBody({ ...at, Target: { Arn: QUEUE_ARN, RoleArn: ROLE_ARN, Input: 'plain text' } }),
    );
    const { ScheduleArn } = scheduler.createSchedule(
      'to-bus',
      scheduleBody({
        ...at,
        Target: {
          Arn: BUS_ARN,
          RoleArn: ROLE_ARN,
          Input: '{"reminderId":"r-1"}',
          EventBridgeParameters: { DetailType: 'ReminderDue', Source: 'aurora.reminders' },
        },
      }),
    );
    await advance(scheduler, minutes(1));
    expect(harness.ports.callsTo(STATE_MACHINE_ARN).map((call) => call.payload)).toEqual(['{"id": 1}']);
    expect(harness.ports.callsTo(QUEUE_ARN).map((call) => call.payload)).toEqual(['plain text']);
    expect(harness.ports.callsTo(BUS_ARN)[0]?.entries).toEqual([
      {
        EventBusName: BUS_ARN,
        Source: 'aurora.reminders',
        DetailType: 'ReminderDue',
        Detail: '{"reminderId":"r-1"}',
        Resources: [ScheduleArn],
      },
    ]);
  });
});

describe('retries and dead letters', () => {
  const failingSchedule = (retryPolicy: Record<string, number>) =>
    scheduleBody({
      ScheduleExpression: 'at(2026-07-01T10:01:00)',
      Target: {
        Arn: FUNCTION_ARN,
        RoleArn: ROLE_ARN,
        Input: '{"reminder":"pay rent"}',
        RetryPolicy: retryPolicy,
        DeadLetterConfig: { Arn: DLQ_ARN },
      },
    });

  it('retries with backoff on the clock, then sends the input to the dead-letter queue with the failure details', async () => {
    harness.ports.failing.add(FUNCTION_ARN);
    const scheduler = harness.start();
    const { ScheduleArn } = scheduler.createSchedule('rent', failingSchedule({ MaximumRetryAttempts: 2 }));
    await advance(scheduler, minutes(1));
    expect(harness.ports.callsTo(FUNCTION_ARN)).toHaveLength(1);
    await advance(scheduler, 1000);
    expect(harness.ports.callsTo(FUNCTION_ARN)).toHaveLength(2);
    expect(harness.ports.callsTo(DLQ_ARN)).toEqual([]);
    await advance(scheduler, 2000);
    expect(harness.ports.callsTo(FUNCTION_ARN).map((call) => call.at - START - minutes(1))).toEqual([
      0, 1000, 3000,
    ]);

    const [deadLetter, ...others] = harness.ports.callsTo(DLQ_ARN);
    expect(others).toEqual([]);
    expect(deadLetter?.payload).toBe('{"reminder":"pay rent"}');
    expect(deadLetter?.attributes).toEqual({
      'X-Amz-Scheduler-Attempt': { DataType: 'Number', StringValue: '3' },
      'X-Amz-Scheduler-Error-Code': { DataType: 'String', StringValue: 'TooManyRequestsException' },
      'X-Amz-Scheduler-Error-Message': { DataType: 'String', StringValue: `${FUNCTION_ARN} is throttled` },
      'X-Amz-Scheduler-Group': { DataType: 'String', StringValue: 'default' },
      'X-Amz-Scheduler-Schedule-Arn': { DataType: 'String', StringValue: ScheduleArn },
      'X-Amz-Scheduler-Target-Arn': { DataType: 'String', StringValue: FUNCTION_ARN },
    });
    await advance(scheduler, minutes(60));
    expect(harness.ports.callsTo(FUNCTION_ARN)).toHaveLength(3);
  });

  it('stops retrying once the event is older than MaximumEventAgeInSeconds', async () => {
    harness.ports.failing.add(FUNCTION_ARN);
    const scheduler = harness.start();
    scheduler.createSchedule('rent', failingSchedule({ MaximumEventAgeInSeconds: 60 }));
    await advance(scheduler, minutes(1));
    for (let second = 0; second < 120; second++) await advance(scheduler, 1000);
    // Attempts at 0, 1, 3, 7, 15 and 31 s; the next (63 s) would be past the 60 s age.
    expect(harness.ports.callsTo(FUNCTION_ARN).map((call) => (call.at - START - minutes(1)) / 1000)).toEqual([
      0, 1, 3, 7, 15, 31,
    ]);
    expect(harness.ports.callsTo(DLQ_ARN)[0]?.attributes?.['X-Amz-Scheduler-Attempt']?.StringValue).toBe('6');
  });

  it('delivers on a retry without dead-lettering once the target recovers', async () => {
    harness.ports.failing.add(FUNCTION_ARN);
    const scheduler = harness.start();
    scheduler.createSchedule('rent', failingSchedule({}));
    await advance(scheduler, minutes(1));
    harness.ports.failing.delete(FUNCTION_ARN);
    await advance(scheduler, 1000);
    await advance(scheduler, minutes(60));
    expect(harness.ports.callsTo(FUNCTION_ARN)).toHaveLength(2);
    expect(harness.ports.callsTo(DLQ_ARN)).toEqual([]);
  });
});

describe('restart', () => {
  it('keeps pending schedules and fires each missed one once, then continues from now', async () => {
    const first = harness.start();
    first.createSchedule('reminder', scheduleBody({ ScheduleExpression: 'at(2026-07-01T10:30:00)' }));
    first.createSchedule(
      'hourly',
      scheduleBody({ ScheduleExpression: 'rate(1 hour)', Target: { Arn: QUEUE_ARN, RoleArn: ROLE_ARN } }),
    );
    first.createSchedule('future', scheduleBody({ ScheduleExpression: 'at(2026-07-02T10:00:00)' }));
    await first.idle();
    expect(harness.ports.callsTo(QUEUE_ARN)).toHaveLength(1); // a rate() schedule starts at once
    first.stop();

    // Down for five hours: the at() and four hourly occurrences were missed.
    harness.restartAt(START + minutes(5 * 60 + 10));
    const second = harness.start();
    await advance(second, 0);
    expect(harness.ports.callsTo(FUNCTION_ARN)).toHaveLength(1);
    expect(harness.ports.callsTo(QUEUE_ARN)).toHaveLength(1);
    expect(second.getSchedule({ Name: 'future' })).toMatchObject({ Name: 'future' });

    await advance(second, minutes(50));
    expect(harness.ports.callsTo(QUEUE_ARN).map((call) => (call.at - START) / 60_000)).toEqual([310, 360]);
    await advance(second, minutes(24 * 60 - 360));
    expect(harness.ports.callsTo(FUNCTION_ARN).map((call) => new Date(call.at).toISOString())).toEqual([
      '2026-07-01T15:10:00.000Z',
      '2026-07-02T10:00:00.000Z',
    ]);
  });

  it('dead-letters, without attempting, an occurrence missed for longer than MaximumEventAgeInSeconds', async () => {
    const first = harness.start();
    first.createSchedule(
      'short-lived',
      scheduleBody({
        ScheduleExpression: 'at(2026-07-01T10:30:00)',
        ActionAfterCompletion: 'DELETE',
        Target: {
          Arn: FUNCTION_ARN,
          RoleArn: ROLE_ARN,
          Input: '{"reminder":"rent"}',
          RetryPolicy: { MaximumEventAgeInSeconds: 600 },
          DeadLetterConfig: { Arn: DLQ_ARN },
        },
      }),
    );
    first.stop();
    harness.restartAt(START + minutes(60));
    const second = harness.start();
    await advance(second, minutes(60));
    expect(harness.ports.callsTo(FUNCTION_ARN)).toEqual([]);
    const [dead] = harness.ports.callsTo(DLQ_ARN);
    expect(dead?.payload).toBe('{"reminder":"rent"}');
    expect(dead?.attributes?.['X-Amz-Scheduler-Error-Code']?.StringValue).toBe('EventTooOld');
    expect(harness.ports.callsTo(DLQ_ARN)).toHaveLength(1);
    expect(() => second.getSchedule({ Name: 'short-lived' })).toThrow(/does not exist/);
  });

  it('resumes the retries of a delivery that was failing when the process stopped', async () => {
    harness.ports.failing.add(FUNCTION_ARN);
    const first = harness.start();
    first.createSchedule(
      'rent',
      scheduleBody({
        ScheduleExpression: 'at(2026-07-01T10:01:00)',
        Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, DeadLetterConfig: { Arn: DLQ_ARN } },
      }),
    );
    await advance(first, minutes(1));
    first.stop();
    expect(harness.ports.callsTo(FUNCTION_ARN)).toHaveLength(1);

    harness.restartAt(START + minutes(10));
    const second = harness.start();
    await advance(second, 0);
    expect(harness.ports.callsTo(FUNCTION_ARN).map((call) => call.at)).toEqual([START + minutes(10)]);
    await advance(second, minutes(60));
    expect(harness.ports.callsTo(FUNCTION_ARN)).toHaveLength(1);
  });
});
