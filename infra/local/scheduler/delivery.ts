/**
 * Invoking a schedule's templated target through the shared target senders, and what a failed invocation
 * leaves in the dead-letter queue. A port that throws is a failed attempt.
 */
import { randomBytes } from 'node:crypto';
import type { TargetPorts } from '../shared/ports';
import { type DeliveryFailure, sendToTarget } from '../shared/targets';
import type { PendingDelivery, ScheduleTarget } from './store';

/** What Scheduler sends when the target has no Input. */
const DEFAULT_INPUT = '{}';

/** What one attempt knows about itself, for the context attributes AWS substitutes into the Input. */
export interface InvocationContext {
  readonly scheduleArn: string;
  /** Epoch ms of the occurrence the attempt belongs to. */
  readonly scheduledTime: number;
  /** 1 for the first attempt. */
  readonly attemptNumber: number;
}

const CONTEXT_ATTRIBUTE = /<aws\.scheduler\.([a-z-]+)>/g;

/** Time as AWS writes it in `<aws.scheduler.scheduled-time>`: ISO-8601 to the second. */
const isoSeconds = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * The Input as the target receives it: `<aws.scheduler.schedule-arn>`, `<aws.scheduler.scheduled-time>`,
 * `<aws.scheduler.execution-id>` (new for each attempt) and `<aws.scheduler.attempt-number>` replaced by
 * their values; any other text, including unknown `<aws.scheduler.*>` names, passes through unchanged.
 */
export function targetInput(target: ScheduleTarget, context: InvocationContext): string {
  const values = new Map<string, () => string>([
    ['schedule-arn', () => context.scheduleArn],
    ['scheduled-time', () => isoSeconds(context.scheduledTime)],
    ['execution-id', () => randomBytes(8).toString('hex')],
    ['attempt-number', () => String(context.attemptNumber)],
  ]);
  return (target.Input ?? DEFAULT_INPUT).replace(
    CONTEXT_ATTRIBUTE,
    (whole, name: string) => values.get(name)?.() ?? whole,
  );
}

export async function invokeTarget(
  ports: TargetPorts,
  target: ScheduleTarget,
  context: InvocationContext,
): Promise<void> {
  const input = targetInput(target, context);
  const parameters = target.EventBridgeParameters;
  await sendToTarget(ports, target.Arn, {
    payload: input,
    event: {
      Source: parameters?.Source,
      DetailType: parameters?.DetailType,
      Detail: input,
      Resources: [context.scheduleArn],
    },
  });
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
