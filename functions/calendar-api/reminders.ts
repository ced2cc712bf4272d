/**
 * Reminders over REST: list the pending ones, create, read, rename or move, cancel and snooze, doing what
 * the chat does (functions/conversation/converse.ts) with the same reader of time phrases.
 *
 * Primary course: the API never writes a reminder. It checks the request with the lifecycle workflow's own
 * decisions (planCreate / planChange), so a refusal is answered now rather than lost in the asynchronous
 * workflow, publishes ReminderRequested or ReminderChangeRequested (channel `web`: nothing is said on
 * Messenger), waits a few seconds for the workflow's write and answers with what it wrote. The reminder id
 * follows from the request id and time, so a created reminder can be named before it exists.
 */

import type {
  ReminderInput,
  ReminderPatch,
  Reminder as ReminderResource,
  SnoozeInput,
} from '../../events-schema/generated/api-types';
import { PATTERNS } from '../../events-schema/generated/patterns';
import type {
  ReminderChangeRequestedDetail,
  ReminderRequestedDetail,
} from '../../events-schema/generated/types';
import { type ChangePlan, planChange, planCreate, type Refusal } from '../reminder-plan/plan';
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
import { MAX_PENDING_REMINDERS, type Reminder } from '../shared/reminders/model';
import { parseWhen } from '../shared/reminders/parse';
import { describeRecurrence, validateRrule } from '../shared/reminders/recurrence';
import { Temporal } from '../shared/reminders/temporal';
import { canonicalTimeZone, wallTimeAt, zonedWallTime } from '../shared/reminders/zoned';
import { nextCursor, pageRequest } from './paging';
import type { Lifecycle, PersonSettings, SettingsReader } from './ports';
import { type ApiRequest, type Caller, callerOf } from './request';

export interface ReminderStore {
  /** A strongly consistent read: the answer to a change must see the workflow's write. */
  readonly get: (reminderId: string) => Promise<Reminder | undefined>;
  /**
   * Up to `limit` pending reminders in due order, after the one whose GSI1SK is `afterKey`; `lastKey` (the
   * GSI1SK of the last item) only when more follow.
   */
  readonly pending: (
    userId: string,
    limit: number,
    afterKey?: string,
  ) => Promise<{ readonly items: Reminder[]; readonly lastKey?: string }>;
  readonly countPending: (userId: string) => Promise<number>;
}

export interface ReminderPorts {
  readonly now: () => number;
  readonly newRequestId: () => string;
  readonly settings: SettingsReader;
  readonly lifecycle: Lifecycle;
  readonly reminders: ReminderStore;
}

/** When a reminder should fire, as a ReminderRequested / ReminderChangeRequested carries it. */
interface DueTime {
  readonly dueLocal: string;
  readonly anchor: 'wall' | 'instant';
  readonly rrule?: string;
}

type Reading =
  | { readonly ok: true; readonly due: DueTime }
  | { readonly ok: false; readonly error: FieldError };

const LOCAL_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/;
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Where `until` is an explicit time rather than a phrase. */
const DATE_TIME_START = /^\d{4}-\d{2}-\d{2}T/;
/** A GSI1SK: `<nextDueAt>#<reminderId>`, the reminder id as the schema's ReminderId. */
const LISTING_KEY = new RegExp(`^\\S+#(${PATTERNS.ReminderId.source.slice(1, -1)})$`);

const isoNow = (ports: ReminderPorts): string => new Date(ports.now()).toISOString();

/** The reminder id is derived from the request time to the second, as EventBridge times carry it. */
const toSecond = (epochMs: number): string => new Date(Math.floor(epochMs / 1000) * 1000).toISOString();

