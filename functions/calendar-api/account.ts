/**
 * The person's account over REST: settings (GET/PATCH /me), the export of everything held about them, the
 * deletion of all of it, and the private iCalendar feed URL.
 *
 * Everything about a person is found from their user id by keys alone (docs/data-model.md): the `USER#`
 * partition (profile, events, held reminders), their reminders on GSI3 and GSI1 with each one's partition
 * (the reminder and its delivery records), the PSID link and email partition (link, OTP session, lock,
 * outcomes) the profile names, and the feed token item whose hash the profile holds. Never a scan.
 */
import { createHash } from 'node:crypto';
import type { CalendarFeed, Export, Me, MePatch, QuietHours } from '../../events-schema/generated/api-types';
import { renderCalendarFeed } from '../shared/calendar/ics';
import type { CalendarEvent } from '../shared/calendar/model';
import { calendarPartition } from '../shared/calendar/model';
import type { PublishableEvent } from '../shared/events/publish';
import { type FieldError, type HttpAnswer, invalid, noContent, ok, problem } from '../shared/http/answers';
import { logger } from '../shared/logger';
import {
  type DeliveryChannel,
  reminderKey,
  scheduleName,
  userRemindersPartition,
} from '../shared/reminders/model';
import { canonicalTimeZone } from '../shared/reminders/zoned';
import type { PersonSettings } from './ports';
import { type ApiRequest, type Caller, callerOf } from './request';

export interface ItemKey {
  readonly PK: string;
  readonly SK: string;
}

export type TableItem = ItemKey & Readonly<Record<string, unknown>>;

/** Reads on keys and deletes: the only table access the export and the deletion need. */
export interface AccountTable {
  readonly get: (key: ItemKey) => Promise<TableItem | undefined>;
  /** Every item of a table partition, or only those whose sort key starts with `sortKeyPrefix`. */
  readonly query: (partitionKey: string, sortKeyPrefix?: string) => Promise<TableItem[]>;
  /** The same on an index (GSI1 and GSI3 project every attribute). */
  readonly queryIndex: (
    index: 'GSI1' | 'GSI3',
    partitionKey: string,
    sortKeyPrefix?: string,
  ) => Promise<TableItem[]>;
  readonly put: (item: TableItem) => Promise<void>;
  /** Deletes in the given order (a later key is never deleted before an earlier one). */
  readonly erase: (keys: readonly ItemKey[]) => Promise<void>;
}

/** A merge patch of the settings as stored: null removes the quiet hours. */
export interface SettingsChanges {
  readonly timeZone?: string;
  readonly defaultChannels?: readonly DeliveryChannel[];
  readonly quietHours?: QuietHours | null;
}

/** The profile's conditional updates: neither ever creates a profile. */
export interface ProfileUpdates {
  /** The profile after the change, or undefined when there is none. */
  readonly changeSettings: (userId: string, changes: SettingsChanges) => Promise<TableItem | undefined>;
  /**
   * Sets (a hash) or removes (undefined) the feed token hash in one write and answers the hash it replaced,
   * so two concurrent replacements each delete the other's predecessor and no live token is orphaned.
   * Undefined when there is no profile.
   */
  readonly swapFeedTokenHash: (
    userId: string,
    hash: string | undefined,
  ) => Promise<{ readonly replaced?: string } | undefined>;
}

export interface AccountPorts {
  readonly now: () => number;
  readonly table: AccountTable;
  readonly profiles: ProfileUpdates;
  /** Deletes a schedule of the reminder group; false when it was already gone. */
  readonly deleteSchedule: (name: string) => Promise<boolean>;
  readonly publish: (events: PublishableEvent[]) => Promise<void>;
  /** 32 cryptographically random bytes. */
  readonly randomBytes: () => Uint8Array;
  /** A request id for the events published. */
  readonly newId: () => string;
}

/** The profile as the API reads it; whatever else it holds is kept but not interpreted. */
export interface Profile {
  readonly createdAt: string;
  readonly psid?: string;
  readonly email?: string;
  readonly timeZone?: string;
  readonly defaultChannels?: readonly DeliveryChannel[];
  readonly quietHours?: QuietHours;
  readonly feedTokenHash?: string;
}

export const profileKey = (userId: string): ItemKey => ({ PK: `USER#${userId}`, SK: 'PROFILE' });
export const feedKey = (tokenHash: string): ItemKey => ({ PK: `FEED#${tokenHash}`, SK: 'FEED' });

