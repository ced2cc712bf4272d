/**
 * Delivers matched events to rule targets through the TargetPorts, asynchronously on the clock, with
 * AWS's retry policy (exponential back-off, MaximumRetryAttempts default 185, MaximumEventAgeInSeconds default
 * 86400) and, once retries are exhausted, the target's dead-letter queue with the attributes AWS adds. A
 * target that does not exist or may not be called is not retried: its event goes to the queue at once.
 * Failed deliveries stay visible through `failures()`, pending retries through `retrying()`.
 *
 * Every delivery is journalled (delivery-journal.ts) before PutEvents answers and until the target accepted
 * it or it was dead-lettered, so a restart resumes pending first attempts and retries where they stood.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock';
import type { TargetPorts } from '../shared/ports';
import { type DeliveryJob, DeliveryJournal, type PendingDelivery } from './delivery-journal';
import { arnService } from './model';
import { renderTargetInput } from './target-input';

const DEFAULT_RETRY_ATTEMPTS = 185;
const DEFAULT_EVENT_AGE_SECONDS = 86_400;
const FIRST_RETRY_DELAY_MS = 1_000;
const MAX_RETRY_DELAY_MS = 5 * 60_000;
const KEPT_FAILURES = 200;

export interface FailedDelivery {
  readonly time: string;
  readonly eventId: string;
  readonly ruleArn: string;
  readonly targetId: string;
  readonly targetArn: string;
  readonly errorCode: string;
  readonly errorMessage: string;
  readonly attempts: number;
  /** Which limit ended the retries. */
  readonly exhaustedRetryCondition: 'MaximumRetryAttempts' | 'MaximumEventAgeInSeconds' | 'None';
  /** The dead-letter queue the event went to, if any, and whether sending it there failed too. */
  readonly deadLetterArn?: string;
  readonly deadLetterError?: string;
}

/** The delay before retry number `retry` (1-based): doubling from one second, capped at five minutes. */
export const retryDelayMs = (retry: number): number =>
  Math.min(FIRST_RETRY_DELAY_MS * 2 ** (retry - 1), MAX_RETRY_DELAY_MS);

const describe = (error: unknown): { code: string; message: string } => {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return { code: typeof code === 'string' ? code : error.name, message: error.message };
  }
  return { code: 'Error', message: String(error) };
};

/**
 * Failures that retrying cannot cure: AWS sends these straight to the dead-letter queue (the target no longer
 * exists, or EventBridge may not call it). Everything else is retried within the target's RetryPolicy.
 */
const NOT_RETRIED = new Set([
  'ResourceNotFoundException',
  'StateMachineDoesNotExist',
  'QueueDoesNotExist',
  'AWS.SimpleQueueService.NonExistentQueue',
  'AccessDeniedException',
  'UnsupportedTarget',
]);

const unsupportedTarget = (arn: string): Error =>
  Object.assign(new Error(`Target ${arn} is not a kind the local cloud delivers to`), {
    code: 'UnsupportedTarget',
  });

const EVENT_TOO_OLD = {
  code: 'EventAgeExceeded',
  message: 'The event was older than MaximumEventAgeInSeconds before it could be delivered',
};

export class Deliveries {
  private readonly failed: FailedDelivery[] = [];
  /** The clock timer of each delivery waiting for its next attempt, by delivery id. */
  private readonly timers = new Map<string, TimerHandle>();
  private readonly journal: DeliveryJournal;
  /**
   * Deliveries read back from the journal at start-up. Their targets may not be deployed again yet (the local
   * cloud redeploys its templates after the services start), so for them a missing target is retried too.
   */
  private readonly restored = new Set<string>();
  private stopped = false;

  constructor(
    private readonly clock: Clock,
    private readonly ports: TargetPorts,
    /** Where the journal of unfinished deliveries lives (`${stateDir}/events`). */
    directory: string,
  ) {
    this.journal = new DeliveryJournal(directory);
    // Resume what an earlier run left unfinished: overdue attempts run at once, oldest first.
    const unfinished = this.journal.pending().sort((a, b) => a.dueAt - b.dueAt);
    for (const delivery of unfinished) {
      this.restored.add(delivery.id);
      this.arm(delivery);
    }
  }

  /**
   * Records the deliveries durably (before PutEvents answers), then queues their first attempts on the next
   * clock tick, never inside PutEvents.
   */
  enqueue(jobs: readonly DeliveryJob[]): void {
    if (jobs.length === 0) return;
    const dueAt = this.clock.now();
    const deliveries = jobs.map((job) => ({ ...job, id: randomUUID(), attempt: 1, dueAt }));
    this.journal.put(deliveries);
    for (const delivery of deliveries) this.arm(delivery);
  }

  failures(): readonly FailedDelivery[] {
    return [...this.failed];
  }

  /** Deliveries that failed at least once and wait for a retry, with the error of their last attempt. */
  retrying(): readonly PendingDelivery[] {
    return this.journal.pending().filter((delivery) => delivery.attempt > 1);
  }

  /** Deliveries and retries waiting on the clock (for tests and shutdown). */
  get pendingCount(): number {
    return this.timers.size;
  }

  /** Stops attempting; what is unfinished stays in the journal for the next start. */
  dispose(): void {
    this.stopped = true;
    for (const handle of this.timers.values()) this.clock.cancel(handle);
    this.timers.clear();
  }

