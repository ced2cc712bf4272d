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
import {
  afterFailedAttempt,
  type DeliveryFailure,
  describeFailure,
  type ExhaustedRetryCondition,
  sendToTarget,
  type TargetRetryPolicy,
} from '../shared/targets';
import { type DeliveryJob, DeliveryJournal, type PendingDelivery } from './delivery-journal';
import { renderTargetInput } from './target-input';

const DEFAULT_RETRY_ATTEMPTS = 185;
const DEFAULT_EVENT_AGE_SECONDS = 86_400;
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
  readonly exhaustedRetryCondition: ExhaustedRetryCondition;
  /** The dead-letter queue the event went to, if any, and whether sending it there failed too. */
  readonly deadLetterArn?: string;
  readonly deadLetterError?: string;
}

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

const EVENT_TOO_OLD: DeliveryFailure = {
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
    this.journal.put(...deliveries);
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
    const { RetryPolicy: policy = {} } = delivery.target;
    const retryPolicy: TargetRetryPolicy = {
      maximumRetryAttempts: policy.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS,
      maximumEventAgeMs: (policy.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS) * 1000,
    };
    // Only possible after downtime: the event aged out while nothing could deliver it.
    if (this.clock.now() - delivery.ingestedAt > retryPolicy.maximumEventAgeMs) {
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
      const failure = describeFailure(error);
      if (NOT_RETRIED.has(failure.code) && !this.restored.has(delivery.id)) {
        await this.giveUp(delivery, failure, 'None', delivery.attempt);
        return;
      }
      const decision = afterFailedAttempt(
        retryPolicy,
        delivery.attempt,
        delivery.ingestedAt,
        this.clock.now(),
      );
      if ('exhausted' in decision) {
        await this.giveUp(delivery, failure, decision.exhausted, delivery.attempt);
        return;
      }
      const retry = {
        ...delivery,
        attempt: delivery.attempt + 1,
        dueAt: decision.retryAt,
        lastError: failure,
      };
      this.journal.put(retry);
      this.arm(retry);
    }
  }

  private async send(job: DeliveryJob): Promise<void> {
    const { target, event } = job;
    const payload = renderTargetInput(target, event, {
      ruleArn: job.ruleArn,
      ruleName: job.ruleName,
      ingestionTime: new Date(job.ingestedAt).toISOString(),
    });
    await sendToTarget(this.ports, target.Arn, {
      payload,
      // Bus to bus: the event travels as it is; its detail is unchanged.
      event: {
        Source: event.source,
        DetailType: event['detail-type'],
        Detail: JSON.stringify(event.detail),
        Resources: event.resources,
        Time: event.time,
      },
    });
  }

  private async giveUp(
    job: PendingDelivery,
    { code, message }: DeliveryFailure,
    exhaustedRetryCondition: ExhaustedRetryCondition,
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
        deadLetterError = describeFailure(deadLetterFailure).message;
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
