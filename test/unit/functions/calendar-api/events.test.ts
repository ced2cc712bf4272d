import { beforeEach, describe, expect, it } from 'vitest';
import type { Event as EventResource, OccurrencePage } from '../../../../events-schema/generated/api-types';
import {
  createEvent,
  deleteEvent,
  type EventPorts,
  type EventStore,
  eventResource,
  getEvent,
  listOccurrences,
  updateEvent,
} from '../../../../functions/calendar-api/events';
import type { PersonSettings, ReminderRequests } from '../../../../functions/calendar-api/ports';
import type { ApiRequest } from '../../../../functions/calendar-api/request';
import {
  type CalendarEvent,
  oneOffKeyRange,
  seriesKeyRange,
} from '../../../../functions/shared/calendar/model';
import type { FieldError, HttpAnswer } from '../../../../functions/shared/http/answers';
import { reminderIdFor } from '../../../../functions/shared/reminders/model';
import { apiRequest, BASE_URL, callUseCase, conforming } from '../../../support/api-calls';

const USER = '01JD3ZQ5N8X4V6W2Y9T7R5P3M1';
const OTHER_USER = '01JD3ZQ5N8X4V6W2Y9T7R5P3M2';
const NOW = Date.parse('2026-11-22T09:00:00.000Z');

/** The event table as the use cases see it: keyed by person, writes conditional on the version. */
function memoryEvents() {
  const items = new Map<string, CalendarEvent>();
  const keyOf = (userId: string, eventId: string) => `${userId}|${eventId}`;
  /** Runs once before the next conditional write, as another request landing in between would. */
  let interloper: (() => void) | undefined;
  const beforeWrite = () => {
    const run = interloper;
    interloper = undefined;
    run?.();
  };
  const inRange = (userId: string, range: { low: string; high: string }) =>
    [...items.values()].filter(
      (item) => item.GSI3PK === `CALENDAR#${userId}` && item.GSI3SK >= range.low && item.GSI3SK <= range.high,
    );
  const store: EventStore = {
    get: async (userId, eventId) => items.get(keyOf(userId, eventId)),
    create: async (event) => {
      beforeWrite();
      if (items.has(keyOf(event.userId, event.eventId))) return false;
      items.set(keyOf(event.userId, event.eventId), event);
      return true;
    },
    replace: async (event, expectedVersion) => {
      beforeWrite();
      if (items.get(keyOf(event.userId, event.eventId))?.version !== expectedVersion) return false;
      items.set(keyOf(event.userId, event.eventId), event);
      return true;
    },
    remove: async (userId, eventId, expectedVersion) => {
      beforeWrite();
      if (items.get(keyOf(userId, eventId))?.version !== expectedVersion) return false;
      items.delete(keyOf(userId, eventId));
      return true;
    },
    // The two GSI3 key ranges the DynamoDB adapter queries, never the whole table.
    overlapping: async (userId, fromIso, toIso) => [
      ...inRange(userId, oneOffKeyRange(fromIso, toIso)),
      ...inRange(userId, seriesKeyRange(fromIso)),
    ],
  };
  return {
    items,
    store,
    stored: (eventId: string, userId = USER) => items.get(keyOf(userId, eventId)),
    interleave: (write: () => void) => {
      interloper = write;
    },
  };
}

interface ReminderCall {
  readonly kind: 'request' | 'cancel';
  readonly eventId: string;
  readonly version: number;
  /** The reminder ids the event version carries (those without one are skipped by the real port). */
  readonly reminderIds: readonly string[];
  readonly settings?: PersonSettings;
  readonly nowIso?: string;
}

function recordingReminders() {
  const calls: ReminderCall[] = [];
  const idsOf = (event: CalendarEvent) =>
    event.reminders.flatMap((reminder) => (reminder.reminderId === undefined ? [] : [reminder.reminderId]));
  const port: ReminderRequests = {
    request: async (event, settings) => {
      calls.push({
        kind: 'request',
        eventId: event.eventId,
        version: event.version,
        reminderIds: idsOf(event),
        settings,
      });
    },
    cancel: async (event, nowIso) => {
      calls.push({
        kind: 'cancel',
        eventId: event.eventId,
        version: event.version,
        reminderIds: idsOf(event),
        nowIso,
      });
    },
  };
  return { calls, port };
}

