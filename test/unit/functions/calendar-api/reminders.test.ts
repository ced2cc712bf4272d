import { beforeEach, describe, expect, it } from 'vitest';
import type { Reminder as ReminderResource } from '../../../../events-schema/generated/api-types';
import type { ReminderChangeRequestedDetail } from '../../../../events-schema/generated/types';
import { OPERATIONS } from '../../../../functions/calendar-api/operations';
import type { PersonSettings } from '../../../../functions/calendar-api/ports';
import {
  createReminder,
  deleteReminder,
  getReminder,
  listReminders,
  type ReminderPorts,
  type ReminderStore,
  snoozeReminder,
  updateReminder,
} from '../../../../functions/calendar-api/reminders';
import type { ApiRequest } from '../../../../functions/calendar-api/request';
import { planChange, planCreate } from '../../../../functions/reminder-plan/plan';
import { validateDetail } from '../../../../functions/shared/events/contracts';
import type { PublishableEvent } from '../../../../functions/shared/events/publish';
import type { HttpAnswer } from '../../../../functions/shared/http/answers';
import {
  MAX_PENDING_REMINDERS,
  type Reminder,
  reminderIdFor,
} from '../../../../functions/shared/reminders/model';

const ALICE = '01KAQ7R7Q8F3M6Y2V9T0C4N5ZC';
const BOB = '01KAQ7R7Q8F3M6Y2V9T0C4N5ZD';
const EVENT_ID = '01KAQ7R7Q8F3M6Y2V9T0C4N5ZE';
const BASE_URL = 'https://api.example.test';
/** A Wednesday, 13:00 in Paris; the milliseconds show that request times are floored to the second. */
const START = Date.parse('2026-12-02T12:00:00.789Z');

/**
 * The ports around an in-memory table: publishing a request runs the lifecycle workflow's own decisions
 * (planCreate / planChange) on it at once, as the workflow would a moment later.
 */
class FakeReminderWorld {
  nowMs = START;
  readonly items = new Map<string, Reminder>();
  readonly published: PublishableEvent[] = [];
  /** Off: the workflow has not run yet when the API stops waiting. */
  workflowRuns = true;
  private requestCount = 0;

  readonly store: ReminderStore = {
    get: async (reminderId) => this.items.get(reminderId),
    pending: async (userId, limit, afterKey) => {
      const listed = this.listing(userId).filter(
        (item) => afterKey === undefined || (item.GSI1SK ?? '') > afterKey,
      );
      const items = listed.slice(0, limit);
      const lastKey = listed.length > limit ? items.at(-1)?.GSI1SK : undefined;
      return lastKey === undefined ? { items } : { items, lastKey };
    },
    countPending: async (userId) => this.listing(userId).length,
  };

  readonly ports: ReminderPorts = {
    now: () => this.nowMs,
    newRequestId: () => `req-${++this.requestCount}`,
    settings: {
      read: async (userId): Promise<PersonSettings> => ({
        userId,
        timeZone: 'Europe/Paris',
        defaultChannels: ['email'],
        email: 'alice@example.test',
      }),
    },
    lifecycle: {
      publish: async (events) => {
        for (const event of events) this.run(event);
      },
      awaitReminders: async (ids) => ids.map((id) => this.items.get(id)),
    },
    reminders: this.store,
  };

  changes(): ReminderChangeRequestedDetail[] {
    return this.published.flatMap((event) =>
      event.detailType === 'ReminderChangeRequested' ? [event.detail] : [],
    );
  }

  private listing(userId: string): Reminder[] {
    return [...this.items.values()]
      .filter((item) => item.GSI1PK === `USER#${userId}`)
      .sort((a, b) => ((a.GSI1SK ?? '') < (b.GSI1SK ?? '') ? -1 : 1));
  }

  private run(event: PublishableEvent): void {
    validateDetail(event.detailType, event.detail);
    this.published.push(event);
    if (!this.workflowRuns) return;
    const now = new Date(this.nowMs).toISOString();
    if (event.detailType === 'ReminderRequested') {
      const { detail } = event;
      const plan = planCreate(detail, {
        now,
        requestedAt: detail.requestedAt ?? now,
        pendingCount: this.listing(detail.userId).length,
      });
      if (plan.ok && !this.items.has(plan.reminder.reminderId))
        this.items.set(plan.reminder.reminderId, plan.reminder);
    } else if (event.detailType === 'ReminderChangeRequested') {
      const plan = planChange(this.items.get(event.detail.reminderId), event.detail, now);
      if (plan.ok) this.items.set(plan.reminder.reminderId, plan.reminder);
    }
  }
}

let world: FakeReminderWorld;
beforeEach(() => {
  world = new FakeReminderWorld();
});

