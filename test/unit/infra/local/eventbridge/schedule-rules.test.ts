import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../../../../infra/local/edge/contracts';
import { EventBridgeService } from '../../../../../infra/local/eventbridge/service';
import { usePortsHarness } from '../../../../support/fake-ports';
import { until } from '../../../../support/polling';
import { ACCOUNT, QUEUE_ARN } from '../scheduler/fixtures';

const START = Date.parse('2026-03-01T10:00:00Z');
const minutes = (count: number): number => count * 60_000;

const harness = usePortsHarness({
  startAt: START,
  create: ({ clock, stateDir, ports }) =>
    new EventBridgeService({ clock, stateDir, account: ACCOUNT, ports }),
  stop: (service) => service.dispose(),
});

/**
 * Moves the clock, lets the rule timers it released queue their deliveries, waits until every queued
 * delivery has run, and checks how many target calls there have been in all.
 */
async function advance(service: EventBridgeService, deltaMs: number, expectedCalls: number): Promise<void> {
  harness.clock.advanceBy(deltaMs);
  await new Promise((resolve) => setImmediate(resolve));
  await until(() => service.pendingDeliveries === 0, 'queued deliveries run', 2_000);
  expect(service.pendingDeliveries).toBe(0);
  expect(harness.ports.calls).toHaveLength(expectedCalls);
}

const firedAt = () => harness.ports.calls.map((call) => (JSON.parse(call.payload) as { time: string }).time);

function scheduledRule(service: EventBridgeService, expression: string): string {
  const { RuleArn } = service.putRule({ Name: 'tick', ScheduleExpression: expression });
  service.putTargets({ Rule: 'tick', Targets: [{ Id: 'queue', Arn: QUEUE_ARN }] });
  return RuleArn;
}

describe('rules with a ScheduleExpression', () => {
  it('sends the scheduled event one rate interval after PutRule, then every interval', async () => {
    const service = harness.start();
    const ruleArn = scheduledRule(service, 'rate(5 minutes)');
    await advance(service, minutes(5) - 1, 0);
    await advance(service, 1, 1);
    expect(JSON.parse(harness.ports.calls[0]?.payload ?? '{}')).toMatchObject({
      version: '0',
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: ACCOUNT.accountId,
      region: ACCOUNT.region,
      time: '2026-03-01T10:05:00Z',
      resources: [ruleArn],
      detail: {},
    });
    await advance(service, minutes(5), 2);
    expect(firedAt()).toEqual(['2026-03-01T10:05:00Z', '2026-03-01T10:10:00Z']);
  });

  it('evaluates cron in UTC, and fires once for a jump over several occurrences', async () => {
    const service = harness.start();
    scheduledRule(service, 'cron(0 12 * * ? *)');
    await advance(service, minutes(119), 0);
    await advance(service, minutes(1), 1);
    await advance(service, 3 * 24 * minutes(60), 2);
    await advance(service, minutes(23 * 60), 2);
    await advance(service, minutes(60), 3);
    expect(firedAt()).toEqual(['2026-03-01T12:00:00Z', '2026-03-02T12:00:00Z', '2026-03-05T12:00:00Z']);
  });

  it('stops while the rule is disabled or deleted, and resumes when it is enabled', async () => {
    const service = harness.start();
    scheduledRule(service, 'rate(1 minute)');
    const op = (name: string, input: object) =>
      (service.edgeService.operations[name] as (input: object, context: unknown) => unknown)(input, {});
    op('DisableRule', { Name: 'tick' });
    await advance(service, minutes(3), 0);
    op('EnableRule', { Name: 'tick' });
    await advance(service, minutes(1), 1);
    op('RemoveTargets', { Rule: 'tick', Ids: ['queue'] });
    op('DeleteRule', { Name: 'tick' });
    await advance(service, minutes(3), 1);
  });

  it('keeps counting a rate from PutRule across a restart', async () => {
    const first = harness.start();
    scheduledRule(first, 'rate(10 minutes)');
    await advance(first, minutes(4), 0);
    first.dispose();
    const second = harness.start();
    await advance(second, minutes(6) - 1, 0);
    await advance(second, 1, 1);
    expect(firedAt()).toEqual(['2026-03-01T10:10:00Z']);
  });

  it.each([
    'rate(1 minutes)',
    'rate(5 minute)',
    'rate(0 minutes)',
    'rate(5 weeks)',
    'cron(0 12 * * *)',
    'cron(0 12 * * * *)',
    'at(2026-03-01T12:00:00)',
    'every 5 minutes',
  ])('refuses %s with the AWS message', (expression) => {
    const service = harness.start();
    let refused: unknown;
    try {
      service.putRule({ Name: 'tick', ScheduleExpression: expression });
    } catch (error) {
      refused = error;
    }
    expect(refused).toBeInstanceOf(AwsServiceError);
    expect(refused).toMatchObject({
      code: 'ValidationException',
      message: 'Parameter ScheduleExpression is not valid.',
    });
  });
});
