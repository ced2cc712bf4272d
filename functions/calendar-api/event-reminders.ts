/**
 * An event's reminders are ordinary reminders with a lead time: one ReminderRequested per reminder of each
 * event version, whose series is the event's (its start wall time and RRULE) and which fires `offset` before
 * every occurrence. Their request ids, and so their reminder ids, follow from the event id, version and
 * position, so a repeated request names the same reminders and the event item can name them before they
 * exist.
 */
import type { ReminderRequestedDetail } from '../../events-schema/generated/types';
import { planCreate } from '../reminder-plan/plan';
import type { CalendarEvent, EventReminderSetting } from '../shared/calendar/model';
import type { DeliveryChannel } from '../shared/reminders/model';
import type { Lifecycle, PersonSettings, ReminderRequests } from './ports';

/** Seconds: EventBridge event times have no milliseconds, and the reminder id is derived from the time. */
const requestedAtOf = (event: CalendarEvent) =>
  new Date(Math.floor(Date.parse(event.updatedAt) / 1000) * 1000).toISOString();

function requestDetail(
  event: CalendarEvent,
  setting: Pick<EventReminderSetting, 'offset' | 'channels'>,
  index: number,
  psid: string | undefined,
): ReminderRequestedDetail {
  return {
    schemaVersion: 1,
    requestId: `${event.eventId}.v${event.version}.r${index}`,
    userId: event.userId,
    channel: 'web',
    ...(psid === undefined ? {} : { psid }),
    title: event.title,
    dueLocal: event.allDay ? `${event.date}T00:00` : event.start,
    timeZone: event.timeZone,
    anchor: 'wall',
    ...(event.rrule === undefined ? {} : { rrule: event.rrule }),
    deliverBy: [...setting.channels] as ReminderRequestedDetail['deliverBy'],
    leadTime: setting.offset,
    eventId: event.eventId,
    requestedAt: requestedAtOf(event),
  };
}

/**
 * The reminder settings of an event version, each with the id of the reminder that will carry it; none for
 * a reminder that has nothing left to fire for (a one-off event starting sooner than its offset).
 */
export function plannedReminders(
  event: CalendarEvent,
  requested: readonly { readonly offset: string; readonly channels: readonly DeliveryChannel[] }[],
  nowIso: string,
): EventReminderSetting[] {
  return requested.map((setting, index) => {
    const plan = planCreate(requestDetail(event, setting, index, undefined), {
      now: nowIso,
      requestedAt: requestedAtOf(event),
      pendingCount: 0,
    });
    return {
      offset: setting.offset,
      channels: setting.channels,
      ...(plan.ok ? { reminderId: plan.reminder.reminderId } : {}),
    };
  });
}

export function eventReminderRequests(lifecycle: Lifecycle): ReminderRequests {
  return {
    request: async (event: CalendarEvent, settings: PersonSettings) => {
      const wanted = event.reminders.flatMap((setting, index) =>
        setting.reminderId === undefined ? [] : [{ setting, index, reminderId: setting.reminderId }],
      );
      if (wanted.length === 0) return;
      await lifecycle.publish(
        wanted.map(({ setting, index }) => ({
          detailType: 'ReminderRequested' as const,
          detail: requestDetail(event, setting, index, settings.psid),
        })),
      );
      await lifecycle.awaitReminders(
        wanted.map(({ reminderId }) => reminderId),
        (reminder) => reminder !== undefined,
      );
    },
    cancel: async (event: CalendarEvent, nowIso: string) => {
      const ids = event.reminders.flatMap((setting) =>
        setting.reminderId === undefined ? [] : [setting.reminderId],
      );
      if (ids.length === 0) return;
      await lifecycle.publish(
        ids.map((reminderId, index) => ({
          detailType: 'ReminderChangeRequested' as const,
          detail: {
            schemaVersion: 1 as const,
            requestId: `${event.eventId}.v${event.version}.c${index}`,
            reminderId,
            userId: event.userId,
            channel: 'web' as const,
            change: 'cancel' as const,
            requestedAt: nowIso,
          },
        })),
      );
    },
  };
}
