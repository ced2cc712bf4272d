import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '@aws-sdk/client-eventbridge';
import { describe, expect, it } from 'vitest';
import {
  DeliveryJournal,
  type PendingDelivery,
} from '../../../../../infra/local/eventbridge/delivery-journal';
import { EventBridgeService } from '../../../../../infra/local/eventbridge/service';
import { usePortsHarness } from '../../../../support/fake-ports';
import { until } from '../../../../support/polling';
import { ACCOUNT, FUNCTION_ARN, QUEUE_ARN } from '../scheduler/fixtures';

const soon = (condition: () => boolean) => until(condition, 'condition', 2_000);

const START = Date.parse('2026-03-01T10:00:00Z');
const DLQ = 'arn:aws:sqs:eu-west-1:123456789012:events-dlq';

const harness = usePortsHarness({
  startAt: START,
  create: ({ clock, stateDir, ports }) =>
    new EventBridgeService({ clock, stateDir, account: ACCOUNT, ports }),
  stop: (service) => service.dispose(),
});

/** Stops the running instance as a stopped process would, and starts another on the same state directory. */
const restart = (service: EventBridgeService): EventBridgeService => {
  service.dispose();
  return harness.start();
};

const reminder = (detail: object) => ({
  Source: 'aurora.reminders',
  DetailType: 'ReminderDue',
  Detail: JSON.stringify(detail),
});

function routeRemindersTo(service: EventBridgeService, target: Omit<Target, 'Id'>): void {
  service.putRule({ Name: 'due', EventPattern: JSON.stringify({ source: ['aurora.reminders'] }) });
  service.putTargets({ Rule: 'due', Targets: [{ Id: 'target', ...target }] });
}

