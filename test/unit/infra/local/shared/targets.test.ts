import { describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import type { EventEntry } from '../../../../../infra/local/shared/ports';
import {
  afterFailedAttempt,
  arnService,
  describeFailure,
  FailedEntryError,
  retryDelayMs,
  sendToTarget,
  UnsupportedTargetError,
} from '../../../../../infra/local/shared/targets';
import { RecordingPorts } from '../../../../support/fake-ports';

const ARN_PREFIX = 'arn:aws';
const REGION_ACCOUNT = 'eu-west-1:123456789012';
const BUS_ARN = `${ARN_PREFIX}:events:${REGION_ACCOUNT}:event-bus/aurora`;
const DELIVERY = {
  payload: '{"reminder":"call mum"}',
  event: { Source: 'aurora.reminders', DetailType: 'ReminderDue', Detail: '{"id":"r-1"}' },
};

/** An event bus that refuses every entry, as PutEvents does with FailedEntryCount > 0. */
class RefusingBusPorts extends RecordingPorts {
  override async putEvents(_entries: readonly EventEntry[]): Promise<{ failedEntryCount: number }> {
    return { failedEntryCount: 1 };
  }
}

const clock = new Clock('manual', Date.UTC(2026, 11, 3));
const recordingPorts = () => new RecordingPorts(clock);

describe('target senders', () => {
  it.each([
    ['lambda', `${ARN_PREFIX}:lambda:${REGION_ACCOUNT}:function:remind`],
    ['states', `${ARN_PREFIX}:states:${REGION_ACCOUNT}:stateMachine:deliver`],
    ['sqs', `${ARN_PREFIX}:sqs:${REGION_ACCOUNT}:work`],
    ['sns', `${ARN_PREFIX}:sns:${REGION_ACCOUNT}:alerts`],
    ['firehose', `${ARN_PREFIX}:firehose:${REGION_ACCOUNT}:deliverystream/events`],
  ] as const)('hands the payload to the %s port named by the ARN', async (port, arn) => {
    const ports = recordingPorts();
    await sendToTarget(ports, arn, DELIVERY);
    expect(ports.calls).toEqual([expect.objectContaining({ port, arn, payload: DELIVERY.payload })]);
  });

  it('puts the event, not the payload, on an event-bus target, addressed to that bus', async () => {
    const ports = recordingPorts();
    await sendToTarget(ports, BUS_ARN, DELIVERY);
    expect(ports.calls.map((call) => call.entries)).toEqual([[{ ...DELIVERY.event, EventBusName: BUS_ARN }]]);
  });

  it('fails with FailedEntry when the bus refuses the event', async () => {
    const failure = sendToTarget(new RefusingBusPorts(clock), BUS_ARN, DELIVERY);
    await expect(failure).rejects.toBeInstanceOf(FailedEntryError);
    expect(describeFailure(await failure.catch((error: unknown) => error))).toEqual({
      code: 'FailedEntry',
      message: `The event bus ${BUS_ARN} did not accept the event`,
    });
  });

  it('refuses a target of a service it does not deliver to, and a string that is not an ARN', async () => {
    const ports = recordingPorts();
    for (const arn of [`${ARN_PREFIX}:kinesis:${REGION_ACCOUNT}:stream/clicks`, 'remind']) {
      const error = await sendToTarget(ports, arn, DELIVERY).catch((thrown: unknown) => thrown);
      expect(error).toBeInstanceOf(UnsupportedTargetError);
      expect(describeFailure(error).code).toBe('UnsupportedTarget');
    }
    expect(ports.calls).toEqual([]);
  });

  it('passes on the failure of the port as the attempt’s failure', async () => {
    const ports = recordingPorts();
    const arn = `${ARN_PREFIX}:lambda:${REGION_ACCOUNT}:function:remind`;
    ports.failing.add(arn);
    const error = await sendToTarget(ports, arn, DELIVERY).catch((thrown: unknown) => thrown);
    expect(describeFailure(error)).toEqual({
      code: 'TooManyRequestsException',
      message: `${arn} is throttled`,
    });
  });
});

describe('arnService', () => {
  it('reads the service of an ARN and nothing from other text', () => {
    expect(arnService(BUS_ARN)).toBe('events');
    expect(arnService('not-an-arn')).toBeUndefined();
  });
});

describe('describeFailure', () => {
  it('prefers the SDK error code, then the error name, and describes a thrown non-error as Error', () => {
    const coded = Object.assign(new Error('no such queue'), { code: 'QueueDoesNotExist' });
    expect(describeFailure(coded)).toEqual({ code: 'QueueDoesNotExist', message: 'no such queue' });
    expect(describeFailure(new RangeError('too far'))).toEqual({ code: 'RangeError', message: 'too far' });
    expect(describeFailure('gone')).toEqual({ code: 'Error', message: 'gone' });
  });
});

describe('retries', () => {
  const NOW = Date.UTC(2026, 11, 3, 8);
  const policy = { maximumRetryAttempts: 3, maximumEventAgeMs: 60_000 };

  it('backs off from one second, doubling, up to five minutes', () => {
    expect([1, 2, 3, 4, 9, 10, 30].map(retryDelayMs)).toEqual([
      1_000, 2_000, 4_000, 8_000, 256_000, 300_000, 300_000,
    ]);
  });

  it('retries after the back-off while attempts and age allow', () => {
    expect(afterFailedAttempt(policy, 1, NOW, NOW)).toEqual({ retryAt: NOW + 1_000 });
    expect(afterFailedAttempt(policy, 3, NOW, NOW + 5_000)).toEqual({ retryAt: NOW + 9_000 });
  });

  it('stops once the retries are used up, or when none were allowed', () => {
    expect(afterFailedAttempt(policy, 4, NOW, NOW)).toEqual({ exhausted: 'MaximumRetryAttempts' });
    expect(afterFailedAttempt({ ...policy, maximumRetryAttempts: 0 }, 1, NOW, NOW)).toEqual({
      exhausted: 'None',
    });
  });

  it('stops when the event would be older than its maximum age at the next attempt', () => {
    expect(afterFailedAttempt(policy, 1, NOW, NOW + 59_000)).toEqual({ retryAt: NOW + 60_000 });
    expect(afterFailedAttempt(policy, 1, NOW, NOW + 59_001)).toEqual({
      exhausted: 'MaximumEventAgeInSeconds',
    });
  });
});
