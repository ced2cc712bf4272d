/**
 * Step Functions status-change events on a bare local cloud, through the real SDK v3 clients: Standard
 * executions put 'Step Functions Execution Status Change' events on the default bus (RUNNING, then how they
 * ended, and RUNNING again on redrive), Express executions none; rules route them to SQS and, through SNS, to
 * an email in the local SES inbox.
 */
import {
  EventBridgeClient,
  PutRuleCommand,
  PutTargetsCommand,
  type Target,
} from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
  StartSyncExecutionCommand,
} from '@aws-sdk/client-sfn';
import { CreateTopicCommand, PublishCommand, SNSClient, SubscribeCommand } from '@aws-sdk/client-sns';
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SentMail } from '../../infra/local/ses/mailbox';
import { drainQueue } from '../fixtures/events-app/queues';
import { useTestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';

const ROLE = 'arn:aws:iam::000000000000:role/status-events-test';
const DETAIL_TYPE = 'Step Functions Execution Status Change';

interface StatusChangeEvent {
  readonly source: string;
  readonly 'detail-type': string;
  readonly resources: string[];
  readonly detail: Record<string, unknown> & { executionArn: string; status: string };
}

const test = useTestCloud();
let sfn: SFNClient;
let sqs: SQSClient;
let events: EventBridgeClient;
let sns: SNSClient;

beforeAll(async () => {
  // StartSyncExecution's `sync-` host prefix would not resolve against 127.0.0.1.
  sfn = new SFNClient({ ...test.clientConfig, disableHostPrefix: true });
  sqs = new SQSClient(test.clientConfig);
  events = new EventBridgeClient(test.clientConfig);
  sns = new SNSClient(test.clientConfig);
});

afterAll(async () => {
  for (const client of [sfn, sqs, events, sns]) client?.destroy();
});

async function queueArn(name: string): Promise<string> {
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  return Attributes?.QueueArn ?? '';
}

/** A rule on the default bus (no EventBusName) with one target. */
async function rule(name: string, pattern: object, target: Target): Promise<void> {
  await events.send(new PutRuleCommand({ Name: name, EventPattern: JSON.stringify(pattern) }));
  await events.send(new PutTargetsCommand({ Rule: name, Targets: [target] }));
}

async function stateMachine(name: string, definition: object, type?: 'EXPRESS'): Promise<string> {
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name,
      roleArn: ROLE,
      definition: JSON.stringify(definition),
      ...(type ? { type } : {}),
    }),
  );
  return stateMachineArn ?? '';
}

/** Collects the queue's status-change events until `done` holds for what was collected. */
async function collectUntil(
  queueName: string,
  collected: StatusChangeEvent[],
  done: (events: readonly StatusChangeEvent[]) => boolean,
): Promise<void> {
  await eventually(
    async () => {
      for (const message of await drainQueue(sqs, queueName))
        collected.push(JSON.parse(message.Body ?? '{}') as StatusChangeEvent);
      return done(collected) ? true : undefined;
    },
    10_000,
    `status-change events in ${queueName}`,
  );
}

async function inbox(): Promise<SentMail[]> {
  const response = await fetch(`${test.cloud.edgeUrl}/_aurora/ses/messages`);
  return (await response.json()) as SentMail[];
}

const has =
  (arn: string, status: string, redriveCount = 0) =>
  (list: readonly StatusChangeEvent[]) =>
    list.some(
      (event) =>
        event.detail.executionArn === arn &&
        event.detail.status === status &&
        event.detail.redriveCount === redriveCount,
    );

