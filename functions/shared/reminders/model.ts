/**
 * The reminder item (docs/data-model.md, patterns 6–8 and 15) and the names derived from it: one table item
 * per reminder, one schedule per version of it, one delivery record per occurrence.
 */
import { createHash } from 'node:crypto';
import { calendarPartition } from '../calendar/model';
import { ulid } from '../ulid';

export type ReminderStatus = 'pending' | 'delivered' | 'cancelled';
export type DeliveryChannel = 'email' | 'messenger';

export interface Reminder {
  readonly PK: string;
  readonly SK: 'REMINDER';
  readonly type: 'Reminder';
  readonly reminderId: string;
  readonly userId: string;
  readonly psid?: string;
  /** The request that created it: a redelivered request finds this item instead of making another. */
  readonly requestId: string;
  readonly title: string;
  readonly timeZone: string;
  readonly anchor: 'wall' | 'instant';
  /** Wall time of the first occurrence in `timeZone` (the series' DTSTART), `YYYY-MM-DDTHH:mm`. */
  readonly startLocal: string;
  readonly rrule?: string;
  /** The occurrence of the series the next firing belongs to (ISO UTC); for an event, when it starts. */
  readonly occurrenceAt: string;
  /** When the next firing happens: `leadTime` before `occurrenceAt`, or later (or earlier) when snoozed. */
  readonly nextDueAt: string;
  /** How long before each occurrence it fires (ISO-8601, e.g. PT15M, P1D); absent means at the occurrence. */
  readonly leadTime?: string;
  /** The calendar event it belongs to: `startLocal` and `rrule` are then the event's. */
  readonly eventId?: string;
  /** Bumped by every change, under a condition on the old value; the schedule of an old version is stale. */
  readonly version: number;
  readonly status: ReminderStatus;
  readonly deliverBy: readonly DeliveryChannel[];
  readonly lastDeliveredOccurrence?: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Only while pending: GSI1 then holds exactly what `list` shows, in due order. */
  readonly GSI1PK?: string;
  readonly GSI1SK?: string;
  /** Always: the person's calendar partition (`CALENDAR#<userId>`, `REMINDER#<reminderId>`). */
  readonly GSI3PK?: string;
  readonly GSI3SK?: string;
}

/** What a firing carries (the schedule's Input): enough to tell a current firing from a stale one. */
export interface Firing {
  readonly reminderId: string;
  readonly version: number;
  readonly occurrence: string;
}

export const MAX_PENDING_REMINDERS = 500;

export const reminderKey = (reminderId: string) => ({
  PK: `REMINDER#${reminderId}`,
  SK: 'REMINDER' as const,
});
export const userRemindersPartition = (userId: string) => `USER#${userId}`;
export const scheduleName = (reminderId: string, version: number) => `${reminderId}-v${version}`;

/**
 * The reminder id of a request: a ULID whose time is the request's and whose "random" part is a hash of its
 * requestId, so every delivery of the same request names the same reminder.
 */
export const reminderIdFor = (requestId: string, requestedAtMs: number): string =>
  ulid(requestedAtMs, createHash('sha256').update(requestId).digest());

/**
 * GSI1 keys while pending, none otherwise (the index is sparse); GSI3 keys always, so that every reminder of
 * a person, delivered and cancelled ones too, is one Query away (export, account deletion).
 */
export function withListing<T extends Omit<Reminder, 'GSI1PK' | 'GSI1SK' | 'GSI3PK' | 'GSI3SK'>>(
  reminder: T,
): Reminder {
  const { GSI1PK: _pk, GSI1SK: _sk, ...rest } = reminder as T & Partial<Pick<Reminder, 'GSI1PK' | 'GSI1SK'>>;
  const owned = {
    ...rest,
    GSI3PK: calendarPartition(rest.userId),
    GSI3SK: `REMINDER#${rest.reminderId}`,
  };
  return rest.status === 'pending'
    ? {
        ...owned,
        GSI1PK: userRemindersPartition(rest.userId),
        GSI1SK: `${rest.nextDueAt}#${rest.reminderId}`,
      }
    : owned;
}
