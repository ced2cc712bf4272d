/**
 * The local EventBridge through the real SDK v3 clients: rules and targets deployed from a CDK template
 * (test/fixtures/events-app) and created through the API, deliveries read back from SQS, retries and the
 * dead-letter queue on the manual clock, and a restart in the middle of a retry.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeArchiveCommand,
  DescribeRuleCommand,
  EventBridgeClient,
  ListTargetsByRuleCommand,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-eventbridge';
import { CreateQueueCommand, GetQueueAttributesCommand, type Message, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENTS_FIXTURE, synthesizeEventsFixture } from '../fixtures/events-app/app';
import { drainQueue, drainQueueEventually } from '../fixtures/events-app/queues';
import { startTestCloud, TEST_START, type TestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const NOT_DEPLOYED = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:fixture-not-deployed`;

let assembly: string;
let test: TestCloud;

beforeAll(async () => {
  assembly = synthesizeEventsFixture(mkdtempSync(join(tmpdir(), 'aurora-events-fixture-')));
  test = await startTestCloud({ assemblyDirectory: assembly });
});

afterAll(async () => {
  await test?.stop();
  rmSync(assembly, { recursive: true, force: true });
});

const eventbridge = () => new EventBridgeClient(test.clientConfig);
const sqs = () => new SQSClient(test.clientConfig);

const receiveNow = (name: string) => drainQueue(sqs(), name);
const receiveEventually = (name: string) => drainQueueEventually(sqs(), name);

const ruleArn = (name: string) =>
  `arn:aws:events:${REGION}:${ACCOUNT}:rule/${EVENTS_FIXTURE.busName}/${name}`;

/** A dead-letter message's attributes as name → value. */
const deadLetterAttributes = (message: Message | undefined): Record<string, string | undefined> =>
  Object.fromEntries(
    Object.entries(message?.MessageAttributes ?? {}).map(([name, value]) => [name, value.StringValue]),
  );

const putEvent = (detailType: string, detail: object) =>
  eventbridge().send(
    new PutEventsCommand({
      Entries: [
        {
          EventBusName: EVENTS_FIXTURE.busName,
          Source: 'aurora.reminders',
          DetailType: detailType,
          Detail: JSON.stringify(detail),
        },
      ],
    }),
  );

/** Waits until the failing target's delivery has failed `attemptsMade` times and waits for its next retry. */
const retryWaiting = (attemptsMade: number) =>
  eventually(
    async () =>
      test.cloud.services.eventbridge
        .retryingDeliveries()
        .find((delivery) => delivery.attempt === attemptsMade + 1),
    5000,
    `retry after attempt ${attemptsMade}`,
  );