const CHANNELS: readonly DeliveryChannel[] = ['messenger', 'email'];
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);

export function profileOf(item: TableItem): Profile {
  const psid = text(item.psid);
  const email = text(item.email);
  const timeZone = text(item.timeZone);
  const feedTokenHash = text(item.feedTokenHash);
  const channels = Array.isArray(item.defaultChannels)
    ? CHANNELS.filter((channel) => (item.defaultChannels as unknown[]).includes(channel))
    : [];
  const quiet = item.quietHours as Record<string, unknown> | undefined;
  const start = text(quiet?.start);
  const end = text(quiet?.end);
  return {
    createdAt: text(item.createdAt) ?? '',
    ...(psid ? { psid } : {}),
    ...(email ? { email } : {}),
    ...(timeZone ? { timeZone } : {}),
    ...(channels.length > 0 ? { defaultChannels: channels } : {}),
    ...(start && end ? { quietHours: { start, end } } : {}),
    ...(feedTokenHash ? { feedTokenHash } : {}),
  };
}

/** Defaults for what the person never set: UTC, and every channel they can be reached on (email if none). */
export function settingsOf(userId: string, profile: Profile | undefined): PersonSettings {
  const reachable: DeliveryChannel[] = [
    ...(profile?.psid ? (['messenger'] as const) : []),
    ...(profile?.email ? (['email'] as const) : []),
  ];
  return {
    userId,
    timeZone: profile?.timeZone ?? 'UTC',
    defaultChannels: profile?.defaultChannels ?? (reachable.length > 0 ? reachable : ['email']),
    ...(profile?.psid ? { psid: profile.psid } : {}),
    ...(profile?.email ? { email: profile.email } : {}),
  };
}

function meOf(userId: string, profile: Profile): Me {
  const settings = settingsOf(userId, profile);
  return {
    userId,
    ...(profile.email ? { email: profile.email } : {}),
    messengerLinked: profile.psid !== undefined,
    timeZone: settings.timeZone,
    defaultChannels: [...settings.defaultChannels],
    ...(profile.quietHours ? { quietHours: profile.quietHours } : {}),
    calendarFeed: profile.feedTokenHash !== undefined,
    createdAt: profile.createdAt,
  };
}

// Only after DELETE /me, while the session that deleted the account is still valid.
const NO_ACCOUNT = problem(404, 'not-found', 'There is no account for this session any more.');

async function readProfile(table: AccountTable, userId: string): Promise<Profile | undefined> {
  const item = await table.get(profileKey(userId));
  return item ? profileOf(item) : undefined;
}

export async function getMe(request: ApiRequest, ports: AccountPorts): Promise<HttpAnswer> {
  const { userId } = callerOf(request);
  const profile = await readProfile(ports.table, userId);
  return profile ? ok(meOf(userId, profile)) : NO_ACCOUNT;
}

export async function updateMe(request: ApiRequest<MePatch>, ports: AccountPorts): Promise<HttpAnswer> {
  const { userId } = callerOf(request);
  const current = await readProfile(ports.table, userId);
  if (!current) return NO_ACCOUNT;
  const patch = request.body;
  const errors: FieldError[] = [];
  const timeZone = patch.timeZone === undefined ? undefined : canonicalTimeZone(patch.timeZone);
  if (patch.timeZone !== undefined && !timeZone) {
    errors.push({
      field: '/timeZone',
      rule: 'unknown-time-zone',
      message: `/timeZone: “${patch.timeZone}” is not an IANA time zone.`,
    });
  }
  if (patch.defaultChannels?.includes('messenger') && !current.psid) {
    errors.push({
      field: '/defaultChannels',
      rule: 'not-linked',
      message:
        '/defaultChannels: Messenger is not linked yet; send Aurora Time a message on Messenger first.',
    });
  }
  if (errors.length > 0) return invalid(errors);
  const changed = await ports.profiles.changeSettings(userId, {
    ...(timeZone ? { timeZone } : {}),
    ...(patch.defaultChannels ? { defaultChannels: patch.defaultChannels } : {}),
    ...(patch.quietHours === undefined ? {} : { quietHours: patch.quietHours }),
  });
  if (!changed) return NO_ACCOUNT;
  if (timeZone && timeZone !== settingsOf(userId, current).timeZone) {
    await followTimeZone(userId, timeZone, new Date(ports.now()).toISOString(), ports);
  }
  return ok(meOf(userId, profileOf(changed)));
}

