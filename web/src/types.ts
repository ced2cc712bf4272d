/** The API's bodies, generated from events-schema/api/resources.json (types only: nothing of it is bundled). */

export type {
  AdminLockInput,
  AdminLockoutList,
  AdminReasonInput,
  AdminUser,
  AdminUserDetail,
  AdminUserPage,
  AnalyticsReport,
  CalendarFeed,
  DeliveryChannels,
  Event,
  EventInput,
  EventPatch,
  EventReminder,
  EventReminderInput,
  Kpis,
  Me,
  MePatch,
  Occurrence,
  OccurrencePage,
  Problem,
  ProblemField,
  QuietHours,
  Reminder,
  ReminderInput,
  ReminderPage,
} from '../../events-schema/generated/api-types';

export type Channel = 'email' | 'messenger';
export const CHANNELS: readonly Channel[] = ['email', 'messenger'];
export const CHANNEL_LABELS: Record<Channel, string> = { email: 'Email', messenger: 'Messenger' };

/** The reminder lateness percentiles of the KPIs, in milliseconds; null when nothing was delivered. */
export type LatenessPercentile = 'latenessP50Ms' | 'latenessP95Ms' | 'latenessP99Ms';