describe('EventBridge rules deployed from a template', () => {
  it('delivers exactly the transformed input to the SQS target, and archives the event', async () => {
    const sent = await putEvent('ReminderDue', {
      reminderId: 'r-42',
      user: { name: 'Ada', psid: 'p-1' },
      attempts: 3,
      text: 'call mum',
    });
    expect(sent.FailedEntryCount).toBe(0);
    await putEvent('ReminderSnoozed', { reminderId: 'r-43' }); // matches no rule with a queue target

    const [message, ...others] = await receiveEventually(EVENTS_FIXTURE.transformedQueue);
    expect(others).toEqual([]);
    expect(message?.Body).toBe(
      '{"reminderId":"r-42","user":{"name":"Ada","psid":"p-1"},"attempts":3,' +
        '"text":"Reminder for Ada: call mum","source":"aurora.reminders"}',
    );

    const archive = await eventbridge().send(
      new DescribeArchiveCommand({ ArchiveName: EVENTS_FIXTURE.archiveName }),
    );
    expect(archive).toMatchObject({ EventCount: 2, RetentionDays: 7, State: 'ENABLED' });
    const day = new Date(TEST_START).toISOString().slice(0, 10);
    const archived = readFileSync(
      join(test.stateDir, 'events', 'archive', EVENTS_FIXTURE.archiveName, `${day}.jsonl`),
      'utf8',
    )
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; 'detail-type': string });
    expect(archived.map((event) => event['detail-type'])).toEqual(['ReminderDue', 'ReminderSnoozed']);
    expect(archived[0]?.id).toBe(sent.Entries?.[0]?.EventId);
  });

  it('retries a target that refuses the event with back-off, then sends it to the dead-letter queue', async () => {
    // Larger than the 1 KB the small queue accepts: every SendMessage fails with InvalidParameterValue.
    const detail = { reminderId: 'r-44', text: 'x'.repeat(1200) };
    const sent = await putEvent('ReminderOversized', detail);
    const eventId = sent.Entries?.[0]?.EventId;

    const firstFailure = await retryWaiting(1);
    expect(firstFailure.lastError?.code).toBe('InvalidParameterValue');
    expect(firstFailure.dueAt - test.cloud.clock.now()).toBe(1000);
    expect(await receiveNow(EVENTS_FIXTURE.deadLetterQueue)).toEqual([]);

    test.cloud.clock.advanceBy(999);
    await new Promise((resolve) => setImmediate(resolve)); // a retry released too early would run by now
    expect(test.cloud.services.eventbridge.retryingDeliveries()).toMatchObject([{ attempt: 2 }]);
    test.cloud.clock.advanceBy(1);
    const secondFailure = await retryWaiting(2);
    expect(secondFailure.dueAt - test.cloud.clock.now()).toBe(2000);
    expect(await receiveNow(EVENTS_FIXTURE.deadLetterQueue)).toEqual([]);

    test.cloud.clock.advanceBy(2000);
    const [deadLetter] = await receiveEventually(EVENTS_FIXTURE.deadLetterQueue);
    expect(JSON.parse(deadLetter?.Body ?? '{}')).toMatchObject({
      id: eventId,
      source: 'aurora.reminders',
      'detail-type': 'ReminderOversized',
      detail,
    });
    expect(deadLetterAttributes(deadLetter)).toEqual({
      RULE_ARN: ruleArn(EVENTS_FIXTURE.oversizedRule),
      TARGET_ARN: `arn:aws:sqs:${REGION}:${ACCOUNT}:${EVENTS_FIXTURE.smallQueue}`,
      ERROR_CODE: 'InvalidParameterValue',
      ERROR_MESSAGE: 'One or more parameters are invalid. Reason: Message must be shorter than 1024 bytes.',
      EXHAUSTED_RETRY_CONDITION: 'MaximumRetryAttempts',
      RETRY_ATTEMPTS: String(EVENTS_FIXTURE.retryAttempts),
    });
    expect(test.cloud.services.eventbridge.retryingDeliveries()).toEqual([]);
    expect(test.cloud.services.eventbridge.failedDeliveries()).toContainEqual(
      expect.objectContaining({ eventId, attempts: 3, errorCode: 'InvalidParameterValue' }),
    );
  });

  it('sends the event for a function that does not exist to the dead-letter queue at once, without retries', async () => {
    const sent = await putEvent('ReminderFailed', { reminderId: 'r-45' });
    const [deadLetter] = await receiveEventually(EVENTS_FIXTURE.deadLetterQueue);
    expect(JSON.parse(deadLetter?.Body ?? '{}')).toMatchObject({ id: sent.Entries?.[0]?.EventId });
    expect(deadLetterAttributes(deadLetter)).toMatchObject({
      RULE_ARN: ruleArn(EVENTS_FIXTURE.missingFunctionRule),
      TARGET_ARN: NOT_DEPLOYED,
      ERROR_CODE: 'ResourceNotFoundException',
      RETRY_ATTEMPTS: '0',
    });
    expect(test.cloud.services.eventbridge.retryingDeliveries()).toEqual([]);
  });

  it('fires a scheduled rule every five minutes on the clock, once for a jump over several periods', async () => {
    const ticks = async () => receiveNow(EVENTS_FIXTURE.ticksQueue);
    const deployedAt = TEST_START;
    test.cloud.clock.set(deployedAt + 5 * 60_000 - 1);
    expect(await ticks()).toEqual([]);

    test.cloud.clock.advanceBy(1);
    const [tick] = await receiveEventually(EVENTS_FIXTURE.ticksQueue);
    expect(JSON.parse(tick?.Body ?? '{}')).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT,
      region: REGION,
      time: '2026-11-22T09:05:00Z',
      resources: [`arn:aws:events:${REGION}:${ACCOUNT}:rule/${EVENTS_FIXTURE.scheduledRule}`],
      detail: {},
    });

    test.cloud.clock.advanceBy(60 * 60_000);
    expect(await receiveEventually(EVENTS_FIXTURE.ticksQueue)).toHaveLength(1);
    expect(await ticks()).toEqual([]);
  });
});

