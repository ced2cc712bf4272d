/**
 * Delivers matched events to rule targets through the TargetPorts, asynchronously on the clock, with
 * AWS's retry policy (exponential back-off, MaximumRetryAttempts default 185, MaximumEventAgeInSeconds default
 * 86400) and, once retries are exhausted, the target's dead-letter queue with the attributes AWS adds.
 * Failed deliveries stay visible through `failures()`.
 */
import type { Clock, TimerHandle } from '../clock';
import type { TargetPorts } from '../shared/ports';
import { arnService, type EventEnvelope, type TargetRecord } from './model';
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

export interface DeliveryJob {
  readonly event: EventEnvelope;
  readonly ruleArn: string;
  readonly ruleName: string;
  readonly target: TargetRecord;
  /** Epoch ms the bus accepted the event. */
  readonly ingestedAt: number;
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

export class Deliveries {
  private readonly failed: FailedDelivery[] = [];
  private readonly pending = new Set<TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly ports: TargetPorts,
  ) {}

  /** Queues the delivery; the first attempt runs on the next clock tick, never inside PutEvents. */
  enqueue(job: DeliveryJob): void {
    this.schedule(0, () => this.attempt(job, 1));
  }

  failures(): readonly FailedDelivery[] {
    return [...this.failed];
  }

  /** Deliveries and retries not yet run (for tests and shutdown). */
  get pendingCount(): number {
    return this.pending.size;
  }

  dispose(): void {
    for (const handle of this.pending) this.clock.cancel(handle);
    this.pending.clear();
  }

  private schedule(delayMs: number, run: () => Promise<void>): void {
    const handle = this.clock.after(delayMs, () => {
      this.pending.delete(handle);
      void run();
    });
    this.pending.add(handle);
  }

  private async attempt(job: DeliveryJob, attempt: number): Promise<void> {
    try {
      await this.send(job);
      return;
    } catch (error) {
      const policy = job.target.RetryPolicy ?? {};
      const maxRetries = policy.MaximumRetryAttempts ?? DEFAULT_RETRY_ATTEMPTS;
      const maxAgeMs = (policy.MaximumEventAgeInSeconds ?? DEFAULT_EVENT_AGE_SECONDS) * 1000;
      const delay = retryDelayMs(attempt);
      const retriesUsed = attempt - 1;
      if (retriesUsed >= maxRetries) {
        await this.giveUp(job, error, attempt, maxRetries > 0 ? 'MaximumRetryAttempts' : 'None');
      } else if (this.clock.now() + delay - job.ingestedAt > maxAgeMs) {
        await this.giveUp(job, error, attempt, 'MaximumEventAgeInSeconds');
      } else {
        this.schedule(delay, () => this.attempt(job, attempt + 1));
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
      default:
        throw Object.assign(new Error(`Target ${target.Arn} is not a kind the local cloud delivers to`), {
          code: 'UnsupportedTarget',
        });
    }
  }

  private async giveUp(
    job: DeliveryJob,
    error: unknown,
    attempts: number,
    exhaustedRetryCondition: FailedDelivery['exhaustedRetryCondition'],
  ): Promise<void> {
    const { code, message } = describe(error);
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
          RETRY_ATTEMPTS: { DataType: 'Number', StringValue: String(attempts - 1) },
        });
      } catch (deadLetterFailure) {
        deadLetterError = describe(deadLetterFailure).message;
      }
    }
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