export function reminderResource(reminder: Reminder): ReminderResource {
  return {
    id: reminder.reminderId,
    version: reminder.version,
    title: reminder.title,
    status: reminder.status,
    timeZone: reminder.timeZone,
    anchor: reminder.anchor,
    channels: [...reminder.deliverBy],
    nextDueAt: reminder.nextDueAt,
    nextDueLocal: wallTimeAt(reminder.nextDueAt, reminder.timeZone),
    ...(reminder.rrule === undefined
      ? {}
      : { rrule: reminder.rrule, recurrence: describeRecurrence(reminder.rrule, reminder.timeZone) }),
    ...(reminder.eventId === undefined ? {} : { eventId: reminder.eventId }),
    ...(reminder.leadTime === undefined ? {} : { leadTime: reminder.leadTime }),
    ...(reminder.lastDeliveredOccurrence === undefined
      ? {}
      : { lastDeliveredAt: reminder.lastDeliveredOccurrence }),
    createdAt: reminder.createdAt,
    updatedAt: reminder.updatedAt,
  };
}

const answerWith = (
  status: number,
  body: ReminderResource,
  headers: Record<string, string> = {},
): HttpAnswer => ({
  status,
  body,
  headers: { etag: etagOf(body.version), ...headers },
});

/** A phrase read like the chat's, in `timeZone`. */
function readPhrase(field: string, phrase: string, nowMs: number, timeZone: string): Reading {
  const parsed = parseWhen(phrase, nowMs, timeZone);
  if (!parsed.ok) {
    const past = /already passed|not in the future/i.test(parsed.problem);
    return {
      ok: false,
      error: { field, rule: past ? 'in-the-past' : 'unreadable-time', message: parsed.problem },
    };
  }
  return {
    ok: true,
    due: {
      // An instant keeps its seconds ("in 20 minutes" is 20 minutes from now, not from the minute).
      dueLocal:
        parsed.anchor === 'instant' ? `${parsed.dueLocal}:${parsed.dueAt.slice(17, 19)}` : parsed.dueLocal,
      anchor: parsed.anchor,
      ...(parsed.rrule === undefined ? {} : { rrule: parsed.rrule }),
    },
  };
}

/** An explicit time: an instant (it stays put if the zone changes) or a wall time in `timeZone`. */
function readExplicit(field: string, value: string, timeZone: string): Reading {
  try {
    if (INSTANT.test(value)) {
      const instant = Temporal.Instant.from(value).toString();
      const seconds = new Date(Date.parse(instant)).toISOString().slice(17, 19);
      return {
        ok: true,
        due: { dueLocal: `${wallTimeAt(instant, timeZone)}:${seconds}`, anchor: 'instant' },
      };
    }
    if (LOCAL_DATE_TIME.test(value)) {
      zonedWallTime(value, timeZone);
      return { ok: true, due: { dueLocal: value, anchor: 'wall' } };
    }
  } catch {
    // An impossible date (2026-02-30): reported like any other malformed time.
  }
  return {
    ok: false,
    error: {
      field,
      rule: 'format',
      message: `${field}: give an instant with Z or an offset (2026-12-24T09:00:00Z) or a local date-time (2026-12-24T09:00).`,
    },
  };
}

/** Exactly one of `when` (a phrase) and `at` (an explicit time); undefined when neither is needed nor given. */
function readWhenOrAt(
  body: { readonly when?: string; readonly at?: string },
  nowMs: number,
  timeZone: string,
  required: boolean,
): Reading | undefined {
  if (body.when !== undefined && body.at !== undefined) {
    return {
      ok: false,
      error: { field: '/at', rule: 'exclusive', message: 'Give either when or at, not both.' },
    };
  }
  if (body.when !== undefined) return readPhrase('/when', body.when, nowMs, timeZone);
  if (body.at !== undefined) return readExplicit('/at', body.at, timeZone);
  return required
    ? {
        ok: false,
        error: {
          field: '/when',
          rule: 'required',
          message: 'Give when (a phrase such as tomorrow at 9) or at (a time such as 2026-12-24T09:00).',
        },
      }
    : undefined;
}