describe('Step Functions execution status-change events', () => {
  it('routes a Standard execution that fails to the rule matching FAILED, with AWS detail; emits nothing for Express', async () => {
    const failedQueue = await queueArn('status-failed');
    const everyStatusQueue = await queueArn('status-every');
    await rule(
      'states-failed',
      { source: ['aws.states'], 'detail-type': [DETAIL_TYPE], detail: { status: ['FAILED'] } },
      { Id: 'queue', Arn: failedQueue },
    );
    await rule('states-every', { source: ['aws.states'] }, { Id: 'queue', Arn: everyStatusQueue });

    const failing = await stateMachine('fails', {
      StartAt: 'Break',
      States: { Break: { Type: 'Fail', Error: 'Reminder.Broken', Cause: 'the reminder could not be sent' } },
    });
    const succeeding = await stateMachine('succeeds', {
      StartAt: 'Done',
      States: { Done: { Type: 'Pass', Result: { sent: true }, End: true } },
    });
    const express = await stateMachine(
      'express',
      { StartAt: 'Done', States: { Done: { Type: 'Pass', End: true } } },
      'EXPRESS',
    );

    const expressRun = await sfn.send(new StartSyncExecutionCommand({ stateMachineArn: express }));
    expect(expressRun.status).toBe('SUCCEEDED');
    const failed = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: failing, name: 'fails-1', input: '{"reminderId":"r-1"}' }),
    );
    const succeeded = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: succeeding, name: 'ok-1' }),
    );
    const failedArn = failed.executionArn ?? '';
    const succeededArn = succeeded.executionArn ?? '';

    const every: StatusChangeEvent[] = [];
    await collectUntil(
      'status-every',
      every,
      (list) => has(succeededArn, 'SUCCEEDED')(list) && has(failedArn, 'FAILED')(list),
    );
    expect(
      every.map((event) => `${event.detail.executionArn.split(':').at(-1)} ${event.detail.status}`).sort(),
    ).toEqual(['fails-1 FAILED', 'fails-1 RUNNING', 'ok-1 RUNNING', 'ok-1 SUCCEEDED']);
    // The express execution ran first; its events, had there been any, were routed ahead of these.
    expect(every.some((event) => event.detail.stateMachineArn === express)).toBe(false);
    const success = every.find((event) => event.detail.status === 'SUCCEEDED');
    expect(success?.detail).toMatchObject({
      output: '{"sent":true}',
      outputDetails: { included: true },
      error: null,
      cause: null,
      redriveStatus: 'NOT_REDRIVABLE',
    });

    const failures = await drainQueue(sqs, 'status-failed');
    expect(failures).toHaveLength(1);
    const event = JSON.parse(failures[0]?.Body ?? '{}') as StatusChangeEvent;
    expect(event).toMatchObject({
      version: '0',
      source: 'aws.states',
      'detail-type': DETAIL_TYPE,
      account: '000000000000',
      region: 'us-east-1',
      resources: [failedArn],
    });
    expect(event.detail).toMatchObject({
      executionArn: failedArn,
      stateMachineArn: failing,
      name: 'fails-1',
      status: 'FAILED',
      input: '{"reminderId":"r-1"}',
      inputDetails: { included: true },
      output: null,
      outputDetails: null,
      error: 'Reminder.Broken',
      cause: 'the reminder could not be sent',
      redriveCount: 0,
      redriveStatus: 'REDRIVABLE',
    });
    expect(event.detail.startDate).toEqual(expect.any(Number));
    expect(event.detail.stopDate).toBeGreaterThanOrEqual(Number(event.detail.startDate));

    // A redrive runs again: RUNNING, then FAILED once more, both with the new redrive count.
    await sfn.send(new RedriveExecutionCommand({ executionArn: failedArn }));
    const redriven: StatusChangeEvent[] = [];
    await collectUntil('status-every', redriven, has(failedArn, 'FAILED', 1));
    expect(has(failedArn, 'RUNNING', 1)(redriven)).toBe(true);
  });

  it('leaves out the input when input and output together exceed 248 KiB, as AWS does', async () => {
    const big = await stateMachine('doubles', {
      StartAt: 'Double',
      States: { Double: { Type: 'Pass', Parameters: { 'first.$': '$', 'second.$': '$' }, End: true } },
    });
    await rule(
      'states-doubles',
      { source: ['aws.states'], detail: { stateMachineArn: [big], status: ['SUCCEEDED'] } },
      { Id: 'queue', Arn: await queueArn('status-doubles') },
    );
    const input = JSON.stringify({ text: 'x'.repeat(100_000) });
    const { executionArn } = await sfn.send(new StartExecutionCommand({ stateMachineArn: big, input }));
    const received: StatusChangeEvent[] = [];
    await collectUntil('status-doubles', received, has(executionArn ?? '', 'SUCCEEDED'));
    expect(received[0]?.detail).toMatchObject({
      input: null,
      inputDetails: { included: false },
      outputDetails: { included: true },
    });
    expect(JSON.parse(String(received[0]?.detail.output))).toEqual({
      first: JSON.parse(input),
      second: JSON.parse(input),
    });
  });

  it('delivers a rule target SNS topic and a Publish to the email subscription, into the SES inbox', async () => {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: 'ops-alerts' }));
    const topicArn = TopicArn ?? '';
    await sns.send(
      new SubscribeCommand({ TopicArn: topicArn, Protocol: 'email', Endpoint: 'ops@example.com' }),
    );

    await sns.send(
      new PublishCommand({ TopicArn: topicArn, Subject: 'Budget at 80%', Message: 'Spend is high' }),
    );
    const published = await eventually(
      async () => {
        const mails = await inbox();
        return mails.find((mail) => mail.subject === 'Budget at 80%');
      },
      5_000,
      'the published mail',
    );
    expect(published).toMatchObject({ from: 'no-reply@sns.amazonaws.com', to: ['ops@example.com'] });
    expect(published.text).toMatch(/^Spend is high\n/);

    await rule(
      'states-failed-to-ops',
      { source: ['aws.states'], detail: { status: ['FAILED'], name: ['fails-to-ops'] } },
      {
        Id: 'ops',
        Arn: topicArn,
        InputTransformer: {
          InputPathsMap: { name: '$.detail.name', error: '$.detail.error' },
          InputTemplate: '"Execution <name> failed with <error>"',
        },
      },
    );
    const failing = await stateMachine('fails-loudly', {
      StartAt: 'Break',
      States: { Break: { Type: 'Fail', Error: 'Ops.Test', Cause: 'for the ops topic' } },
    });
    await sfn.send(new StartExecutionCommand({ stateMachineArn: failing, name: 'fails-to-ops' }));
    const alert = await eventually(
      async () => {
        const mails = await inbox();
        // A quoted InputTemplate renders as a JSON string, quotes included, as AWS sends it.
        return mails.find((mail) => mail.text?.startsWith('"Execution fails-to-ops failed with Ops.Test"\n'));
      },
      5_000,
      'the status-change alert mail',
    );
    expect(alert).toMatchObject({ subject: 'AWS Notification Message', to: ['ops@example.com'] });
  });
});