interface Call {
  readonly userId?: string;
  readonly path?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: unknown;
}

function requestOf<Body>(operationId: string, call: Call): ApiRequest<Body> {
  const operation = OPERATIONS.find((candidate) => candidate.operationId === operationId);
  if (!operation) throw new Error(`No operation ${operationId}`);
  return {
    operation,
    caller: { userId: call.userId ?? ALICE, email: 'alice@example.test' },
    path: call.path ?? {},
    query: call.query ?? {},
    headers: call.headers ?? {},
    body: (call.body ?? {}) as Body,
    baseUrl: BASE_URL,
  };
}

const create = (body: unknown, userId = ALICE) =>
  createReminder(requestOf('createReminder', { body, userId }), world.ports);
const get = (id: string, userId = ALICE) =>
  getReminder(requestOf('getReminder', { path: { id }, userId }), world.ports);
const patch = (id: string, body: unknown, headers: Record<string, string> = {}, userId = ALICE) =>
  updateReminder(requestOf('updateReminder', { path: { id }, body, headers, userId }), world.ports);
const remove = (id: string, userId = ALICE) =>
  deleteReminder(requestOf('deleteReminder', { path: { id }, userId }), world.ports);
const snooze = (id: string, body: unknown, userId = ALICE) =>
  snoozeReminder(requestOf('snoozeReminder', { path: { id }, body, userId }), world.ports);
const list = (query: Record<string, string> = {}) =>
  listReminders(requestOf('listReminders', { query }), world.ports);

const resourceOf = (answer: HttpAnswer) => answer.body as ReminderResource;
const problemOf = (answer: HttpAnswer) =>
  answer.body as {
    type: string;
    detail: string;
    errors?: { field: string; rule: string; message: string }[];
  };

async function created(body: unknown): Promise<ReminderResource> {
  const answer = await create(body);
  if (answer.status !== 201) throw new Error(JSON.stringify(answer.body));
  return resourceOf(answer);
}

/** An event's reminder, as the events use cases request it. */
function storeEventReminder(): Reminder {
  const plan = planCreate(
    {
      schemaVersion: 1,
      requestId: `${EVENT_ID}.v1.r0`,
      userId: ALICE,
      channel: 'web',
      title: 'Standup',
      dueLocal: '2026-12-03T10:00',
      timeZone: 'Europe/Paris',
      anchor: 'wall',
      deliverBy: ['email'],
      leadTime: 'PT15M',
      eventId: EVENT_ID,
    },
    { now: new Date(START).toISOString(), requestedAt: '2026-12-01T10:00:00.000Z', pendingCount: 0 },
  );
  if (!plan.ok) throw new Error(plan.reply);
  world.items.set(plan.reminder.reminderId, plan.reminder);
  return plan.reminder;
}

