/**
 * The local EventBridge Scheduler through the real SDK v3 clients, on a started local cloud with a manual
 * clock: a one-time schedule in Europe/Paris, a restart with schedules pending, and cron schedules across
 * both daylight-saving changes. Targets are an SQS queue; each message says which schedule fired and for
 * which time (`<aws.scheduler.scheduled-time>`), so the tests see exactly what fired when.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ListSchedulesCommand,
  ResourceNotFoundException,
  SchedulerClient,
} from '@aws-sdk/client-scheduler';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { synthesizeEventsFixture } from '../fixtures/events-app/app';
import { drainQueue } from '../fixtures/events-app/queues';
import { startTestCloud, TEST_START, type TestCloud } from '../support/local-cloud';

const QUEUE = 'scheduler-fired';
const ROLE_ARN = 'arn:aws:iam::000000000000:role/scheduler-invokes';
const PARIS = 'Europe/Paris';

let assembly: string;
let test: TestCloud;
let queueArn: string;

beforeAll(async () => {
  // The events fixture is a small template that synthesizes quickly; these tests create what they use.
  assembly = synthesizeEventsFixture(mkdtempSync(join(tmpdir(), 'aurora-scheduler-fixture-')));
  test = await startTestCloud({ assemblyDirectory: assembly });
  const sqs = new SQSClient(test.clientConfig);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: QUEUE }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  queueArn = Attributes?.QueueArn ?? '';
});

afterAll(async () => {
  await test?.stop();
  rmSync(assembly, { recursive: true, force: true });
});

const scheduler = () => new SchedulerClient(test.clientConfig);

interface Fired {
  readonly schedule: string;
  readonly scheduledTime: string;
}

/** Lets every invocation the clock released finish, then returns what reached the queue since last asked. */
async function fired(): Promise<Fired[]> {
  await test.cloud.services.scheduler.idle();
  const messages = await drainQueue(new SQSClient(test.clientConfig), QUEUE);
  return messages
    .map((message) => JSON.parse(message.Body ?? '{}') as Fired)
    .sort((a, b) => a.scheduledTime.localeCompare(b.scheduledTime) || a.schedule.localeCompare(b.schedule));
}

function createSchedule(
  name: string,
  expression: string,
  options: { actionAfterCompletion?: 'NONE' | 'DELETE' } = {},
) {
  return scheduler().send(
    new CreateScheduleCommand({
      Name: name,
      ScheduleExpression: expression,
      ScheduleExpressionTimezone: PARIS,
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: options.actionAfterCompletion ?? 'NONE',
      Target: {
        Arn: queueArn,
        RoleArn: ROLE_ARN,
        Input: JSON.stringify({ schedule: name, scheduledTime: '<aws.scheduler.scheduled-time>' }),
      },
    }),
  );
}

const exists = async (name: string): Promise<boolean> => {
  try {
    await scheduler().send(new GetScheduleCommand({ Name: name }));
    return true;
  } catch (error) {
    if (error instanceof ResourceNotFoundException) return false;
    throw error;
  }
};

const at = (iso: string): number => Date.parse(iso);

describe('a one-time schedule', () => {
  it('fires 10 minutes ahead in Europe/Paris after the clock jump, not before, then is deleted', async () => {
    // TEST_START is 09:00Z, 10:00 in Paris (winter time, UTC+1).
    expect(test.cloud.clock.now()).toBe(TEST_START);
    expect(TEST_START).toBe(at('2026-11-22T09:00:00Z'));
    await createSchedule('call-mum', 'at(2026-11-22T10:10:00)', { actionAfterCompletion: 'DELETE' });
    const described = await scheduler().send(new GetScheduleCommand({ Name: 'call-mum' }));
    expect(described).toMatchObject({ ScheduleExpressionTimezone: PARIS, ActionAfterCompletion: 'DELETE' });

    test.cloud.clock.advanceBy(10 * 60_000 - 1000);
    expect(await fired()).toEqual([]);
    expect(await exists('call-mum')).toBe(true);

    test.cloud.clock.advanceBy(1000);
    expect(await fired()).toEqual([{ schedule: 'call-mum', scheduledTime: '2026-11-22T09:10:00Z' }]);
    expect(await exists('call-mum')).toBe(false);
    const listed = await scheduler().send(new ListSchedulesCommand({}));
    expect(listed.Schedules?.map((schedule) => schedule.Name)).not.toContain('call-mum');

    test.cloud.clock.advanceBy(24 * 3_600_000);
    expect(await fired()).toEqual([]);
  });
});

