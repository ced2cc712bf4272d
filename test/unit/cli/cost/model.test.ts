/** The cost model on a small profile whose bill is computed by hand in the comments. */
import type { HistoryEvent } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import { transitionsIn } from '../../../../cli/cost/measure';
import {
  costReport,
  expressBlockers,
  inventory,
  type Measurement,
  type ScenarioFigures,
  type UsageProfile,
} from '../../../../cli/cost/model';

const FLOW = JSON.stringify({
  StartAt: 'Plan',
  States: { Plan: { Type: 'Task', Resource: 'arn:aws:states:::lambda:invoke', End: true } },
});
const OTP = JSON.stringify({
  StartAt: 'WaitForCode',
  States: {
    WaitForCode: {
      Type: 'Task',
      Resource: 'arn:aws:states:::dynamodb:updateItem.waitForTaskToken',
      TimeoutSeconds: 900,
      End: true,
    },
  },
});

const resources = (type: string, count: number, properties: Record<string, unknown> = {}) =>
  Object.fromEntries(
    Array.from({ length: count }, (_, index) => [`${type}${index}`, { Type: type, Properties: properties }]),
  );

const STACKS = [
  {
    stackName: 'App',
    template: {
      Resources: {
        Fn: { Type: 'AWS::Lambda::Function', Properties: { MemorySize: 1024, Architectures: ['arm64'] } },
        Flow: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { StateMachineName: 'flow', StateMachineType: 'STANDARD', DefinitionString: FLOW },
        },
        Otp: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { StateMachineName: 'otp', DefinitionString: { 'Fn::Join': ['', [OTP]] } },
        },
        Api: { Type: 'AWS::ApiGatewayV2::Api', Properties: {} },
        ...resources('AWS::SecretsManager::Secret', 2),
        ...resources('AWS::CloudWatch::Alarm', 12),
        ...resources('AWS::CloudWatch::Dashboard', 1),
      },
    },
  },
];

const NOTHING: ScenarioFigures = {
  workflows: {},
  functions: {},
  apiRequests: 0,
  eventsPut: 0,
  eventBytes: 0,
  schedulerInvocations: 0,
  emails: 0,
  dynamoReadUnits: 0,
  dynamoWriteUnits: 0,
  secretsCalls: 0,
  sqsRequests: 0,
  firehoseRecords: 0,
  firehoseBilledBytes: 0,
  logBytes: 0,
  traces: 0,
};

const MEASUREMENT: Measurement = {
  sourceHash: 'test',
  measuredAt: '2026-12-03T00:00:00.000Z',
  method: [],
  executionArns: { login: {}, reminder: {} },
  scenarios: {
    login: {
      ...NOTHING,
      workflows: { otp: { executions: 1, transitions: 10, durationMs: 0 } },
      functions: { Fn: { invocations: 2, billedMs: 1000 } },
      apiRequests: 2,
      emails: 1,
    },
    reminder: {
      ...NOTHING,
      workflows: { flow: { executions: 2, transitions: 30, durationMs: 400 } },
      functions: { Fn: { invocations: 1, billedMs: 500 } },
      eventsPut: 3,
      schedulerInvocations: 1,
      dynamoReadUnits: 4,
      dynamoWriteUnits: 2,
    },
  },
};

// 100 people × 2 logins = 200 logins; × 3 reminders = 300 reminders.
const PROFILE: UsageProfile = {
  users: 100,
  loginsPerUser: 2,
  remindersPerUser: 3,
  storedKbPerUser: 20,
  analyticsQueries: 0,
  webRequestsPerLogin: 0,
};

