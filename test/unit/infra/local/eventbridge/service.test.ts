import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { AwsServiceError } from '../../../../../infra/local/edge/contracts';
import { EventBridgeService } from '../../../../../infra/local/eventbridge/service';
import type { EventEntry, TargetPorts } from '../../../../../infra/local/shared/ports';
import { until } from '../../../../support/polling';

const account = { region: 'eu-west-1', accountId: '123456789012' };
const START = Date.parse('2026-03-01T10:00:00Z');
const LAMBDA = 'arn:aws:lambda:eu-west-1:123456789012:function:remind';
const MACHINE = 'arn:aws:states:eu-west-1:123456789012:stateMachine:deliver';
const DLQ = 'arn:aws:sqs:eu-west-1:123456789012:dlq';

interface Call {
  kind: string;
  arn: string;
  body: string;
  attributes?: Record<string, { DataType: string; StringValue?: string }>;
}

/** Records every port call; `failLambda` makes Lambda deliveries throw. */
class FakePorts implements TargetPorts {
  readonly calls: Call[] = [];
  failLambda = false;
  readonly forwarded: EventEntry[] = [];
  async invokeLambdaAsync(arn: string, payload: string): Promise<void> {
    this.calls.push({ kind: 'lambda', arn, body: payload });
    if (this.failLambda)
      throw Object.assign(new Error('Function is throttled'), { code: 'TooManyRequestsException' });
  }
  async startExecution(arn: string, input: string): Promise<string> {
    this.calls.push({ kind: 'sfn', arn, body: input });
    return `${arn}:execution`;
  }
  async sendToQueue(
    arn: string,
    body: string,
    attributes?: Record<string, { DataType: string; StringValue?: string }>,
  ): Promise<void> {
    this.calls.push({ kind: 'sqs', arn, body, ...(attributes ? { attributes } : {}) });
  }
  async putEvents(entries: readonly EventEntry[]): Promise<{ failedEntryCount: number }> {
    this.forwarded.push(...entries);
    return { failedEntryCount: 0 };
  }
  async publishToTopic(arn: string, message: string): Promise<void> {
    this.calls.push({ kind: 'sns', arn, body: message });
  }
  async putFirehoseRecord(arn: string, data: string): Promise<void> {
    this.calls.push({ kind: 'firehose', arn, body: data });
  }
}

/** Lets timers that became due, and the promise chains they start, run until `condition` holds. */
const settle = (condition: () => boolean) => until(condition, 'condition', 2_000);

async function errorOf(run: () => unknown): Promise<AwsServiceError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(AwsServiceError);
    return error as AwsServiceError;
  }
  throw new Error('no error');
}

const entry = (detail: object, extra: Partial<EventEntry> = {}): EventEntry => ({
  Source: 'aurora.reminders',
  DetailType: 'ReminderDue',
  Detail: JSON.stringify(detail),
  ...extra,
});

