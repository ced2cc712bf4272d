/**
 * Calendar events over REST: create, read, change (merge patch under If-Match), delete, and list the
 * occurrences in a range.
 *
 * Primary course: an event is written under a version; each of its reminders is an ordinary reminder
 * (ReminderRequested on the bus, through the reminder lifecycle) that fires `offset` before every
 * occurrence. Moving, renaming or re-timing an event cancels its reminders and requests new ones under the
 * event's new version, so a firing of an old one is dropped as stale; deleting it cancels them.
 */
import type {
  EventInput,
  EventPatch,
  Event as EventResource,
  Occurrence,
} from '../../events-schema/generated/api-types';
import {
  type CalendarEvent,
  calendarIndexKeys,
  type EventFields,
  type EventReminderSetting,
  eventKey,
  MAX_RANGE_DAYS,
  occurrencesIn,
  placement,
  timesOf,
  validateEvent,
} from '../shared/calendar/model';
import {
  etagOf,
  type FieldError,
  type HttpAnswer,
  invalid,
  noContent,
  notFound,
  ok,
  preconditionFailure,
  problem,
} from '../shared/http/answers';
import { parseLeadTime } from '../shared/reminders/lead-time';
import { describeRecurrence } from '../shared/reminders/recurrence';
import { canonicalTimeZone, zonedWallTime } from '../shared/reminders/zoned';
import { ulid } from '../shared/ulid';
import { plannedReminders } from './event-reminders';
import { nextCursor, pageRequest } from './paging';
import type { ReminderRequests, SettingsReader } from './ports';
import { type ApiRequest, type Caller, callerOf } from './request';

export interface EventStore {
  readonly get: (userId: string, eventId: string) => Promise<CalendarEvent | undefined>;
  /** Writes version 1; false when the event already exists. */
  readonly create: (event: CalendarEvent) => Promise<boolean>;
  /** Replaces the stored event if it is still at `expectedVersion`; false otherwise. */
  readonly replace: (event: CalendarEvent, expectedVersion: number) => Promise<boolean>;
  readonly remove: (userId: string, eventId: string, expectedVersion: number) => Promise<boolean>;
  /** Every event with an occurrence that may overlap [from, to): two GSI3 key ranges, never a scan. */
  readonly overlapping: (userId: string, fromIso: string, toIso: string) => Promise<CalendarEvent[]>;
}

export interface EventPorts {
  readonly now: () => number;
  readonly events: EventStore;
  readonly settings: SettingsReader;
  readonly eventReminders: ReminderRequests;
}

function fieldsProblems(
  fields: EventFields,
  reminders: readonly { offset: string }[],
): FieldError[] | EventTimesOk {
  const times = timesOf(fields);
  if (Array.isArray(times)) return times;
  const problems: FieldError[] = [...validateEvent(fields, times)];
  reminders.forEach((reminder, index) => {
    const lead = parseLeadTime(reminder.offset);
    if (!lead.ok) {
      problems.push({
        field: `/reminders/${index}/offset`,
        rule: 'offset-too-large',
        message: `/reminders/${index}/offset: ${lead.problem}.`,
      });
    }
  });
  return problems.length > 0 ? problems : { times };
}

interface EventTimesOk {
  readonly times: Exclude<ReturnType<typeof timesOf>, unknown[]>;
}

/** The stored event for fields that passed validation. */
function eventItem(
  caller: Caller,
  eventId: string,
  version: number,
  fields: EventFields,
  times: EventTimesOk['times'],
  reminders: readonly EventReminderSetting[],
  stamps: { createdAt: string; updatedAt: string },
): CalendarEvent {
  const timeZone = canonicalTimeZone(fields.timeZone) ?? fields.timeZone;
  const placed = placement(times, timeZone, fields.rrule);
  return {
    ...eventKey(caller.userId, eventId),
    type: 'CalendarEvent',
    eventId,
    userId: caller.userId,
    version,
    title: fields.title,
    timeZone,
    ...times,
    startsAt: placed.startsAt,
    endsAt: placed.endsAt,
    ...(fields.location === undefined ? {} : { location: fields.location }),
    ...(fields.notes === undefined ? {} : { notes: fields.notes }),
    ...(fields.rrule === undefined ? {} : { rrule: fields.rrule }),
    reminders,
    ...stamps,
    ...calendarIndexKeys(caller.userId, eventId, placed.startsAt, placed.seriesEndsAt),
  };
}

export function eventResource(event: CalendarEvent): EventResource {
  return {
    id: event.eventId,
    version: event.version,
    title: event.title,
    timeZone: event.timeZone,
    allDay: event.allDay,
    ...(event.allDay
      ? { date: event.date, ...(event.endDate === undefined ? {} : { endDate: event.endDate }) }
      : { start: event.start, end: event.end }),
    startsAt: event.startsAt,
    endsAt: event.endsAt,
    ...(event.location === undefined ? {} : { location: event.location }),
    ...(event.notes === undefined ? {} : { notes: event.notes }),
    ...(event.rrule === undefined
      ? {}
      : { rrule: event.rrule, recurrence: describeRecurrence(event.rrule, event.timeZone) }),
    reminders: event.reminders.map((reminder) => ({
      offset: reminder.offset,
      channels: [...reminder.channels],
      ...(reminder.reminderId === undefined ? {} : { reminderId: reminder.reminderId }),
    })),
    createdAt: event.createdAt,
    updatedAt: event.updatedAt,
  };
}

