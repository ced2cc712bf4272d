/**
 * `--enforce-iam` on the real app: the state machines' task calls are checked as IAM checks them (the action
 * on the table, function, bus, schedule or queue the call touches) against the roles in the synthesized
 * templates. Sign-in and the reminder lifecycle work with nothing reported, and a state machine whose role
 * lacks a permission is refused with an AccessDenied error naming the action and the resource.
 */
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  type DescribeExecutionCommandOutput,
  GetExecutionHistoryCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wallTimeAt } from '../../functions/shared/reminders/zoned';
import { startTestCloud, type TestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';
import { signIn } from '../support/sign-in';
import { DELIVERY, reminderDriver } from '../workflows/reminder-helpers';

const TABLE_ARN = 'arn:aws:dynamodb:us-east-1:000000000000:table/aurora-dev';
const MINUTE = 60_000;

let test: TestCloud;
/** Everything the cloud logged. */
const log: string[] = [];
/** The IAM report lines: one per call a role may not make. */
const refusals = () => log.filter((line) => line.includes('may not call'));

beforeAll(async () => {
  test = await startTestCloud({ config: { enforceIam: true }, log: (line) => log.push(line) });
}, 300_000);

afterAll(async () => {
  await test?.stop();
});

/** The ARN of the role whose logical id starts with `prefix` (CDK appends a hash). */
function roleArn(prefix: string): string {
  const role = test.cloud.deployment.resources.find(
    (resource) =>
      resource.type === 'AWS::IAM::Role' &&
      resource.logicalId.startsWith(prefix) &&
      /^[0-9A-F]{8}$/.test(resource.logicalId.slice(prefix.length)),
  );
  if (!role) throw new Error(`no role ${prefix}`);
  return String(role.identity.attributes.Arn);
}

describe('--enforce-iam', () => {
  it('signs a person in over REST with every Step Functions call allowed and nothing reported', async () => {
    const before = refusals().length;
    const token = await signIn(test.cloud, `iam-${Date.now()}@example.com`);
    expect(token.split('.')).toHaveLength(3);
    expect(refusals().slice(before)).toEqual([]);
  });

  it('schedules a reminder and delivers it when due, with nothing reported', async () => {
    const r = reminderDriver(test);
    const before = refusals().length;
    const person = r.newPerson();
    await r.personWrites(person);
    await r.setUser(person);
    const dueAt = Math.ceil((r.now() + 60 * MINUTE) / MINUTE) * MINUTE;
    const requestId = await r.request(person, {
      title: 'water the plants',
      dueLocal: wallTimeAt(new Date(dueAt).toISOString(), 'Europe/Paris'),
      timeZone: 'Europe/Paris',
    });
    const [lifecycle] = await r.handled(requestId);
    expect(lifecycle).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'scheduled' } });
    const reminderId = String(lifecycle?.output?.reminderId);
    expect(await r.schedules(reminderId)).toEqual([expect.objectContaining({ Name: `${reminderId}-v1` })]);

    // Delivery, inside the person's Messenger window.
    await r.setClock(dueAt - MINUTE);
    await r.personWrites(person);
    await r.setClock(dueAt);
    const [delivery] = await r.settled(DELIVERY, reminderId, 1);
    expect(delivery?.status).toBe('SUCCEEDED');
    expect(refusals().slice(before)).toEqual([]);
  });

  it('refuses a call the role does not allow, naming the action and the resource', async () => {
    const sfn = new SFNClient(test.clientConfig);
    const role = roleArn('OtpSessionRole');
    const key = { PK: { S: 'EMAIL#probe@example.com' }, SK: { S: 'OTP' } };
    const { stateMachineArn } = await sfn.send(
      new CreateStateMachineCommand({
        name: 'iam-probe',
        roleArn: role,
        definition: JSON.stringify({
          QueryLanguage: 'JSONata',
          StartAt: 'Read',
          States: {
            // The sign-in role may read the table...
            Read: {
              Type: 'Task',
              Resource: 'arn:aws:states:::dynamodb:getItem',
              Arguments: { TableName: 'aurora-dev', Key: key },
              Next: 'Forget',
            },
            // ...but not delete from it.
            Forget: {
              Type: 'Task',
              Resource: 'arn:aws:states:::dynamodb:deleteItem',
              Arguments: { TableName: 'aurora-dev', Key: key },
              End: true,
            },
          },
        }),
      }),
    );
    const before = refusals().length;
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn, input: '{}' }));
    const execution = await eventually<DescribeExecutionCommandOutput>(async () => {
      const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    });
    expect(execution).toMatchObject({ status: 'FAILED', error: 'DynamoDB.AccessDeniedException' });
    expect(execution.cause).toContain(
      `User: ${role} is not authorized to perform: dynamodb:DeleteItem on resource: ${TABLE_ARN} because ` +
        'no identity-based policy allows the dynamodb:DeleteItem action',
    );
    const { events = [] } = await sfn.send(new GetExecutionHistoryCommand({ executionArn }));
    expect(events.map((event) => event.type)).toContain('TaskSucceeded');
    expect(refusals().slice(before)).toEqual([
      expect.stringContaining(`may not call dynamodb:DeleteItem on ${TABLE_ARN}`),
    ]);
  });
});