/**
 * As the chat's `timezone` command: every pending reminder is asked to follow the new zone, except an
 * event's, which keeps the event's zone.
 */
async function followTimeZone(userId: string, timeZone: string, nowIso: string, ports: AccountPorts) {
  const pending = (await ports.table.queryIndex('GSI1', userRemindersPartition(userId))).filter(
    (reminder) => reminder.eventId === undefined,
  );
  if (pending.length === 0) return;
  await ports.publish(
    pending.map((reminder) => ({
      detailType: 'ReminderChangeRequested' as const,
      detail: {
        schemaVersion: 1 as const,
        requestId: ports.newId(),
        reminderId: String(reminder.reminderId),
        userId,
        channel: 'web' as const,
        change: 'timezone' as const,
        timeZone,
        requestedAt: nowIso,
      },
    })),
  );
}

/** Everything held about a person, and the schedules of their pending reminders. */
interface Footprint {
  readonly profile?: TableItem;
  /** Every other item. */
  readonly items: readonly TableItem[];
  readonly schedules: readonly string[];
}

/** Reminder partitions read at once: enough to be quick, few enough not to be throttled. */
const READ_CONCURRENCY = 8;

async function mapInGroups<T, R>(values: readonly T[], map: (value: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < values.length; start += READ_CONCURRENCY) {
    results.push(...(await Promise.all(values.slice(start, start + READ_CONCURRENCY).map(map))));
  }
  return results;
}

async function footprintOf(caller: Caller, table: AccountTable): Promise<Footprint> {
  const { userId } = caller;
  const userPartition = await table.query(profileKey(userId).PK);
  const profileItem = userPartition.find((item) => item.SK === 'PROFILE');
  const profile = profileItem ? profileOf(profileItem) : undefined;
  const items: TableItem[] = userPartition.filter((item) => item !== profileItem);
  const belongs = (item: TableItem | undefined): item is TableItem => item?.userId === userId;

  if (profile?.psid) {
    const link = await table.get({ PK: `PSID#${profile.psid}`, SK: 'PSID' });
    if (belongs(link)) items.push(link);
  }
  // The session's address is the person's even if the profile no longer names it (a retried deletion).
  for (const email of new Set([profile?.email, caller.email.toLowerCase()])) {
    if (!email) continue;
    const partition = await table.query(`EMAIL#${email}`);
    const link = partition.find((item) => item.SK === 'EMAIL');
    // An address another account owns is not this person's to export or delete.
    if (link === undefined || belongs(link)) items.push(...partition);
  }
  if (profile?.feedTokenHash) {
    const feed = await table.get(feedKey(profile.feedTokenHash));
    if (belongs(feed)) items.push(feed);
  }

  // GSI3 lists every reminder; GSI1 also finds pending ones written before reminders carried GSI3 keys.
  const listed = [
    ...(await table.queryIndex('GSI3', calendarPartition(userId), 'REMINDER#')),
    ...(await table.queryIndex('GSI1', userRemindersPartition(userId))),
  ];
  const reminderIds = [...new Set(listed.map((item) => String(item.reminderId)))];
  const partitions = await mapInGroups(reminderIds, (id) => table.query(reminderKey(id).PK));
  const schedules: string[] = [];
  for (const partition of partitions) {
    const reminder = partition.find((item) => item.SK === 'REMINDER');
    if (!belongs(reminder)) continue;
    // Delivery records first: a deletion that stops halfway still finds them through their reminder.
    items.push(...partition.filter((item) => item !== reminder), reminder);
    if (reminder.status === 'pending') {
      schedules.push(scheduleName(String(reminder.reminderId), Number(reminder.version)));
    }
  }
  return { ...(profileItem ? { profile: profileItem } : {}), items, schedules };
}

/** Code hashes, task tokens and the feed token hash stay in the table (and the nested outcome too). */
const SECRET_ATTRIBUTE = /token|hash|hmac/i;

function withoutSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutSecrets);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([name]) => !SECRET_ATTRIBUTE.test(name))
      .map(([name, inner]) => [name, withoutSecrets(inner)]),
  );
}

function exported(item: TableItem): Record<string, unknown> {
  // The feed item's key is the token's hash itself.
  const { PK, ...rest } = item;
  return withoutSecrets(PK.startsWith('FEED#') ? rest : item) as Record<string, unknown>;
}

