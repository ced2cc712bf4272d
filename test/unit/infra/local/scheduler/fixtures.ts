/**
 * Shared pieces of the scheduler and EventBridge unit tests: the account, target ARNs, request builders and
 * the scheduler's per-test harness (built on the recording TargetPorts fake in test/support/fake-ports.ts).
 */
import { SchedulerService } from '../../../../../infra/local/scheduler/service';
import { usePortsHarness } from '../../../../support/fake-ports';

export const ACCOUNT = { region: 'eu-west-1', accountId: '123456789012' };
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/scheduler';
export const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:remind';
export const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:deliver';
export const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:work';
export const DLQ_ARN = 'arn:aws:sqs:eu-west-1:123456789012:scheduler-dlq';
export const BUS_ARN = 'arn:aws:events:eu-west-1:123456789012:event-bus/aurora';

export const minutes = (count: number): number => count * 60_000;

/** A CreateSchedule body as the SDK sends it, with overrides. */
export function scheduleBody(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ScheduleExpression: 'rate(1 hour)',
    FlexibleTimeWindow: { Mode: 'OFF' },
    Target: { Arn: FUNCTION_ARN, RoleArn: ROLE_ARN, Input: '{"reminder":"call mum"}' },
    ...overrides,
  };
}

/** A SchedulerService per test on the ports harness; `start` takes the flexible-window randomness. */
export function useSchedulerHarness(startAt: number) {
  const harness = usePortsHarness({
    startAt,
    create: ({ clock, stateDir, ports }, random: () => number = Math.random) =>
      new SchedulerService({ clock, stateDir, account: ACCOUNT, ports, random }),
    stop: (service) => service.stop(),
  });
  /** Moves the clock and lets every invocation it triggered finish. */
  const advance = async (service: SchedulerService, deltaMs: number): Promise<void> => {
    harness.clock.advanceBy(deltaMs);
    await service.idle();
  };
  return Object.assign(harness, { advance });
}
