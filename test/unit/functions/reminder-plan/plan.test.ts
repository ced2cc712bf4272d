import { describe, expect, it } from 'vitest';
import type {
  ReminderChangeRequestedDetail,
  ReminderRequestedDetail,
} from '../../../../events-schema/generated/types';
import { planAdvance, planChange, planCreate } from '../../../../functions/reminder-plan/plan';
import type { Reminder } from '../../../../functions/shared/reminders/model';

const userId = '01KAQ7R7Q8F3M6Y2V9T0C4N5ZC';
const request: ReminderRequestedDetail = {
  schemaVersion: 1,
  requestId: '01KAQ7R7Q8F3M6Y2V9T0C4N5ZD',
  userId,
  channel: 'messenger',
  psid: '1254477777772919',
  title: 'call mum',
  dueLocal: '2026-12-05T09:00',
  timeZone: 'Europe/Paris',
  anchor: 'wall',
  deliverBy: ['messenger'],
};
const now = '2026-12-02T12:00:00.000Z';
const context = { now, requestedAt: now, pendingCount: 0 };

function created(overrides: Partial<ReminderRequestedDetail> = {}): Reminder {
  const plan = planCreate({ ...request, ...overrides }, context);
  if (!plan.ok) throw new Error(plan.reply);
  return plan.reminder;
}

const changeOf = (
  reminder: Reminder,
  fields: Partial<ReminderChangeRequestedDetail>,
): ReminderChangeRequestedDetail => ({
  schemaVersion: 1,
  requestId: 'c-1',
  reminderId: reminder.reminderId,
  userId,
  channel: 'messenger',
  change: 'cancel',
  requestedAt: now,
  ...fields,
});

describe('planCreate', () => {
  it('stores the wall time in the zone, schedules at() in that zone, and names the reminder after the request', () => {
    const plan = planCreate(request, context);
    expect(plan.ok).toBe(true);
    if (!plan.ok) return;
    expect(plan.reminder).toMatchObject({
      nextDueAt: '2026-12-05T08:00:00.000Z',
      occurrenceAt: '2026-12-05T08:00:00.000Z',
      startLocal: '2026-12-05T09:00',
      version: 1,
      status: 'pending',
      GSI1PK: `USER#${userId}`,
      GSI1SK: `2026-12-05T08:00:00.000Z#${plan.reminder.reminderId}`,
    });
    expect(plan.schedule).toEqual({
      Name: `${plan.reminder.reminderId}-v1`,
      ScheduleExpression: 'at(2026-12-05T09:00:00)',
      ScheduleExpressionTimezone: 'Europe/Paris',
      ClientToken: `${plan.reminder.reminderId}-v1`,
      Input: JSON.stringify({
        reminderId: plan.reminder.reminderId,
        version: 1,
        occurrence: '2026-12-05T08:00:00.000Z',
      }),
    });
    expect(plan.reply).toBe('Scheduled: call mum, Sat 5 Dec 09:00 Europe/Paris');
    const again = planCreate(request, { ...context, now: '2026-12-02T12:00:05.000Z' });
    expect(again.ok && again.reminder.reminderId).toBe(plan.reminder.reminderId);
    const other = planCreate({ ...request, requestId: 'another' }, context);
    expect(other.ok && other.reminder.reminderId).not.toBe(plan.reminder.reminderId);
  });

  it('moves a wall time in the spring-forward gap forward by the gap', () => {
    const reminder = created({ dueLocal: '2027-03-28T02:30' });
    expect(reminder.nextDueAt).toBe('2027-03-28T01:30:00.000Z');
    expect(reminder.startLocal).toBe('2027-03-28T03:30');
  });

  it('refuses a time that has passed, a bad rule, an unknown zone and the 501st reminder, naming each', () => {
    expect(planCreate({ ...request, dueLocal: '2026-12-02T12:30' }, context)).toEqual({
      ok: false,
      reply: 'Wed 2 Dec 12:30 Europe/Paris has already passed. Try a later time.',
    });
    expect(planCreate({ ...request, timeZone: 'Mars/Olympus_Mons' }, context)).toMatchObject({
      ok: false,
      reply: expect.stringContaining('Mars/Olympus_Mons'),
    });
    expect(planCreate({ ...request, rrule: 'FREQ=DAILY;INTERVAL=0' }, context)).toMatchObject({
      ok: false,
      reply: expect.stringMatching(/^I cannot repeat it that way: .*INTERVAL/),
    });
    expect(planCreate(request, { ...context, pendingCount: 500 })).toMatchObject({
      ok: false,
      reply: expect.stringContaining('500 pending reminders'),
    });
  });
});

