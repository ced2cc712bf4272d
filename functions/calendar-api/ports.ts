/**
 * The ports the REST use cases share: the person's settings, and the reminder lifecycle as the API asks it
 * for things (on the bus) and waits to see them done (in the table).
 */
import type { CalendarEvent } from '../shared/calendar/model';
import type { PublishableEvent } from '../shared/events/publish';
import type { DeliveryChannel, Reminder } from '../shared/reminders/model';

export interface PersonSettings {
  readonly userId: string;
  readonly timeZone: string;
  readonly defaultChannels: readonly DeliveryChannel[];
  readonly psid?: string;
  readonly email?: string;
}

export interface SettingsReader {
  /** The person's settings, with defaults for what they never set (UTC; email, and Messenger once linked). */
  readonly read: (userId: string) => Promise<PersonSettings>;
}

export interface Lifecycle {
  readonly publish: (events: PublishableEvent[]) => Promise<void>;
  /**
   * Reads the reminders until each satisfies `done` (or the wait, a few seconds, is over) and returns the
   * last reads: the lifecycle workflow runs asynchronously, and an answer should describe its result.
   */
  readonly awaitReminders: (
    reminderIds: readonly string[],
    done: (reminder: Reminder | undefined) => boolean,
  ) => Promise<(Reminder | undefined)[]>;
}

/** What an event does to its reminders (event-reminders.ts). */
export interface ReminderRequests {
  /** Asks for the event version's reminders and waits until they exist. */
  readonly request: (event: CalendarEvent, settings: PersonSettings) => Promise<void>;
  /** Cancels the reminders of a (previous) version of the event. */
  readonly cancel: (event: CalendarEvent, nowIso: string) => Promise<void>;
}