describe('schedules across a restart', () => {
  it('keeps pending schedules and fires each missed one once on start-up', async () => {
    test.cloud.clock.set(at('2026-11-23T12:00:30Z')); // 13:00:30 in Paris
    await createSchedule('missed-once', 'at(2026-11-23T14:00:00)', { actionAfterCompletion: 'DELETE' });
    await createSchedule('hourly', 'cron(0 * * * ? *)');
    await createSchedule('later', 'at(2026-11-23T20:00:00)');
    expect(await fired()).toEqual([]);

    await test.stop({ keepState: true });
    // Down from 13:00 to 16:30 in Paris: missed-once (14:00) and three hourly occurrences passed meanwhile.
    test = await startTestCloud({
      assemblyDirectory: assembly,
      stateDir: test.stateDir,
      config: { clockStart: at('2026-11-23T15:30:00Z') },
    });
    expect(await fired()).toEqual([
      { schedule: 'hourly', scheduledTime: '2026-11-23T13:00:00Z' },
      { schedule: 'missed-once', scheduledTime: '2026-11-23T13:00:00Z' },
    ]);
    expect(await exists('missed-once')).toBe(false);
    expect(await exists('hourly')).toBe(true);
    expect(await exists('later')).toBe(true);
    expect(await fired()).toEqual([]);

    test.cloud.clock.set(at('2026-11-23T16:00:00Z'));
    expect(await fired()).toEqual([{ schedule: 'hourly', scheduledTime: '2026-11-23T16:00:00Z' }]);
    test.cloud.clock.set(at('2026-11-23T19:00:00Z')); // 20:00 in Paris
    const afterJump = await fired();
    expect(afterJump).toContainEqual({ schedule: 'later', scheduledTime: '2026-11-23T19:00:00Z' });
    expect(afterJump.filter((entry) => entry.schedule === 'hourly')).toHaveLength(1);

    for (const name of ['hourly', 'later']) await scheduler().send(new DeleteScheduleCommand({ Name: name }));
  });
});

describe('cron schedules across daylight-saving changes in Europe/Paris', () => {
  /** Moves the clock to just before each expected firing (nothing fires), then onto it (exactly that fires). */
  async function expectFirings(expected: readonly Fired[]): Promise<void> {
    for (const firing of expected) {
      const dueAt = at(firing.scheduledTime);
      test.cloud.clock.set(dueAt - 1);
      expect(await fired()).toEqual([]);
      test.cloud.clock.set(dueAt);
      expect(await fired()).toEqual([firing]);
    }
  }

  it('keeps local times when the clocks go forward, skipping a time that does not exist', async () => {
    test.cloud.clock.set(at('2027-03-26T12:00:00Z'));
    await createSchedule('nine-am', 'cron(0 9 * * ? *)');
    await createSchedule('half-past-two', 'cron(30 2 * * ? *)');
    // 28 March 2027: 02:00 CET becomes 03:00 CEST, so 02:30 does not exist that day.
    await expectFirings([
      { schedule: 'half-past-two', scheduledTime: '2027-03-27T01:30:00Z' },
      { schedule: 'nine-am', scheduledTime: '2027-03-27T08:00:00Z' },
      { schedule: 'nine-am', scheduledTime: '2027-03-28T07:00:00Z' },
      { schedule: 'half-past-two', scheduledTime: '2027-03-29T00:30:00Z' },
      { schedule: 'nine-am', scheduledTime: '2027-03-29T07:00:00Z' },
    ]);
    for (const name of ['nine-am', 'half-past-two'])
      await scheduler().send(new DeleteScheduleCommand({ Name: name }));
  });

  it('runs a repeated local time once when the clocks go back', async () => {
    test.cloud.clock.set(at('2027-10-30T12:00:00Z'));
    await createSchedule('half-past-two', 'cron(30 2 * * ? *)');
    // 31 October 2027: 03:00 CEST becomes 02:00 CET, so 02:30 happens twice; only the first one fires.
    await expectFirings([
      { schedule: 'half-past-two', scheduledTime: '2027-10-31T00:30:00Z' },
      { schedule: 'half-past-two', scheduledTime: '2027-11-01T01:30:00Z' },
    ]);
  });
});
