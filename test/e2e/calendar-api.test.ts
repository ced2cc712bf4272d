/**
 * The REST API end to end on the local cloud running the real app, over real HTTP: sign in with the code
 * from the local SES inbox, then events, reminders, settings and the calendar feed. Every answer is checked
 * against the OpenAPI document the API itself serves. Schedules are read with the Scheduler API, reminder
 * mail from the SES inbox; time moves only when the test moves the manual clock.
 */
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import ICAL from 'ical.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestCloud } from '../support/local-cloud';
import { type ContractChecker, contractChecker } from '../support/openapi-contract';
import { eventually } from '../support/polling';
import { inbox as inboxOf, signIn as signInOver } from '../support/sign-in';

const GROUP = 'aurora-dev-reminders';
const DELIVERY = 'arn:aws:states:us-east-1:000000000000:stateMachine:aurora-dev-reminder-delivery';

interface Answer {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Record<string, unknown>;
  readonly text: string;
}

const test = useTestCloud({ app: true });
let contract: ContractChecker;
let scheduler: SchedulerClient;
let sfn: SFNClient;

beforeAll(async () => {
  scheduler = new SchedulerClient(test.clientConfig);
  sfn = new SFNClient(test.clientConfig);
  const document = await fetch(`${test.cloud.apiUrl}/openapi.json`);
  contract = contractChecker((await document.json()) as Record<string, unknown>);
});

/** One HTTP call, its answer checked against the contract. */
async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; rawBody?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${test.cloud.apiUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body !== undefined || options.rawBody !== undefined
        ? { 'content-type': 'application/json' }
        : {}),
      ...options.headers,
    },
    ...(options.rawBody !== undefined
      ? { body: options.rawBody }
      : options.body !== undefined
        ? { body: JSON.stringify(options.body) }
        : {}),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? undefined;
  contract.check(method, path, response.status, contentType, text === '' ? undefined : text);
  const body =
    contentType?.includes('json') && text !== '' ? (JSON.parse(text) as Record<string, unknown>) : {};
  return { status: response.status, headers: response.headers, body, text };
}

const inbox = (email: string) => inboxOf(test.cloud.edgeUrl, email);
const signIn = (email: string) => signInOver(test.cloud, email);

async function advance(duration: string): Promise<void> {
  const response = await fetch(`${test.cloud.edgeUrl}/_aurora/clock`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ advanceBy: duration }),
  });
  expect(response.status).toBe(200);
}

async function scheduleOf(reminderId: string, version = 1) {
  const schedule = await scheduler.send(
    new GetScheduleCommand({ Name: `${reminderId}-v${version}`, GroupName: GROUP }),
  );
  return { expression: schedule.ScheduleExpression, timeZone: schedule.ScheduleExpressionTimezone };
}

async function scheduleNames(): Promise<string[]> {
  const listed = await scheduler.send(new ListSchedulesCommand({ GroupName: GROUP }));
  return (listed.Schedules ?? []).map((schedule) => schedule.Name ?? '');
}

const reminderIdsOf = (event: Record<string, unknown>) =>
  (event.reminders as Array<{ reminderId?: string }>).map((reminder) => reminder.reminderId ?? '');