describe('planChange', () => {
  const reminder = created();

  it('cancel bumps the version, leaves the list and deletes the old schedule', () => {
    const plan = planChange(reminder, changeOf(reminder, { change: 'cancel' }), now);
    expect(plan).toMatchObject({
      ok: true,
      expectedVersion: 1,
      staleSchedule: `${reminder.reminderId}-v1`,
      event: { detailType: 'ReminderCancelled' },
      reply: 'Cancelled: call mum.',
    });
    if (!plan.ok) return;
    expect(plan.reminder).toMatchObject({ version: 2, status: 'cancelled' });
    expect(plan.reminder.GSI1PK).toBeUndefined();
    expect(plan.schedule).toBeUndefined();
  });

  it('snooze moves only this firing; the series keeps its occurrence', () => {
    const daily = created({ rrule: 'FREQ=DAILY' });
    const plan = planChange(daily, changeOf(daily, { change: 'snooze', snoozeMinutes: 60 }), now);
    if (!plan.ok) throw new Error(plan.reply);
    expect(plan.reminder).toMatchObject({
      version: 2,
      nextDueAt: '2026-12-05T09:00:00.000Z',
      occurrenceAt: '2026-12-05T08:00:00.000Z',
    });
    expect(plan.schedule?.Name).toBe(`${daily.reminderId}-v2`);
    expect(plan.staleSchedule).toBe(`${daily.reminderId}-v1`);
    // Fired at the snoozed time, the next one is the next day's 09:00, not 10:00.
    const next = planAdvance(
      plan.reminder,
      { reminderId: daily.reminderId, version: 2, occurrence: plan.reminder.nextDueAt },
      '2026-12-05T09:00:01.000Z',
    );
    expect(next.reminder.nextDueAt).toBe('2026-12-06T08:00:00.000Z');
  });

  it('snooze of a delivered one-off brings it back, counted from now', () => {
    const fired = planAdvance(
      reminder,
      { reminderId: reminder.reminderId, version: 1, occurrence: reminder.nextDueAt },
      '2026-12-05T08:00:01.000Z',
    ).reminder;
    expect(fired.status).toBe('delivered');
    const later = '2026-12-05T08:02:00.000Z';
    const plan = planChange(
      fired,
      changeOf(fired, { change: 'snooze', snoozeMinutes: 10, occurrence: reminder.nextDueAt }),
      later,
    );
    expect(plan.ok && plan.reminder).toMatchObject({
      status: 'pending',
      nextDueAt: '2026-12-05T08:12:00.000Z',
    });
    expect(plan.ok && plan.staleSchedule).toBeFalsy();
  });

  it('reschedule moves it to the new wall time; a time-zone change keeps a wall time and moves the instant', () => {
    const moved = planChange(
      reminder,
      changeOf(reminder, { change: 'reschedule', dueLocal: '2026-12-06T18:00' }),
      now,
    );
    expect(moved.ok && moved.reminder).toMatchObject({ nextDueAt: '2026-12-06T17:00:00.000Z', version: 2 });
    const zoned = planChange(
      reminder,
      changeOf(reminder, { change: 'timezone', timeZone: 'America/New_York' }),
      now,
    );
    expect(zoned.ok && zoned.reminder).toMatchObject({
      nextDueAt: '2026-12-05T14:00:00.000Z',
      timeZone: 'America/New_York',
    });
    expect(zoned.ok && zoned.schedule?.ScheduleExpression).toBe('at(2026-12-05T09:00:00)');
    const instant = created({ anchor: 'instant' });
    const kept = planChange(
      instant,
      changeOf(instant, { change: 'timezone', timeZone: 'America/New_York' }),
      now,
    );
    expect(kept.ok && kept.reminder.nextDueAt).toBe(instant.nextDueAt);
  });

  it('another person’s reminder reads as not found', () => {
    expect(
      planChange(reminder, { ...changeOf(reminder, {}), userId: '01KAQ7R7Q8F3M6Y2V9T0C4N5ZZ' }, now),
    ).toEqual({
      ok: false,
      reply: 'I cannot find that reminder. Type list to see yours.',
    });
    expect(planChange(undefined, changeOf(reminder, {}), now)).toMatchObject({ ok: false });
  });
});