const answerWith = (status: number, event: CalendarEvent, baseUrl: string): HttpAnswer => ({
  status,
  body: eventResource(event),
  headers: {
    etag: etagOf(event.version),
    ...(status === 201 ? { location: `${baseUrl}/events/${event.eventId}` } : {}),
  },
});

export async function createEvent(request: ApiRequest<EventInput>, ports: EventPorts): Promise<HttpAnswer> {
  const caller = callerOf(request);
  const settings = await ports.settings.read(caller.userId);
  const { reminders: requested = [], ...rest } = request.body;
  const fields: EventFields = { ...rest, timeZone: rest.timeZone ?? settings.timeZone };
  const checked = fieldsProblems(fields, requested);
  if (Array.isArray(checked)) return invalid(checked);
  const now = new Date(ports.now()).toISOString();
  const eventId = ulid(ports.now());
  const draft = eventItem(caller, eventId, 1, fields, checked.times, [], { createdAt: now, updatedAt: now });
  const reminders = plannedReminders(
    draft,
    requested.map((reminder) => ({
      offset: reminder.offset,
      channels: reminder.channels ?? settings.defaultChannels,
    })),
    now,
  );
  const event = { ...draft, reminders };
  if (!(await ports.events.create(event))) return problem(409, 'conflict', 'This event already exists.');
  await ports.eventReminders.request(event, settings);
  return answerWith(201, event, request.baseUrl);
}

export async function getEvent(request: ApiRequest, ports: EventPorts): Promise<HttpAnswer> {
  const caller = callerOf(request);
  const event = await ports.events.get(caller.userId, request.path.id ?? '');
  return event ? answerWith(200, event, request.baseUrl) : notFound('event');
}

/** RFC 7396: a null removes the field, any other value replaces it. */
function merged(current: CalendarEvent, patch: EventPatch): EventFields {
  const base: Record<string, unknown> = {
    title: current.title,
    timeZone: current.timeZone,
    ...(current.allDay
      ? { date: current.date, endDate: current.endDate }
      : { start: current.start, end: current.end }),
    location: current.location,
    notes: current.notes,
    rrule: current.rrule,
  };
  const { reminders: _reminders, ...changes } = patch;
  for (const [name, value] of Object.entries(changes)) base[name] = value;
  // Giving one pair of times replaces the other pair: moving a timed event to all-day needs no nulls.
  if (changes.date !== undefined && changes.date !== null && changes.start === undefined) {
    base.start = undefined;
    base.end = undefined;
  }
  if (changes.start !== undefined && changes.start !== null && changes.date === undefined) {
    base.date = undefined;
    base.endDate = undefined;
  }
  return Object.fromEntries(
    Object.entries(base).filter(([, value]) => value !== undefined && value !== null),
  ) as unknown as EventFields;
}

/** What the reminders depend on: when the event happens, what it is called and which reminders it has. */
const reminderShape = (event: CalendarEvent) =>
  JSON.stringify([
    event.title,
    event.timeZone,
    event.startsAt,
    event.rrule,
    event.reminders.map((reminder) => [reminder.offset, reminder.channels]),
  ]);

/** The caller's event at `{id}`, if the request's If-Match lets it change: else the answer that refuses. */
async function eventToChange(
  request: ApiRequest,
  ports: EventPorts,
  options: { readonly ifMatchRequired: boolean },
): Promise<CalendarEvent | HttpAnswer> {
  const current = await ports.events.get(callerOf(request).userId, request.path.id ?? '');
  if (!current) return notFound('event');
  return (
    preconditionFailure(
      request.headers['if-match'],
      { name: 'event', version: current.version },
      { required: options.ifMatchRequired },
    ) ?? current
  );
}

export async function updateEvent(request: ApiRequest<EventPatch>, ports: EventPorts): Promise<HttpAnswer> {
  const caller = callerOf(request);
  const current = await eventToChange(request, ports, { ifMatchRequired: true });
  if (!('eventId' in current)) return current;
  const settings = await ports.settings.read(caller.userId);
  const fields = merged(current, request.body);
  const requested =
    request.body.reminders?.map((reminder) => ({
      offset: reminder.offset,
      channels: reminder.channels ?? settings.defaultChannels,
    })) ?? current.reminders.map(({ offset, channels }) => ({ offset, channels }));
  const checked = fieldsProblems(fields, requested);
  if (Array.isArray(checked)) return invalid(checked);
  const now = new Date(ports.now()).toISOString();
  const draft = eventItem(caller, current.eventId, current.version + 1, fields, checked.times, requested, {
    createdAt: current.createdAt,
    updatedAt: now,
  });
  const remindersChange = reminderShape(draft) !== reminderShape(current);
  const event = remindersChange
    ? { ...draft, reminders: plannedReminders(draft, requested, now) }
    : { ...draft, reminders: current.reminders };
  if (!(await ports.events.replace(event, current.version))) {
    return problem(412, 'stale-version', 'The event changed meanwhile; read it again.');
  }
  if (remindersChange) {
    await ports.eventReminders.cancel(current, now);
    await ports.eventReminders.request(event, settings);
  }
  return answerWith(200, event, request.baseUrl);
}

