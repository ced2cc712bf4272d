import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  type AccountPorts,
  type AccountTable,
  createCalendarFeed,
  deleteCalendarFeed,
  deleteMe,
  exportMe,
  getCalendarFeed,
  getMe,
  type ItemKey,
  type ProfileUpdates,
  type TableItem,
  updateMe,
} from '../../../../functions/calendar-api/account';
import type { ApiRequest } from '../../../../functions/calendar-api/request';
import { calendarIndexKeys } from '../../../../functions/shared/calendar/model';
import type { PublishableEvent } from '../../../../functions/shared/events/publish';
import type { HttpAnswer } from '../../../../functions/shared/http/answers';
import { logger } from '../../../../functions/shared/logger';
import { apiRequest, BASE_URL, callUseCase } from '../../../support/api-calls';

const USER = '01JD3ZQ5N8X4V6W2Y9T7R5P3M1';
const OTHER_USER = '01JD3ZQ5N8X4V6W2Y9T7R5P3M2';
const EMAIL = 'ada@example.com';
const PSID = '7712345678901234';
const NOW = Date.parse('2026-11-22T09:00:00.000Z');
const CODE_HMAC = 'c0de'.repeat(16);
const TASK_TOKEN = 'AAAAKgAAAAIAAAAAAAAAAtask-token';
const PENDING = '01JD40000000000000000000P1';
const LEGACY_PENDING = '01JD40000000000000000000P2';
const DELIVERED = '01JD40000000000000000000D1';
const OTHERS_REMINDER = '01JD40000000000000000000X1';

const keyOf = (key: ItemKey) => `${key.PK}|${key.SK}`;
const bySortKey = (a: TableItem, b: TableItem) => (a.SK < b.SK ? -1 : a.SK > b.SK ? 1 : 0);

/** The table as the ports see it, with every deletion recorded in order. */
function memoryTable() {
  const items = new Map<string, TableItem>();
  const erased: string[] = [];
  let failAfterDeletions: number | undefined;
  const inIndex = (index: 'GSI1' | 'GSI3', item: TableItem) =>
    typeof item[`${index}PK`] === 'string'
      ? { pk: item[`${index}PK`], sk: String(item[`${index}SK`]) }
      : undefined;
  const table: AccountTable = {
    get: async (key) => items.get(keyOf(key)),
    query: async (partitionKey, prefix) =>
      [...items.values()]
        .filter((item) => item.PK === partitionKey && (prefix === undefined || item.SK.startsWith(prefix)))
        .sort(bySortKey),
    queryIndex: async (index, partitionKey, prefix) =>
      [...items.values()].filter((item) => {
        const keys = inIndex(index, item);
        return keys?.pk === partitionKey && (prefix === undefined || keys.sk.startsWith(prefix));
      }),
    put: async (item) => {
      items.set(keyOf(item), item);
    },
    erase: async (keys) => {
      for (const key of keys) {
        if (failAfterDeletions !== undefined && erased.length >= failAfterDeletions) {
          failAfterDeletions = undefined;
          throw new Error('crashed');
        }
        items.delete(keyOf(key));
        erased.push(keyOf(key));
      }
    },
  };
  const profileOf = (userId: string) => items.get(`USER#${userId}|PROFILE`);
  const profiles: ProfileUpdates = {
    changeSettings: async (userId, changes) => {
      const current = profileOf(userId);
      if (!current) return undefined;
      const next: Record<string, unknown> = { ...current };
      for (const [name, value] of Object.entries(changes)) {
        if (value === null) delete next[name];
        else next[name] = value;
      }
      items.set(`USER#${userId}|PROFILE`, next as TableItem);
      return next as TableItem;
    },
    swapFeedTokenHash: async (userId, hash) => {
      const current = profileOf(userId);
      if (!current) return undefined;
      const { feedTokenHash: replaced, ...rest } = current;
      items.set(`USER#${userId}|PROFILE`, {
        ...rest,
        ...(hash === undefined ? {} : { feedTokenHash: hash }),
      });
      return typeof replaced === 'string' ? { replaced } : {};
    },
  };
  return {
    items,
    erased,
    table,
    profiles,
    crashAfter: (deletions: number) => {
      failAfterDeletions = deletions;
    },
  };
}