/** A move or snooze keeps the reminder's repeat: a phrase that states one would silently lose it. */
const repeatRefused = (field: string): FieldError => ({
  field,
  rule: 'repeat-not-allowed',
  message: `${field}: a time to move to cannot repeat; it keeps the reminder's own repeat.`,
});

/**
 * The planner's refusal of a request that passed the checks above it: the zone, the rule and the status
 * are checked before, so what is left is a time that has already gone by.
 */
const tooLate = (field: string, refusal: Refusal): HttpAnswer =>
  invalid([{ field, rule: 'in-the-past', message: refusal.reply }]);

/**
 * The caller's reminder as a change may touch it: it exists, an If-Match (when given) names its version, and
 * no event owns it (an event's reminders change with the event). Otherwise the answer that says why not.
 */
async function changeableReminder(request: ApiRequest, ports: ReminderPorts): Promise<Reminder | HttpAnswer> {
  const current = await ownReminder(request, ports);
  if (!current) return notFound('reminder');
  const refused = preconditionFailure(
    request.headers['if-match'],
    { name: 'reminder', version: current.version },
    { required: false },
  );
  if (refused) return refused;
  return current.eventId === undefined ? current : ownedByEvent(current.eventId);
}

/** A Reminder's status is a word; an answer's, a number. */
const isAnswer = (value: Reminder | HttpAnswer): value is HttpAnswer => typeof value.status === 'number';

/** The caller's reminder; another person's answers exactly like a missing one. */
async function ownReminder(request: ApiRequest, ports: ReminderPorts): Promise<Reminder | undefined> {
  const reminder = await ports.reminders.get(request.path.id ?? '');
  return reminder?.userId === callerOf(request).userId ? reminder : undefined;
}

/** An event's reminders follow the event: they are changed by changing it. */
const ownedByEvent = (eventId: string): HttpAnswer =>
  problem(
    409,
    'owned-by-event',
    `This reminder belongs to the event /events/${eventId}: change or delete the event, and its reminders follow.`,
  );

const notPending = (reminder: Reminder): HttpAnswer =>
  problem(409, 'not-pending', `“${reminder.title}” is not pending any more (it is ${reminder.status}).`);

function changeRequest(
  ports: ReminderPorts,
  current: Reminder,
  change: Pick<ReminderChangeRequestedDetail, 'change'> & Partial<ReminderChangeRequestedDetail>,
): ReminderChangeRequestedDetail {
  return {
    schemaVersion: 1,
    requestId: ports.newRequestId(),
    reminderId: current.reminderId,
    userId: current.userId,
    channel: 'web',
    requestedAt: isoNow(ports),
    ...change,
  };
}

/**
 * Publishes a planned change and waits for the workflow to write a later version; the planned item stands in
 * for the stored one if the wait runs out first (the workflow makes the same decision).
 */
async function applyChange(
  ports: ReminderPorts,
  detail: ReminderChangeRequestedDetail,
  plan: ChangePlan,
): Promise<Reminder> {
  const written = (reminder: Reminder | undefined): reminder is Reminder =>
    reminder !== undefined && reminder.version > plan.expectedVersion;
  await ports.lifecycle.publish([{ detailType: 'ReminderChangeRequested', detail }]);
  const [stored] = await ports.lifecycle.awaitReminders([detail.reminderId], written);
  return written(stored) ? stored : plan.reminder;
}

export async function listReminders(request: ApiRequest, ports: ReminderPorts): Promise<HttpAnswer> {
  const caller = callerOf(request);
  const errors: FieldError[] = [];
  const { limit, after } = pageRequest(request.query, errors, (key) => LISTING_KEY.test(key));
  if (errors.length > 0) return invalid(errors);
  const page = await ports.reminders.pending(caller.userId, limit, after);
  return ok({
    items: page.items.map(reminderResource),
    ...nextCursor(page.lastKey),
  });
}