describe('createReminder', () => {
  it('reads a phrase in the person’s zone and answers with the stored reminder, its id known in advance', async () => {
    const answer = await create({ title: 'call mum', when: 'tomorrow at 9' });

    const id = reminderIdFor('req-1', Date.parse('2026-12-02T12:00:00.000Z'));
    expect(answer.status).toBe(201);
    expect(answer.headers).toEqual({ etag: '"1"', location: `${BASE_URL}/reminders/${id}` });
    expect(resourceOf(answer)).toEqual({
      id,
      version: 1,
      title: 'call mum',
      status: 'pending',
      timeZone: 'Europe/Paris',
      anchor: 'wall',
      channels: ['email'],
      nextDueAt: '2026-12-03T08:00:00.000Z',
      nextDueLocal: '2026-12-03T09:00',
      createdAt: '2026-12-02T12:00:00.789Z',
      updatedAt: '2026-12-02T12:00:00.789Z',
    });
    expect(world.published).toEqual([
      {
        detailType: 'ReminderRequested',
        detail: expect.objectContaining({ channel: 'web', requestedAt: '2026-12-02T12:00:00.000Z' }),
      },
    ]);
  });

  it('keeps an instant where it is, to the second', async () => {
    const reminder = await created({
      title: 'launch',
      at: '2026-12-24T09:00:30+01:00',
      channels: ['messenger'],
    });

    expect(reminder).toMatchObject({
      anchor: 'instant',
      timeZone: 'Europe/Paris',
      channels: ['messenger'],
      nextDueAt: '2026-12-24T08:00:30.000Z',
      nextDueLocal: '2026-12-24T09:00',
    });
  });

  it('reads a local time in the zone given, and repeats by the rule given', async () => {
    const reminder = await created({
      title: 'team call',
      at: '2026-12-24T09:00',
      timeZone: 'america/new_york',
      rrule: 'FREQ=WEEKLY;BYDAY=TH',
    });

    expect(reminder).toMatchObject({
      anchor: 'wall',
      timeZone: 'America/New_York',
      nextDueAt: '2026-12-24T14:00:00.000Z',
      nextDueLocal: '2026-12-24T09:00',
      rrule: 'FREQ=WEEKLY;BYDAY=TH',
      recurrence: expect.any(String),
    });
  });

  it('answers with the planned reminder, still scheduling, when the workflow has not written it yet', async () => {
    world.workflowRuns = false;

    const answer = await create({ title: 'call mum', when: 'in 20 minutes' });

    expect(answer.status).toBe(201);
    expect(resourceOf(answer)).toMatchObject({
      status: 'scheduling',
      anchor: 'instant',
      nextDueAt: '2026-12-02T12:20:00.000Z',
    });
  });

  it.each([
    [{ title: 'x', when: 'tomorrow at 9', at: '2026-12-24T09:00' }, '/at', 'exclusive'],
    [{ title: 'x' }, '/when', 'required'],
    [{ title: 'x', when: 'tomorrow at 9', timeZone: 'Mars/Olympus' }, '/timeZone', 'unknown-time-zone'],
    [{ title: 'x', when: 'today at 8' }, '/when', 'in-the-past'],
    [{ title: 'x', when: 'at the weekend-ish' }, '/when', 'unreadable-time'],
    [{ title: 'x', at: '2026-11-30T09:00' }, '/at', 'in-the-past'],
    [{ title: 'x', at: '2026-02-30T09:00' }, '/at', 'format'],
    [{ title: 'x', at: '2026-12-24T09:00', rrule: 'FREQ=WEEKLY;BYDAY=XX' }, '/rrule', 'invalid-rrule'],
    [{ title: 'x', when: 'tomorrow at 9', rrule: 'FREQ=DAILY' }, '/rrule', 'rrule-with-when'],
  ])('refuses %j with 400 naming %s', async (body, field, rule) => {
    const answer = await create(body);

    expect(answer.status).toBe(400);
    expect(problemOf(answer).errors).toEqual([expect.objectContaining({ field, rule })]);
    expect(world.published).toEqual([]);
  });

  it('refuses with 409 at the pending limit', async () => {
    for (let minutes = 1; minutes <= MAX_PENDING_REMINDERS; minutes++) {
      await created({ title: `reminder ${minutes}`, when: `in ${minutes} minutes` });
    }

    const answer = await create({ title: 'one more', when: 'tomorrow at 9' });

    expect(answer.status).toBe(409);
    expect(problemOf(answer).type).toBe('/problems/too-many-reminders');
  });
});

describe('reading and listing', () => {
  it('answers 404, never 403, for another person’s reminder, whatever the call', async () => {
    const { id } = await created({ title: 'call mum', when: 'tomorrow at 9' });

    expect((await get(id)).status).toBe(200);
    expect((await get(id, BOB)).status).toBe(404);
    expect((await patch(id, { title: 'mine now' }, {}, BOB)).status).toBe(404);
    expect((await remove(id, BOB)).status).toBe(404);
    expect((await snooze(id, { minutes: 10 }, BOB)).status).toBe(404);
    expect(world.changes()).toEqual([]);
  });

  it('lists pending reminders soonest first, a page at a time', async () => {
    const late = await created({ title: 'late', when: 'in 3 days' });
    const soon = await created({ title: 'soon', when: 'in 1 hour' });
    const middle = await created({ title: 'middle', when: 'tomorrow at 9' });
    const gone = await created({ title: 'gone', when: 'in 2 hours' });
    await remove(gone.id);

    const first = await list({ limit: '2' });
    const { items, nextCursor } = first.body as { items: ReminderResource[]; nextCursor?: string };
    expect(items.map((item) => item.id)).toEqual([soon.id, middle.id]);
    expect(nextCursor).toEqual(expect.any(String));

    const second = await list({ limit: '2', cursor: nextCursor ?? '' });
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: late.id })] });
  });

  it('refuses a cursor it did not give out', async () => {
    const answer = await list({
      cursor: Buffer.from(JSON.stringify({ after: 'nope' })).toString('base64url'),
    });

    expect(answer.status).toBe(400);
    expect(problemOf(answer).errors).toEqual([expect.objectContaining({ field: 'cursor' })]);
  });
});