type Memory = ReturnType<typeof memoryTable>;

function reminder(
  reminderId: string,
  userId: string,
  status: 'pending' | 'delivered',
  indexed: 'both' | 'GSI1',
) {
  return {
    PK: `REMINDER#${reminderId}`,
    SK: 'REMINDER',
    type: 'Reminder',
    reminderId,
    userId,
    title: 'call mum',
    timeZone: 'UTC',
    anchor: 'wall',
    version: 3,
    status,
    nextDueAt: '2026-11-23T09:00:00.000Z',
    ...(status === 'pending'
      ? { GSI1PK: `USER#${userId}`, GSI1SK: `2026-11-23T09:00:00.000Z#${reminderId}` }
      : {}),
    ...(indexed === 'both' ? { GSI3PK: `CALENDAR#${userId}`, GSI3SK: `REMINDER#${reminderId}` } : {}),
  };
}

function calendarEvent(eventId: string, rrule?: string) {
  const startsAt = '2026-11-23T08:00:00.000Z';
  return {
    PK: `USER#${USER}`,
    SK: `EVENT#${eventId}`,
    type: 'CalendarEvent',
    eventId,
    userId: USER,
    version: 1,
    title: rrule ? 'Stand-up' : 'Dentist',
    timeZone: 'Europe/Paris',
    allDay: false,
    start: '2026-11-23T09:00',
    end: '2026-11-23T10:00',
    startsAt,
    endsAt: '2026-11-23T09:00:00.000Z',
    ...(rrule ? { rrule } : {}),
    reminders: [],
    createdAt: '2026-11-20T10:00:00.000Z',
    updatedAt: '2026-11-20T10:00:00.000Z',
    ...calendarIndexKeys(USER, eventId, startsAt, rrule ? '2026-12-07T09:00:00.000Z' : undefined),
  };
}

/** A person with every kind of item, and another person whose items must be left alone. */
function seed(memory: Memory, profile: Record<string, unknown> = {}) {
  const put = (item: TableItem) => memory.items.set(keyOf(item), item);
  put({
    PK: `USER#${USER}`,
    SK: 'PROFILE',
    type: 'User',
    psid: PSID,
    email: EMAIL,
    createdAt: '2026-11-01T08:00:00.000Z',
    locale: 'en_GB',
    timeZone: 'Europe/London',
    GSI2PK: 'USERS',
    GSI2SK: `2026-11-01T08:00:00.000Z#${USER}`,
    ...profile,
  });
  put({
    PK: `PSID#${PSID}`,
    SK: 'PSID',
    type: 'PsidLink',
    userId: USER,
    lastMessageAt: '2026-11-21T08:00:00.000Z',
  });
  put({
    PK: `EMAIL#${EMAIL}`,
    SK: 'EMAIL',
    type: 'EmailLink',
    userId: USER,
    linkedAt: '2026-11-01T08:00:00.000Z',
  });
  put({
    PK: `EMAIL#${EMAIL}`,
    SK: 'OTP',
    type: 'OtpSession',
    email: EMAIL,
    sessionId: 'exec-1',
    state: 'waiting',
    attempts: 1,
    codeHmac: CODE_HMAC,
    taskToken: TASK_TOKEN,
  });
  put({ PK: `EMAIL#${EMAIL}`, SK: 'LOCK', type: 'Lockout', lockedUntil: '2026-11-22T09:15:00.000Z' });
  put({
    PK: `EMAIL#${EMAIL}`,
    SK: 'OUTCOME#req-1',
    type: 'OtpOutcome',
    result: { outcome: 'sent', expiresAt: '2026-11-22T09:10:00.000Z', resumeToken: TASK_TOKEN },
  });
  put(calendarEvent('01JD50000000000000000000E1'));
  put(calendarEvent('01JD50000000000000000000E2', 'FREQ=WEEKLY;COUNT=3'));
  put({
    PK: `USER#${USER}`,
    SK: `HELD#2026-11-20T09:00:00.000Z#${DELIVERED}`,
    type: 'HeldReminder',
    title: 'x',
  });
  put(reminder(PENDING, USER, 'pending', 'both'));
  put(reminder(LEGACY_PENDING, USER, 'pending', 'GSI1'));
  put(reminder(DELIVERED, USER, 'delivered', 'both'));
  put({
    PK: `REMINDER#${DELIVERED}`,
    SK: 'DELIVERY#2026-11-20T09:00:00.000Z',
    status: 'delivered',
    sent: ['email'],
  });
  // Someone else.
  put({ PK: `USER#${OTHER_USER}`, SK: 'PROFILE', type: 'User', email: 'bob@example.com', createdAt: 'x' });
  put({ PK: 'EMAIL#bob@example.com', SK: 'EMAIL', type: 'EmailLink', userId: OTHER_USER });
  put(reminder(OTHERS_REMINDER, OTHER_USER, 'pending', 'both'));
}