describe('the REST API', () => {
  let ada: string;

  beforeAll(async () => {
    ada = await signIn('ada@example.com');
  }, 60_000);

  it('refuses calls without a valid session with 401, and another person’s event with 404', async () => {
    expect((await call('GET', '/events?from=2026-11-23&to=2026-11-30')).status).toBe(401);
    const [header, payload] = ada.split('.');
    const forged = `${header}.${payload}.${Buffer.from('not the signature').toString('base64url')}`;
    expect((await call('GET', '/me', { token: forged })).status).toBe(401);
    expect((await call('GET', '/me', { token: 'not-a-jwt' })).status).toBe(401);

    const created = await call('POST', '/events', {
      token: ada,
      body: { title: 'Private', start: '2026-11-25T10:00', end: '2026-11-25T11:00' },
    });
    expect(created.status).toBe(201);
    const grace = await signIn('grace@example.com');
    const id = String(created.body.id);
    expect((await call('GET', `/events/${id}`, { token: grace })).status).toBe(404);
    expect(
      (
        await call('PATCH', `/events/${id}`, {
          token: grace,
          headers: { 'if-match': '"1"' },
          body: { title: 'Mine' },
        })
      ).status,
    ).toBe(404);
    expect((await call('DELETE', `/events/${id}`, { token: grace })).status).toBe(404);
    expect((await call('GET', `/events/${id}`, { token: ada })).status).toBe(200);
  });

  it('names the field and the rule of every bad input, and writes nothing', async () => {
    const bad = async (body: unknown) => {
      const answer = await call('POST', '/events', { token: ada, body });
      expect(answer.status).toBe(400);
      expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      return (answer.body.errors as Array<{ field: string; rule: string }>).map(
        (error) => `${error.field} ${error.rule}`,
      );
    };
    expect(await bad({ title: 'Backwards', start: '2026-11-25T10:00', end: '2026-11-25T09:00' })).toEqual([
      '/end end-before-start',
    ]);
    expect(
      await bad({
        title: 'Nowhere',
        start: '2026-11-25T10:00',
        end: '2026-11-25T11:00',
        timeZone: 'Mars/Olympus',
      }),
    ).toEqual(['/timeZone unknown-time-zone']);
    expect(
      await bad({
        title: 'Odd',
        start: '2026-11-25T10:00',
        end: '2026-11-25T11:00',
        rrule: 'FREQ=WEEKLY;BYDAY=XX',
      }),
    ).toEqual(['/rrule invalid-rrule']);
    expect(
      await bad({
        title: 'Early bird',
        start: '2026-11-25T10:00',
        end: '2026-11-25T11:00',
        reminders: [{ offset: 'P30D' }],
      }),
    ).toEqual(['/reminders/0/offset offset-too-large']);
    expect(await bad({ start: '2026-11-25T10:00', end: '2026-11-25T11:00', colour: 'red' })).toEqual([
      '/title required',
      '/colour additionalProperties',
    ]);
    const tooBig = await call('POST', '/events', {
      token: ada,
      rawBody: JSON.stringify({ title: 'Big', notes: 'x'.repeat(70_000) }),
    });
    expect(tooBig.status).toBe(413);
    const notJson = await call('POST', '/events', { token: ada, rawBody: '{"title":' });
    expect(notJson.status).toBe(400);
    expect(notJson.body.type).toBe('/problems/invalid-json');

    const listed = await call('GET', '/events?from=2026-11-25&to=2026-11-25', { token: ada });
    expect((listed.body.items as Array<{ title: string }>).map((item) => item.title)).toEqual(['Private']);
  });

  it('creates an event with two reminders, moves them with it, emails each once, and cancels them on delete', async () => {
    expect((await call('PATCH', '/me', { token: ada, body: { timeZone: 'Europe/Paris' } })).status).toBe(200);
    const created = await call('POST', '/events', {
      token: ada,
      body: {
        title: 'Dentist',
        start: '2026-11-23T10:00',
        end: '2026-11-23T10:30',
        location: 'Rue de Rivoli 1, Paris',
        reminders: [
          { offset: 'PT15M', channels: ['email'] },
          { offset: 'PT1H', channels: ['email'] },
        ],
      },
    });
    expect(created.status).toBe(201);
    expect(created.headers.get('etag')).toBe('"1"');
    const id = String(created.body.id);
    expect(created.headers.get('location')).toBe(`${test.cloud.apiUrl}/events/${id}`);
    expect(created.body).toMatchObject({ timeZone: 'Europe/Paris', startsAt: '2026-11-23T09:00:00.000Z' });
    const [first, second] = reminderIdsOf(created.body);
    expect(await scheduleOf(first ?? '')).toEqual({
      expression: 'at(2026-11-23T09:45:00)',
      timeZone: 'Europe/Paris',
    });
    expect(await scheduleOf(second ?? '')).toEqual({
      expression: 'at(2026-11-23T09:00:00)',
      timeZone: 'Europe/Paris',
    });

    const week = await call('GET', '/events?from=2026-11-23&to=2026-11-24', { token: ada });
    expect(week.body.items).toEqual([
      expect.objectContaining({
        eventId: id,
        title: 'Dentist',
        start: '2026-11-23T10:00',
        end: '2026-11-23T10:30',
      }),
    ]);

    expect((await call('PATCH', `/events/${id}`, { token: ada, body: { title: 'x' } })).status).toBe(428);
    const moved = await call('PATCH', `/events/${id}`, {
      token: ada,
      headers: { 'if-match': '"1"' },
      body: { start: '2026-11-24T16:00', end: '2026-11-24T16:30' },
    });
    expect(moved.status).toBe(200);
    expect(moved.headers.get('etag')).toBe('"2"');
    const stale = await call('PATCH', `/events/${id}`, {
      token: ada,
      headers: { 'if-match': '"1"' },
      body: { title: 'Too late' },
    });
    expect(stale.status).toBe(412);

    const [movedFirst, movedSecond] = reminderIdsOf(moved.body);
    expect(await scheduleOf(movedFirst ?? '')).toEqual({
      expression: 'at(2026-11-24T15:45:00)',
      timeZone: 'Europe/Paris',
    });
    expect(await scheduleOf(movedSecond ?? '')).toEqual({
      expression: 'at(2026-11-24T15:00:00)',
      timeZone: 'Europe/Paris',
    });
    // The old version's schedules are deleted by the cancels.
    await eventually(async () => {
      const names = await scheduleNames();
      return !names.includes(`${first}-v1`) && !names.includes(`${second}-v1`) ? true : undefined;
    });

    // Past the old times and both new ones: one email per reminder, none for the old version.
    const remindersMailed = async () =>
      (await inbox('ada@example.com')).filter((mail) => mail.subject?.startsWith('Reminder:'));
    await advance('P2DT6H');
    await eventually(async () => ((await remindersMailed()).length >= 2 ? true : undefined));
    await eventually(async () => {
      const running = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: DELIVERY, statusFilter: 'RUNNING' }),
      );
      return running.executions?.length === 0 ? true : undefined;
    });
    expect((await remindersMailed()).map((mail) => mail.subject)).toEqual([
      'Reminder: Dentist starts at 16:00',
      'Reminder: Dentist starts at 16:00',
    ]);
    // Two days on, the access token has long expired: a new sign-in, the same person.
    ada = await signIn('ada@example.com');

    const series = await call('POST', '/events', {
      token: ada,
      body: {
        title: 'Standup',
        start: '2026-11-30T09:30',
        end: '2026-11-30T09:45',
        rrule: 'FREQ=WEEKLY;BYDAY=MO,WE',
        reminders: [{ offset: 'PT5M' }],
      },
    });
    expect(series.status).toBe(201);
    const [standupReminder] = reminderIdsOf(series.body);
    expect(await scheduleNames()).toContain(`${standupReminder}-v1`);
    expect((await call('DELETE', `/events/${String(series.body.id)}`, { token: ada })).status).toBe(204);
    await eventually(async () =>
      !(await scheduleNames()).includes(`${standupReminder}-v1`) ? true : undefined,
    );
    expect((await call('GET', `/events/${String(series.body.id)}`, { token: ada })).status).toBe(404);
  });

  it('creates one event for requests repeated with the same Idempotency-Key', async () => {
    const body = { title: 'Once', date: '2026-12-20' };
    const headers = { 'idempotency-key': 'retry-me-1' };
    const first = await call('POST', '/events', { token: ada, body, headers });
    const again = await call('POST', '/events', { token: ada, body, headers });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    const other = await call('POST', '/events', { token: ada, body: { ...body, title: 'Twice' }, headers });
    expect(other.status).toBe(409);
    const day = await call('GET', '/events?from=2026-12-20&to=2026-12-20', { token: ada });
    expect((day.body.items as Array<{ title: string }>).map((item) => item.title)).toEqual(['Once']);
  });

  it('lists recurring events as occurrences, page by page', async () => {
    const created = await call('POST', '/events', {
      token: ada,
      body: {
        title: 'Swim',
        start: '2027-01-04T07:00',
        end: '2027-01-04T08:00',
        rrule: 'FREQ=DAILY;COUNT=30',
      },
    });
    expect(created.status).toBe(201);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await call(
        'GET',
        `/events?from=2027-01-10&to=2027-01-19&limit=4${cursor ? `&cursor=${cursor}` : ''}`,
        { token: ada },
      );
      expect(page.status).toBe(200);
      seen.push(...(page.body.items as Array<{ start: string }>).map((item) => item.start));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    expect(seen).toEqual(
      Array.from({ length: 10 }, (_, day) => `2027-01-${String(10 + day).padStart(2, '0')}T07:00`),
    );
    expect(
      (await call('GET', '/events?from=2027-01-10&to=2027-01-19&cursor=nonsense', { token: ada })).status,
    ).toBe(400);
    expect((await call('GET', '/events?from=2027-01-10&to=2028-06-01', { token: ada })).status).toBe(400);
  });

  it('serves a revocable iCalendar feed that a real parser reads back', async () => {
    const feed = await call('POST', '/me/calendar-feed', { token: ada });
    expect(feed.status).toBe(201);
    const url = String(feed.body.url);
    const path = new URL(url).pathname;
    const ics = await call('GET', path);
    expect(ics.status).toBe(200);
    expect(ics.headers.get('content-type')).toMatch(/^text\/calendar/);
    const calendar = new ICAL.Component(ICAL.parse(ics.text));
    const summaries = calendar
      .getAllSubcomponents('vevent')
      .map((vevent) => new ICAL.Event(vevent).summary)
      .sort();
    expect(summaries).toEqual(['Dentist', 'Once', 'Private', 'Swim']);

    const replaced = await call('POST', '/me/calendar-feed', { token: ada });
    expect((await call('GET', path)).status).toBe(404);
    const newPath = new URL(String(replaced.body.url)).pathname;
    expect((await call('GET', newPath)).status).toBe(200);
    expect((await call('DELETE', '/me/calendar-feed', { token: ada })).status).toBe(204);
    expect((await call('GET', newPath)).status).toBe(404);
  });

  it('creates, lists and cancels reminders like the chat', async () => {
    const created = await call('POST', '/reminders', {
      token: ada,
      body: { title: 'Call mum', when: 'tomorrow at 9' },
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ title: 'Call mum', status: 'pending', timeZone: 'Europe/Paris' });
    const listed = await call('GET', '/reminders', { token: ada });
    expect((listed.body.items as Array<{ id: string }>).map((item) => item.id)).toContain(created.body.id);
    const id = String(created.body.id);
    const nine = String(created.body.nextDueLocal);
    expect(nine).toMatch(/T09:00$/);

    const renamed = await call('PATCH', `/reminders/${id}`, {
      token: ada,
      headers: { 'if-match': String(created.headers.get('etag')) },
      body: { title: 'Call mum back', at: `${nine.slice(0, 10)}T18:30` },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      title: 'Call mum back',
      nextDueLocal: `${nine.slice(0, 10)}T18:30`,
    });
    const version = Number(renamed.body.version);
    expect(await scheduleOf(id, version)).toEqual({
      expression: `at(${nine.slice(0, 10)}T18:30:00)`,
      timeZone: 'Europe/Paris',
    });
    const snoozed = await call('POST', `/reminders/${id}/snooze`, { token: ada, body: { minutes: 30 } });
    expect(snoozed.status).toBe(200);
    expect(snoozed.body.nextDueLocal).toBe(`${nine.slice(0, 10)}T19:00`);
    expect((await call('DELETE', `/reminders/${id}`, { token: ada })).status).toBe(204);
    expect((await call('GET', `/reminders/${id}`, { token: ada })).body.status).toBe('cancelled');
    const past = await call('POST', '/reminders', {
      token: ada,
      body: { title: 'Yesterday', at: '2020-01-01T09:00' },
    });
    expect(past.status).toBe(400);
  });

  it('exports everything held about a person, then deletes the account, its schedules included', async () => {
    const leaving = await signIn('leaving@example.com');
    const event = await call('POST', '/events', {
      token: leaving,
      body: {
        title: 'Farewell',
        start: '2027-02-01T18:00',
        end: '2027-02-01T20:00',
        reminders: [{ offset: 'P1D' }],
      },
    });
    const reminder = await call('POST', '/reminders', {
      token: leaving,
      body: { title: 'Pack', when: 'in 2 hours' },
    });
    const schedules = [`${reminderIdsOf(event.body)[0]}-v1`, `${String(reminder.body.id)}-v1`];
    expect(await scheduleNames()).toEqual(expect.arrayContaining(schedules));

    const exported = await call('GET', '/me/export', { token: leaving });
    expect(exported.status).toBe(200);
    const kinds = (exported.body.items as Array<{ type?: string }>).map((item) => item.type).sort();
    expect(kinds).toEqual(expect.arrayContaining(['CalendarEvent', 'Reminder', 'Reminder', 'User']));
    expect(exported.body.schedules).toEqual(expect.arrayContaining(schedules));
    expect(exported.text).not.toMatch(/codeHmac|taskToken/);

    expect((await call('DELETE', '/me', { token: leaving })).status).toBe(204);
    const left = await scheduleNames();
    expect(left.filter((name) => schedules.includes(name))).toEqual([]);
    expect((await call('GET', `/events/${String(event.body.id)}`, { token: leaving })).status).toBe(404);
    expect((await call('GET', '/me', { token: leaving })).status).toBe(404);
  });

  it('stops accepting an access token when it expires', async () => {
    const short = await signIn('brief@example.com');
    expect((await call('GET', '/me', { token: short })).status).toBe(200);
    await advance('PT16M');
    expect((await call('GET', '/me', { token: short })).status).toBe(401);
  });
});