describe('EventBridgeService', () => {
  let stateDir: string;
  let clock: Clock;
  let ports: FakePorts;
  let service: EventBridgeService;
  const op = (name: string, input: object): Promise<unknown> =>
    Promise.resolve(
      (service.edgeService.operations[name] as (input: object, context: unknown) => unknown)(input, {}),
    );

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'eb-'));
    clock = new Clock('manual', START);
    ports = new FakePorts();
    service = new EventBridgeService({ clock, stateDir, account, ports });
  });
  afterEach(() => {
    service.dispose();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('speaks awsJson1_1 as AWSEvents', () => {
    expect(service.edgeService).toMatchObject({
      protocol: 'awsJson1_1',
      signingName: 'events',
      targetPrefix: 'AWSEvents',
    });
  });

  it('delivers a matching event through an input transformer, exactly as rendered, after PutEvents returned', async () => {
    const { RuleArn } = service.putRule({
      Name: 'due',
      EventPattern: JSON.stringify({ source: ['aurora.reminders'] }),
    });
    expect(RuleArn).toBe('arn:aws:events:eu-west-1:123456789012:rule/due');
    service.putTargets({
      Rule: 'due',
      Targets: [
        {
          Id: 'deliver',
          Arn: MACHINE,
          InputTransformer: {
            InputPathsMap: { id: '$.detail.reminderId', who: '$.detail.user' },
            InputTemplate:
              '{"reminderId": <id>, "user": <who>, "rule": <aws.events.rule-name>, "text": "for <who>"}',
          },
        },
      ],
    });
    const result = await service.putEvents([entry({ reminderId: 'r-1', user: { psid: 'p1' } })]);
    expect(result.FailedEntryCount).toBe(0);
    expect(result.Entries[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(ports.calls).toHaveLength(0); // accepted, not yet delivered
    await settle(() => ports.calls.length === 1);
    expect(ports.calls[0]).toEqual({
      kind: 'sfn',
      arn: MACHINE,
      body: '{"reminderId": "r-1", "user": {"psid":"p1"}, "rule": "due", "text": "for {psid:p1}"}',
    });
  });

  it('delivers the full event by default, and nothing for a disabled rule or a non-matching event', async () => {
    service.putRule({ Name: 'all', EventPattern: JSON.stringify({ 'detail-type': ['ReminderDue'] }) });
    service.putTargets({ Rule: 'all', Targets: [{ Id: 'fn', Arn: LAMBDA }] });
    await service.putEvents([entry({ n: 1 }), entry({ n: 2 }, { DetailType: 'Other' })]);
    await settle(() => ports.calls.length === 1);
    const delivered = JSON.parse(ports.calls[0]?.body ?? '');
    expect(delivered).toMatchObject({
      version: '0',
      source: 'aurora.reminders',
      'detail-type': 'ReminderDue',
      account: '123456789012',
      region: 'eu-west-1',
      time: '2026-03-01T10:00:00Z',
      resources: [],
      detail: { n: 1 },
    });
    await op('DisableRule', { Name: 'all' });
    await service.putEvents([entry({ n: 3 })]);
    expect(service.pendingDeliveries).toBe(0);
    expect(ports.calls).toHaveLength(1);
  });

  it('retries with back-off on the clock, then sends to the dead-letter queue with the AWS attributes', async () => {
    ports.failLambda = true;
    service.putRule({ Name: 'due', EventPattern: JSON.stringify({ source: ['aurora.reminders'] }) });
    service.putTargets({
      Rule: 'due',
      Targets: [
        { Id: 'fn', Arn: LAMBDA, RetryPolicy: { MaximumRetryAttempts: 2 }, DeadLetterConfig: { Arn: DLQ } },
      ],
    });
    await service.putEvents([entry({ n: 1 })]);
    await settle(() => ports.calls.length === 1);
    await settle(() => service.pendingDeliveries === 1); // the retry is scheduled
    clock.advanceBy(999);
    await Promise.resolve();
    expect(ports.calls).toHaveLength(1); // first retry waits a full second
    expect(service.pendingDeliveries).toBe(1);
    clock.advanceBy(1);
    await settle(() => ports.calls.length === 2);
    clock.advanceBy(2000);
    await settle(() => ports.calls.length === 4);
    const [, , third, deadLetter] = ports.calls;
    expect(third?.kind).toBe('lambda');
    expect(deadLetter?.kind).toBe('sqs');
    expect(deadLetter?.arn).toBe(DLQ);
    expect(JSON.parse(deadLetter?.body ?? '').detail).toEqual({ n: 1 });
    expect(deadLetter?.attributes).toEqual({
      RULE_ARN: { DataType: 'String', StringValue: 'arn:aws:events:eu-west-1:123456789012:rule/due' },
      TARGET_ARN: { DataType: 'String', StringValue: LAMBDA },
      ERROR_CODE: { DataType: 'String', StringValue: 'TooManyRequestsException' },
      ERROR_MESSAGE: { DataType: 'String', StringValue: 'Function is throttled' },
      EXHAUSTED_RETRY_CONDITION: { DataType: 'String', StringValue: 'MaximumRetryAttempts' },
      RETRY_ATTEMPTS: { DataType: 'Number', StringValue: '2' },
    });
    expect(service.failedDeliveries()).toMatchObject([
      { targetId: 'fn', attempts: 3, errorCode: 'TooManyRequestsException', deadLetterArn: DLQ },
    ]);
  });

  it('stops retrying when the event is older than MaximumEventAgeInSeconds', async () => {
    ports.failLambda = true;
    service.putRule({ Name: 'due', EventPattern: JSON.stringify({ source: ['aurora.reminders'] }) });
    service.putTargets({
      Rule: 'due',
      Targets: [{ Id: 'fn', Arn: LAMBDA, RetryPolicy: { MaximumEventAgeInSeconds: 60 } }],
    });
    await service.putEvents([entry({})]);
    for (let step = 0; step < 10 && service.failedDeliveries().length === 0; step++) {
      const before = ports.calls.length;
      clock.advanceBy(60_000);
      await settle(() => ports.calls.length > before || service.failedDeliveries().length > 0);
    }
    expect(service.failedDeliveries()[0]?.exhaustedRetryCondition).toBe('MaximumEventAgeInSeconds');
    expect(ports.calls.length).toBeLessThan(10);
  });

  it('forwards events to another bus target through putEvents', async () => {
    service.createBus({ Name: 'audit' });
    service.putRule({ Name: 'fwd', EventPattern: JSON.stringify({ source: [{ prefix: 'aurora.' }] }) });
    const busTarget = 'arn:aws:events:eu-west-1:123456789012:event-bus/audit';
    service.putTargets({ Rule: 'fwd', Targets: [{ Id: 'bus', Arn: busTarget }] });
    await service.putEvents([entry({ a: 1 }, { Resources: ['r1'] })]);
    await settle(() => ports.forwarded.length === 1);
    expect(ports.forwarded[0]).toMatchObject({
      Source: 'aurora.reminders',
      DetailType: 'ReminderDue',
      Detail: '{"a":1}',
      Resources: ['r1'],
      EventBusName: busTarget,
    });
  });

  it('appends every event on an archived bus to a dated JSON-lines file', async () => {
    service.createBus({ Name: 'app' });
    const busArn = 'arn:aws:events:eu-west-1:123456789012:event-bus/app';
    service.createArchive({ ArchiveName: 'app-archive', EventSourceArn: busArn });
    await service.putEvents([
      entry({ n: 1 }, { EventBusName: 'app' }),
      entry({ n: 2 }, { EventBusName: busArn }),
    ]);
    const lines = readFileSync(join(stateDir, 'events/archive/app-archive/2026-03-01.jsonl'), 'utf8')
      .trim()
      .split('\n');
    expect(lines.map((line) => JSON.parse(line).detail)).toEqual([{ n: 1 }, { n: 2 }]);
    const described = (await op('DescribeArchive', { ArchiveName: 'app-archive' })) as Record<
      string,
      unknown
    >;
    expect(described).toMatchObject({ EventCount: 2, State: 'ENABLED', EventSourceArn: busArn });
  });

  it('keeps buses, rules and targets across a restart', async () => {
    service.createBus({ Name: 'app' });
    service.putRule({ Name: 'r', EventBusName: 'app', EventPattern: '{"source":["aurora.auth"]}' });
    service.putTargets({ Rule: 'r', EventBusName: 'app', Targets: [{ Id: 't', Arn: LAMBDA }] });
    service.dispose();
    service = new EventBridgeService({ clock, stateDir, account, ports });
    const rule = (await op('DescribeRule', { Name: 'r', EventBusName: 'app' })) as Record<string, unknown>;
    expect(rule).toMatchObject({ Arn: 'arn:aws:events:eu-west-1:123456789012:rule/app/r', State: 'ENABLED' });
    await service.putEvents([entry({}, { Source: 'aurora.auth', EventBusName: 'app' })]);
    await settle(() => ports.calls.length === 1);
  });

  it('rejects whole calls and single entries as AWS does', async () => {
    const eleven = Array.from({ length: 11 }, () => entry({}));
    expect((await errorOf(() => service.putEvents(eleven))).code).toBe('ValidationException');
    const huge = entry({ blob: 'x'.repeat(262_144) });
    expect((await errorOf(() => service.putEvents([huge]))).message).toBe(
      'Total size of the entries in the request is over the limit.',
    );
    const result = await service.putEvents([
      { DetailType: 'x', Detail: '{}' },
      { Source: 's', DetailType: 'x', Detail: '[1]' },
      { Source: 's', DetailType: 'x', Detail: '{}', EventBusName: 'missing' },
      entry({}),
    ]);
    expect(result.FailedEntryCount).toBe(3);
    expect(result.Entries.slice(0, 3)).toEqual([
      {
        ErrorCode: 'InvalidArgument',
        ErrorMessage: 'Parameter Source is not valid. Reason: Source is a required argument.',
      },
      { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' },
      { ErrorCode: 'ResourceNotFoundException', ErrorMessage: 'Event bus missing does not exist.' },
    ]);
  });

  it('reports missing, duplicate and invalid resources with AWS error codes', async () => {
    expect((await errorOf(() => op('DescribeRule', { Name: 'nope' }))).message).toBe(
      'Rule nope does not exist on EventBus default.',
    );
    expect(
      (await errorOf(() => service.putRule({ Name: 'bad', EventPattern: '{"source": "x"}' }))).code,
    ).toBe('InvalidEventPatternException');
    expect((await errorOf(() => service.putRule({ Name: 'bad name!', EventPattern: '{}' }))).code).toBe(
      'ValidationException',
    );
    service.createBus({ Name: 'app' });
    expect((await errorOf(() => service.createBus({ Name: 'app' }))).code).toBe(
      'ResourceAlreadyExistsException',
    );
    expect((await errorOf(() => op('DescribeEventBus', { Name: 'ghost' }))).code).toBe(
      'ResourceNotFoundException',
    );
    expect((await errorOf(() => op('DeleteEventBus', { Name: 'default' }))).code).toBe('ValidationException');
    service.putRule({ Name: 'r', EventPattern: '{"source":["a"]}' });
    service.putTargets({ Rule: 'r', Targets: [{ Id: 't', Arn: LAMBDA }] });
    expect((await errorOf(() => op('DeleteRule', { Name: 'r' }))).message).toBe(
      "Rule can't be deleted since it has targets.",
    );
    await op('RemoveTargets', { Rule: 'r', Ids: ['t'] });
    await op('DeleteRule', { Name: 'r' });
    expect((await errorOf(() => op('DescribeArchive', { ArchiveName: 'none' }))).code).toBe(
      'ResourceNotFoundException',
    );
    expect(
      (await errorOf(() => service.putTargets({ Rule: 'missing', Targets: [{ Id: 't', Arn: LAMBDA }] })))
        .code,
    ).toBe('ResourceNotFoundException');
  });

  it('lists rules by prefix with paging, and answers TestEventPattern', async () => {
    for (const name of ['a-1', 'a-2', 'a-3', 'b-1'])
      service.putRule({ Name: name, EventPattern: '{"source":["x"]}' });
    const first = (await op('ListRules', { NamePrefix: 'a-', Limit: 2 })) as {
      Rules: { Name: string }[];
      NextToken?: string;
    };
    expect(first.Rules.map((rule) => rule.Name)).toEqual(['a-1', 'a-2']);
    const second = (await op('ListRules', { NamePrefix: 'a-', Limit: 2, NextToken: first.NextToken })) as {
      Rules: { Name: string }[];
      NextToken?: string;
    };
    expect(second.Rules.map((rule) => rule.Name)).toEqual(['a-3']);
    expect(second.NextToken).toBeUndefined();
    const event = { id: '1', account: '1', source: 'x', time: 't', region: 'r', 'detail-type': 'd' };
    expect(
      await op('TestEventPattern', { EventPattern: '{"source":["x"]}', Event: JSON.stringify(event) }),
    ).toEqual({
      Result: true,
    });
  });
});
