/**
 * The scheduler's firing loop. One timer on the shared clock is armed for the earliest due item in the store
 * (a schedule's next occurrence or a delivery's next attempt), never one timer per schedule.
 *
 * A delivery is persisted before its first attempt and removed once the target accepted it, so a crash
 * mid-invocation retries it on start-up instead of losing it. Failed attempts are retried with backoff on
 * the clock within the target's RetryPolicy, then sent to its dead-letter queue.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, TimerHandle } from '../clock';
import type { TargetPorts } from '../shared/ports';
import { afterFailedAttempt, type DeliveryFailure, describeFailure } from '../shared/targets';
import { deadLetterAttributes, type InvocationContext, invokeTarget, targetInput } from './delivery';
import { isOneTime, nextFireTime, parseScheduleExpression } from './expressions';
import type { DueItem, Occurrence, PendingDelivery, ScheduleDefinition, ScheduleStore } from './store';
import { retryPolicyOf } from './validation';

/** How long an attempt may stay unanswered before it counts as lost and is tried again. */
const ATTEMPT_LEASE_MS = 5 * 60_000;

export class ScheduleDispatcher {
  private timer: TimerHandle | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;
  private firingQueued = false;

  constructor(
    private readonly clock: Clock,
    private readonly store: ScheduleStore,
    private readonly ports: TargetPorts,
    /** Source of randomness for flexible time windows. */
    private readonly random: () => number = Math.random,
  ) {
    this.catchUp();
    this.rearm();
  }

  /** Stops firing (the state stays on disk for the next instance). */
  stop(): void {
    this.stopped = true;
    this.clock.cancel(this.timer);
    this.timer = undefined;
  }

  /** Resolves once every invocation started so far has finished (succeeded, scheduled a retry or dead-lettered). */
  async idle(): Promise<void> {
    for (;;) {
      // Let timers that the clock has just released run first: they may start invocations.
      await new Promise((resolve) => setImmediate(resolve));
      if (this.inFlight.size === 0) return;
      await Promise.all([...this.inFlight]);
    }
  }

  /**
   * The occurrence a created or updated schedule waits for. An at() time already past still fires (at once)
   * while it is younger than the target's MaximumEventAgeInSeconds, so a reminder created a moment late is
   * not lost.
   */
  firstOccurrence(schedule: ScheduleDefinition): Occurrence | undefined {
    if (schedule.State === 'DISABLED') return undefined;
    const now = this.clock.now();
    const expression = parseScheduleExpression(schedule.ScheduleExpression);
    if (!isOneTime(expression)) return this.occurrenceAfter(schedule, now - 1);
    const { maximumEventAgeMs } = retryPolicyOf(schedule.Target);
    const occurrence = nextFireTime(expression, timeZoneOf(schedule), now - maximumEventAgeMs);
    return occurrence === undefined
      ? undefined
      : this.withWindow(schedule, occurrence, Math.max(occurrence, now));
  }

  private occurrenceAfter(schedule: ScheduleDefinition, after: number): Occurrence | undefined {
    const occurrence = nextFireTime(schedule.ScheduleExpression, timeZoneOf(schedule), after, {
      startDate: schedule.StartDate,
      endDate: schedule.EndDate,
      rateAnchor: schedule.CreationDate,
    });
    return occurrence === undefined ? undefined : this.withWindow(schedule, occurrence, occurrence);
  }

  /** A flexible window invokes at a uniformly random point within MaximumWindowInMinutes of the time. */
  private withWindow(schedule: ScheduleDefinition, occurrence: number, earliest: number): Occurrence {
    const window = schedule.FlexibleTimeWindow;
    const spread =
      window.Mode === 'FLEXIBLE'
        ? Math.floor(this.random() * (window.MaximumWindowInMinutes ?? 0) * 60_000)
        : 0;
    return { occurrence, dueAt: earliest + spread };
  }

  /**
   * Start-up after downtime: an occurrence missed while the system was down fires once if it is still within
   * its MaximumEventAgeInSeconds; an older one is not attempted but dead-lettered (with EventTooOld), as an
   * event that aged out of its retries would be, so nothing is lost silently. Either way a recurring schedule
   * then continues from now rather than replaying every missed occurrence.
   */
  private catchUp(): void {
    const now = this.clock.now();
    const expired: { key: string; schedule: ScheduleDefinition; occurrence: number }[] = [];
    for (const { key, schedule, next } of this.store.occurrences()) {
      if (next.dueAt <= now && now - next.occurrence > retryPolicyOf(schedule.Target).maximumEventAgeMs) {
        expired.push({ key, schedule, occurrence: next.occurrence });
      }
    }
    for (const { key, schedule, occurrence } of expired) {
      this.advance(key, schedule, now);
      this.deadLetter(this.newDelivery(key, schedule, occurrence, now), {
        code: 'EventTooOld',
        message:
          'The occurrence passed while the scheduler was stopped, longer ago than MaximumEventAgeInSeconds',
      });
    }
  }