describe('changing a reminder', () => {
  it('renames and moves in one patch, one change after the other, and answers with the result', async () => {
    const { id } = await created({ title: 'call mum', when: 'tomorrow at 9' });

    const answer = await patch(id, { title: 'call dad', at: '2026-12-05T18:30' }, { 'if-match': '"1"' });

    expect(answer.status).toBe(200);
    expect(answer.headers).toEqual({ etag: '"3"' });
    expect(resourceOf(answer)).toMatchObject({
      version: 3,
      title: 'call dad',
      nextDueAt: '2026-12-05T17:30:00.000Z',
      nextDueLocal: '2026-12-05T18:30',
    });
    expect(world.changes()).toEqual([
      expect.objectContaining({ change: 'edit', title: 'call dad', channel: 'web' }),
      expect.objectContaining({ change: 'reschedule', dueLocal: '2026-12-05T18:30' }),
    ]);
  });

  it('refuses a stale If-Match with 412 and a malformed one with 400', async () => {
    const { id } = await created({ title: 'call mum', when: 'tomorrow at 9' });

    const stale = await patch(id, { title: 'call dad' }, { 'if-match': '"7"' });
    expect(stale.status).toBe(412);
    expect(stale.headers).toEqual({ etag: '"1"' });
    expect((await patch(id, { title: 'call dad' }, { 'if-match': 'seven' })).status).toBe(400);
    expect(world.changes()).toEqual([]);
  });

  it('refuses a move into the past before asking for it', async () => {
    const { id } = await created({ title: 'call mum', when: 'tomorrow at 9' });

    const answer = await patch(id, { title: 'call dad', when: 'today at 8' });

    expect(answer.status).toBe(400);
    expect(problemOf(answer).errors).toEqual([
      expect.objectContaining({ field: '/when', rule: 'in-the-past' }),
    ]);
    expect(world.changes()).toEqual([]);
  });

  it('cancels with 204, and then refuses changes with 409 as it is no longer pending', async () => {
    const { id } = await created({ title: 'call mum', when: 'tomorrow at 9' });

    expect((await remove(id)).status).toBe(204);
    expect(world.items.get(id)?.status).toBe('cancelled');

    for (const answer of [
      await remove(id),
      await patch(id, { title: 'x' }),
      await snooze(id, { minutes: 5 }),
    ]) {
      expect(answer.status).toBe(409);
      expect(problemOf(answer).type).toBe('/problems/not-pending');
    }
  });

  it('leaves an event’s reminders to the event, except for a snooze', async () => {
    const { reminderId } = storeEventReminder();

    for (const answer of [await patch(reminderId, { title: 'x' }), await remove(reminderId)]) {
      expect(answer.status).toBe(409);
      expect(problemOf(answer)).toMatchObject({ type: '/problems/owned-by-event' });
      expect(problemOf(answer).detail).toContain(`/events/${EVENT_ID}`);
    }
    expect((await snooze(reminderId, { minutes: 10 })).status).toBe(200);
  });
});

describe('snoozeReminder', () => {
  it('pushes a pending reminder’s next firing back by minutes', async () => {
    const { id } = await created({ title: 'call mum', when: 'tomorrow at 9' });

    const answer = await snooze(id, { minutes: 30 });

    expect(answer.status).toBe(200);
    expect(resourceOf(answer)).toMatchObject({ version: 2, nextDueAt: '2026-12-03T08:30:00.000Z' });
    expect(world.changes()).toEqual([expect.objectContaining({ change: 'snooze', snoozeMinutes: 30 })]);
    expect(world.changes()[0]).not.toHaveProperty('occurrence');
  });

  it('repeats a delivered reminder’s occurrence until a time phrase, read in the reminder’s zone', async () => {
    const { id } = await created({ title: 'call mum', when: 'in 20 minutes' });
    const stored = world.items.get(id);
    if (!stored) throw new Error('not stored');
    const { GSI1PK: _pk, GSI1SK: _sk, ...delivered } = stored;
    world.items.set(id, {
      ...delivered,
      status: 'delivered',
      lastDeliveredOccurrence: stored.nextDueAt,
      version: 2,
    });
    world.nowMs = START + 30 * 60_000;

    const answer = await snooze(id, { until: 'tomorrow at 9' });

    expect(answer.status).toBe(200);
    expect(resourceOf(answer)).toMatchObject({ status: 'pending', nextDueAt: '2026-12-03T08:00:00.000Z' });
    expect(world.changes()).toEqual([
      expect.objectContaining({ dueLocal: '2026-12-03T09:00', occurrence: stored.nextDueAt }),
    ]);
  });

  it.each([
    [{}, '/minutes', 'required'],
    [{ minutes: 5, until: 'tomorrow at 9' }, '/until', 'exclusive'],
    [{ until: 'every day at 9' }, '/until', 'repeat-not-allowed'],
    [{ until: '2026-12-01T09:00' }, '/until', 'in-the-past'],
  ])('refuses %j with 400 naming %s', async (body, field, rule) => {
    const { id } = await created({ title: 'call mum', when: 'tomorrow at 9' });

    const answer = await snooze(id, body);

    expect(answer.status).toBe(400);
    expect(problemOf(answer).errors).toEqual([expect.objectContaining({ field, rule })]);
  });
});
