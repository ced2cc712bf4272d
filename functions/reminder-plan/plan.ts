/**
 * The reminder lifecycle's decisions, as plain functions of the item, the request and the time: what a new
 * reminder is, what a change does to it, where a fired one goes next. The state machines do the writes
 * (conditional on the version these return) and the schedule calls; nothing here performs I/O.
 *
 * Primary courses: a request becomes a pending reminder with its first schedule; a change bumps the version
 * and replaces the schedule (or deletes it, for a cancel); a delivered occurrence of a recurring reminder
 * becomes the next one, 09:00 local staying 09:00 local across DST.
 *
 * A reminder with a lead time (a calendar event's "15 minutes before") is the same reminder: its occurrences
 * are the event's, `occurrenceAt` is when the event starts and `nextDueAt` the lead time before it. Without
 * a lead time the lead is zero and the two coincide.
 */
import type {
  ReminderChangeRequestedDetail,
  ReminderRequestedDetail,
} from '../../events-schema/generated/types';
import {
  describeLeadTime,
  fireInstant,
  isNoLead,
  type LeadTime,
  leadTimeOf,
  parseLeadTime,
} from '../shared/reminders/lead-time';
import {
  type Firing,
  MAX_PENDING_REMINDERS,
  type Reminder,
  reminderIdFor,
  reminderKey,
  scheduleName,
  withListing,
} from '../shared/reminders/model';
import { describeRecurrence, nextOccurrence, validateRrule } from '../shared/reminders/recurrence';
import {
  canonicalTimeZone,
  describeInZone,
  describeStart,
  type ResolvedWallTime,
  resolveWallTime,
  wallTimeAt,
} from '../shared/reminders/zoned';

/** What CreateSchedule needs beyond what the state machine fills in (target, role, retry policy, DLQ). */
export interface ScheduleSpec {
  readonly Name: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone: string;
  readonly ClientToken: string;
  /** The firing, as the JSON text the delivery workflow receives. */
  readonly Input: string;
}

export interface Refusal {
  readonly ok: false;
  readonly reply: string;
}

export interface CreatePlan {
  readonly ok: true;
  readonly reminder: Reminder;
  readonly schedule: ScheduleSpec;
  readonly reply: string;
}

export interface ChangePlan {
  readonly ok: true;
  readonly reminder: Reminder;
  readonly expectedVersion: number;
  /** The schedule of the new version, absent when nothing is pending any more. */
  readonly schedule?: ScheduleSpec;
  /** The schedule of the old version, when one may still exist. */
  readonly staleSchedule?: string;
  readonly event: { readonly detailType: string; readonly detail: Record<string, unknown> };
  readonly reply: string;
}

export interface AdvancePlan {
  readonly reminder: Reminder;
  readonly expectedVersion: number;
  readonly schedule?: ScheduleSpec;
}

const SECOND = 1000;
const truncateToSecond = (iso: string): string =>
  new Date(Math.floor(Date.parse(iso) / SECOND) * SECOND).toISOString();

/** Scheduler's `at()` in the reminder's zone: the wall time of the instant, to the second. */
export function scheduleFor(reminder: Reminder): ScheduleSpec {
  const firing: Firing = {
    reminderId: reminder.reminderId,
    version: reminder.version,
    occurrence: reminder.nextDueAt,
  };
  const seconds = new Date(Date.parse(reminder.nextDueAt)).toISOString().slice(17, 19);
  const name = scheduleName(reminder.reminderId, reminder.version);
  return {
    Name: name,
    ScheduleExpression: `at(${wallTimeAt(reminder.nextDueAt, reminder.timeZone)}:${seconds})`,
    ScheduleExpressionTimezone: reminder.timeZone,
    ClientToken: name,
    Input: JSON.stringify(firing),
  };
}

export function describeReminder(reminder: Reminder, now: string): string {
  const when = `${describeInZone(reminder.nextDueAt, reminder.timeZone, now)} ${reminder.timeZone}${leadNote(reminder)}`;
  return reminder.rrule ? `${when}, then ${describeRecurrence(reminder.rrule, reminder.timeZone)}` : when;
}

