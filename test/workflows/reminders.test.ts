/**
 * The reminder workflows on the local engine, through a started local cloud running the real app: requests
 * and changes published on the bus, the lifecycle and delivery state machines, Scheduler at() schedules in
 * the person's zone, the send function against the Graph stand-in and the local SES inbox. Time moves only
 * when a test moves the shared (manual) clock; what happened is read from the schedules, the executions'
 * histories, the table, the bus (an SQS tap) and the schedules' dead-letter queue.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { resolveWallTime, wallTimeAt } from '../../functions/shared/reminders/zoned';
import { ulid } from '../../functions/shared/ulid';
import { useTestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';
import {
  awaitEvents,
  DELIVERY,
  eventsOf,
  type Firing,
  LIFECYCLE,
  type Person,
  reminderDriver,
} from './reminder-helpers';

const test = useTestCloud({ app: true });
let r: ReturnType<typeof reminderDriver>;

beforeAll(() => {
  r = reminderDriver(test);
});

const PARIS = 'Europe/Paris';
const MINUTE = 60_000;
const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
/** How the workflows write a time for people: `Mon 23 Nov 09:00`, with the year when it is not this one. */
const spoken = (local: string) => `\\w{3} \\d{1,2} \\w{3}(?: \\d{4})? ${local.slice(11, 16)}`;

/** A wall time in Paris `minutes` from now (to the minute) and its instant. */
function dueIn(minutes: number): { local: string; at: string } {
  const at = new Date(Math.ceil((r.now() + minutes * MINUTE) / MINUTE) * MINUTE).toISOString();
  return { local: wallTimeAt(at, PARIS), at };
}

/** The instant of a Paris wall time, as the plan resolves it. */
const parisInstant = (local: string) => resolveWallTime(local, PARIS).dueAt;

/** Tomorrow's date in Paris at `time` (HH:mm). */
const tomorrowAt = (time: string) =>
  `${wallTimeAt(new Date(r.now() + 86_400_000).toISOString(), PARIS).slice(0, 10)}T${time}`;

/** A new person who has just written to the Page (the 24-hour Messenger window is open). */
async function someone(profile: { email?: string } = {}): Promise<Person> {
  const person = r.newPerson();
  await r.personWrites(person);
  await r.setUser(person, profile);
  return person;
}

/** The person writes a minute before `instant`, then the clock reaches it. */
async function reachWhileTalking(person: Person, instant: string): Promise<void> {
  await r.setClock(Date.parse(instant) - MINUTE);
  await r.personWrites(person);
  await r.setClock(instant);
}

/**
 * A one-off due in an hour whose delivery Graph refuses on every attempt (the stand-in answers the Page's
 * token as invalid, code 190: not retryable, so the send function fails at once): returns the execution,
 * run through its retries.
 */
async function failedDelivery(title: string) {
  const person = await someone();
  const collected = await r.watchEvents();
  const due = dueIn(60);
  const reminderId = await r.created(person, { title, dueLocal: due.local, timeZone: PARIS });
  await r.told(person.psid, new RegExp(`^Scheduled: ${title}`));
  // The first attempt and the Deliver state's 4 retries.
  await r.failNextSends(5, {
    code: 190,
    type: 'OAuthException',
    message: 'Invalid OAuth access token - Cannot parse access token',
  });
  await r.setClock(due.at);
  const [started] = await eventually(async () => {
    const found = await r.executions(DELIVERY, reminderId);
    return found.length > 0 ? found : undefined;
  });
  const execution = await r.finishThroughRetries(started?.executionArn ?? '');
  return { person, collected, due, reminderId, execution };
}

/** The schedules' dead-letter messages about one reminder. */
function deadLettersFor(reminderId: string) {
  return eventually(
    async () => {
      const found = (await r.deadLettered()).filter(
        (letter) => (letter.firing as Firing | undefined)?.reminderId === reminderId,
      );
      return found.length > 0 ? found : undefined;
    },
    10_000,
    `a dead letter for ${reminderId}`,
  );
}