const SETTINGS: PersonSettings = { userId: USER, timeZone: 'Europe/Paris', defaultChannels: ['email'] };

let memory: ReturnType<typeof memoryEvents>;
let reminders: ReturnType<typeof recordingReminders>;
let clock: number;
let ports: EventPorts;

beforeEach(() => {
  memory = memoryEvents();
  reminders = recordingReminders();
  clock = NOW;
  ports = {
    now: () => clock,
    events: memory.store,
    settings: { read: async (userId) => ({ ...SETTINGS, userId }) },
    eventReminders: reminders.port,
  };
});

const requestOf = (operationId: string, fields: Partial<ApiRequest> = {}) =>
  apiRequest(operationId, { userId: USER, email: 'ada@example.com' }, fields);

async function call(
  useCase: (request: ApiRequest<never>, ports: EventPorts) => Promise<HttpAnswer>,
  operationId: string,
  fields: Partial<ApiRequest> = {},
): Promise<HttpAnswer> {
  return callUseCase(useCase, requestOf(operationId, fields), ports);
}

const asOther = { caller: { userId: OTHER_USER, email: 'bob@example.com' } };
const eventOf = (answer: HttpAnswer) => answer.body as EventResource;
const pageOf = (answer: HttpAnswer) => answer.body as OccurrencePage;
const errorsOf = (answer: HttpAnswer) =>
  ((answer.body as { errors?: FieldError[] }).errors ?? []).map(({ field, rule }) => ({ field, rule }));

