/**
 * The Scheduler API as an unmodified AWS SDK v3 client sees it, through the edge endpoint: routes, status
 * codes, exception classes, timestamps, paging and idempotency.
 */
import {
  ConflictException,
  CreateScheduleCommand,
  CreateScheduleGroupCommand,
  DeleteScheduleCommand,
  DeleteScheduleGroupCommand,
  GetScheduleCommand,
  GetScheduleGroupCommand,
  ListScheduleGroupsCommand,
  ListSchedulesCommand,
  paginateListSchedules,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { type Edge, startEdge } from '../../../../../infra/local/edge/server';
import { SchedulerService } from '../../../../../infra/local/scheduler/service';
import { RecordingPorts, temporaryStateDir } from '../../../../support/fake-ports';
import { edgeClientConfig } from '../../../../support/local-cloud';
import { ACCOUNT, FUNCTION_ARN, ROLE_ARN } from './fixtures';

const START = Date.parse('2026-07-01T10:00:00Z');
const clock = new Clock('manual', START);
const stateDir = temporaryStateDir();
let scheduler: SchedulerService;
let edge: Edge;
let client: SchedulerClient;

beforeAll(async () => {
  scheduler = new SchedulerService({
    clock,
    stateDir: stateDir.path,
    account: ACCOUNT,
    ports: new RecordingPorts(clock),
  });
  edge = await startEdge({ port: 0, services: [scheduler.edgeService], account: ACCOUNT });
  client = new SchedulerClient(edgeClientConfig(edge.url, ACCOUNT.region));
});

afterAll(async () => {
  client.destroy();
  scheduler.stop();
  await edge.close();
  stateDir.remove();
});

const target = { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: '{"hello":"world"}' };
const createInput = (Name: string, extra: Record<string, unknown> = {}) => ({
  Name,
  ScheduleExpression: 'cron(0 9 ? * MON *)',
  ScheduleExpressionTimezone: 'Europe/Paris',
  FlexibleTimeWindow: { Mode: 'OFF' as const },
  Target: target,
  ...extra,
});

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the call to fail');
}