describe('EventBridge through the API', () => {
  it('puts a rule and a string-template target, and delivers the rendered text', async () => {
    const client = eventbridge();
    const { QueueUrl = '' } = await sqs().send(new CreateQueueCommand({ QueueName: 'api-notices' }));
    const { Attributes } = await sqs().send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const { RuleArn } = await client.send(
      new PutRuleCommand({
        Name: 'api-otp',
        EventPattern: JSON.stringify({
          source: ['aurora.auth'],
          detail: { attempts: [{ numeric: ['>=', 3] }] },
        }),
      }),
    );
    expect(RuleArn).toBe(`arn:aws:events:${REGION}:${ACCOUNT}:rule/api-otp`);
    await client.send(
      new PutTargetsCommand({
        Rule: 'api-otp',
        Targets: [
          {
            Id: 'notice',
            Arn: Attributes?.QueueArn,
            InputTransformer: {
              InputPathsMap: { who: '$.detail.user' },
              InputTemplate: '"<who> failed <aws.events.rule-name> at <aws.events.event.ingestion-time>"',
            },
          },
        ],
      }),
    );
    const listed = await client.send(new ListTargetsByRuleCommand({ Rule: 'api-otp' }));
    expect(listed.Targets?.map((target) => target.Id)).toEqual(['notice']);

    const put = (attempts: number) =>
      client.send(
        new PutEventsCommand({
          Entries: [
            {
              Source: 'aurora.auth',
              DetailType: 'OtpFailed',
              Detail: JSON.stringify({ user: 'u-7', attempts }),
            },
          ],
        }),
      );
    await put(2);
    await put(3);
    const [message, ...others] = await receiveEventually('api-notices');
    expect(others).toEqual([]);
    const ingested = new Date(test.cloud.clock.now()).toISOString();
    expect(message?.Body).toBe(`"u-7 failed api-otp at ${ingested}"`);
  });

  it('refuses an invalid schedule expression and a rule that does not exist, with the AWS error shapes', async () => {
    const client = eventbridge();
    await expect(
      client.send(new PutRuleCommand({ Name: 'bad-rate', ScheduleExpression: 'rate(1 minutes)' })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Parameter ScheduleExpression is not valid.',
    });
    const missing = client.send(new DescribeRuleCommand({ Name: 'nope' }));
    await expect(missing).rejects.toBeInstanceOf(ResourceNotFoundException);
    await expect(missing).rejects.toMatchObject({ message: 'Rule nope does not exist on EventBus default.' });
  });
});

describe('EventBridge across a restart', () => {
  it('keeps a pending retry through a stop and start, and dead-letters it on the new instance', async () => {
    await putEvent('ReminderOversized', { reminderId: 'r-46', text: 'x'.repeat(1200) });
    await retryWaiting(1);
    const stoppedAt = test.cloud.clock.now();
    await test.stop({ keepState: true });
    expect(existsSync(join(test.stateDir, 'events', 'deliveries.jsonl'))).toBe(true);

    test = await startTestCloud({
      assemblyDirectory: assembly,
      stateDir: test.stateDir,
      config: { clockStart: stoppedAt + 30_000 },
    });
    // The retry was due while the cloud was down: it runs at start-up, fails again and waits 2 s.
    const resumed = await retryWaiting(2);
    expect(resumed.event.detail).toMatchObject({ reminderId: 'r-46' });
    test.cloud.clock.advanceBy(2000);
    const [deadLetter] = await receiveEventually(EVENTS_FIXTURE.deadLetterQueue);
    expect(JSON.parse(deadLetter?.Body ?? '{}')).toMatchObject({ detail: { reminderId: 'r-46' } });
    expect(deadLetter?.MessageAttributes?.RETRY_ATTEMPTS?.StringValue).toBe('2');
  });
});