export async function deleteEvent(request: ApiRequest, ports: EventPorts): Promise<HttpAnswer> {
  const caller = callerOf(request);
  const current = await eventToChange(request, ports, { ifMatchRequired: false });
  if (!('eventId' in current)) return current;
  if (!(await ports.events.remove(caller.userId, current.eventId, current.version))) {
    return problem(412, 'stale-version', 'The event changed meanwhile; read it again.');
  }
  await ports.eventReminders.cancel(current, new Date(ports.now()).toISOString());
  return noContent;
}

const LOCAL_DATE = /^\d{4}-\d{2}-\d{2}$/;
const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** A range bound: a date (its start; for `to`, the start of the next day), a wall time in the zone, or an instant. */
function boundOf(value: string, timeZone: string, endOfDay: boolean): string | undefined {
  try {
    if (LOCAL_DATE.test(value)) {
      const day = zonedWallTime(`${value}T00:00`, timeZone);
      return new Date((endOfDay ? day.add({ days: 1 }) : day).epochMilliseconds).toISOString();
    }
    if (LOCAL_DATE_TIME.test(value))
      return new Date(zonedWallTime(value, timeZone).epochMilliseconds).toISOString();
    if (INSTANT.test(value) && !Number.isNaN(Date.parse(value)))
      return new Date(Date.parse(value)).toISOString();
  } catch {
    return undefined;
  }
  return undefined;
}

export async function listOccurrences(request: ApiRequest, ports: EventPorts): Promise<HttpAnswer> {
  const caller = callerOf(request);
  const errors: FieldError[] = [];
  const zoneParameter = request.query.timeZone;
  const timeZone =
    zoneParameter === undefined
      ? (await ports.settings.read(caller.userId)).timeZone
      : canonicalTimeZone(zoneParameter);
  if (!timeZone) {
    return invalid([
      {
        field: 'timeZone',
        rule: 'unknown-time-zone',
        message: `timeZone: “${zoneParameter}” is not an IANA time zone.`,
      },
    ]);
  }
  const bound = (name: 'from' | 'to'): string | undefined => {
    const value = request.query[name];
    const parsed = value === undefined ? undefined : boundOf(value, timeZone, name === 'to');
    if (value === undefined) errors.push({ field: name, rule: 'required', message: `${name} is required.` });
    else if (parsed === undefined) {
      errors.push({
        field: name,
        rule: 'format',
        message: `${name} must be a date (2026-12-24), a local date-time (2026-12-24T09:00) or an instant with Z or an offset.`,
      });
    }
    return parsed;
  };
  const from = bound('from');
  const to = bound('to');
  const { limit, after } = pageRequest(request.query, errors);
  if (from && to) {
    if (Date.parse(to) <= Date.parse(from)) {
      errors.push({ field: 'to', rule: 'end-before-start', message: 'to must be after from.' });
    } else if (Date.parse(to) - Date.parse(from) > MAX_RANGE_DAYS * 86_400_000) {
      errors.push({
        field: 'to',
        rule: 'range-too-large',
        message: `The range is at most ${MAX_RANGE_DAYS} days.`,
      });
    }
  }
  if (errors.length > 0 || !from || !to) return invalid(errors);
  const occurrences = (await ports.events.overlapping(caller.userId, from, to))
    .flatMap((event) => occurrencesIn(event, from, to))
    .map((span) => ({ key: `${span.startsAt}#${span.event.eventId}`, span }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .filter((entry) => after === undefined || entry.key > after);
  const page = occurrences.slice(0, limit);
  return ok({
    from,
    to,
    timeZone,
    items: page.map(({ span }): Occurrence => {
      const { event } = span;
      const lastDay = span.endLocal.slice(0, 10);
      return {
        eventId: event.eventId,
        title: event.title,
        timeZone: event.timeZone,
        allDay: event.allDay,
        ...(event.allDay
          ? {
              date: span.startLocal.slice(0, 10),
              ...(multiDay(span.startLocal, lastDay) ? { endDate: dayBefore(lastDay) } : {}),
            }
          : { start: span.startLocal, end: span.endLocal }),
        startsAt: span.startsAt,
        endsAt: span.endsAt,
        ...(event.location === undefined ? {} : { location: event.location }),
        recurring: event.rrule !== undefined,
      };
    }),
    ...nextCursor(occurrences.length > page.length ? page.at(-1)?.key : undefined),
  });
}

const dayBefore = (date: string) =>
  zonedWallTime(`${date}T12:00`, 'UTC').subtract({ days: 1 }).toPlainDate().toString();
const multiDay = (startLocal: string, endDay: string) => dayBefore(endDay) > startLocal.slice(0, 10);