describe('schedules', () => {
  it('creates a schedule and returns every field on GetSchedule, dates as Date objects', async () => {
    const startDate = new Date(START + 3_600_000);
    const created = await client.send(
      new CreateScheduleCommand(
        createInput('weekly', { StartDate: startDate, Description: 'Monday reminder' }),
      ),
    );
    expect(created.ScheduleArn).toBe('arn:aws:scheduler:eu-west-1:123456789012:schedule/default/weekly');
    const fetched = await client.send(new GetScheduleCommand({ Name: 'weekly' }));
    expect(fetched).toMatchObject({
      Arn: created.ScheduleArn,
      Name: 'weekly',
      GroupName: 'default',
      ScheduleExpression: 'cron(0 9 ? * MON *)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      Description: 'Monday reminder',
      State: 'ENABLED',
      ActionAfterCompletion: 'NONE',
      FlexibleTimeWindow: { Mode: 'OFF' },
      Target: { ...target, RetryPolicy: { MaximumEventAgeInSeconds: 86400, MaximumRetryAttempts: 185 } },
      StartDate: startDate,
      CreationDate: new Date(START),
      LastModificationDate: new Date(START),
    });
  });

  it('answers a second create of the same name with ConflictException, unless it repeats the ClientToken', async () => {
    await client.send(new CreateScheduleCommand(createInput('token', { ClientToken: 'retry-1' })));
    const again = await client.send(
      new CreateScheduleCommand(createInput('token', { ClientToken: 'retry-1' })),
    );
    expect(again.ScheduleArn).toContain('schedule/default/token');
    const error = await rejection(client.send(new CreateScheduleCommand(createInput('token'))));
    expect(error).toBeInstanceOf(ConflictException);
    expect((error as ConflictException).$metadata.httpStatusCode).toBe(409);
    expect((error as Error).message).toBe('Schedule token already exists.');
  });

  it('answers unknown schedules and groups with ResourceNotFoundException', async () => {
    const missing = await rejection(client.send(new GetScheduleCommand({ Name: 'nope' })));
    expect(missing).toBeInstanceOf(ResourceNotFoundException);
    expect((missing as ResourceNotFoundException).$metadata.httpStatusCode).toBe(404);
    expect((missing as Error).message).toBe('Schedule nope does not exist.');
    const noGroup = await rejection(
      client.send(new CreateScheduleCommand(createInput('x', { GroupName: 'ghost' }))),
    );
    expect(noGroup).toBeInstanceOf(ResourceNotFoundException);
    expect((noGroup as Error).message).toBe('Schedule group ghost does not exist.');
    await expect(client.send(new DeleteScheduleCommand({ Name: 'nope' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('refuses invalid input with ValidationException naming the problem', async () => {
    const cases: [Record<string, unknown>, RegExp][] = [
      [
        { ScheduleExpression: 'cron(71 8 1 * ? *)' },
        /^Invalid Schedule Expression cron\(71 8 1 \* \? \*\)\. Minutes value 71/,
      ],
      [{ ScheduleExpressionTimezone: 'Mars/Olympus' }, /Mars\/Olympus/],
      [{ FlexibleTimeWindow: { Mode: 'FLEXIBLE' } }, /MaximumWindowInMinutes is required/],
      [{ Target: { ...target, RoleArn: 'not-a-role' } }, /at 'target.roleArn' failed to satisfy constraint/],
      [{ Target: { ...target, Input: 'not json' } }, /well-formed JSON/],
      [
        { StartDate: new Date(START - 3_600_000) },
        /StartDate you specify cannot be earlier than 5 minutes ago/,
      ],
      [{ Target: { ...target, RetryPolicy: { MaximumRetryAttempts: 186 } } }, /less than or equal to 185/],
    ];
    for (const [override, message] of cases) {
      const error = await rejection(
        client.send(new CreateScheduleCommand(createInput('invalid', override) as never)),
      );
      expect(error).toBeInstanceOf(ValidationException);
      expect((error as Error).message).toMatch(message);
    }
    const badName = await rejection(client.send(new CreateScheduleCommand(createInput('bad name!'))));
    expect(badName).toBeInstanceOf(ValidationException);
  });

  it('replaces every field on UpdateSchedule', async () => {
    await client.send(new CreateScheduleCommand(createInput('updatable', { Description: 'first' })));
    clock.advanceBy(60_000);
    await client.send(
      new UpdateScheduleCommand({
        Name: 'updatable',
        ScheduleExpression: 'rate(5 minutes)',
        FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 },
        Target: target,
        State: 'DISABLED',
      }),
    );
    const fetched = await client.send(new GetScheduleCommand({ Name: 'updatable' }));
    expect(fetched.Description).toBeUndefined();
    expect(fetched).toMatchObject({
      ScheduleExpression: 'rate(5 minutes)',
      ScheduleExpressionTimezone: 'UTC',
      State: 'DISABLED',
      FlexibleTimeWindow: { Mode: 'FLEXIBLE', MaximumWindowInMinutes: 5 },
      CreationDate: new Date(START),
      LastModificationDate: new Date(START + 60_000),
    });
    await client.send(new DeleteScheduleCommand({ Name: 'updatable' }));
    await expect(client.send(new GetScheduleCommand({ Name: 'updatable' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });
});

describe('listing and groups', () => {
  it('lists by group, name prefix and state, page by page', async () => {
    await client.send(
      new CreateScheduleGroupCommand({ Name: 'reminders', Tags: [{ Key: 'app', Value: 'aurora' }] }),
    );
    for (let index = 0; index < 5; index++) {
      await client.send(
        new CreateScheduleCommand(
          createInput(`user-${index}`, {
            GroupName: 'reminders',
            State: index === 0 ? 'DISABLED' : 'ENABLED',
          }),
        ),
      );
    }
    await client.send(new CreateScheduleCommand(createInput('other', { GroupName: 'reminders' })));

    const names: string[] = [];
    let pages = 0;
    for await (const page of paginateListSchedules(
      { client, pageSize: 2 },
      { GroupName: 'reminders', NamePrefix: 'user-' },
    )) {
      pages++;
      names.push(...(page.Schedules ?? []).map((schedule) => schedule.Name ?? ''));
    }
    expect(names).toEqual(['user-0', 'user-1', 'user-2', 'user-3', 'user-4']);
    expect(pages).toBe(3);

    const disabled = await client.send(
      new ListSchedulesCommand({ GroupName: 'reminders', State: 'DISABLED' }),
    );
    expect(disabled.Schedules?.map((schedule) => schedule.Name)).toEqual(['user-0']);
    expect(disabled.Schedules?.[0]).toMatchObject({
      GroupName: 'reminders',
      State: 'DISABLED',
      Target: { Arn: FUNCTION_ARN },
      CreationDate: expect.any(Date),
    });
    await expect(client.send(new ListSchedulesCommand({ GroupName: 'ghost' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('keeps the default group, refuses to create or delete it, and deletes a group with its schedules', async () => {
    const groups = await client.send(new ListScheduleGroupsCommand({}));
    expect(groups.ScheduleGroups?.map((group) => group.Name)).toContain('default');
    expect(await client.send(new GetScheduleGroupCommand({ Name: 'reminders' }))).toMatchObject({
      Arn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/reminders',
      State: 'ACTIVE',
    });
    await expect(client.send(new CreateScheduleGroupCommand({ Name: 'default' }))).rejects.toBeInstanceOf(
      ValidationException,
    );
    await expect(client.send(new DeleteScheduleGroupCommand({ Name: 'default' }))).rejects.toBeInstanceOf(
      ValidationException,
    );
    await expect(client.send(new CreateScheduleGroupCommand({ Name: 'reminders' }))).rejects.toBeInstanceOf(
      ConflictException,
    );

    await client.send(new DeleteScheduleGroupCommand({ Name: 'reminders' }));
    await expect(client.send(new GetScheduleGroupCommand({ Name: 'reminders' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    const everything = await client.send(new ListSchedulesCommand({}));
    expect(everything.Schedules?.some((schedule) => schedule.GroupName === 'reminders')).toBe(false);
  });

  it('lets the deployer create a group idempotently', () => {
    const arn = scheduler.createScheduleGroup('deployed');
    expect(scheduler.createScheduleGroup('deployed')).toBe(arn);
    expect(scheduler.getScheduleGroup({ Name: 'deployed' })).toMatchObject({ Name: 'deployed', Arn: arn });
  });
});
