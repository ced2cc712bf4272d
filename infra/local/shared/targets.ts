/**
 * The one way EventBridge rules, Scheduler schedules and Lambda's async invocation destinations call their
 * targets: the target ARN parsed once, one table from the ARN's service to the port that calls it, one error
 * for a target the local cloud cannot call, one description of a failure, and one back-off and
 * retry-or-give-up decision. What AWS makes each service's own stays with the caller: the payload the target
 * receives, the event an event-bus target gets, which failures skip retries, and the dead-letter message.
 */
import type { EventEntry, TargetPorts } from './ports';

/** What one attempt hands to a target. */
export interface TargetDelivery {
  /** The Lambda payload, execution input, queue message body, topic message or Firehose record. */
  readonly payload: string;
  /** What an event-bus target receives; its bus is the target ARN. */
  readonly event: Omit<EventEntry, 'EventBusName'>;
}

export interface DeliveryFailure {
  readonly code: string;
  readonly message: string;
}

/** Which limit of the target's RetryPolicy ended the retries (`None`: retries were not allowed at all). */
export type ExhaustedRetryCondition = 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds' | 'None';

export interface TargetRetryPolicy {
  readonly maximumRetryAttempts: number;
  readonly maximumEventAgeMs: number;
}

export type RetryDecision = { readonly retryAt: number } | { readonly exhausted: ExhaustedRetryCondition };

/** A target whose ARN names no service the local cloud delivers to. */
export class UnsupportedTargetError extends Error {
  readonly code = 'UnsupportedTarget';
  constructor(readonly targetArn: string) {
    super(`Target ${targetArn} is not a kind the local cloud delivers to`);
    this.name = 'UnsupportedTargetError';
  }
}

/** An event-bus target that refused the event. */
export class FailedEntryError extends Error {
  readonly code = 'FailedEntry';
  constructor(readonly busArn: string) {
    super(`The event bus ${busArn} did not accept the event`);
    this.name = 'FailedEntryError';
  }
}

type TargetSender = (ports: TargetPorts, arn: string, delivery: TargetDelivery) => Promise<unknown>;

const SENDERS: ReadonlyMap<string, TargetSender> = new Map<string, TargetSender>([
  ['lambda', (ports, arn, { payload }) => ports.invokeLambdaAsync(arn, payload)],
  ['states', (ports, arn, { payload }) => ports.startExecution(arn, payload)],
  ['sqs', (ports, arn, { payload }) => ports.sendToQueue(arn, payload)],
  ['sns', (ports, arn, { payload }) => ports.publishToTopic(arn, payload)],
  ['firehose', (ports, arn, { payload }) => ports.putFirehoseRecord(arn, payload)],
  [
    'events',
    async (ports, arn, { event }) => {
      const { failedEntryCount } = await ports.putEvents([{ ...event, EventBusName: arn }]);
      if (failedEntryCount > 0) throw new FailedEntryError(arn);
    },
  ],
]);

/** The service part of an ARN (`lambda`, `states`, `sqs`, `events`...), or undefined when it is not an ARN. */
export const arnService = (arn: string): string | undefined => /^arn:[^:]+:([^:]+):/.exec(arn)?.[1];

/** Calls the target through the port its ARN's service names; a port that throws is a failed attempt. */
export async function sendToTarget(
  ports: TargetPorts,
  targetArn: string,
  delivery: TargetDelivery,
): Promise<void> {
  const sender = SENDERS.get(arnService(targetArn) ?? '');
  if (!sender) throw new UnsupportedTargetError(targetArn);
  await sender(ports, targetArn, delivery);
}

/** A thrown value as AWS reports it: the SDK's error code (else the error's name) and its message. */
export function describeFailure(error: unknown): DeliveryFailure {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : error.name, message: error.message };
  }
  return { code: 'Error', message: String(error) };
}

const FIRST_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 5 * 60_000;

/** The delay after failed attempt number `attemptsMade` (1-based): doubling from one second, capped at five minutes. */
export const retryDelayMs = (attemptsMade: number): number =>
  Math.min(FIRST_RETRY_DELAY_MS * 2 ** (attemptsMade - 1), MAX_RETRY_DELAY_MS);

/**
 * After a failed attempt: when to try again, or which limit of the policy forbids it. Retries are counted
 * after the first attempt, and the event's age from `firstSeenAt` (ingestion or scheduled time) must still be
 * within the limit when the retry would run.
 */
export function afterFailedAttempt(
  policy: TargetRetryPolicy,
  attemptsMade: number,
  firstSeenAt: number,
  now: number,
): RetryDecision {
  if (attemptsMade - 1 >= policy.maximumRetryAttempts) {
    return { exhausted: policy.maximumRetryAttempts > 0 ? 'MaximumRetryAttempts' : 'None' };
  }
  const retryAt = now + retryDelayMs(attemptsMade);
  if (retryAt - firstSeenAt > policy.maximumEventAgeMs) return { exhausted: 'MaximumEventAgeInSeconds' };
  return { retryAt };
}