export async function exportMe(request: ApiRequest, ports: AccountPorts): Promise<HttpAnswer> {
  const caller = callerOf(request);
  const footprint = await footprintOf(caller, ports.table);
  const body: Export = {
    exportedAt: new Date(ports.now()).toISOString(),
    userId: caller.userId,
    items: [...(footprint.profile ? [footprint.profile] : []), ...footprint.items].map(exported),
    schedules: [...footprint.schedules],
  };
  return ok(body);
}

export async function deleteMe(request: ApiRequest, ports: AccountPorts): Promise<HttpAnswer> {
  await deleteAccount(callerOf(request), ports);
  return noContent;
}

/**
 * Everything about the person, gone: by the person (DELETE /me) or by an admin (`by`, their address).
 * False when nothing was left to delete.
 */
export async function deleteAccount(owner: Caller, ports: AccountPorts, by?: string): Promise<boolean> {
  const { profile, items, schedules } = await footprintOf(owner, ports.table);
  // Schedules first, so none fires for a reminder whose item is gone.
  let schedulesDeleted = 0;
  for (const name of schedules) if (await ports.deleteSchedule(name)) schedulesDeleted++;
  await ports.table.erase(items);
  // The profile last: it names the links and the feed a retry after a crash still has to find.
  if (profile) await ports.table.erase([profile]);
  const itemsDeleted = items.length + (profile ? 1 : 0);
  if (itemsDeleted + schedulesDeleted === 0) return false;
  const deletedAt = new Date(ports.now()).toISOString();
  const { userId } = owner;
  await ports.publish([
    {
      detailType: 'AccountDeleted',
      detail: {
        schemaVersion: 1,
        userId,
        deletedAt,
        itemsDeleted,
        schedulesDeleted,
        ...(by ? { by } : {}),
      },
    },
  ]);
  logger.info('account deleted', { userId, itemsDeleted, schedulesDeleted, byAdmin: by !== undefined });
  return true;
}

const FEED_FILE = /^([A-Za-z0-9_-]{43})\.ics$/;
const sha256Hex = (token: string) => createHash('sha256').update(token).digest('hex');

export async function createCalendarFeed(request: ApiRequest, ports: AccountPorts): Promise<HttpAnswer> {
  const { userId } = callerOf(request);
  if (!(await ports.table.get(profileKey(userId)))) return NO_ACCOUNT;
  const token = Buffer.from(ports.randomBytes()).toString('base64url');
  const hash = sha256Hex(token);
  const createdAt = new Date(ports.now()).toISOString();
  // The item before the profile names it: a crash in between leaves an item whose token nobody was shown.
  await ports.table.put({ ...feedKey(hash), type: 'CalendarFeed', userId, createdAt });
  const swapped = await ports.profiles.swapFeedTokenHash(userId, hash);
  if (!swapped) {
    await ports.table.erase([feedKey(hash)]);
    return NO_ACCOUNT;
  }
  if (swapped.replaced) await ports.table.erase([feedKey(swapped.replaced)]);
  const body: CalendarFeed = { url: `${request.baseUrl}/calendar/${token}.ics`, createdAt };
  return { status: 201, body };
}

export async function deleteCalendarFeed(request: ApiRequest, ports: AccountPorts): Promise<HttpAnswer> {
  const { userId } = callerOf(request);
  const swapped = await ports.profiles.swapFeedTokenHash(userId, undefined);
  if (swapped?.replaced) await ports.table.erase([feedKey(swapped.replaced)]);
  return noContent;
}

// One answer for a malformed, unknown or revoked feed: the address tells nothing about which.
const NO_FEED = problem(404, 'not-found', 'No calendar feed at this address.');

export async function getCalendarFeed(request: ApiRequest, ports: AccountPorts): Promise<HttpAnswer> {
  const token = FEED_FILE.exec(request.path.feed ?? '')?.[1];
  if (!token) return NO_FEED;
  // Looked up by hash: no comparison of the token itself whose timing could leak it.
  const feed = await ports.table.get(feedKey(sha256Hex(token)));
  const userId = text(feed?.userId);
  if (!userId) return NO_FEED;
  const partition = calendarPartition(userId);
  const events = [
    ...(await ports.table.queryIndex('GSI3', partition, 'AT#')),
    ...(await ports.table.queryIndex('GSI3', partition, 'SERIES#')),
  ] as unknown as CalendarEvent[];
  return {
    status: 200,
    text: renderCalendarFeed(events, {
      calendarName: 'Aurora Time',
      now: new Date(ports.now()).toISOString(),
    }),
    contentType: 'text/calendar; charset=utf-8',
    headers: { 'cache-control': 'private, max-age=300' },
  };
}