async function create(
  body: Record<string, unknown>,
  fields: Partial<ApiRequest> = {},
): Promise<EventResource> {
  const answer = await call(createEvent, 'createEvent', { body, ...fields });
  if (answer.status !== 201)
    throw new Error(`create answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return eventOf(answer);
}

const patch = (id: string, body: Record<string, unknown>, ifMatch?: string) =>
  call(updateEvent, 'updateEvent', {
    path: { id },
    body,
    headers: ifMatch === undefined ? {} : { 'if-match': ifMatch },
  });

const list = (query: Record<string, string>, fields: Partial<ApiRequest> = {}) =>
  call(listOccurrences, 'listOccurrences', { query, ...fields });

const DENTIST = {
  title: 'Dentist',
  start: '2026-12-03T10:00',
  end: '2026-12-03T11:00',
  location: 'Rue de Rivoli 1',
  reminders: [{ offset: 'PT15M', channels: ['messenger'] }, { offset: 'P1D' }],
};

describe('POST /events', () => {
  it('creates the event in the person’s zone: 201 with Location and ETag, reminders named and requested', async () => {
    const answer = await call(createEvent, 'createEvent', { body: DENTIST });
    expect(answer.status).toBe(201);
    const event = eventOf(answer);
    expect(event.id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(answer.headers).toEqual({ etag: '"1"', location: `${BASE_URL}/events/${event.id}` });
    const ids = [0, 1].map((index) => reminderIdFor(`${event.id}.v1.r${index}`, NOW));
    expect(event).toEqual({
      id: event.id,
      version: 1,
      title: 'Dentist',
      timeZone: 'Europe/Paris',
      allDay: false,
      start: '2026-12-03T10:00',
      end: '2026-12-03T11:00',
      startsAt: '2026-12-03T09:00:00.000Z',
      endsAt: '2026-12-03T10:00:00.000Z',
      location: 'Rue de Rivoli 1',
      reminders: [
        { offset: 'PT15M', channels: ['messenger'], reminderId: ids[0] },
        { offset: 'P1D', channels: ['email'], reminderId: ids[1] },
      ],
      createdAt: '2026-11-22T09:00:00.000Z',
      updatedAt: '2026-11-22T09:00:00.000Z',
    });
    expect(ids[0]).not.toBe(ids[1]);
    const stored = memory.stored(event.id);
    expect(stored).toMatchObject({ userId: USER, version: 1, timeZone: 'Europe/Paris' });
    expect(stored && eventResource(stored)).toEqual(event);
    expect(reminders.calls).toEqual([
      { kind: 'request', eventId: event.id, version: 1, reminderIds: ids, settings: SETTINGS },
    ]);
  });

  it('keeps a zone that is given, in its IANA spelling, and describes the recurrence', async () => {
    const event = await create({
      title: 'Stand-up',
      start: '2026-12-07T09:00',
      end: '2026-12-07T09:15',
      timeZone: 'america/new_york',
      rrule: 'FREQ=WEEKLY;BYDAY=MO',
    });
    expect(event).toMatchObject({
      timeZone: 'America/New_York',
      startsAt: '2026-12-07T14:00:00.000Z',
      rrule: 'FREQ=WEEKLY;BYDAY=MO',
      recurrence: 'every Monday',
      reminders: [],
    });
  });

  it('gives no reminder id to a reminder whose firing has already passed, and requests only the others', async () => {
    // Today 10:30 in Paris is 09:30Z, half an hour from now: 15 minutes before is ahead, an hour before is not.
    const event = await create({
      title: 'Call',
      start: '2026-11-22T10:30',
      end: '2026-11-22T11:00',
      reminders: [{ offset: 'PT15M' }, { offset: 'PT1H' }],
    });
    const firstId = reminderIdFor(`${event.id}.v1.r0`, NOW);
    expect(event.reminders).toEqual([
      { offset: 'PT15M', channels: ['email'], reminderId: firstId },
      { offset: 'PT1H', channels: ['email'] },
    ]);
    expect(reminders.calls).toEqual([expect.objectContaining({ kind: 'request', reminderIds: [firstId] })]);
  });

  it('still names the reminder of a series whose first firing has passed: later occurrences have one', async () => {
    const event = await create({
      title: 'Call',
      start: '2026-11-22T10:30',
      end: '2026-11-22T11:00',
      rrule: 'FREQ=DAILY',
      reminders: [{ offset: 'PT1H' }],
    });
    expect(event.reminders).toEqual([
      { offset: 'PT1H', channels: ['email'], reminderId: reminderIdFor(`${event.id}.v1.r0`, NOW) },
    ]);
  });

  it('accepts an offset of 28 days (P4W), the most there is', async () => {
    const event = await create({ title: 'Visa', date: '2027-02-01', reminders: [{ offset: 'P4W' }] });
    expect(event.reminders[0]?.reminderId).toEqual(expect.any(String));
  });

  it('refuses an end before the start, an unknown zone and an offset over 28 days, naming each; nothing is written', async () => {
    const answer = await call(createEvent, 'createEvent', {
      body: {
        title: 'Dentist',
        start: '2026-12-03T11:00',
        end: '2026-12-03T10:00',
        timeZone: 'Mars/Olympus_Mons',
        reminders: [{ offset: 'PT15M' }, { offset: 'P30D' }],
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.contentType).toBe('application/problem+json');
    expect(answer.body).toMatchObject({ type: '/problems/validation-failed', status: 400 });
    expect(errorsOf(answer)).toEqual([
      { field: '/timeZone', rule: 'unknown-time-zone' },
      { field: '/end', rule: 'end-before-start' },
      { field: '/reminders/1/offset', rule: 'offset-too-large' },
    ]);
    expect(memory.items.size).toBe(0);
    expect(reminders.calls).toEqual([]);
  });

  it('refuses start and date together, and neither, as start-or-date', async () => {
    const both = await call(createEvent, 'createEvent', {
      body: { title: 'Dentist', start: '2026-12-03T10:00', end: '2026-12-03T11:00', date: '2026-12-03' },
    });
    expect(both.status).toBe(400);
    expect(errorsOf(both)).toEqual([{ field: '/date', rule: 'start-or-date' }]);
    const neither = await call(createEvent, 'createEvent', { body: { title: 'Dentist' } });
    expect(neither.status).toBe(400);
    expect(errorsOf(neither)).toEqual([{ field: '/start', rule: 'start-or-date' }]);
    expect(memory.items.size).toBe(0);
  });

  it('refuses an all-day date that is not on the calendar (29 February 2027) as impossible-date', async () => {
    const answer = await call(createEvent, 'createEvent', {
      body: { title: 'Leap day', date: '2027-02-29' },
    });
    expect(answer.status).toBe(400);
    expect(errorsOf(answer)).toEqual([{ field: '/date', rule: 'impossible-date' }]);
    expect(memory.items.size).toBe(0);
  });

  it('refuses an event longer than 31 days and an RRULE it cannot repeat by', async () => {
    const answer = await call(createEvent, 'createEvent', {
      body: { title: 'Trip', date: '2026-12-01', endDate: '2027-01-01', rrule: 'FREQ=HOURLY' },
    });
    expect(answer.status).toBe(400);
    expect(errorsOf(answer)).toEqual([
      { field: '/endDate', rule: 'too-long' },
      { field: '/rrule', rule: 'invalid-rrule' },
    ]);
  });
});

describe('GET /events/{id}', () => {
  it('answers the event with its ETag', async () => {
    const created = await create(DENTIST);
    const answer = await call(getEvent, 'getEvent', { path: { id: created.id } });
    expect(answer.status).toBe(200);
    expect(answer.headers).toEqual({ etag: '"1"' });
    expect(answer.body).toEqual(created);
  });

  it('answers 404 for another person’s event, exactly as for a missing one', async () => {
    const created = await create(DENTIST);
    const others = await call(getEvent, 'getEvent', { path: { id: created.id }, ...asOther });
    const missing = await call(getEvent, 'getEvent', { path: { id: '01JD50000000000000000000ZZ' } });
    expect(others).toEqual(missing);
    expect(others.status).toBe(404);
    expect(others.body).toMatchObject({ type: '/problems/not-found' });
  });
});

describe('PATCH /events/{id}', () => {
  it('answers 428 without If-Match and changes nothing', async () => {
    const created = await create(DENTIST);
    const answer = await patch(created.id, { title: 'Dentist (moved)' });
    expect(answer.status).toBe(428);
    expect(answer.body).toMatchObject({ type: '/problems/precondition-required' });
    expect(memory.stored(created.id)?.version).toBe(1);
    expect(memory.stored(created.id)?.title).toBe('Dentist');
  });

  it('answers 412 with the current ETag when If-Match names an older version', async () => {
    const created = await create(DENTIST);
    expect((await patch(created.id, { notes: 'Bring the card' }, '"1"')).status).toBe(200);
    const callsBefore = reminders.calls.length;
    const stale = await patch(created.id, { start: '2026-12-04T10:00', end: '2026-12-04T11:00' }, '"1"');
    expect(stale.status).toBe(412);
    expect(stale.headers).toEqual({ etag: '"2"' });
    expect(stale.body).toMatchObject({ type: '/problems/stale-version' });
    expect(memory.stored(created.id)).toMatchObject({ version: 2, start: '2026-12-03T10:00' });
    expect(reminders.calls).toHaveLength(callsBefore);
  });

  it('answers 400 for an If-Match that is not an ETag', async () => {
    const created = await create(DENTIST);
    const answer = await patch(created.id, { title: 'x' }, 'version 1');
    expect(answer.status).toBe(400);
    expect(errorsOf(answer)).toEqual([{ field: 'If-Match', rule: 'etag' }]);
    expect(memory.stored(created.id)?.version).toBe(1);
  });

  it('answers 404 for another person’s event', async () => {
    const created = await create(DENTIST);
    const answer = await call(updateEvent, 'updateEvent', {
      path: { id: created.id },
      body: { title: 'Mine now' },
      headers: { 'if-match': '"1"' },
      ...asOther,
    });
    expect(answer.status).toBe(404);
    expect(memory.stored(created.id)?.title).toBe('Dentist');
  });

  it('moves the event: version + 1, the old reminders cancelled and new ones requested under the new version', async () => {
    const created = await create(DENTIST);
    reminders.calls.length = 0;
    clock = NOW + 60_000;
    const answer = await patch(created.id, { start: '2026-12-04T10:00', end: '2026-12-04T11:30' }, '"1"');
    expect(answer.status).toBe(200);
    expect(answer.headers).toEqual({ etag: '"2"' });
    const newIds = [0, 1].map((index) => reminderIdFor(`${created.id}.v2.r${index}`, clock));
    expect(eventOf(answer)).toEqual({
      ...created,
      version: 2,
      start: '2026-12-04T10:00',
      end: '2026-12-04T11:30',
      startsAt: '2026-12-04T09:00:00.000Z',
      endsAt: '2026-12-04T10:30:00.000Z',
      reminders: [
        { offset: 'PT15M', channels: ['messenger'], reminderId: newIds[0] },
        { offset: 'P1D', channels: ['email'], reminderId: newIds[1] },
      ],
      updatedAt: '2026-11-22T09:01:00.000Z',
    });
    const oldIds = created.reminders.map((reminder) => reminder.reminderId);
    expect(newIds).not.toEqual(oldIds);
    expect(reminders.calls).toEqual([
      {
        kind: 'cancel',
        eventId: created.id,
        version: 1,
        reminderIds: oldIds,
        nowIso: '2026-11-22T09:01:00.000Z',
      },
      { kind: 'request', eventId: created.id, version: 2, reminderIds: newIds, settings: SETTINGS },
    ]);
    expect(memory.stored(created.id)?.version).toBe(2);
  });

  it('changes the location alone without touching the reminders', async () => {
    const created = await create(DENTIST);
    reminders.calls.length = 0;
    const answer = await patch(created.id, { location: 'Rue de Rivoli 2' }, '"1"');
    expect(answer.status).toBe(200);
    expect(eventOf(answer)).toMatchObject({
      version: 2,
      location: 'Rue de Rivoli 2',
      reminders: created.reminders,
    });
    expect(reminders.calls).toEqual([]);
  });

  it('re-requests the reminders when the title changes (they carry it)', async () => {
    const created = await create(DENTIST);
    reminders.calls.length = 0;
    await patch(created.id, { title: 'Dentist, Dr Martin' }, '"1"');
    expect(reminders.calls.map((entry) => [entry.kind, entry.version])).toEqual([
      ['cancel', 1],
      ['request', 2],
    ]);
  });

  it('removes the location with null (merge patch) and keeps the rest', async () => {
    const created = await create({ ...DENTIST, notes: 'Bring the card' });
    const answer = await patch(created.id, { location: null }, '"1"');
    expect(answer.status).toBe(200);
    expect(eventOf(answer)).not.toHaveProperty('location');
    expect(eventOf(answer)).toMatchObject({
      title: 'Dentist',
      notes: 'Bring the card',
      start: '2026-12-03T10:00',
    });
    expect(memory.stored(created.id)).not.toHaveProperty('location');
  });

  it('turns a timed event into an all-day one when given date', async () => {
    const created = await create(DENTIST);
    reminders.calls.length = 0;
    const answer = await patch(created.id, { date: '2026-12-05' }, '"1"');
    expect(answer.status).toBe(200);
    const event = eventOf(answer);
    expect(event).toMatchObject({
      version: 2,
      allDay: true,
      date: '2026-12-05',
      startsAt: '2026-12-04T23:00:00.000Z',
      endsAt: '2026-12-05T23:00:00.000Z',
    });
    expect(event).not.toHaveProperty('start');
    expect(event).not.toHaveProperty('end');
    expect(reminders.calls.map((entry) => entry.kind)).toEqual(['cancel', 'request']);
  });

  it('turns an all-day event into a timed one when given start and end', async () => {
    const created = await create({ title: 'Holiday', date: '2026-12-24', endDate: '2026-12-26' });
    const answer = await patch(created.id, { start: '2026-12-24T18:00', end: '2026-12-24T23:00' }, '"1"');
    expect(answer.status).toBe(200);
    expect(eventOf(answer)).toMatchObject({
      allDay: false,
      start: '2026-12-24T18:00',
      end: '2026-12-24T23:00',
    });
    expect(eventOf(answer)).not.toHaveProperty('date');
    expect(eventOf(answer)).not.toHaveProperty('endDate');
  });

  it('refuses a change that breaks a rule, naming it, and changes nothing', async () => {
    const created = await create(DENTIST);
    reminders.calls.length = 0;
    const answer = await patch(created.id, { end: '2026-12-03T09:00' }, '"1"');
    expect(answer.status).toBe(400);
    expect(errorsOf(answer)).toEqual([{ field: '/end', rule: 'end-before-start' }]);
    expect(memory.stored(created.id)?.version).toBe(1);
    expect(reminders.calls).toEqual([]);
  });

  it('refuses a change that loses a race with another one (412), and cancels nothing', async () => {
    const created = await create(DENTIST);
    reminders.calls.length = 0;
    const current = memory.stored(created.id);
    if (!current) throw new Error('not stored');
    memory.interleave(() => {
      memory.items.set(`${USER}|${created.id}`, { ...current, version: 2, title: 'Changed elsewhere' });
    });
    const answer = await patch(created.id, { start: '2026-12-04T10:00', end: '2026-12-04T11:00' }, '"1"');
    expect(answer.status).toBe(412);
    expect(memory.stored(created.id)).toMatchObject({ version: 2, title: 'Changed elsewhere' });
    expect(reminders.calls).toEqual([]);
  });
});

describe('DELETE /events/{id}', () => {
  it('deletes the event and cancels its reminders: 204', async () => {
    const created = await create(DENTIST);
    reminders.calls.length = 0;
    const answer = await call(deleteEvent, 'deleteEvent', {
      path: { id: created.id },
      headers: { 'if-match': '"1"' },
    });
    expect(answer).toEqual({ status: 204 });
    expect(memory.stored(created.id)).toBeUndefined();
    expect(reminders.calls).toEqual([
      {
        kind: 'cancel',
        eventId: created.id,
        version: 1,
        reminderIds: created.reminders.map((reminder) => reminder.reminderId),
        nowIso: '2026-11-22T09:00:00.000Z',
      },
    ]);
    expect((await call(getEvent, 'getEvent', { path: { id: created.id } })).status).toBe(404);
  });

  it('deletes without If-Match too', async () => {
    const created = await create(DENTIST);
    expect((await call(deleteEvent, 'deleteEvent', { path: { id: created.id } })).status).toBe(204);
    expect(memory.stored(created.id)).toBeUndefined();
  });

  it('answers 412 for a stale If-Match and keeps the event and its reminders', async () => {
    const created = await create(DENTIST);
    await patch(created.id, { notes: 'x' }, '"1"');
    reminders.calls.length = 0;
    const answer = await call(deleteEvent, 'deleteEvent', {
      path: { id: created.id },
      headers: { 'if-match': '"1"' },
    });
    expect(answer.status).toBe(412);
    expect(memory.stored(created.id)?.version).toBe(2);
    expect(reminders.calls).toEqual([]);
  });

  it('answers 404 for another person’s event and cancels nothing', async () => {
    const created = await create(DENTIST);
    reminders.calls.length = 0;
    const answer = await call(deleteEvent, 'deleteEvent', { path: { id: created.id }, ...asOther });
    expect(answer.status).toBe(404);
    expect(memory.stored(created.id)).toBeDefined();
    expect(reminders.calls).toEqual([]);
  });

  it('answers an If-Match that is not an ETag with a 400 the contract declares', async () => {
    const created = await create(DENTIST);
    const request = requestOf('deleteEvent', {
      path: { id: created.id },
      headers: { 'if-match': 'version 1' },
    });
    const answer = await deleteEvent(request, ports);
    expect(answer.status).toBe(400);
    expect(memory.stored(created.id)).toBeDefined();
    expect(() => conforming(request, answer)).not.toThrow();
  });
});

describe('GET /events', () => {
  /** Monday stand-ups from 30 November, a lunch on Wednesday 2 December, a weekend away on 5–6 December. */
  async function week() {
    const standUp = await create({
      title: 'Stand-up',
      start: '2026-11-30T09:00',
      end: '2026-11-30T09:15',
      rrule: 'FREQ=WEEKLY;BYDAY=MO',
    });
    const lunch = await create({
      title: 'Lunch',
      start: '2026-12-02T12:00',
      end: '2026-12-02T13:00',
      location: 'Café',
    });
    const away = await create({ title: 'Away', date: '2026-12-05', endDate: '2026-12-06' });
    return { standUp, lunch, away };
  }

  it('lists the occurrences in start order, the series expanded, `to` as a date inclusive', async () => {
    const { standUp, lunch, away } = await week();
    const answer = await list({ from: '2026-11-30', to: '2026-12-07' });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      from: '2026-11-29T23:00:00.000Z',
      to: '2026-12-07T23:00:00.000Z',
      timeZone: 'Europe/Paris',
      items: [
        {
          eventId: standUp.id,
          title: 'Stand-up',
          timeZone: 'Europe/Paris',
          allDay: false,
          start: '2026-11-30T09:00',
          end: '2026-11-30T09:15',
          startsAt: '2026-11-30T08:00:00.000Z',
          endsAt: '2026-11-30T08:15:00.000Z',
          recurring: true,
        },
        {
          eventId: lunch.id,
          title: 'Lunch',
          timeZone: 'Europe/Paris',
          allDay: false,
          start: '2026-12-02T12:00',
          end: '2026-12-02T13:00',
          startsAt: '2026-12-02T11:00:00.000Z',
          endsAt: '2026-12-02T12:00:00.000Z',
          location: 'Café',
          recurring: false,
        },
        {
          eventId: away.id,
          title: 'Away',
          timeZone: 'Europe/Paris',
          allDay: true,
          date: '2026-12-05',
          endDate: '2026-12-06',
          startsAt: '2026-12-04T23:00:00.000Z',
          endsAt: '2026-12-06T23:00:00.000Z',
          recurring: false,
        },
        {
          eventId: standUp.id,
          title: 'Stand-up',
          timeZone: 'Europe/Paris',
          allDay: false,
          start: '2026-12-07T09:00',
          end: '2026-12-07T09:15',
          startsAt: '2026-12-07T08:00:00.000Z',
          endsAt: '2026-12-07T08:15:00.000Z',
          recurring: true,
        },
      ],
    });
  });

  it('reads `to` as a date-time exclusively: an occurrence starting at it is left out', async () => {
    await week();
    const answer = await list({ from: '2026-12-01T00:00', to: '2026-12-07T09:00' });
    expect(pageOf(answer).to).toBe('2026-12-07T08:00:00.000Z');
    expect(pageOf(answer).items.map((item) => item.title)).toEqual(['Lunch', 'Away']);
  });

  it('includes an occurrence that started before from and is still on', async () => {
    await week();
    const answer = await list({ from: '2026-12-02T12:30', to: '2026-12-02T18:00' });
    expect(pageOf(answer).items.map((item) => item.title)).toEqual(['Lunch']);
  });

  it('lists a 31-day all-day event in its last hour, across the autumn DST change', async () => {
    // 1 to 31 October 2026 in Paris lasts 31 days on the wall clock, 31 days and an hour as instants.
    const october = await create({ title: 'Exhibition', date: '2026-10-01', endDate: '2026-10-31' });
    const answer = await list({ from: '2026-10-31T23:30', to: '2026-11-01' });
    expect(answer.status).toBe(200);
    expect(pageOf(answer).items.map((item) => [item.eventId, item.date, item.endDate])).toEqual([
      [october.id, '2026-10-01', '2026-10-31'],
    ]);
  });

  it('reads from and to in the timeZone given, and leaves other people’s events out', async () => {
    await week();
    await create({ title: 'Bob’s lunch', start: '2026-12-02T12:00', end: '2026-12-02T13:00' }, asOther);
    const answer = await list({ from: '2026-12-02', to: '2026-12-02', timeZone: 'America/New_York' });
    expect(pageOf(answer)).toMatchObject({
      from: '2026-12-02T05:00:00.000Z',
      to: '2026-12-03T05:00:00.000Z',
      timeZone: 'America/New_York',
    });
    expect(pageOf(answer).items.map((item) => item.title)).toEqual(['Lunch']);
  });

  it('pages through 5 occurrences 2 at a time with the cursor, in order, none twice', async () => {
    const daily = await create({
      title: 'Pills',
      start: '2026-12-01T08:00',
      end: '2026-12-01T08:05',
      rrule: 'FREQ=DAILY;COUNT=5',
    });
    const range = { from: '2026-12-01', to: '2026-12-31', limit: '2' };
    const pages: OccurrencePage[] = [];
    let cursor: string | undefined;
    do {
      const answer = await list({ ...range, ...(cursor === undefined ? {} : { cursor }) });
      expect(answer.status).toBe(200);
      const page = pageOf(answer);
      pages.push(page);
      cursor = page.nextCursor;
    } while (cursor !== undefined && pages.length < 10);
    expect(pages.map((page) => page.items.length)).toEqual([2, 2, 1]);
    expect(pages.at(-1)).not.toHaveProperty('nextCursor');
    expect(pages.flatMap((page) => page.items.map((item) => item.start))).toEqual([
      '2026-12-01T08:00',
      '2026-12-02T08:00',
      '2026-12-03T08:00',
      '2026-12-04T08:00',
      '2026-12-05T08:00',
    ]);
    expect(pages.flatMap((page) => page.items.map((item) => item.eventId))).toEqual(Array(5).fill(daily.id));
  });

  it('refuses a cursor it did not give out', async () => {
    const answer = await list({ from: '2026-12-01', to: '2026-12-31', cursor: 'not-a-cursor' });
    expect(answer.status).toBe(400);
    expect(errorsOf(answer)).toEqual([{ field: 'cursor', rule: 'cursor' }]);
  });

  it('accepts a range of 366 days and refuses a longer one', async () => {
    expect((await list({ from: '2026-01-01', to: '2027-01-01' })).status).toBe(200);
    const answer = await list({ from: '2026-01-01', to: '2027-01-02' });
    expect(answer.status).toBe(400);
    expect(errorsOf(answer)).toEqual([{ field: 'to', rule: 'range-too-large' }]);
  });

  it('refuses an unknown timeZone', async () => {
    const answer = await list({ from: '2026-12-01', to: '2026-12-07', timeZone: 'Mars/Olympus_Mons' });
    expect(answer.status).toBe(400);
    expect(errorsOf(answer)).toEqual([{ field: 'timeZone', rule: 'unknown-time-zone' }]);
  });

  it('refuses a missing or malformed bound, a `to` before `from` and a bad limit, naming each', async () => {
    const missing = await list({ to: '2026-12-07' });
    expect(errorsOf(missing)).toEqual([{ field: 'from', rule: 'required' }]);
    const malformed = await list({ from: 'next week', to: '2026-02-30', limit: '0' });
    expect(errorsOf(malformed)).toEqual([
      { field: 'from', rule: 'format' },
      { field: 'to', rule: 'format' },
      { field: 'limit', rule: 'range' },
    ]);
    const backwards = await list({ from: '2026-12-07T10:00', to: '2026-12-07T09:00' });
    expect(errorsOf(backwards)).toEqual([{ field: 'to', rule: 'end-before-start' }]);
  });
});