const ownItemCount = 13;

function portsOf(memory: Memory) {
  const published: PublishableEvent[] = [];
  const existingSchedules = new Set([`${PENDING}-v3`, `${LEGACY_PENDING}-v3`, `${OTHERS_REMINDER}-v3`]);
  const deletedSchedules: string[] = [];
  let randomSeed = 0;
  let ids = 0;
  const ports: AccountPorts = {
    now: () => NOW,
    table: memory.table,
    profiles: memory.profiles,
    deleteSchedule: async (name) => {
      deletedSchedules.push(name);
      return existingSchedules.delete(name);
    },
    publish: async (events) => {
      published.push(...events);
    },
    randomBytes: () => new Uint8Array(32).fill(++randomSeed),
    newId: () => `req-${++ids}`,
  };
  return { ports, published, existingSchedules, deletedSchedules };
}

const requestOf = (operationId: string, fields: Partial<ApiRequest> = {}) =>
  apiRequest(operationId, { userId: USER, email: EMAIL }, fields);

async function call(
  useCase: (request: ApiRequest<never>, ports: AccountPorts) => Promise<HttpAnswer>,
  operationId: string,
  ports: AccountPorts,
  fields: Partial<ApiRequest> = {},
): Promise<HttpAnswer> {
  return callUseCase(useCase, requestOf(operationId, fields), ports);
}

let memory: Memory;
let fakes: ReturnType<typeof portsOf>;

beforeEach(() => {
  memory = memoryTable();
  fakes = portsOf(memory);
});

describe('GET /me', () => {
  it('answers the settings, defaults filled in', async () => {
    seed(memory);
    const answer = await call(getMe, 'getMe', fakes.ports);
    expect(answer).toMatchObject({ status: 200 });
    expect(answer.body).toEqual({
      userId: USER,
      email: EMAIL,
      messengerLinked: true,
      timeZone: 'Europe/London',
      defaultChannels: ['messenger', 'email'],
      calendarFeed: false,
      createdAt: '2026-11-01T08:00:00.000Z',
    });
  });

  it('defaults to the channels the person can be reached on, and UTC', async () => {
    seed(memory, { psid: undefined, timeZone: undefined });
    const answer = await call(getMe, 'getMe', fakes.ports);
    expect(answer.body).toMatchObject({
      messengerLinked: false,
      timeZone: 'UTC',
      defaultChannels: ['email'],
    });
  });

  it('answers 404 once the account is deleted', async () => {
    expect((await call(getMe, 'getMe', fakes.ports)).status).toBe(404);
  });
});