  /** A stopped instance leaves the record alone: the next start owns the journal (at-least-once). */
  private finish(id: string): void {
    this.restored.delete(id);
    if (!this.stopped) this.journal.done(id);
  }

  private arm(delivery: PendingDelivery): void {
    const handle = this.clock.at(delivery.dueAt, () => {
      this.timers.delete(delivery.id);
      void this.attempt(delivery);
    });
    this.timers.set(delivery.id, handle);
  }

  private async attempt(delivery: PendingDelivery): Promise<void> {
    const policy = delivery.target.RetryPolicy ?? {};
    const maxRetries = policy.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
    const maxAgeMs = (policy.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS) * 1000;
    // Only possible after downtime: the event aged out while nothing could deliver it.
    if (this.clock.now() - delivery.ingestedAt > maxAgeMs) {
      const attemptsMade = delivery.attempt - 1;
      await this.giveUp(
        delivery,
        delivery.lastError ?? EVENT_TOO_OLD,
        'MaximumEventAgeInSeconds',
        attemptsMade,
      );
      return;
    }
    try {
      await this.send(delivery);
      this.finish(delivery.id);
      return;
    } catch (error) {
      if (this.stopped) return;
      const failure = describe(error);
      if (NOT_RETRIED.has(failure.code) && !this.restored.has(delivery.id)) {
        await this.giveUp(delivery, failure, 'None', delivery.attempt);
        return;
      }
      const delay = retryDelayMs(delivery.attempt);
      const retriesUsed = delivery.attempt - 1;
      if (retriesUsed >= maxRetries) {
        const condition = maxRetries > 0 ? 'MaximumRetryAttempts' : 'None';
        await this.giveUp(delivery, failure, condition, delivery.attempt);
      } else if (this.clock.now() + delay - delivery.ingestedAt > maxAgeMs) {
        await this.giveUp(delivery, failure, 'MaximumEventAgeInSeconds', delivery.attempt);
      } else {
        const retry = {
          ...delivery,
          attempt: delivery.attempt + 1,
          dueAt: this.clock.now() + delay,
          lastError: failure,
        };
        this.journal.put([retry]);
        this.arm(retry);
      }
    }
  }

  private async send(job: DeliveryJob): Promise<void> {
    const { target, event } = job;
    const payload = renderTargetInput(target, event, {
      ruleArn: job.ruleArn,
      ruleName: job.ruleName,
      ingestionTime: new Date(job.ingestedAt).toISOString(),
    });
    switch (arnService(target.Arn)) {
      case 'lambda':
        return this.ports.invokeLambdaAsync(target.Arn, payload);
      case 'states':
        await this.ports.startExecution(target.Arn, payload);
        return;
      case 'sqs':
        return this.ports.sendToQueue(target.Arn, payload);
      case 'events': {
        // Bus to bus: the event travels as it is; its detail is unchanged.
        const { failedEntryCount } = await this.ports.putEvents([
          {
            Source: event.source,
            DetailType: event['detail-type'],
            Detail: JSON.stringify(event.detail),
            Resources: event.resources,
            Time: event.time,
            EventBusName: target.Arn,
          },
        ]);
        if (failedEntryCount > 0) throw new Error(`The event bus ${target.Arn} did not accept the event`);
        return;
      }
      case 'sns':
        return this.ports.publishToTopic(target.Arn, payload);
      case 'firehose':
        return this.ports.putFirehoseRecord(target.Arn, payload);
      default:
        throw unsupportedTarget(target.Arn);
    }
  }

  private async giveUp(
    job: PendingDelivery,
    { code, message }: { code: string; message: string },
    exhaustedRetryCondition: FailedDelivery['exhaustedRetryCondition'],
    attempts: number,
  ): Promise<void> {
    const deadLetterArn = job.target.DeadLetterConfig?.Arn;
    let deadLetterError: string | undefined;
    if (deadLetterArn) {
      try {
        await this.ports.sendToQueue(deadLetterArn, JSON.stringify(job.event), {
          RULE_ARN: { DataType: 'String', StringValue: job.ruleArn },
          TARGET_ARN: { DataType: 'String', StringValue: job.target.Arn },
          ERROR_CODE: { DataType: 'String', StringValue: code },
          ERROR_MESSAGE: { DataType: 'String', StringValue: message },
          EXHAUSTED_RETRY_CONDITION: { DataType: 'String', StringValue: exhaustedRetryCondition },
          RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(Math.max(0, attempts - 1)) },
        });
      } catch (deadLetterFailure) {
        deadLetterError = describe(deadLetterFailure).message;
      }
    }
    this.finish(job.id);
    this.failed.push({
      time: new Date(this.clock.now()).toISOString(),
      eventId: job.event.id,
      ruleArn: job.ruleArn,
      targetId: job.target.Id,
      targetArn: job.target.Arn,
      errorCode: code,
      errorMessage: message,
      attempts,
      exhaustedRetryCondition,
      ...(deadLetterArn ? { deadLetterArn } : {}),
      ...(deadLetterError ? { deadLetterError } : {}),
    });
    if (this.failed.length > KEPT_FAILURES) this.failed.splice(0, this.failed.length - KEPT_FAILURES);
  }
}