/** ` (15 min before it starts at 10:00)` for a lead-time reminder; a snoozed one just says when it starts. */
function leadNote(reminder: Reminder): string {
  if (reminder.leadTime === undefined) return '';
  const lead = leadTimeOf(reminder.leadTime);
  const start = describeStart(reminder.occurrenceAt, reminder.timeZone, reminder.nextDueAt);
  if (Date.parse(reminder.nextDueAt) !== Date.parse(fireTimeOf(reminder, reminder.occurrenceAt))) {
    return ` (it starts ${start})`;
  }
  return isNoLead(lead) ? ' (when it starts)' : ` (${describeLeadTime(lead)} before it starts ${start})`;
}

/** The firing that belongs to an occurrence: the occurrence, and when the reminder fires for it. */
interface Slot {
  readonly occurrenceAt: string;
  readonly nextDueAt: string;
}

/** When the reminder fires for `occurrence`: its lead time before it in `timeZone` (by default its own). */
const fireTimeOf = (
  reminder: Pick<Reminder, 'leadTime' | 'timeZone'>,
  occurrence: string,
  timeZone = reminder.timeZone,
): string => fireInstant(occurrence, timeZone, leadTimeOf(reminder.leadTime));

const later = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);

/**
 * The first occurrence strictly after `after` whose firing is still ahead of `now`. Every occurrence up to
 * `now` has fired already (a lead time only moves a firing earlier), but with a lead time some later ones
 * have too: a P2D lead on a daily series steps past them. Undefined once the series has ended.
 */
function nextFiringAfter(
  rrule: string,
  startLocal: string,
  timeZone: string,
  lead: LeadTime,
  after: string,
  now: string,
): Slot | undefined {
  let next = nextOccurrence(rrule, startLocal, timeZone, after);
  while (next) {
    const occurrenceAt = truncateToSecond(next.dueAt);
    const nextDueAt = fireInstant(occurrenceAt, timeZone, lead);
    if (Date.parse(nextDueAt) > Date.parse(now)) return { occurrenceAt, nextDueAt };
    next = nextOccurrence(rrule, startLocal, timeZone, occurrenceAt);
  }
  return undefined;
}

/**
 * The first firing of a reminder starting at `first`: that occurrence when its firing is still ahead, else
 * for a series the first later occurrence whose firing is (a calendar event's series began long ago, or its
 * first "1 day before" has gone by); undefined for a one-off whose firing has passed.
 */
function firstFiring(
  rrule: string | undefined,
  first: ResolvedWallTime,
  timeZone: string,
  lead: LeadTime,
  now: string,
): Slot | undefined {
  const occurrenceAt = truncateToSecond(first.dueAt);
  const nextDueAt = fireInstant(occurrenceAt, timeZone, lead);
  if (Date.parse(nextDueAt) > Date.parse(now)) return { occurrenceAt, nextDueAt };
  return rrule
    ? nextFiringAfter(rrule, first.dueLocal, timeZone, lead, later(occurrenceAt, now), now)
    : undefined;
}