describe('reminder workflows', () => {
  it("a one-off: stored pending with one schedule in the person's zone, told, delivered once on Messenger and by email when due, then done", async () => {
    const email = `ada-${Date.now()}@example.com`;
    const person = await someone({ email });
    const collected = await r.watchEvents();
    const due = dueIn(120);

    const requestId = await r.request(person, {
      title: 'call mum',
      dueLocal: due.local,
      timeZone: PARIS,
      deliverBy: ['messenger', 'email'],
    });
    const [lifecycle] = await r.handled(requestId);
    expect(lifecycle).toMatchObject({
      status: 'SUCCEEDED',
      output: { outcome: 'scheduled', reminderId: expect.stringMatching(ULID) },
    });
    const reminderId = lifecycle?.output?.reminderId as string;
    expect(lifecycle?.states).toEqual([
      'Route',
      'CountPending',
      'PlanCreate',
      'Accepted',
      'Persist',
      'CreateSchedule',
      'Scheduled',
      'PublishScheduled',
      'TellOutcome',
      'Tell',
      'TellOnMessenger',
      'Told',
      'Done',
    ]);
    expect(await r.reminder(reminderId)).toMatchObject({
      reminderId,
      userId: person.userId,
      psid: person.psid,
      requestId,
      title: 'call mum',
      timeZone: PARIS,
      status: 'pending',
      version: 1,
      occurrenceAt: due.at,
      nextDueAt: due.at,
      deliverBy: ['messenger', 'email'],
      GSI1PK: `USER#${person.userId}`,
    });
    const schedules = await r.schedules(reminderId);
    expect(schedules).toEqual([
      expect.objectContaining({
        Name: `${reminderId}-v1`,
        ScheduleExpression: `at(${due.local}:00)`,
        ScheduleExpressionTimezone: PARIS,
        ActionAfterCompletion: 'DELETE',
        firing: { reminderId, version: 1, occurrence: due.at },
      }),
    ]);
    expect(schedules[0]?.Target?.Arn).toMatch(/:stateMachine:aurora-dev-reminder-delivery$/);
    const [scheduled, ...moreScheduled] = await awaitEvents(collected, 'ReminderScheduled', reminderId);
    expect(moreScheduled).toEqual([]);
    expect(scheduled?.detail).toMatchObject({
      schemaVersion: 1,
      reminderId,
      userId: person.userId,
      version: 1,
      title: 'call mum',
      dueAt: due.at,
      dueLocal: due.local,
      timeZone: PARIS,
    });
    expect(await r.texts(person.psid)).toEqual([
      expect.stringMatching(new RegExp(`^Scheduled: call mum, ${spoken(due.local)} Europe/Paris$`)),
    ]);

    // Due: the schedule fires the delivery workflow, which sends on both channels.
    await r.setClock(due.at);
    const [delivery] = await r.settled(DELIVERY, reminderId, 1);
    expect(delivery?.status).toBe('SUCCEEDED');
    expect(delivery?.input).toEqual({ reminderId, version: 1, occurrence: due.at });
    expect(delivery?.states).toEqual([
      'LoadReminder',
      'LoadDeliveryRecord',
      'Current',
      'Deliver',
      'Delivered',
      'PublishDelivered',
      'MoveOn',
      'Advance',
      'SaveAdvance',
      'Recurs',
      'Finished',
      'Complete',
    ]);
    const sends = await r.deliveries(person.psid);
    expect(sends).toHaveLength(1);
    expect(sends[0]).toMatchObject({ messaging_type: 'RESPONSE', at: due.at });
    expect(sends[0]?.message?.text).toMatch(
      new RegExp(`^⏰ Reminder: call mum \\(${spoken(due.local)} Europe/Paris\\)$`),
    );
    expect(sends[0]?.message?.quick_replies?.map((reply) => reply.payload)).toEqual([
      `snooze ${reminderId}@${due.at} 10m`,
      `snooze ${reminderId}@${due.at} 1h`,
      `snooze ${reminderId}@${due.at} tomorrow`,
      `done ${reminderId}`,
    ]);
    const mails = await r.mails(email);
    expect(mails).toHaveLength(1);
    expect(mails[0]).toMatchObject({ to: [email], subject: 'Reminder: call mum' });
    expect(mails[0]?.text).toContain('Europe/Paris');

    const delivered = await awaitEvents(collected, 'ReminderDelivered', reminderId, 2);
    expect(delivered.map((event) => event.detail.deliveredVia).sort()).toEqual(['email', 'messenger']);
    for (const { detail } of delivered) {
      expect(detail).toMatchObject({ reminderId, userId: person.userId, version: 1, scheduledFor: due.at });
      expect(detail.latenessMs).toBeGreaterThanOrEqual(0);
      expect(detail.latenessMs).toBeLessThan(MINUTE);
      expect(Date.parse(String(detail.deliveredAt)) - Date.parse(due.at)).toBe(detail.latenessMs);
    }
    const done = await r.reminder(reminderId);
    expect(done).toMatchObject({ status: 'delivered', version: 2, lastDeliveredOccurrence: due.at });
    expect(done).not.toHaveProperty('GSI1PK');
    expect(await r.deliveryRecord(reminderId, due.at)).toMatchObject({
      status: 'delivered',
      sent: ['messenger', 'email'],
      executionId: delivery?.executionArn,
    });
    expect(await r.schedules(reminderId)).toEqual([]);

    // Later jumps send nothing more.
    await r.advance('PT1H');
    await r.advance('P1D');
    expect(await r.quiet(DELIVERY, reminderId)).toHaveLength(1);
    expect(await r.deliveries(person.psid)).toHaveLength(1);
    expect(await r.mails(email)).toHaveLength(1);
    expect(await eventsOf(collected, 'ReminderDelivered', reminderId)).toHaveLength(2);
  });

  it('a snooze before the due time fires an hour later, not at the original time, and the daily series keeps its 09:00 cadence', async () => {
    const person = await someone();
    const collected = await r.watchEvents();
    const first = tomorrowAt('09:00');
    const firstAt = parisInstant(first);
    const reminderId = await r.created(person, {
      title: 'stretch',
      dueLocal: first,
      timeZone: PARIS,
      rrule: 'FREQ=DAILY',
    });

    const snooze = await r.changed(person, reminderId, 'snooze', { snoozeMinutes: 60 });
    expect(snooze).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'snooze', reminderId } });
    const snoozedLocal = `${first.slice(0, 10)}T10:00`;
    const snoozedAt = parisInstant(snoozedLocal);
    expect(await r.reminder(reminderId)).toMatchObject({
      version: 2,
      status: 'pending',
      occurrenceAt: firstAt,
      nextDueAt: snoozedAt,
    });
    expect(await r.schedules(reminderId)).toEqual([
      expect.objectContaining({
        Name: `${reminderId}-v2`,
        ScheduleExpression: `at(${snoozedLocal}:00)`,
        ScheduleExpressionTimezone: PARIS,
        firing: { reminderId, version: 2, occurrence: snoozedAt },
      }),
    ]);
    const [snoozed] = await awaitEvents(collected, 'ReminderSnoozed', reminderId);
    expect(snoozed?.detail).toMatchObject({
      reminderId,
      userId: person.userId,
      version: 2,
      dueAt: snoozedAt,
    });
    await r.told(person.psid, new RegExp(`^Snoozed: stretch, until ${spoken(snoozedLocal)} Europe/Paris`));

    // The original time passes in silence.
    await reachWhileTalking(person, firstAt);
    expect(await r.quiet(DELIVERY, reminderId)).toEqual([]);
    expect(await r.deliveries(person.psid)).toEqual([]);

    // An hour later it fires.
    await reachWhileTalking(person, snoozedAt);
    const [delivery] = await r.settled(DELIVERY, reminderId, 1);
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'delivered' } });
    expect((await r.deliveries(person.psid)).map((send) => send.at)).toEqual([snoozedAt]);

    // The series goes on at 09:00 the next day, not 10:00.
    const second = `${wallTimeAt(new Date(Date.parse(firstAt) + 86_400_000).toISOString(), PARIS).slice(0, 10)}T09:00`;
    const secondAt = parisInstant(second);
    expect(delivery?.output?.next).toBe(secondAt);
    expect(await r.reminder(reminderId)).toMatchObject({
      version: 3,
      status: 'pending',
      occurrenceAt: secondAt,
      nextDueAt: secondAt,
      lastDeliveredOccurrence: snoozedAt,
    });
    expect(await r.schedules(reminderId)).toEqual([
      expect.objectContaining({ Name: `${reminderId}-v3`, ScheduleExpression: `at(${second}:00)` }),
    ]);
    await reachWhileTalking(person, secondAt);
    await r.settled(DELIVERY, reminderId, 2);
    expect((await r.deliveries(person.psid)).map((send) => send.at)).toEqual([snoozedAt, secondAt]);

    await r.changed(person, reminderId, 'cancel');
  });

  it('a weekly event’s reminder fires 15 minutes before each start and says when the event starts', async () => {
    const person = await someone();
    const eventId = ulid();
    const start = dueIn(120);
    const fireAt = new Date(Date.parse(start.at) - 15 * MINUTE).toISOString();
    const fireLocal = wallTimeAt(fireAt, PARIS);
    const reminderId = await r.created(person, {
      title: 'Team sync',
      dueLocal: start.local,
      timeZone: PARIS,
      rrule: 'FREQ=WEEKLY',
      leadTime: 'PT15M',
      eventId,
    });
    expect(await r.reminder(reminderId)).toMatchObject({
      occurrenceAt: start.at,
      nextDueAt: fireAt,
      leadTime: 'PT15M',
      eventId,
      startLocal: start.local,
    });
    expect(await r.schedules(reminderId)).toEqual([
      expect.objectContaining({
        ScheduleExpression: `at(${fireLocal}:00)`,
        firing: { reminderId, version: 1, occurrence: fireAt },
      }),
    ]);
    const startsAt = `starts (?:on .+ )?at ${start.local.slice(11, 16)}`;
    await r.told(
      person.psid,
      new RegExp(
        `^Scheduled: Team sync, ${spoken(fireLocal)} Europe/Paris \\(15 min before it ${startsAt}\\), then every week$`,
      ),
    );

    await reachWhileTalking(person, fireAt);
    const [delivery] = await r.settled(DELIVERY, reminderId, 1);
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'delivered' } });
    const [sent] = await r.deliveries(person.psid);
    expect(sent?.message?.text).toMatch(
      new RegExp(`^⏰ Reminder: Team sync ${startsAt} \\(in 15 minutes\\)$`),
    );

    // Next week's start, and 15 minutes before it.
    const nextAt = parisInstant(
      `${wallTimeAt(new Date(Date.parse(start.at) + 7 * 86_400_000).toISOString(), PARIS).slice(0, 10)}T${start.local.slice(11, 16)}`,
    );
    const nextFire = new Date(Date.parse(nextAt) - 15 * MINUTE).toISOString();
    expect(delivery?.output?.next).toBe(nextFire);
    expect(await r.reminder(reminderId)).toMatchObject({
      version: 2,
      occurrenceAt: nextAt,
      nextDueAt: nextFire,
      lastDeliveredOccurrence: fireAt,
    });
    await r.changed(person, reminderId, 'cancel');
  });

  it('a cancel before the due time deletes the schedule, publishes ReminderCancelled, and nothing is delivered', async () => {
    const person = await someone();
    const collected = await r.watchEvents();
    const due = dueIn(90);
    const reminderId = await r.created(person, {
      title: 'water plants',
      dueLocal: due.local,
      timeZone: PARIS,
    });
    expect(await r.schedules(reminderId)).toHaveLength(1);

    const cancel = await r.changed(person, reminderId, 'cancel');
    expect(cancel).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'cancel', reminderId } });
    expect(cancel.states).toContain('DeleteStaleSchedule');
    expect(await r.schedules(reminderId)).toEqual([]);
    const item = await r.reminder(reminderId);
    expect(item).toMatchObject({ status: 'cancelled', version: 2 });
    expect(item).not.toHaveProperty('GSI1PK');
    const [cancelled, ...more] = await awaitEvents(collected, 'ReminderCancelled', reminderId);
    expect(more).toEqual([]);
    expect(cancelled?.detail).toMatchObject({ schemaVersion: 1, reminderId, userId: person.userId });
    await r.told(person.psid, /^Cancelled: water plants\.$/);

    // Cancelling it again, or cancelling a reminder that does not exist, changes nothing and says why.
    const again = await r.changed(person, reminderId, 'cancel');
    expect(again).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'refused' } });
    await r.told(person.psid, /^“water plants” is not pending any more\.$/);
    const unknown = await r.changed(person, ulid(r.now()), 'cancel');
    expect(unknown).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'refused', reminderId: null } });
    await r.told(person.psid, /^I cannot find that reminder\. Type list to see yours\.$/);
    expect(await r.reminder(reminderId)).toMatchObject({ status: 'cancelled', version: 2 });

    await r.setClock(Date.parse(due.at) + MINUTE);
    await r.advance('PT6H');
    expect(await r.quiet(DELIVERY, reminderId)).toEqual([]);
    expect(await r.deliveries(person.psid)).toEqual([]);
  });

  it('a reschedule moves the reminder to the new time; the old time sends nothing', async () => {
    const person = await someone();
    const collected = await r.watchEvents();
    const old = dueIn(60);
    const moved = dueIn(180);
    const reminderId = await r.created(person, {
      title: 'pick up parcel',
      dueLocal: old.local,
      timeZone: PARIS,
    });

    const change = await r.changed(person, reminderId, 'reschedule', { dueLocal: moved.local });
    expect(change).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'reschedule' } });
    expect(await r.schedules(reminderId)).toEqual([
      expect.objectContaining({
        Name: `${reminderId}-v2`,
        ScheduleExpression: `at(${moved.local}:00)`,
        ScheduleExpressionTimezone: PARIS,
        firing: { reminderId, version: 2, occurrence: moved.at },
      }),
    ]);
    const [rescheduled] = await awaitEvents(collected, 'ReminderRescheduled', reminderId);
    expect(rescheduled?.detail).toMatchObject({
      reminderId,
      version: 2,
      dueAt: moved.at,
      dueLocal: moved.local,
      timeZone: PARIS,
    });
    await r.told(
      person.psid,
      new RegExp(`^Rescheduled: pick up parcel, ${spoken(moved.local)} Europe/Paris\\.$`),
    );

    await r.setClock(old.at);
    await r.advance('PT1M');
    expect(await r.quiet(DELIVERY, reminderId)).toEqual([]);
    expect(await r.deliveries(person.psid)).toEqual([]);

    await r.setClock(moved.at);
    const [delivery] = await r.settled(DELIVERY, reminderId, 1);
    expect(delivery).toMatchObject({ status: 'SUCCEEDED', input: { version: 2, occurrence: moved.at } });
    const sends = await r.deliveries(person.psid);
    expect(sends.map((send) => send.at)).toEqual([moved.at]);
    expect(sends[0]?.message?.text).toContain(moved.local.slice(11));
    expect(await r.reminder(reminderId)).toMatchObject({
      status: 'delivered',
      lastDeliveredOccurrence: moved.at,
    });
  });

  it('drops a stale firing (old version, other occurrence, cancelled, deleted) with ReminderDropped and sends nothing', async () => {
    const person = await someone();
    const collected = await r.watchEvents();
    const due = dueIn(120);
    const reminderId = await r.created(person, { title: 'dentist', dueLocal: due.local, timeZone: PARIS });
    await r.changed(person, reminderId, 'edit', { title: 'dentist at 3' });
    expect(await r.reminder(reminderId)).toMatchObject({
      version: 2,
      title: 'dentist at 3',
      nextDueAt: due.at,
    });

    const dropped = async (firing: { reminderId: string; version: number; occurrence: string }) => {
      const execution = await r.finishThroughRetries(await r.startDelivery(firing));
      expect(execution.status).toBe('SUCCEEDED');
      expect(execution.states).toEqual([
        'LoadReminder',
        'LoadDeliveryRecord',
        'Current',
        'RecordDropped',
        'StaleFiringDropped',
      ]);
      return execution.output?.reason;
    };
    expect(await dropped({ reminderId, version: 1, occurrence: due.at })).toBe('stale-version');
    expect(
      await dropped({
        reminderId,
        version: 2,
        occurrence: new Date(Date.parse(due.at) - MINUTE).toISOString(),
      }),
    ).toBe('stale-version');
    await r.changed(person, reminderId, 'cancel');
    expect(await dropped({ reminderId, version: 3, occurrence: due.at })).toBe('cancelled');
    const unknown = ulid(r.now());
    expect(await dropped({ reminderId: unknown, version: 1, occurrence: due.at })).toBe('deleted');

    const events = await awaitEvents(collected, 'ReminderDropped', reminderId, 3);
    expect(events.map((event) => [event.detail.version, event.detail.reason])).toEqual([
      [1, 'stale-version'],
      [2, 'stale-version'],
      [3, 'cancelled'],
    ]);
    for (const { detail } of events) {
      expect(detail).toMatchObject({
        schemaVersion: 1,
        userId: person.userId,
        droppedAt: expect.any(String),
      });
    }
    const [gone] = await awaitEvents(collected, 'ReminderDropped', unknown);
    expect(gone?.detail).toMatchObject({ reminderId: unknown, reason: 'deleted' });
    expect(gone?.detail).not.toHaveProperty('userId');
    expect(await r.deliveries(person.psid)).toEqual([]);
    expect(await r.deliveryRecord(reminderId, due.at)).toBeUndefined();
  });

  it('a send that keeps failing is retried with backoff, then ReminderFailed, the firing in the dead-letter queue, and the execution FAILED', async () => {
    const { person, collected, due, reminderId, execution } = await failedDelivery('renew passport');

    const failures = execution.history.filter((event) => event.type === 'TaskFailed');
    expect(failures).toHaveLength(5);
    for (const failure of failures) {
      expect(failure.taskFailedEventDetails?.cause).toContain('Messenger refused the reminder: 400');
    }
    expect(execution.states).toEqual([
      'LoadReminder',
      'LoadDeliveryRecord',
      'Current',
      'Deliver',
      'RecordFailure',
      'MarkFailed',
      'KeepForRedrive',
      'MoveOn',
      'Advance',
      'SaveAdvance',
      'Recurs',
      'Finished',
      'DeliveryFailed',
    ]);
    expect(execution).toMatchObject({ status: 'FAILED', error: 'Reminder.DeliveryFailed' });
    expect(execution.cause).toContain('Invalid OAuth access token');

    const [failed] = await awaitEvents(collected, 'ReminderFailed', reminderId);
    expect(failed?.detail).toMatchObject({
      schemaVersion: 1,
      reminderId,
      userId: person.userId,
      version: 1,
      scheduledFor: due.at,
      reason: expect.stringContaining('Messenger refused the reminder'),
    });
    expect(await deadLettersFor(reminderId)).toEqual([
      {
        firing: { reminderId, version: 1, occurrence: due.at },
        error: 'Error',
        cause: expect.stringContaining('Invalid OAuth access token'),
        execution: execution.executionArn,
      },
    ]);
    expect(await r.deliveries(person.psid)).toEqual([]);
    expect(await eventsOf(collected, 'ReminderDelivered', reminderId)).toEqual([]);
  });

  it('once Graph answers again, a new execution with the dead-lettered firing delivers it once', async () => {
    const { person, reminderId } = await failedDelivery('tax return');
    const [letter] = await deadLettersFor(reminderId);
    await r.personWrites(person);
    const restart = await r.finishThroughRetries(await r.startDelivery(letter?.firing as Firing));
    expect(restart.output).toMatchObject({ outcome: 'delivered' });
    expect(restart.states).toContain('MoveOn');
    expect(restart.states).not.toContain('Advance');
    expect(await r.deliveries(person.psid)).toHaveLength(1);
    // Started once more, the same firing finds the occurrence delivered and sends nothing.
    const again = await r.finishThroughRetries(await r.startDelivery(letter?.firing as Firing));
    expect(again.output).toMatchObject({ outcome: 'dropped' });
    expect(await r.deliveries(person.psid)).toHaveLength(1);
  });

  it('a firing delivered by two executions at once sends one message; the other ends in DuplicateFiring', async () => {
    const person = await someone();
    const due = dueIn(60);
    const reminderId = await r.created(person, { title: 'feed cat', dueLocal: due.local, timeZone: PARIS });
    const firing = { reminderId, version: 1, occurrence: due.at };

    const arns = await Promise.all([r.startDelivery(firing), r.startDelivery(firing)]);
    const executions = await Promise.all(arns.map((arn) => r.finishThroughRetries(arn)));
    expect(executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const outcomes = executions.map((execution) => execution.states.at(-1)).sort();
    expect(outcomes).toEqual(['Complete', 'DuplicateFiring']);
    const owner = executions.find((execution) => execution.states.at(-1) === 'Complete');
    expect(await r.deliveryRecord(reminderId, due.at)).toMatchObject({
      status: 'delivered',
      executionId: owner?.executionArn,
    });
    expect(await r.deliveries(person.psid)).toHaveLength(1);

    // The schedule's own firing at the due time finds the occurrence handled.
    await r.setClock(due.at);
    const all = await r.settled(DELIVERY, reminderId, 3);
    expect(all.at(-1)?.output).toEqual({ outcome: 'dropped', reason: 'stale-version' });
    expect(await r.deliveries(person.psid)).toHaveLength(1);
  });

  it('a ReminderRequested delivered twice (same requestId) makes one reminder and one schedule, and tells once', async () => {
    const person = await someone();
    const collected = await r.watchEvents();
    const due = dueIn(120);
    const detail = {
      title: 'book flights',
      dueLocal: due.local,
      timeZone: PARIS,
      requestId: `req-${Date.now()}`,
    };
    const time = new Date(r.now());
    await r.request(person, detail, { time });
    await r.request(person, detail, { time });

    const executions = await r.handled(detail.requestId, 2);
    expect(executions.map((execution) => execution.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(executions.map((execution) => execution.states.at(-1)).sort()).toEqual([
      'Done',
      'DuplicateRequest',
    ]);
    const reminderId = executions.find((execution) => execution.states.at(-1) === 'Done')?.output
      ?.reminderId as string;
    expect(reminderId).toMatch(ULID);
    expect(await r.schedules(reminderId)).toHaveLength(1);
    expect(await r.reminder(reminderId)).toMatchObject({
      version: 1,
      status: 'pending',
      requestId: detail.requestId,
    });
    await awaitEvents(collected, 'ReminderScheduled', reminderId);
    await r.quiet(LIFECYCLE, detail.requestId);
    expect(await eventsOf(collected, 'ReminderScheduled', reminderId)).toHaveLength(1);
    expect(
      (await r.texts(person.psid)).filter((text) => text.startsWith('Scheduled: book flights')),
    ).toHaveLength(1);

    await r.changed(person, reminderId, 'cancel');
  });

  it('a daily 09:00 in Paris arrives at 09:00 local across spring-forward (08:00Z → 07:00Z) and fall-back (07:00Z → 08:00Z)', async () => {
    // Last in the file: it moves the shared clock to 2027.
    const person = await someone();
    const series = async (from: string, firings: readonly [string, string][], then: [string, string]) => {
      await r.setClock(Date.parse(parisInstant(from)) - 20 * 3_600_000);
      await r.personWrites(person);
      const reminderId = await r.created(person, {
        title: 'vitamins',
        dueLocal: from,
        timeZone: PARIS,
        rrule: 'FREQ=DAILY',
      });
      for (const [index, [local, utc]] of firings.entries()) {
        const [schedule, ...others] = await r.schedules(reminderId);
        expect(others).toEqual([]);
        expect(schedule).toMatchObject({
          ScheduleExpression: `at(${local}:00)`,
          ScheduleExpressionTimezone: PARIS,
          firing: { reminderId, occurrence: utc },
        });
        await reachWhileTalking(person, utc);
        const executions = await r.settled(DELIVERY, reminderId, index + 1);
        expect(executions.at(-1)).toMatchObject({ status: 'SUCCEEDED', output: { outcome: 'delivered' } });
      }
      const [next] = await r.schedules(reminderId);
      expect(next).toMatchObject({
        ScheduleExpression: `at(${then[0]}:00)`,
        firing: { occurrence: then[1] },
      });
      await r.changed(person, reminderId, 'cancel');
      return reminderId;
    };

    await series(
      '2027-03-27T09:00',
      [
        ['2027-03-27T09:00', '2027-03-27T08:00:00.000Z'],
        ['2027-03-28T09:00', '2027-03-28T07:00:00.000Z'],
      ],
      ['2027-03-29T09:00', '2027-03-29T07:00:00.000Z'],
    );
    await series(
      '2027-10-30T09:00',
      [
        ['2027-10-30T09:00', '2027-10-30T07:00:00.000Z'],
        ['2027-10-31T09:00', '2027-10-31T08:00:00.000Z'],
      ],
      ['2027-11-01T09:00', '2027-11-01T08:00:00.000Z'],
    );
    const sends = await r.deliveries(person.psid);
    expect(sends.map((send) => send.at)).toEqual([
      '2027-03-27T08:00:00.000Z',
      '2027-03-28T07:00:00.000Z',
      '2027-10-30T07:00:00.000Z',
      '2027-10-31T08:00:00.000Z',
    ]);
    for (const send of sends)
      expect(send.message?.text).toMatch(
        /^⏰ Reminder: vitamins \(\w{3} \d{1,2} \w{3} 09:00 Europe\/Paris\)$/,
      );
  });
});