describe('planAdvance', () => {
  it('keeps 09:00 Paris at 09:00 across the spring-forward and fall-back dates', () => {
    let reminder = created({ dueLocal: '2027-03-27T09:00', rrule: 'FREQ=DAILY' });
    const seen: string[] = [reminder.nextDueAt];
    for (let day = 0; day < 2; day++) {
      reminder = planAdvance(
        reminder,
        { reminderId: reminder.reminderId, version: reminder.version, occurrence: reminder.nextDueAt },
        reminder.nextDueAt,
      ).reminder;
      seen.push(reminder.nextDueAt);
    }
    expect(seen).toEqual([
      '2027-03-27T08:00:00.000Z',
      '2027-03-28T07:00:00.000Z',
      '2027-03-29T07:00:00.000Z',
    ]);

    let autumn = created({ dueLocal: '2027-10-30T09:00', rrule: 'FREQ=DAILY' });
    autumn = planAdvance(
      autumn,
      { reminderId: autumn.reminderId, version: 1, occurrence: autumn.nextDueAt },
      autumn.nextDueAt,
    ).reminder;
    expect(autumn.nextDueAt).toBe('2027-10-31T08:00:00.000Z');
    expect(autumn.version).toBe(2);
  });

  it('skips occurrences missed while down instead of replaying them', () => {
    const reminder = created({ rrule: 'FREQ=DAILY' });
    const late = planAdvance(
      reminder,
      { reminderId: reminder.reminderId, version: 1, occurrence: reminder.nextDueAt },
      '2026-12-08T10:00:00.000Z',
    );
    expect(late.reminder.nextDueAt).toBe('2026-12-09T08:00:00.000Z');
  });

  it('ends a series after its UNTIL', () => {
    const reminder = created({ rrule: 'FREQ=DAILY;UNTIL=20261205T235959Z' });
    const last = planAdvance(
      reminder,
      { reminderId: reminder.reminderId, version: 1, occurrence: reminder.nextDueAt },
      reminder.nextDueAt,
    );
    expect(last.reminder.status).toBe('delivered');
    expect(last.schedule).toBeUndefined();
  });
});