describe('costReport', () => {
  const report = costReport(inventory(STACKS), PROFILE, MEASUREMENT);
  const line = (item: string) => report.lines.find((candidate) => candidate.item.startsWith(item))?.usd;
  const credit = (price: string) => report.freeTiers.find((candidate) => candidate.price === price)?.usd;

  it('prices every line of a hand-computed month', () => {
    // otp: 200 × 10 = 2,000 transitions; flow: 300 × 30 = 9,000; at $0.025 per 1,000.
    expect(report.transitionsPerWorkflow).toEqual({ otp: 2000, flow: 9000 });
    expect(line('otp (Standard)')).toBeCloseTo(0.05, 10);
    expect(line('flow (Standard)')).toBeCloseTo(0.225, 10);
    // Lambda: 200 × 2 + 300 × 1 = 700 requests at $0.20 per million; (200 × 1 s + 300 × 0.5 s) × 1 GB = 350 GB-s.
    expect(line('Fn requests')).toBeCloseTo(0.00014, 10);
    expect(line('Fn compute (1024 MB, arm64)')).toBeCloseTo(350 * 0.0000133334, 10);
    // 400 API requests at $1 per million; 200 emails at $0.10 per 1,000; 900 events and 300 schedules at $1 per million.
    expect(line('HTTP API requests')).toBeCloseTo(0.0004, 10);
    expect(line('emails sent')).toBeCloseTo(0.02, 10);
    expect(line('custom events put')).toBeCloseTo(0.0009, 10);
    expect(line('schedule invocations')).toBeCloseTo(0.0003, 10);
    // 1,200 read units at $0.125 per million, 600 write units at $0.625 per million.
    expect(line('on-demand read')).toBeCloseTo(0.00015, 10);
    expect(line('on-demand write')).toBeCloseTo(0.000375, 10);
    // Fees: 2 secrets × $0.40, 12 alarms × $0.10, 1 dashboard × $3.
    expect(line('secrets stored')).toBeCloseTo(0.8, 10);
    expect(line('standard alarms (12)')).toBeCloseTo(1.2, 10);
    expect(line('dashboards')).toBeCloseTo(3, 10);
    expect(report.fixedUsd).toBeCloseTo(5, 10);
    // 0.275 + 0.00014 + 0.00466669 + 0.0004 + 0.02 + 0.0009 + 0.0003 + 0.00015 + 0.000375 + 5.
    expect(report.grossUsd).toBeCloseTo(5.30193169, 7);
  });

  it('credits the always-free tiers apart and lists the 12-month ones without applying them', () => {
    // 4,000 of 11,000 transitions; all of Lambda, Scheduler; 10 of 12 alarms; the one dashboard.
    expect(credit('sfnStandardTransition')).toBeCloseTo(-0.1, 10);
    expect(credit('lambdaRequest')).toBeCloseTo(-0.00014, 10);
    expect(credit('lambdaArmGbSecond')).toBeCloseTo(-350 * 0.0000133334, 10);
    expect(credit('schedulerInvocation')).toBeCloseTo(-0.0003, 10);
    expect(credit('alarmStandard')).toBeCloseTo(-1, 10);
    expect(credit('dashboard')).toBeCloseTo(-3, 10);
    expect(credit('sesEmail')).toBe(0);
    expect(report.freeTiers.find((tier) => tier.price === 'sesEmail')).toMatchObject({ term: '12-months' });
    // (0.275 − 0.10) + 0.0004 + 0.02 + 0.0009 + 0.00015 + 0.000375 + 0.80 + (1.20 − 1.00) = 1.196825.
    expect(report.totalUsd).toBeCloseTo(1.196825, 7);
  });

  it('says which Standard workflows would be cheaper as Express, and which cannot be', () => {
    // flow: 600 executions of 200 ms: 600 × $1 per million + 600 × 0.2 s × 64/1024 GB × $0.00001667.
    const flow = report.express.find((advice) => advice.workflow === 'flow');
    expect(flow?.expressUsd).toBeCloseTo(0.0006 + 7.5 * 0.00001667, 10);
    expect(flow).toMatchObject({ verdict: 'cheaper as Express', blockers: [] });
    expect(report.express.find((advice) => advice.workflow === 'otp')).toMatchObject({
      verdict: 'cannot be Express',
      blockers: ['waits on a task token (.waitForTaskToken)', 'waits up to 900 s (Express stops at 300 s)'],
    });
  });

  it('scales with the profile', () => {
    const doubled = costReport(inventory(STACKS), { ...PROFILE, users: 200 }, MEASUREMENT);
    expect(doubled.transitionsPerWorkflow).toEqual({ otp: 4000, flow: 18000 });
    expect(doubled.fixedUsd).toBeCloseTo(5, 10);
  });
});

describe('analytics through Firehose', () => {
  const stream = {
    Type: 'AWS::KinesisFirehose::DeliveryStream',
    Properties: {
      ExtendedS3DestinationConfiguration: {
        BufferingHints: { IntervalInSeconds: 60 },
        DynamicPartitioningConfiguration: { Enabled: true },
      },
    },
  };
  const rule = {
    Type: 'AWS::Events::Rule',
    Properties: { Targets: [{ Arn: { 'Fn::GetAtt': ['Stream', 'Arn'] } }] },
  };
  const report = costReport(
    inventory([{ stackName: 'Analytics', template: { Resources: { Stream: stream, EveryEvent: rule } } }]),
    PROFILE,
    MEASUREMENT,
  );
  const line = (item: string) => report.lines.find((candidate) => candidate.item.startsWith(item));

  it('makes a record of every event a rule delivers, each billed as 5 KB', () => {
    // 300 reminders × 3 events = 900 records × 5 KB = 4,608,000 bytes = 0.0042915 GB at $0.029 and $0.02.
    expect(line('Stream: data ingested')?.quantity).toBeCloseTo(4_608_000 / 1024 ** 3, 12);
    expect(line('Stream: dynamic partitioning')?.usd).toBeCloseTo((0.02 * 4_608_000) / 1024 ** 3, 12);
    // 900 records, fewer than the 44,640 one-minute buffers of a month: at most one object each, $0.005 per 1,000.
    expect(line('Stream: objects written')?.quantity).toBe(900);
    expect(line('Stream: objects written')?.usd).toBeCloseTo(0.0045, 12);
    expect(line('Stream: partitioned objects')?.usd).toBeCloseTo(0.0045, 12);
  });
});

describe('expressBlockers', () => {
  it('finds long and run-time waits', () => {
    expect(expressBlockers(JSON.stringify({ States: { Nap: { Type: 'Wait', Seconds: 60 } } }))).toEqual([]);
    expect(expressBlockers(JSON.stringify({ States: { Nap: { Type: 'Wait', Seconds: 3600 } } }))).toEqual([
      'waits up to 3600 s (Express stops at 300 s)',
    ]);
    expect(
      expressBlockers(JSON.stringify({ States: { Until: { Type: 'Wait', TimestampPath: '$.dueAt' } } })),
    ).toEqual(['has a Wait whose length is set at run time']);
  });
});

describe('transitionsIn', () => {
  const events = (...types: string[]) =>
    types.map((type, index) => ({ type, id: index + 1 }) as HistoryEvent);

  it('counts each state entered, and each retry of a task', () => {
    const history = events(
      'ExecutionStarted',
      'PassStateEntered',
      'PassStateExited',
      'TaskStateEntered',
      'TaskScheduled',
      'TaskFailed',
      'TaskScheduled',
      'TaskSucceeded',
      'TaskStateExited',
      'SucceedStateEntered',
      'ExecutionSucceeded',
    );
    expect(transitionsIn(history)).toBe(4);
  });
});