describe('PATCH /me', () => {
  it('stores a new zone in its IANA spelling and asks every pending reminder to follow it', async () => {
    seed(memory);
    const answer = await call(updateMe, 'updateMe', fakes.ports, { body: { timeZone: 'europe/paris' } });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({ timeZone: 'Europe/Paris' });
    expect(memory.items.get(`USER#${USER}|PROFILE`)?.timeZone).toBe('Europe/Paris');
    expect(fakes.published).toHaveLength(2);
    expect(fakes.published.map((event) => event.detail)).toEqual(
      expect.arrayContaining(
        [PENDING, LEGACY_PENDING].map((reminderId) => ({
          schemaVersion: 1,
          requestId: expect.stringMatching(/^req-/),
          reminderId,
          userId: USER,
          channel: 'web',
          change: 'timezone',
          timeZone: 'Europe/Paris',
          requestedAt: '2026-11-22T09:00:00.000Z',
        })),
      ),
    );
    expect(fakes.published.every((event) => event.detailType === 'ReminderChangeRequested')).toBe(true);
  });

  it('publishes nothing when the zone stays the same', async () => {
    seed(memory);
    await call(updateMe, 'updateMe', fakes.ports, {
      body: { timeZone: 'Europe/London', defaultChannels: ['email'] },
    });
    expect(fakes.published).toEqual([]);
    expect(memory.items.get(`USER#${USER}|PROFILE`)?.defaultChannels).toEqual(['email']);
  });

  it('sets and removes the quiet hours (merge patch)', async () => {
    seed(memory);
    const quietHours = { start: '22:00', end: '07:00' };
    expect((await call(updateMe, 'updateMe', fakes.ports, { body: { quietHours } })).body).toMatchObject({
      quietHours,
    });
    const cleared = await call(updateMe, 'updateMe', fakes.ports, { body: { quietHours: null } });
    expect(cleared.body).not.toHaveProperty('quietHours');
    expect(memory.items.get(`USER#${USER}|PROFILE`)).not.toHaveProperty('quietHours');
  });

  it('refuses an unknown zone and Messenger without a linked PSID, naming both, and changes nothing', async () => {
    seed(memory, { psid: undefined });
    const before = memory.items.get(`USER#${USER}|PROFILE`);
    const answer = await call(updateMe, 'updateMe', fakes.ports, {
      body: { timeZone: 'Mars/Olympus_Mons', defaultChannels: ['messenger'] },
    });
    expect(answer.status).toBe(400);
    expect((answer.body as { errors: unknown[] }).errors).toEqual([
      expect.objectContaining({ field: '/timeZone', rule: 'unknown-time-zone' }),
      expect.objectContaining({ field: '/defaultChannels', rule: 'not-linked' }),
    ]);
    expect(memory.items.get(`USER#${USER}|PROFILE`)).toBe(before);
    expect(fakes.published).toEqual([]);
  });

  it('accepts Messenger once the PSID is linked', async () => {
    seed(memory);
    const answer = await call(updateMe, 'updateMe', fakes.ports, {
      body: { defaultChannels: ['messenger'] },
    });
    expect(answer.body).toMatchObject({ defaultChannels: ['messenger'] });
  });
});