describe('lead time (a calendar event’s reminder)', () => {
  const eventId = '01KAQ7R7Q8F3M6Y2V9T0C4N5ZE';
  const event = (overrides: Partial<ReminderRequestedDetail>) =>
    created({ title: 'Team sync', eventId, leadTime: 'PT15M', ...overrides });
  const fire = (reminder: Reminder, at: string) =>
    planAdvance(
      reminder,
      { reminderId: reminder.reminderId, version: reminder.version, occurrence: reminder.nextDueAt },
      at,
    ).reminder;

  it('a one-off fires 15 minutes before the event: occurrenceAt is the start, nextDueAt the firing', () => {
    const plan = planCreate(
      { ...request, title: 'Team sync', eventId, leadTime: 'PT15M', dueLocal: '2026-12-03T10:00' },
      context,
    );
    if (!plan.ok) throw new Error(plan.reply);
    expect(plan.reminder).toMatchObject({
      occurrenceAt: '2026-12-03T09:00:00.000Z',
      nextDueAt: '2026-12-03T08:45:00.000Z',
      startLocal: '2026-12-03T10:00',
      leadTime: 'PT15M',
      eventId,
      GSI1SK: `2026-12-03T08:45:00.000Z#${plan.reminder.reminderId}`,
    });
    expect(plan.schedule.ScheduleExpression).toBe('at(2026-12-03T09:45:00)');
    expect(JSON.parse(plan.schedule.Input)).toMatchObject({ occurrence: '2026-12-03T08:45:00.000Z' });
    expect(plan.reply).toBe(
      'Scheduled: Team sync, Thu 3 Dec 09:45 Europe/Paris (15 min before it starts at 10:00)',
    );
    // Fired, a one-off is done.
    expect(fire(plan.reminder, '2026-12-03T08:45:01.000Z').status).toBe('delivered');
  });

  it('refuses a one-off whose firing has passed although the event has not, and a lead over 28 days', () => {
    expect(planCreate({ ...request, leadTime: 'PT15M', dueLocal: '2026-12-02T13:10' }, context)).toEqual({
      ok: false,
      reply: 'Wed 2 Dec 12:55 Europe/Paris (15 min before) has already passed. Try a later time.',
    });
    expect(planCreate({ ...request, leadTime: 'P29D' }, context)).toEqual({
      ok: false,
      reply: 'I cannot remind you then: a reminder can come at most 28 days before, not 29 days.',
    });
  });

  it('P1D before a 09:00 event is 09:00 the day before, across the DST changes of March and October 2026', () => {
    const spring = planCreate(
      { ...request, eventId, leadTime: 'P1D', dueLocal: '2026-03-29T09:00', rrule: 'FREQ=WEEKLY' },
      { ...context, now: '2026-03-20T12:00:00.000Z', requestedAt: '2026-03-20T12:00:00.000Z' },
    );
    if (!spring.ok) throw new Error(spring.reply);
    expect(spring.reminder).toMatchObject({
      occurrenceAt: '2026-03-29T07:00:00.000Z',
      nextDueAt: '2026-03-28T08:00:00.000Z',
    });
    expect(spring.schedule.ScheduleExpression).toBe('at(2026-03-28T09:00:00)');
    expect(spring.reply).toBe(
      'Scheduled: call mum, Sat 28 Mar 09:00 Europe/Paris (1 day before it starts on Sun 29 Mar at 09:00), then every week',
    );
    const after = fire(spring.reminder, '2026-03-28T08:00:01.000Z');
    expect(after).toMatchObject({
      occurrenceAt: '2026-04-05T07:00:00.000Z',
      nextDueAt: '2026-04-04T07:00:00.000Z',
    });

    const autumn = planCreate(
      { ...request, eventId, leadTime: 'P1D', dueLocal: '2026-10-25T09:00' },
      { ...context, now: '2026-10-20T12:00:00.000Z' },
    );
    expect(autumn.ok && autumn.reminder).toMatchObject({
      occurrenceAt: '2026-10-25T08:00:00.000Z',
      nextDueAt: '2026-10-24T07:00:00.000Z',
    });
    expect(autumn.ok && autumn.schedule.ScheduleExpression).toBe('at(2026-10-24T09:00:00)');
  });

  it('a weekly series whose first firing has passed starts with the next occurrence', () => {
    // Thu 3 Dec 10:00, a day before is Wed 2 Dec 10:00 Paris: already gone at 13:00.
    const weekly = event({ leadTime: 'P1D', dueLocal: '2026-12-03T10:00', rrule: 'FREQ=WEEKLY' });
    expect(weekly).toMatchObject({
      startLocal: '2026-12-03T10:00',
      occurrenceAt: '2026-12-10T09:00:00.000Z',
      nextDueAt: '2026-12-09T09:00:00.000Z',
    });
    // A series that began long ago, the way a calendar's does.
    const old = event({ dueLocal: '2026-01-01T10:00', rrule: 'FREQ=WEEKLY;BYDAY=TH' });
    expect(old).toMatchObject({
      startLocal: '2026-01-01T10:00',
      occurrenceAt: '2026-12-03T09:00:00.000Z',
      nextDueAt: '2026-12-03T08:45:00.000Z',
    });
    // A series that has ended by now is refused.
    expect(
      planCreate({ ...request, dueLocal: '2026-01-01T10:00', rrule: 'FREQ=WEEKLY;COUNT=3' }, context),
    ).toMatchObject({ ok: false, reply: expect.stringContaining('and so has the rest of the series') });
  });

  it('planAdvance steps past occurrences whose firing has gone by (P2D on a daily event)', () => {
    const daily = event({ leadTime: 'P2D', dueLocal: '2026-12-06T10:00', rrule: 'FREQ=DAILY' });
    expect(daily.nextDueAt).toBe('2026-12-04T09:00:00.000Z');
    // On time: the next occurrence is 7 Dec, fired on 5 Dec.
    expect(fire(daily, '2026-12-04T09:00:01.000Z')).toMatchObject({
      occurrenceAt: '2026-12-07T09:00:00.000Z',
      nextDueAt: '2026-12-05T09:00:00.000Z',
    });
    // Handled two days late: 7 Dec's firing (5 Dec) has passed too, so 8 Dec's (6 Dec 10:00) is next.
    expect(fire(daily, '2026-12-06T08:00:00.000Z')).toMatchObject({
      occurrenceAt: '2026-12-08T09:00:00.000Z',
      nextDueAt: '2026-12-06T09:00:00.000Z',
    });
  });

  it('a snoozed repeat fired before the next firing leaves that firing (not the event start) in place', () => {
    const daily = event({ dueLocal: '2026-12-03T10:00', rrule: 'FREQ=DAILY' });
    const delivered = fire(daily, '2026-12-03T08:45:01.000Z');
    expect(delivered).toMatchObject({
      occurrenceAt: '2026-12-04T09:00:00.000Z',
      nextDueAt: '2026-12-04T08:45:00.000Z',
    });
    const snoozed = planChange(
      delivered,
      changeOf(delivered, { change: 'snooze', snoozeMinutes: 10, occurrence: daily.nextDueAt }),
      '2026-12-03T08:46:00.000Z',
    );
    if (!snoozed.ok) throw new Error(snoozed.reply);
    expect(snoozed.reminder.nextDueAt).toBe('2026-12-03T08:56:00.000Z');
    const back = fire(snoozed.reminder, '2026-12-03T08:56:01.000Z');
    expect(back).toMatchObject({
      occurrenceAt: '2026-12-04T09:00:00.000Z',
      nextDueAt: '2026-12-04T08:45:00.000Z',
    });
  });

  it('snooze, reschedule and a time-zone change keep the occurrence as the event start and fire the lead before it', () => {
    const sync = event({ dueLocal: '2026-12-03T10:00' });
    const snoozed = planChange(sync, changeOf(sync, { change: 'snooze', snoozeMinutes: 10 }), now);
    expect(snoozed.ok && snoozed.reminder).toMatchObject({
      occurrenceAt: '2026-12-03T09:00:00.000Z',
      nextDueAt: '2026-12-03T08:55:00.000Z',
    });
    expect(snoozed.ok && snoozed.reply).toBe(
      'Snoozed: Team sync, until Thu 3 Dec 09:55 Europe/Paris (it starts at 10:00).',
    );

    const moved = planChange(
      sync,
      changeOf(sync, { change: 'reschedule', dueLocal: '2026-12-04T11:00' }),
      now,
    );
    expect(moved.ok && moved.reminder).toMatchObject({
      startLocal: '2026-12-04T11:00',
      occurrenceAt: '2026-12-04T10:00:00.000Z',
      nextDueAt: '2026-12-04T09:45:00.000Z',
    });
    expect(moved.ok && moved.reply).toBe(
      'Rescheduled: Team sync, Fri 4 Dec 10:45 Europe/Paris (15 min before it starts at 11:00).',
    );
    expect(
      planChange(sync, changeOf(sync, { change: 'reschedule', dueLocal: '2026-12-02T13:10' }), now),
    ).toEqual({ ok: false, reply: 'That time has already passed.' });

    const zoned = planChange(sync, changeOf(sync, { change: 'timezone', timeZone: 'America/New_York' }), now);
    expect(zoned.ok && zoned.reminder).toMatchObject({
      occurrenceAt: '2026-12-03T15:00:00.000Z',
      nextDueAt: '2026-12-03T14:45:00.000Z',
    });
    expect(zoned.ok && zoned.schedule?.ScheduleExpression).toBe('at(2026-12-03T09:45:00)');
  });

  it('a lead-zero series whose first occurrence has passed starts with the next one, like any series', () => {
    const daily = created({ dueLocal: '2026-11-30T09:00', rrule: 'FREQ=DAILY' });
    expect(daily).toMatchObject({
      startLocal: '2026-11-30T09:00',
      occurrenceAt: '2026-12-03T08:00:00.000Z',
      nextDueAt: '2026-12-03T08:00:00.000Z',
    });
    expect(daily.leadTime).toBeUndefined();
    expect(created({ leadTime: 'PT0M', eventId }).nextDueAt).toBe('2026-12-05T08:00:00.000Z');
  });
});
