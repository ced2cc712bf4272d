/**
 * Invoking a schedule's templated target through the shared ports, and what a failed invocation leaves in
 * the dead-letter queue. A port that throws is a failed attempt.
 */
import type { TargetPorts } from '../shared/ports';
import type { PendingDelivery, ScheduleTarget } from './store';

/** What Scheduler sends when the target has no Input. */
const DEFAULT_INPUT = '{}';

export interface DeliveryFailure {
  readonly code: string;
  readonly message: string;
}

export const targetInput = (target: ScheduleTarget): string => target.Input ?? DEFAULT_INPUT;

/** The service part of an ARN (`lambda`, `states`, `sqs`, `events`), or undefined when it is not an ARN. */
export const arnService = (arn: string): string | undefined => /^arn:[^:]+:([^:]+):/.exec(arn)?.[1];

export async function invokeTarget(
  ports: TargetPorts,
  target: ScheduleTarget,
  scheduleArn: string,
): Promise<void> {
  const input = targetInput(target);
  switch (arnService(target.Arn)) {
    case 'lambda':
      await ports.invokeLambdaAsync(target.Arn, input);
      return;
    case 'states':
      await ports.startExecution(target.Arn, input);
      return;
    case 'sqs':
      await ports.sendToQueue(target.Arn, input);
      return;
    case 'events': {
      const parameters = target.EventBridgeParameters;
      const { failedEntryCount } = await ports.putEvents([
        {
          EventBusName: target.Arn,
          Source: parameters?.Source,
          DetailType: parameters?.DetailType,
          Detail: input,
          Resources: [scheduleArn],
        },
      ]);
      if (failedEntryCount > 0)
        throw Object.assign(new Error('PutEvents rejected the event'), { name: 'FailedEntry' });
      return;
    }
    default:
      throw Object.assign(new Error(`Target ${target.Arn} is not a target the local scheduler can invoke`), {
        name: 'UnsupportedTarget',
      });
  }
}

export function describeFailure(error: unknown): DeliveryFailure {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : error.name, message: error.message };
  }
  return { code: 'Error', message: String(error) };
}

type MessageAttributes = Record<string, { DataType: string; StringValue?: string }>;

/** The dead-letter message: the target input as the body, and the invocation details as attributes. */
export function deadLetterAttributes(
  delivery: PendingDelivery,
  attempts: number,
  failure: DeliveryFailure,
): MessageAttributes {
  const text = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    'X-Amz-Scheduler-Attempt': { DataType: 'Number', StringValue: String(attempts) },
    'X-Amz-Scheduler-Error-Code': text(failure.code),
    'X-Amz-Scheduler-Error-Message': text(failure.message),
    'X-Amz-Scheduler-Group': text(delivery.groupName),
    'X-Amz-Scheduler-Schedule-Arn': text(delivery.scheduleArn),
    'X-Amz-Scheduler-Target-Arn': text(delivery.target.Arn),
  };
}

/** Exponential backoff between attempts: 1 s, 2 s, 4 s ... capped at 5 minutes. */
export const retryDelayMs = (attemptsMade: number): number =>
  Math.min(1000 * 2 ** (attemptsMade - 1), 300_000);