export function planCreate(
  request: ReminderRequestedDetail,
  context: { readonly now: string; readonly requestedAt: string; readonly pendingCount: number },
): CreatePlan | Refusal {
  if (context.pendingCount >= MAX_PENDING_REMINDERS) {
    return {
      ok: false,
      reply: `You already have ${MAX_PENDING_REMINDERS} pending reminders, the most I keep. Cancel some first (type list).`,
    };
  }
  const timeZone = canonicalTimeZone(request.timeZone);
  if (!timeZone) return { ok: false, reply: `I do not know the time zone “${request.timeZone}”.` };
  const rruleProblem = request.rrule ? validateRrule(request.rrule) : undefined;
  if (rruleProblem) return { ok: false, reply: `I cannot repeat it that way: ${rruleProblem}` };
  const lead = parseLeadTime(request.leadTime);
  if (!lead.ok) return { ok: false, reply: `I cannot remind you then: ${lead.problem}.` };
  const first = resolveWallTime(request.dueLocal, timeZone);
  const slot = firstFiring(request.rrule, first, timeZone, lead.lead, context.now);
  if (!slot) {
    const firstFire = fireInstant(truncateToSecond(first.dueAt), timeZone, lead.lead);
    const note = request.leadTime === undefined ? '' : ` (${describeLeadTime(lead.lead)} before)`;
    const ended = request.rrule ? ', and so has the rest of the series' : '';
    return {
      ok: false,
      reply: `${describeInZone(firstFire, timeZone, context.now)} ${timeZone}${note} has already passed${ended}. Try a later time.`,
    };
  }
  const reminderId = reminderIdFor(request.requestId, Date.parse(context.requestedAt));
  const reminder = withListing({
    ...reminderKey(reminderId),
    type: 'Reminder',
    reminderId,
    userId: request.userId,
    ...(request.psid ? { psid: request.psid } : {}),
    requestId: request.requestId,
    title: request.title,
    timeZone,
    anchor: request.anchor,
    startLocal: first.dueLocal,
    ...(request.rrule ? { rrule: request.rrule } : {}),
    ...(request.leadTime === undefined ? {} : { leadTime: request.leadTime }),
    ...(request.eventId === undefined ? {} : { eventId: request.eventId }),
    ...slot,
    version: 1,
    status: 'pending',
    deliverBy: request.deliverBy,
    createdAt: context.now,
    updatedAt: context.now,
  });
  return {
    ok: true,
    reminder,
    schedule: scheduleFor(reminder),
    reply: `Scheduled: ${reminder.title}, ${describeReminder(reminder, context.now)}`,
  };
}

const notFound: Refusal = { ok: false, reply: 'I cannot find that reminder. Type list to see yours.' };

export function planChange(
  current: Reminder | undefined,
  change: ReminderChangeRequestedDetail,
  now: string,
): ChangePlan | Refusal {
  // Another person's reminder reads exactly like a missing one.
  if (!current || current.userId !== change.userId) return notFound;
  return CHANGES[change.change]({ current, change, now, pending: current.status === 'pending' });
}

/** A change being planned: the reminder as stored, the request, and whether the reminder is still pending. */
interface Changing {
  readonly current: Reminder;
  readonly change: ReminderChangeRequestedDetail;
  readonly now: string;
  readonly pending: boolean;
}

type ChangeOutcome = ChangePlan | Refusal;

const CHANGES: Record<ReminderChangeRequestedDetail['change'], (changing: Changing) => ChangeOutcome> = {
  cancel: planCancel,
  snooze: planSnooze,
  reschedule: planMove,
  timezone: planMove,
  edit: planEdit,
};

const notPending = (current: Reminder): Refusal => ({
  ok: false,
  reply: `“${current.title}” is not pending any more.`,
});

/** The next version of the reminder, with `fields` changed. */
const bumped = ({ current, now }: Changing, fields: Partial<Reminder>): Reminder =>
  withListing({ ...current, ...fields, version: current.version + 1, updatedAt: now });

/** What every change event carries. */
const eventBase = ({ current }: Changing) => ({
  schemaVersion: 1 as const,
  reminderId: current.reminderId,
  userId: current.userId,
});

/** The old version's schedule, when one may still exist. */
const staleScheduleOf = ({ current, pending }: Changing) =>
  pending ? { staleSchedule: scheduleName(current.reminderId, current.version) } : {};

function rescheduled(
  changing: Changing,
  reminder: Reminder,
  detailType: string,
  reply: string,
  detail: object,
): ChangePlan {
  return {
    ok: true,
    reminder,
    expectedVersion: changing.current.version,
    schedule: scheduleFor(reminder),
    ...staleScheduleOf(changing),
    event: { detailType, detail: { ...eventBase(changing), version: reminder.version, ...detail } },
    reply,
  };
}

function planCancel(changing: Changing): ChangeOutcome {
  const { current, now } = changing;
  if (!changing.pending) return notPending(current);
  return {
    ok: true,
    reminder: bumped(changing, { status: 'cancelled' }),
    expectedVersion: current.version,
    ...staleScheduleOf(changing),
    event: { detailType: 'ReminderCancelled', detail: { ...eventBase(changing), cancelledAt: now } },
    reply: `Cancelled: ${current.title}.`,
  };
}