describe('GET /me/export', () => {
  it('holds every item about the person and the pending schedules, and no secret', async () => {
    seed(memory);
    await call(createCalendarFeed, 'createCalendarFeed', fakes.ports);
    const feedHash = String(memory.items.get(`USER#${USER}|PROFILE`)?.feedTokenHash);
    const answer = await call(exportMe, 'exportMe', fakes.ports);
    const body = answer.body as { items: Record<string, unknown>[]; schedules: string[] };
    expect(body.items).toHaveLength(ownItemCount + 1);
    expect(body.items[0]).toMatchObject({ SK: 'PROFILE', email: EMAIL });
    expect(body.items.map((item) => item.type)).toEqual(
      expect.arrayContaining([
        'User',
        'PsidLink',
        'EmailLink',
        'OtpSession',
        'Lockout',
        'OtpOutcome',
        'CalendarFeed',
      ]),
    );
    expect(
      body.items
        .filter((item) => item.type === 'Reminder')
        .map((item) => item.reminderId)
        .sort(),
    ).toEqual([DELIVERED, PENDING, LEGACY_PENDING].sort());
    expect(body.items).toContainEqual(expect.objectContaining({ SK: 'DELIVERY#2026-11-20T09:00:00.000Z' }));
    expect(body.schedules.sort()).toEqual([`${LEGACY_PENDING}-v3`, `${PENDING}-v3`].sort());
    const text = JSON.stringify(body);
    for (const secret of [CODE_HMAC, TASK_TOKEN, feedHash]) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/codeHmac|taskToken|feedTokenHash|resumeToken/);
    expect(text).not.toContain(OTHER_USER);
  });

  it('leaves out an address another account owns', async () => {
    seed(memory);
    const answer = await call(exportMe, 'exportMe', fakes.ports, {
      caller: { userId: USER, email: 'bob@example.com' },
    });
    expect(JSON.stringify(answer.body)).not.toContain('bob@example.com');
  });
});