describe('EventBridge deliveries across a restart', () => {
  it('delivers an accepted event once even if the process stops before the first attempt', async () => {
    const first = harness.start();
    routeRemindersTo(first, { Arn: QUEUE_ARN });
    await first.putEvents([reminder({ id: 'r-1' }), reminder({ id: 'r-2' })]);
    expect(harness.ports.calls).toEqual([]); // PutEvents answered; nothing delivered yet

    const second = restart(first);
    await soon(() => harness.ports.calls.length === 2);
    expect(harness.ports.calls.map((call) => JSON.parse(call.payload).detail.id).sort()).toEqual([
      'r-1',
      'r-2',
    ]);
    await soon(() => second.pendingDeliveries === 0);

    const third = restart(second);
    expect(third.pendingDeliveries).toBe(0); // finished deliveries are not replayed
  });

  it('keeps a pending retry with its back-off, attempt count and last error', async () => {
    harness.ports.failing.add(FUNCTION_ARN);
    const first = harness.start();
    routeRemindersTo(first, {
      Arn: FUNCTION_ARN,
      RetryPolicy: { MaximumRetryAttempts: 3 },
      DeadLetterConfig: { Arn: DLQ },
    });
    await first.putEvents([reminder({ id: 'r-1' })]);
    await soon(() => first.retryingDeliveries().length === 1);

    const second = restart(first);
    expect(second.retryingDeliveries()).toMatchObject([
      { attempt: 2, dueAt: START + 1000, lastError: { code: 'TooManyRequestsException' } },
    ]);
    expect(harness.ports.callsTo(FUNCTION_ARN)).toHaveLength(1);
    harness.clock.advanceBy(1000);
    await soon(() => harness.ports.callsTo(FUNCTION_ARN).length === 2);
    await soon(() => second.retryingDeliveries()[0]?.attempt === 3);
    harness.clock.advanceBy(2000);
    await soon(() => second.retryingDeliveries()[0]?.attempt === 4);
    harness.clock.advanceBy(4000);
    await soon(() => harness.ports.callsTo(DLQ).length === 1);
    expect(harness.ports.callsTo(DLQ)[0]?.attributes?.RETRY_ATTEMPTS?.StringValue).toBe('3');
  });

  it('retries a restored delivery whose function is not registered again yet, instead of dead-lettering it', async () => {
    const first = harness.start();
    routeRemindersTo(first, { Arn: FUNCTION_ARN, DeadLetterConfig: { Arn: DLQ } });
    await first.putEvents([reminder({ id: 'r-1' })]);
    first.dispose();

    // Right after a restart the template is not deployed again yet: the function is unknown for a while.
    let deployed = false;
    const invoke = harness.ports.invokeLambdaAsync.bind(harness.ports);
    harness.ports.invokeLambdaAsync = async (arn, payload) => {
      if (!deployed)
        throw Object.assign(new Error(`Function not found: ${arn}`), { code: 'ResourceNotFoundException' });
      return invoke(arn, payload);
    };
    const second = harness.start();
    await soon(() => second.retryingDeliveries().length === 1);
    deployed = true;
    harness.clock.advanceBy(1000);
    await soon(() => harness.ports.callsTo(FUNCTION_ARN).length === 1);
    expect(harness.ports.callsTo(DLQ)).toEqual([]);

    // A delivery accepted after the restart is not restored: a missing function goes to the queue at once.
    deployed = false;
    await second.putEvents([reminder({ id: 'r-2' })]);
    await soon(() => harness.ports.callsTo(DLQ).length === 1);
    expect(harness.ports.callsTo(DLQ)[0]?.attributes?.ERROR_CODE?.StringValue).toBe(
      'ResourceNotFoundException',
    );
  });

  it('dead-letters a retry that aged past MaximumEventAgeInSeconds while stopped, without trying again', async () => {
    harness.ports.failing.add(FUNCTION_ARN);
    const first = harness.start();
    routeRemindersTo(first, {
      Arn: FUNCTION_ARN,
      RetryPolicy: { MaximumEventAgeInSeconds: 3600 },
      DeadLetterConfig: { Arn: DLQ },
    });
    await first.putEvents([reminder({ id: 'r-1' })]);
    await soon(() => first.retryingDeliveries().length === 1);
    first.dispose();

    harness.clock.advanceBy(2 * 3_600_000);
    const second = harness.start();
    await soon(() => harness.ports.callsTo(DLQ).length === 1);
    expect(harness.ports.callsTo(FUNCTION_ARN)).toHaveLength(1);
    expect(harness.ports.callsTo(DLQ)[0]?.attributes).toMatchObject({
      EXHAUSTED_RETRY_CONDITION: { StringValue: 'MaximumEventAgeInSeconds' },
      ERROR_CODE: { StringValue: 'TooManyRequestsException' },
      RETRY_ATTEMPTS: { StringValue: '0' },
    });
    expect(second.retryingDeliveries()).toEqual([]);
  });
});

describe('DeliveryJournal', () => {
  const delivery = (id: string): PendingDelivery => ({
    id,
    event: {
      version: '0',
      id: `event-${id}`,
      'detail-type': 'ReminderDue',
      source: 'aurora.reminders',
      account: ACCOUNT.accountId,
      time: '2026-03-01T10:00:00Z',
      region: ACCOUNT.region,
      resources: [],
      detail: {},
    },
    ruleArn: 'arn:aws:events:eu-west-1:123456789012:rule/due',
    ruleName: 'due',
    target: { Id: 'target', Arn: QUEUE_ARN },
    ingestedAt: START,
    attempt: 1,
    dueAt: START,
  });

  it('replays puts and removals, and compacts once finished entries pile up', () => {
    const directory = join(harness.stateDir, 'events');
    const journal = new DeliveryJournal(directory);
    journal.put(delivery('kept'), delivery('finished'));
    journal.put({ ...delivery('kept'), attempt: 2, dueAt: START + 1000 });
    journal.done('finished');
    expect(new DeliveryJournal(directory).pending()).toEqual([
      { ...delivery('kept'), attempt: 2, dueAt: START + 1000 },
    ]);

    for (let index = 0; index < 3000; index++) {
      journal.put(delivery(`d-${index}`));
      journal.done(`d-${index}`);
    }
    const journalLines = readFileSync(join(directory, 'deliveries.jsonl'), 'utf8').split('\n').length;
    expect(journalLines).toBeLessThan(2000);
    expect(existsSync(join(directory, 'deliveries.json'))).toBe(true);
    expect(new DeliveryJournal(directory).pending().map((entry) => entry.id)).toEqual(['kept']);
  });
});