  /** Moves a schedule past an occurrence: to its next one, or to completion. */
  private advance(key: string, schedule: ScheduleDefinition, after: number): void {
    const next = isOneTime(parseScheduleExpression(schedule.ScheduleExpression))
      ? undefined
      : this.occurrenceAfter(schedule, after);
    if (next === undefined && schedule.ActionAfterCompletion === 'DELETE') {
      this.store.deleteSchedule(schedule.GroupName, schedule.Name);
    } else {
      this.store.setNext(key, next);
    }
  }

  /** Arms the one timer for the earliest due item; call after any change to the store. */
  rearm(): void {
    if (this.stopped) return;
    const next = this.store.peekDue();
    if (next && next.dueAt <= this.clock.now()) {
      // Already due: run in a microtask rather than waiting for the clock's next wall-clock tick.
      if (!this.firingQueued) {
        this.firingQueued = true;
        queueMicrotask(() => {
          this.firingQueued = false;
          this.fireDue();
        });
      }
      return;
    }
    if (this.timer && next && this.timer.dueAt === next.dueAt && !this.timer.cancelled) return;
    this.clock.cancel(this.timer);
    this.timer = undefined;
    if (!next) return;
    const handle = this.clock.at(next.dueAt, () => {
      if (this.timer === handle) this.timer = undefined;
      this.fireDue();
    });
    this.timer = handle;
  }

  private fireDue(): void {
    if (this.stopped) return;
    const now = this.clock.now();
    for (let item = this.store.popDue(now); item; item = this.store.popDue(now)) this.handle(item, now);
    this.rearm();
  }

  private handle(item: DueItem, now: number): void {
    if (item.kind === 'retry') {
      this.attempt(item.delivery, now, false);
      return;
    }
    const schedule = this.store.getScheduleByKey(item.key);
    if (!schedule) return;
    const delivery = this.newDelivery(item.key, schedule, item.occurrence, now);
    // Count from the occurrence, shifted by how late it fired: a clock jump or downtime continues from now
    // instead of replaying every occurrence it skipped over.
    this.advance(item.key, schedule, item.occurrence + Math.max(0, now - item.dueAt));
    this.attempt(delivery, now, true);
  }

  private newDelivery(
    key: string,
    schedule: ScheduleDefinition,
    occurrence: number,
    now: number,
  ): PendingDelivery {
    return {
      id: randomUUID(),
      scheduleKey: key,
      scheduleArn: schedule.Arn,
      groupName: schedule.GroupName,
      occurrence,
      target: schedule.Target,
      attempts: 0,
      dueAt: now,
    };
  }

  /** `onTime`: the first attempt of an occurrence the clock has just reached, which is never too old. */
  private attempt(delivery: PendingDelivery, now: number, onTime: boolean): void {
    const { maximumEventAgeMs } = retryPolicyOf(delivery.target);
    if (!onTime && now - delivery.occurrence > maximumEventAgeMs) {
      this.deadLetter(
        delivery,
        delivery.lastError ?? { code: 'EventTooOld', message: 'MaximumEventAgeInSeconds exceeded' },
      );
      return;
    }
    // Persisted before the call: if the process dies mid-attempt, the lease expires and start-up retries it.
    this.store.putDelivery({ ...delivery, dueAt: now + ATTEMPT_LEASE_MS });
    const running = invokeTarget(
      this.ports,
      delivery.target,
      invocationContext(delivery, delivery.attempts + 1),
    ).then(
      () => this.store.deleteDelivery(delivery.id),
      (error: unknown) => this.failed(delivery, describeFailure(error)),
    );
    this.track(running.finally(() => this.rearm()));
  }

  private failed(delivery: PendingDelivery, failure: DeliveryFailure): void {
    if (this.stopped) return;
    const attempts = delivery.attempts + 1;
    const decision = afterFailedAttempt(
      retryPolicyOf(delivery.target),
      attempts,
      delivery.occurrence,
      this.clock.now(),
    );
    if ('retryAt' in decision) {
      this.store.putDelivery({ ...delivery, attempts, dueAt: decision.retryAt, lastError: failure });
      return;
    }
    this.deadLetter({ ...delivery, attempts }, failure);
  }

  private deadLetter(delivery: PendingDelivery, failure: DeliveryFailure): void {
    this.store.deleteDelivery(delivery.id);
    const queueArn = delivery.target.DeadLetterConfig?.Arn;
    if (!queueArn) return;
    const sending = this.ports
      .sendToQueue(
        queueArn,
        targetInput(delivery.target, invocationContext(delivery, delivery.attempts)),
        deadLetterAttributes(delivery, delivery.attempts, failure),
      )
      .catch((error: unknown) => {
        // A dead-letter queue that refuses the message leaves nowhere else to put it; say so instead of hiding it.
        console.error(
          `scheduler: dead-letter queue ${queueArn} refused a message:`,
          describeFailure(error).message,
        );
      });
    this.track(sending);
  }

  private track(promise: Promise<void>): void {
    this.inFlight.add(promise);
    void promise.finally(() => this.inFlight.delete(promise));
  }
}

/** The context attributes of one attempt of a delivery. */
const invocationContext = (delivery: PendingDelivery, attemptNumber: number): InvocationContext => ({
  scheduleArn: delivery.scheduleArn,
  scheduledTime: delivery.occurrence,
  attemptNumber,
});

const timeZoneOf = (schedule: ScheduleDefinition): string => schedule.ScheduleExpressionTimezone ?? 'UTC';
