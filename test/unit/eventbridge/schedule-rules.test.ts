import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../infra/local/clock';
import { AwsServiceError } from '../../../infra/local/edge/service';
import { EventBridgeService } from '../../../infra/local/eventbridge/service';
import { ACCOUNT, QUEUE_ARN, RecordingPorts, temporaryStateDir } from '../scheduler/fixtures';

const START = Date.parse('2026-03-01T10:00:00Z');
const minutes = (count: number): number => count * 60_000;

let stateDir: ReturnType<typeof temporaryStateDir>;
let clock: Clock;
let ports: RecordingPorts;
let services: EventBridgeService[];

const startService = (): EventBridgeService => {
  const service = new EventBridgeService({ clock, stateDir: stateDir.path, account: ACCOUNT, ports });
  services.push(service);
  return service;
};

/**
 * Moves the clock, lets the rule timers it released queue their deliveries, waits until every queued
 * delivery has run, and checks how many target calls there have been in all.
 */
async function advance(service: EventBridgeService, deltaMs: number, expectedCalls: number): Promise<void> {
  clock.advanceBy(deltaMs);
  await new Promise((resolve) => setImmediate(resolve));
  const deadline = Date.now() + 2000;
  while (service.pendingDeliveries > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
  expect(service.pendingDeliveries).toBe(0);
  expect(ports.calls).toHaveLength(expectedCalls);
}

const firedAt = () => ports.calls.map((call) => (JSON.parse(call.payload) as { time: string }).time);

function scheduledRule(service: EventBridgeService, expression: string): string {
  const { RuleArn } = service.putRule({ Name: 'tick', ScheduleExpression: expression });
  service.putTargets({ Rule: 'tick', Targets: [{ Id: 'queue', Arn: QUEUE_ARN }] });
  return RuleArn;
}

beforeEach(() => {
  stateDir = temporaryStateDir();
  clock = new Clock('manual', START);
  ports = new RecordingPorts(clock);
  services = [];
});

afterEach(() => {
  for (const service of services) service.dispose();
  stateDir.remove();
});

describe('rules with a ScheduleExpression', () => {
  it('sends the scheduled event one rate interval after PutRule, then every interval', async () => {
    const service = startService();
    const ruleArn = scheduledRule(service, 'rate(5 minutes)');
    await advance(service, minutes(5) - 1, 0);
    await advance(service, 1, 1);
    expect(JSON.parse(ports.calls[0]?.payload ?? '{}')).toMatchObject({
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
    const service = startService();
    scheduledRule(service, 'cron(0 12 * * ? *)');
    await advance(service, minutes(119), 0);
    await advance(service, minutes(1), 1);
    await advance(service, 3 * 24 * minutes(60), 2);
    await advance(service, minutes(23 * 60), 2);
    await advance(service, minutes(60), 3);
    expect(firedAt()).toEqual(['2026-03-01T12:00:00Z', '2026-03-02T12:00:00Z', '2026-03-05T12:00:00Z']);
  });

  it('stops while the rule is disabled or deleted, and resumes when it is enabled', async () => {
    const service = startService();
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
    const first = startService();
    scheduledRule(first, 'rate(10 minutes)');
    await advance(first, minutes(4), 0);
    first.dispose();
    const second = startService();
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
    const service = startService();
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