function planSnooze(changing: Changing): ChangeOutcome {
  const { current, change, now, pending } = changing;
  const target = snoozeTarget(changing);
  if (target === undefined) return { ok: false, reply: 'How long should I snooze it?' };
  const nextDueAt = truncateToSecond(new Date(target).toISOString());
  if (Date.parse(nextDueAt) <= Date.parse(now)) return { ok: false, reply: 'That time has already passed.' };
  const repeatsDelivered =
    change.occurrence !== undefined && change.occurrence === current.lastDeliveredOccurrence;
  if (!pending && !repeatsDelivered) return notPending(current);
  // A series keeps its cadence: only this firing moves, `occurrenceAt` stays (or, for a delivered
  // occurrence of a series, the upcoming one stays pending behind the snoozed repeat).
  const pastNextFiring = Date.parse(nextDueAt) >= Date.parse(current.nextDueAt);
  if (current.rrule && pending && repeatsDelivered && pastNextFiring) {
    return {
      ok: false,
      reply: `The next “${current.title}” comes sooner than that: ${describeReminder(current, now)}.`,
    };
  }
  const reminder = bumped(changing, { status: 'pending', nextDueAt });
  return rescheduled(
    changing,
    reminder,
    'ReminderSnoozed',
    `Snoozed: ${current.title}, until ${describeReminder(reminder, now)}.`,
    { dueAt: nextDueAt },
  );
}

/** When a snooze moves the firing to: the wall time given (an ISO instant), or minutes from `snoozeFrom`. */
function snoozeTarget({ current, change, now }: Changing): string | number | undefined {
  if (change.dueLocal) return resolveWallTime(change.dueLocal, current.timeZone).dueAt;
  if (change.snoozeMinutes === undefined) return undefined;
  return snoozeFrom(current, change.occurrence, now) + change.snoozeMinutes * 60_000;
}

function planMove(changing: Changing): ChangeOutcome {
  const { current, change, now } = changing;
  if (!changing.pending) return notPending(current);
  const moved =
    change.change === 'reschedule' ? rescheduleTo(current, change, now) : followZone(current, change, now);
  if (!moved.ok) return moved;
  const { reminder } = moved;
  return rescheduled(changing, reminder, 'ReminderRescheduled', moved.reply, whenOf(reminder));
}

function planEdit(changing: Changing): ChangeOutcome {
  const { current, change } = changing;
  if (!changing.pending) return notPending(current);
  if (!change.title) return { ok: false, reply: 'What should the new title be?' };
  const reminder = bumped(changing, { title: change.title });
  return rescheduled(
    changing,
    reminder,
    'ReminderRescheduled',
    `Renamed: ${change.title}.`,
    whenOf(reminder),
  );
}

/** The ReminderRescheduled fields: when the reminder fires next, as an instant and on its zone's wall clock. */
const whenOf = (reminder: Reminder) => ({
  dueAt: reminder.nextDueAt,
  dueLocal: wallTimeAt(reminder.nextDueAt, reminder.timeZone),
  timeZone: reminder.timeZone,
});

/** A snooze of a delivered occurrence counts from now; of a pending one, from when it was due. */
function snoozeFrom(current: Reminder, occurrence: string | undefined, now: string): number {
  if (occurrence !== undefined && occurrence === current.lastDeliveredOccurrence) return Date.parse(now);
  return Math.max(Date.parse(current.nextDueAt), Date.parse(now));
}

type Moved = { readonly ok: true; readonly reminder: Reminder; readonly reply: string } | Refusal;

function rescheduleTo(current: Reminder, change: ReminderChangeRequestedDetail, now: string): Moved {
  if (!change.dueLocal) return { ok: false, reply: 'When should it be?' };
  const timeZone = change.timeZone ? canonicalTimeZone(change.timeZone) : current.timeZone;
  if (!timeZone) return { ok: false, reply: `I do not know the time zone “${change.timeZone}”.` };
  // The new time is the occurrence (an event's new start); the reminder keeps its lead time before it.
  const moved = resolveWallTime(change.dueLocal, timeZone);
  const slot = firstFiring(current.rrule, moved, timeZone, leadTimeOf(current.leadTime), now);
  if (!slot) return { ok: false, reply: 'That time has already passed.' };
  const reminder = withListing({
    ...current,
    timeZone,
    startLocal: moved.dueLocal,
    ...slot,
    version: current.version + 1,
    updatedAt: now,
  });
  return { ok: true, reminder, reply: `Rescheduled: ${current.title}, ${describeReminder(reminder, now)}.` };
}