describe('DELETE /me', () => {
  let info: ReturnType<typeof vi.spyOn>;
  beforeEach(() => {
    info = vi.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => info.mockRestore());

  it('deletes the schedules, then every item, the profile last, and publishes AccountDeleted', async () => {
    seed(memory);
    await call(createCalendarFeed, 'createCalendarFeed', fakes.ports);
    const othersBefore = [...memory.items.keys()].filter((key) =>
      [OTHER_USER, 'bob@', OTHERS_REMINDER].some((other) => key.includes(other)),
    );
    const answer = await call(deleteMe, 'deleteMe', fakes.ports);
    expect(answer).toEqual({ status: 204 });
    expect([...memory.items.keys()].sort()).toEqual(othersBefore.sort());
    expect(memory.erased.at(-1)).toBe(`USER#${USER}|PROFILE`);
    expect(fakes.deletedSchedules.sort()).toEqual([`${LEGACY_PENDING}-v3`, `${PENDING}-v3`].sort());
    expect([...fakes.existingSchedules]).toEqual([`${OTHERS_REMINDER}-v3`]);
    const counts = { itemsDeleted: ownItemCount + 1, schedulesDeleted: 2 };
    expect(fakes.published).toEqual([
      {
        detailType: 'AccountDeleted',
        detail: { schemaVersion: 1, userId: USER, deletedAt: '2026-11-22T09:00:00.000Z', ...counts },
      },
    ]);
    expect(info).toHaveBeenCalledTimes(1);
    expect(info).toHaveBeenCalledWith('account deleted', { userId: USER, ...counts, byAdmin: false });
  });

  it('answers 204 again when nothing is left, publishing nothing more', async () => {
    seed(memory);
    await call(deleteMe, 'deleteMe', fakes.ports);
    fakes.published.length = 0;
    expect(await call(deleteMe, 'deleteMe', fakes.ports)).toEqual({ status: 204 });
    expect(fakes.published).toEqual([]);
  });

  it('finishes the job when retried after a crash halfway', async () => {
    seed(memory);
    memory.crashAfter(5);
    await expect(deleteMe(requestOf('deleteMe'), fakes.ports)).rejects.toThrow('crashed');
    expect(memory.items.has(`USER#${USER}|PROFILE`)).toBe(true);
    await call(deleteMe, 'deleteMe', fakes.ports);
    expect([...memory.items.keys()].filter((key) => key.includes(USER) || key.includes(EMAIL))).toEqual([]);
    expect(memory.items.has(`REMINDER#${OTHERS_REMINDER}|REMINDER`)).toBe(true);
  });
});

describe('the calendar feed', () => {
  const feedPath = (url: string) => url.slice(`${BASE_URL}/calendar/`.length);
  const fetchFeed = (feed: string) =>
    call(getCalendarFeed, 'getCalendarFeed', fakes.ports, { path: { feed } });

  it('makes a URL whose token only the person sees, and serves the events as iCalendar', async () => {
    seed(memory);
    const created = await call(createCalendarFeed, 'createCalendarFeed', fakes.ports);
    expect(created.status).toBe(201);
    const { url, createdAt } = created.body as { url: string; createdAt: string };
    expect(createdAt).toBe('2026-11-22T09:00:00.000Z');
    const token = /^https:\/\/api\.example\.test\/calendar\/([A-Za-z0-9_-]{43})\.ics$/.exec(url)?.[1] ?? '';
    expect(token).not.toBe('');
    const hash = createHash('sha256').update(token).digest('hex');
    expect(memory.items.get(`FEED#${hash}|FEED`)).toMatchObject({ userId: USER, createdAt });
    expect(memory.items.get(`USER#${USER}|PROFILE`)?.feedTokenHash).toBe(hash);
    expect(JSON.stringify([...memory.items.values()])).not.toContain(token);
    expect((await call(getMe, 'getMe', fakes.ports)).body).toMatchObject({ calendarFeed: true });

    const feed = await fetchFeed(feedPath(url));
    expect(feed).toMatchObject({
      status: 200,
      contentType: 'text/calendar; charset=utf-8',
      headers: { 'cache-control': 'private, max-age=300' },
    });
    expect(feed.text).toMatch(/^BEGIN:VCALENDAR\r\n/);
    expect(feed.text).toContain('SUMMARY:Dentist');
    expect(feed.text).toContain('SUMMARY:Stand-up');
    expect(feed.text).toContain('X-WR-CALNAME:Aurora Time');
  });

  it('replaces the URL on a new POST: the old one is gone', async () => {
    seed(memory);
    const first = (await call(createCalendarFeed, 'createCalendarFeed', fakes.ports)).body as { url: string };
    const second = (await call(createCalendarFeed, 'createCalendarFeed', fakes.ports)).body as {
      url: string;
    };
    expect(second.url).not.toBe(first.url);
    expect((await fetchFeed(feedPath(first.url))).status).toBe(404);
    expect((await fetchFeed(feedPath(second.url))).status).toBe(200);
    expect([...memory.items.keys()].filter((key) => key.startsWith('FEED#'))).toHaveLength(1);
  });

  it('revokes the URL', async () => {
    seed(memory);
    const { url } = (await call(createCalendarFeed, 'createCalendarFeed', fakes.ports)).body as {
      url: string;
    };
    expect(await call(deleteCalendarFeed, 'deleteCalendarFeed', fakes.ports)).toEqual({ status: 204 });
    expect((await fetchFeed(feedPath(url))).status).toBe(404);
    expect([...memory.items.keys()].filter((key) => key.startsWith('FEED#'))).toEqual([]);
    expect((await call(getMe, 'getMe', fakes.ports)).body).toMatchObject({ calendarFeed: false });
    expect(await call(deleteCalendarFeed, 'deleteCalendarFeed', fakes.ports)).toEqual({ status: 204 });
  });

  it('answers one 404 for an unknown, a malformed or a revoked feed', async () => {
    seed(memory);
    const unknown = await fetchFeed(`${'A'.repeat(43)}.ics`);
    expect(unknown.status).toBe(404);
    for (const feed of [`${'A'.repeat(43)}.json`, 'short.ics', `${'A'.repeat(43)}.ics.ics`]) {
      expect(await fetchFeed(feed)).toEqual(unknown);
    }
  });

  it('answers 404 for a POST after the account is deleted', async () => {
    expect((await call(createCalendarFeed, 'createCalendarFeed', fakes.ports)).status).toBe(404);
    expect([...memory.items.keys()]).toEqual([]);
  });
});
