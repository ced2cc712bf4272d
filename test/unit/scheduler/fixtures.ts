/** Shared pieces of the scheduler unit tests: a recording TargetPorts fake, a temp state dir, request builders. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../../../infra/local/clock';
import type { EventEntry, TargetPorts } from '../../../infra/local/shared/ports';

export const ACCOUNT = { region: 'eu-west-1', accountId: '123456789012' };
export const ROLE_ARN = 'arn:aws:iam::123456789012:role/scheduler';
export const FUNCTION_ARN = 'arn:aws:lambda:eu-west-1:123456789012:function:remind';
export const STATE_MACHINE_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:deliver';
export const QUEUE_ARN = 'arn:aws:sqs:eu-west-1:123456789012:work';
export const DLQ_ARN = 'arn:aws:sqs:eu-west-1:123456789012:scheduler-dlq';
export const BUS_ARN = 'arn:aws:events:eu-west-1:123456789012:event-bus/aurora';

export interface RecordedCall {
  readonly port: 'lambda' | 'states' | 'sqs' | 'events';
  readonly arn: string;
  readonly payload: string;
  readonly at: number;
  readonly attributes?: Record<string, { DataType: string; StringValue?: string }>;
  readonly entries?: readonly EventEntry[];
}

/** Records every call with the clock time it happened at; ARNs in `failing` throw like a refusing target. */
export class RecordingPorts implements TargetPorts {
  readonly calls: RecordedCall[] = [];
  readonly failing = new Set<string>();

  constructor(private readonly clock: Clock) {}

  callsTo(arn: string): RecordedCall[] {
    return this.calls.filter((call) => call.arn === arn);
  }

  async invokeLambdaAsync(functionArn: string, payload: string): Promise<void> {
    this.record({ port: 'lambda', arn: functionArn, payload });
  }

  async startExecution(stateMachineArn: string, input: string): Promise<string> {
    this.record({ port: 'states', arn: stateMachineArn, payload: input });
    return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:run`;
  }

  async sendToQueue(
    queueArn: string,
    body: string,
    attributes?: Record<string, { DataType: string; StringValue?: string }>,
  ): Promise<void> {
    this.record({ port: 'sqs', arn: queueArn, payload: body, ...(attributes && { attributes }) });
  }

  async putEvents(entries: readonly EventEntry[]): Promise<{ failedEntryCount: number }> {
    for (const entry of entries) {
      this.record({ port: 'events', arn: entry.EventBusName ?? '', payload: entry.Detail ?? '', entries });
    }
    return { failedEntryCount: 0 };
  }

  private record(call: Omit<RecordedCall, 'at'>): void {
    this.calls.push({ ...call, at: this.clock.now() });
    if (this.failing.has(call.arn)) {
      throw Object.assign(new Error(`${call.arn} is throttled`), { name: 'TooManyRequestsException' });
    }
  }
}

export function temporaryStateDir(): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'scheduler-service-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

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