/** A wall-time reminder keeps its wall time in the person's new zone; an instant stays where it is. */
function followZone(current: Reminder, change: ReminderChangeRequestedDetail, now: string): Moved {
  const timeZone = change.timeZone ? canonicalTimeZone(change.timeZone) : undefined;
  if (!timeZone) return { ok: false, reply: `I do not know the time zone “${change.timeZone}”.` };
  const carry = (instant: string) =>
    current.anchor === 'wall'
      ? truncateToSecond(resolveWallTime(wallTimeAt(instant, current.timeZone), timeZone).dueAt)
      : instant;
  let occurrenceAt = carry(current.occurrenceAt);
  // A firing on its lead time stays the lead time before the occurrence, counted on the new zone's calendar;
  // a snoozed one keeps its own wall time, like the occurrence.
  const onLead = Date.parse(current.nextDueAt) === Date.parse(fireTimeOf(current, current.occurrenceAt));
  let nextDueAt =
    current.anchor === 'wall' && onLead
      ? fireTimeOf(current, occurrenceAt, timeZone)
      : carry(current.nextDueAt);
  if (Date.parse(nextDueAt) <= Date.parse(now)) {
    // The same wall time has already passed in the new zone: a series moves on, a one-off keeps its instant.
    const lead = leadTimeOf(current.leadTime);
    const next = current.rrule
      ? nextFiringAfter(current.rrule, current.startLocal, timeZone, lead, now, now)
      : undefined;
    occurrenceAt = next?.occurrenceAt ?? current.occurrenceAt;
    nextDueAt = next?.nextDueAt ?? current.nextDueAt;
  }
  const reminder = withListing({
    ...current,
    timeZone,
    occurrenceAt,
    nextDueAt,
    version: current.version + 1,
    updatedAt: now,
  });
  return {
    ok: true,
    reminder,
    reply:
      current.anchor === 'wall'
        ? `${current.title}: still at ${wallTimeAt(nextDueAt, timeZone).slice(11)}, now in ${timeZone}.`
        : `${current.title}: unchanged, now shown in ${timeZone}.`,
  };
}

/**
 * After a firing was handled (delivered, held or failed): a one-off is done; a series moves to its next
 * occurrence whose firing is after now. A snoozed repeat fired before the upcoming occurrence's firing
 * leaves that occurrence in place.
 */
export function planAdvance(current: Reminder, firing: Firing, now: string): AdvancePlan {
  const done = { lastDeliveredOccurrence: firing.occurrence, version: current.version + 1, updatedAt: now };
  const lead = leadTimeOf(current.leadTime);
  // Compared with the upcoming occurrence's firing, not the occurrence: with a lead time the occurrence is
  // always later than its own firing.
  const upcomingFire = fireInstant(current.occurrenceAt, current.timeZone, lead);
  const upcomingStillAhead = Date.parse(upcomingFire) > Date.parse(firing.occurrence);
  if (current.rrule && upcomingStillAhead) {
    const reminder = withListing({ ...current, ...done, nextDueAt: upcomingFire });
    return { reminder, expectedVersion: current.version, schedule: scheduleFor(reminder) };
  }
  const after = later(later(current.occurrenceAt, firing.occurrence), now);
  const next = current.rrule
    ? nextFiringAfter(current.rrule, current.startLocal, current.timeZone, lead, after, now)
    : undefined;
  if (!next) {
    return {
      reminder: withListing({ ...current, ...done, status: 'delivered' }),
      expectedVersion: current.version,
    };
  }
  const reminder = withListing({ ...current, ...done, ...next });
  return { reminder, expectedVersion: current.version, schedule: scheduleFor(reminder) };
}