export async function createReminder(
  request: ApiRequest<ReminderInput>,
  ports: ReminderPorts,
): Promise<HttpAnswer> {
  const caller = callerOf(request);
  const { body } = request;
  const settings = await ports.settings.read(caller.userId);
  const timeZone = body.timeZone === undefined ? settings.timeZone : canonicalTimeZone(body.timeZone);
  if (!timeZone) {
    return invalid([
      {
        field: '/timeZone',
        rule: 'unknown-time-zone',
        message: `/timeZone: “${body.timeZone}” is not an IANA time zone.`,
      },
    ]);
  }
  const nowMs = ports.now();
  const reading = readWhenOrAt(body, nowMs, timeZone, true);
  const errors = [...(reading && !reading.ok ? [reading.error] : []), ...rruleErrors(body)];
  if (errors.length > 0 || !reading?.ok) return invalid(errors);

  const requestedAt = toSecond(nowMs);
  const detail = requestedDetail(body, reading.due, {
    requestId: ports.newRequestId(),
    caller,
    settings,
    timeZone,
    requestedAt,
  });
  const pendingCount = await ports.reminders.countPending(caller.userId);
  const plan = planCreate(detail, { now: new Date(nowMs).toISOString(), requestedAt, pendingCount });
  if (!plan.ok) {
    return pendingCount >= MAX_PENDING_REMINDERS
      ? problem(409, 'too-many-reminders', plan.reply)
      : tooLate(body.when === undefined ? '/at' : '/when', plan);
  }

  const { reminderId } = plan.reminder;
  await ports.lifecycle.publish([{ detailType: 'ReminderRequested', detail }]);
  const [stored] = await ports.lifecycle.awaitReminders([reminderId], (reminder) => reminder !== undefined);
  const resource = stored
    ? reminderResource(stored)
    : { ...reminderResource(plan.reminder), status: 'scheduling' as const };
  return answerWith(201, resource, { location: `${request.baseUrl}/reminders/${reminderId}` });
}

/** An RRULE goes with `at` only (a `when` phrase states its own repeat), and must be one this API reads. */
function rruleErrors(body: ReminderInput): FieldError[] {
  if (body.rrule === undefined) return [];
  if (body.when !== undefined) {
    return [
      {
        field: '/rrule',
        rule: 'rrule-with-when',
        message: '/rrule goes with at: a when phrase says how it repeats (every weekday at 8).',
      },
    ];
  }
  const rruleProblem = validateRrule(body.rrule);
  return rruleProblem
    ? [{ field: '/rrule', rule: 'invalid-rrule', message: `/rrule: ${rruleProblem}.` }]
    : [];
}

/** The ReminderRequested event of a valid request. */
function requestedDetail(
  body: ReminderInput,
  due: DueTime,
  context: {
    readonly requestId: string;
    readonly caller: Caller;
    readonly settings: PersonSettings;
    readonly timeZone: string;
    readonly requestedAt: string;
  },
): ReminderRequestedDetail {
  const { settings } = context;
  const rrule = due.rrule ?? body.rrule;
  return {
    schemaVersion: 1,
    requestId: context.requestId,
    userId: context.caller.userId,
    channel: 'web',
    ...(settings.psid === undefined ? {} : { psid: settings.psid }),
    title: body.title,
    dueLocal: due.dueLocal,
    timeZone: context.timeZone,
    anchor: due.anchor,
    ...(rrule === undefined ? {} : { rrule }),
    // Non-empty by both schemas (minItems 1), which the generated API type does not carry.
    deliverBy: [...(body.channels ?? settings.defaultChannels)] as ReminderRequestedDetail['deliverBy'],
    requestedAt: context.requestedAt,
  };
}

export async function getReminder(request: ApiRequest, ports: ReminderPorts): Promise<HttpAnswer> {
  const reminder = await ownReminder(request, ports);
  return reminder ? answerWith(200, reminderResource(reminder)) : notFound('reminder');
}

export async function updateReminder(
  request: ApiRequest<ReminderPatch>,
  ports: ReminderPorts,
): Promise<HttpAnswer> {
  const current = await changeableReminder(request, ports);
  if (isAnswer(current)) return current;
  if (current.status !== 'pending') return notPending(current);

  const { body } = request;
  const reading = readWhenOrAt(body, ports.now(), current.timeZone, false);
  if (reading && !reading.ok) return invalid([reading.error]);
  const timeField = body.when === undefined ? '/at' : '/when';
  if (reading?.due.rrule !== undefined) return invalid([repeatRefused(timeField)]);

  // Each change is planned on the result of the one before, as the workflow will apply them.
  const now = isoNow(ports);
  const steps: { detail: ReminderChangeRequestedDetail; plan: ChangePlan }[] = [];
  let planned = current;
  if (body.title !== undefined) {
    const detail = changeRequest(ports, current, { change: 'edit', title: body.title });
    const plan = planChange(planned, detail, now);
    if (!plan.ok) return invalid([{ field: '/title', rule: 'refused', message: plan.reply }]);
    steps.push({ detail, plan });
    planned = plan.reminder;
  }
  if (reading) {
    const detail = changeRequest(ports, current, { change: 'reschedule', dueLocal: reading.due.dueLocal });
    const plan = planChange(planned, detail, now);
    if (!plan.ok) return tooLate(timeField, plan);
    steps.push({ detail, plan });
  }

  let result = current;
  for (const { detail, plan } of steps) result = await applyChange(ports, detail, plan);
  return answerWith(200, reminderResource(result));
}

export async function deleteReminder(request: ApiRequest, ports: ReminderPorts): Promise<HttpAnswer> {
  const current = await changeableReminder(request, ports);
  if (isAnswer(current)) return current;
  const detail = changeRequest(ports, current, { change: 'cancel' });
  const plan = planChange(current, detail, isoNow(ports));
  // The one refusal of a cancel of one's own reminder.
  if (!plan.ok) return notPending(current);
  await applyChange(ports, detail, plan);
  return noContent;
}

/**
 * A pending reminder's next firing moves; a delivered one-off (or ended series) repeats the occurrence that
 * was delivered, as the chat's Snooze on a delivered reminder does. A cancelled one stays cancelled.
 */
export async function snoozeReminder(
  request: ApiRequest<SnoozeInput>,
  ports: ReminderPorts,
): Promise<HttpAnswer> {
  const current = await ownReminder(request, ports);
  if (!current) return notFound('reminder');
  const repeatsDelivered = current.status === 'delivered' && current.lastDeliveredOccurrence !== undefined;
  if (current.status !== 'pending' && !repeatsDelivered) return notPending(current);

  const { minutes, until } = request.body;
  if (minutes !== undefined && until !== undefined) {
    return invalid([
      { field: '/until', rule: 'exclusive', message: 'Give either minutes or until, not both.' },
    ]);
  }
  let by: Pick<ReminderChangeRequestedDetail, 'snoozeMinutes' | 'dueLocal'>;
  if (minutes !== undefined) by = { snoozeMinutes: minutes };
  else if (until !== undefined) {
    const reading = DATE_TIME_START.test(until)
      ? readExplicit('/until', until, current.timeZone)
      : readPhrase('/until', until, ports.now(), current.timeZone);
    if (!reading.ok) return invalid([reading.error]);
    if (reading.due.rrule !== undefined) return invalid([repeatRefused('/until')]);
    by = { dueLocal: reading.due.dueLocal };
  } else {
    return invalid([
      {
        field: '/minutes',
        rule: 'required',
        message: 'Give minutes (e.g. 10) or until (e.g. tomorrow at 9).',
      },
    ]);
  }
  const detail = changeRequest(ports, current, {
    change: 'snooze',
    ...by,
    ...(repeatsDelivered ? { occurrence: current.lastDeliveredOccurrence } : {}),
  });
  const plan = planChange(current, detail, isoNow(ports));
  if (!plan.ok) return tooLate(until === undefined ? '/minutes' : '/until', plan);
  return answerWith(200, reminderResource(await applyChange(ports, detail, plan)));
}
