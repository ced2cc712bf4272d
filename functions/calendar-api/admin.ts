/**
 * The admin side of the REST API (`/admin/...`): users listed newest first or found by email or PSID, one
 * user in full, lock / unlock, disable / enable, delete. Primary course of a change: read the user's profile
 * by id, make the change on keys (UpdateItem, PutItem, DeleteItem; never a scan), publish the admin event,
 * log the action, answer the user as it is now.
 *
 * A lock is the one the OTP workflow sets after five wrong codes: `lockedUntil` on the address' OTP session
 * item, which its conditional "may I send a code" update checks, so a sign-in request is refused with 429;
 * the LOCK record beside it lists the lock for admins (GSI2 LOCKOUTS) and says who set it and why. A
 * disabled user keeps their data but gets no session, no refresh and no reminder delivery.
 */

import type {
  AdminLockInput,
  AdminLockoutList,
  AdminReasonInput,
  AdminUser,
  AdminUserDetail,
  AdminUserPage,
} from '../../events-schema/generated/api-types';
import { PATTERNS } from '../../events-schema/generated/patterns';
import type { PublishableEvent } from '../shared/events/publish';
import { type FieldError, type HttpAnswer, invalid, noContent, ok, problem } from '../shared/http/answers';
import { logger } from '../shared/logger';
import { userRemindersPartition } from '../shared/reminders/model';
import { type AccountPorts, deleteAccount, profileKey, profileOf, type TableItem } from './account';
import { nextCursor, pageRequest } from './paging';
import { type ApiRequest, type Caller, callerOf } from './request';

/** A lock as the LOCK record holds it. */
export interface AddressLock {
  readonly email: string;
  readonly userId: string;
  readonly lockedUntil: string;
  readonly by: string;
  readonly reason?: string;
  /** TTL of the OTP session item: never earlier than the lock's end. */
  readonly sessionExpiresAt: number;
}

export interface DisabledMark {
  readonly at: string;
  readonly by: string;
  readonly reason?: string;
}

export interface AdminStore {
  /** Whether the address still holds the admin grant (a revoke takes effect before the token expires). */
  readonly grantStands: (email: string) => Promise<boolean>;
  /** A page of the GSI2 USERS listing, newest first, after the listing key `after`. */
  readonly listUsers: (
    limit: number,
    after: string | undefined,
  ) => Promise<{ readonly profiles: readonly TableItem[]; readonly lastListingKey?: string }>;
  /** The LOCK records of GSI2 LOCKOUTS whose end is after `nowIso`, soonest first. */
  readonly currentLocks: (nowIso: string) => Promise<readonly TableItem[]>;
  /** The user's LOGIN records, newest first. */
  readonly recentLogins: (userId: string, limit: number) => Promise<readonly TableItem[]>;
  readonly lockAddress: (lock: AddressLock) => Promise<void>;
  readonly unlockAddress: (email: string) => Promise<void>;
  /** Marks (or, with undefined, unmarks) the profile; the profile after, or undefined when there is none. */
  readonly markDisabled: (userId: string, mark: DisabledMark | undefined) => Promise<TableItem | undefined>;
}

export type AdminPorts = AccountPorts & { readonly admin: AdminStore };

type AdminUseCase<Body = unknown> = (request: ApiRequest<Body>, ports: AdminPorts) => Promise<HttpAnswer>;

const DEFAULT_LOCK_MINUTES = 15;
const SHOWN_REMINDERS = 10;
const SHOWN_LOGINS = 10;
const DAY_SECONDS = 24 * 3600;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const userIdOfProfile = (item: TableItem): string => item.PK.slice('USER#'.length);

const NO_USER = problem(404, 'not-found', 'There is no user with this id.');
const NOT_YOURSELF = problem(
  409,
  'own-account',
  'An admin cannot lock, disable or delete their own account here: ask another admin.',
);

/** The admin's session must still hold the grant: checked before every admin operation. */
export async function adminGrantStands(request: ApiRequest, ports: AdminPorts): Promise<boolean> {
  return ports.admin.grantStands(callerOf(request).email);
}

async function lockOf(ports: AdminPorts, email: string | undefined): Promise<AdminUserDetail['lock']> {
  if (!email) return null;
  const record = await ports.table.get({ PK: `EMAIL#${email}`, SK: 'LOCK' });
  const lockedUntil = text(record?.lockedUntil);
  if (!record || !lockedUntil || Date.parse(lockedUntil) <= ports.now()) return null;
  const by = text(record.by);
  const reason = text(record.reason);
  return {
    lockedUntil,
    source: by ? 'admin' : 'wrong-codes',
    ...(by ? { by } : {}),
    ...(reason ? { reason } : {}),
  };
}

function summaryOf(item: TableItem, lockedUntil: string | undefined): AdminUser {
  const profile = profileOf(item);
  return {
    userId: userIdOfProfile(item),
    ...(profile.email ? { email: profile.email } : {}),
    ...(profile.psid ? { psid: profile.psid } : {}),
    timeZone: profile.timeZone ?? 'UTC',
    createdAt: profile.createdAt,
    disabled: item.disabled === true,
    ...(lockedUntil ? { lockedUntil } : {}),
  };
}

/** The users of a page with their locks: one query of the current locks, not a read per user. */
async function summarise(ports: AdminPorts, items: readonly TableItem[]): Promise<AdminUser[]> {
  if (items.length === 0) return [];
  const locks = await ports.admin.currentLocks(new Date(ports.now()).toISOString());
  const lockedUntil = new Map(locks.map((lock) => [text(lock.email), text(lock.lockedUntil)]));
  return items.map((item) => summaryOf(item, lockedUntil.get(text(item.email))));
}

async function detailOf(ports: AdminPorts, item: TableItem): Promise<AdminUserDetail> {
  const userId = userIdOfProfile(item);
  const email = text(item.email);
  const [lock, grant, pending, logins] = await Promise.all([
    lockOf(ports, email),
    email ? ports.admin.grantStands(email) : Promise.resolve(false),
    ports.table.queryIndex('GSI1', userRemindersPartition(userId)),
    ports.admin.recentLogins(userId, SHOWN_LOGINS),
  ]);
  const disabledAt = text(item.disabledAt);
  return {
    ...summaryOf(item, lock?.lockedUntil),
    admin: grant,
    ...(disabledAt ? { disabledAt } : {}),
    reminders: {
      pending: pending.length,
      next: pending.slice(0, SHOWN_REMINDERS).map((reminder) => ({
        reminderId: String(reminder.reminderId),
        title: String(reminder.title),
        nextDueAt: String(reminder.nextDueAt),
      })),
    },
    recentLogins: logins.map((login) => ({
      at: String(login.at),
      channel: login.channel === 'messenger' ? 'messenger' : 'web',
    })),
    lock,
  };
}

/** The user the path names, or the answer to give when there is none. */
async function targetUser(request: ApiRequest, ports: AdminPorts): Promise<TableItem | HttpAnswer> {
  const userId = request.path.userId ?? '';
  return (await ports.table.get(profileKey(userId))) ?? NO_USER;
}

const isAnswer = (value: TableItem | HttpAnswer): value is HttpAnswer => 'status' in value;

type AdminEvent = Extract<
  PublishableEvent,
  { detailType: 'UserLocked' | 'UserUnlocked' | 'UserDisabled' | 'UserEnabled' }
>;

/** Logs and publishes an admin action: who did what to whom (never a token, never a body). */
async function record(ports: AdminPorts, action: string, event: AdminEvent) {
  await ports.publish([event]);
  logger.info('admin action', { action, by: event.detail.by, userId: event.detail.userId });
}

/** What every admin event says: who did it to whom and when, and the admin's reason when one was given. */
const actionDetail = (admin: Caller, userId: string, at: string, reason?: string) => ({
  schemaVersion: 1 as const,
  userId,
  by: admin.email,
  at,
  ...(reason ? { reason } : {}),
});

async function findUser(query: string, ports: AdminPorts): Promise<TableItem | undefined> {
  const link = query.includes('@')
    ? await ports.table.get({ PK: `EMAIL#${query.toLowerCase()}`, SK: 'EMAIL' })
    : await ports.table.get({ PK: `PSID#${query}`, SK: 'PSID' });
  const userId = text(link?.userId);
  return userId ? ports.table.get(profileKey(userId)) : undefined;
}

export const adminListUsers: AdminUseCase = async (request, ports) => {
  const errors: FieldError[] = [];
  const { limit, after } = pageRequest(request.query, errors);
  const query = request.query.q?.trim();
  if (query !== undefined && !query.includes('@') && !PATTERNS.Psid.test(query)) {
    errors.push({ field: 'q', rule: 'lookup', message: 'q must be an email address or a PSID (digits).' });
  }
  if (errors.length > 0) return invalid(errors);
  if (query) {
    const found = await findUser(query, ports);
    const page: AdminUserPage = { items: await summarise(ports, found ? [found] : []) };
    return ok(page);
  }
  const { profiles, lastListingKey } = await ports.admin.listUsers(limit, after);
  const page: AdminUserPage = {
    items: await summarise(ports, profiles),
    ...nextCursor(lastListingKey),
  };
  return ok(page);
};

export const adminGetUser: AdminUseCase = async (request, ports) => {
  const user = await targetUser(request, ports);
  return isAnswer(user) ? user : ok(await detailOf(ports, user));
};

const isOwnAccount = (admin: Caller, user: TableItem) => userIdOfProfile(user) === admin.userId;

export const adminLockUser: AdminUseCase<AdminLockInput> = async (request, ports) => {
  const admin = callerOf(request);
  const user = await targetUser(request, ports);
  if (isAnswer(user)) return user;
  if (isOwnAccount(admin, user)) return NOT_YOURSELF;
  const email = text(user.email);
  if (!email)
    return problem(409, 'no-address', 'This user has no email address, so there is no sign-in to lock.');
  const now = ports.now();
  const until = now + (request.body.minutes ?? DEFAULT_LOCK_MINUTES) * 60_000;
  const lockedUntil = new Date(until).toISOString();
  const { reason } = request.body;
  const userId = userIdOfProfile(user);
  await ports.admin.lockAddress({
    email,
    userId,
    lockedUntil,
    by: admin.email,
    ...(reason ? { reason } : {}),
    sessionExpiresAt: Math.max(Math.ceil(until / 1000), Math.floor(now / 1000) + DAY_SECONDS),
  });
  await record(ports, 'lock', {
    detailType: 'UserLocked',
    detail: { ...actionDetail(admin, userId, new Date(now).toISOString(), reason), lockedUntil },
  });
  return ok(await detailOf(ports, user));
};

export const adminUnlockUser: AdminUseCase = async (request, ports) => {
  const admin = callerOf(request);
  const user = await targetUser(request, ports);
  if (isAnswer(user)) return user;
  const email = text(user.email);
  if (email) await ports.admin.unlockAddress(email);
  await record(ports, 'unlock', {
    detailType: 'UserUnlocked',
    detail: actionDetail(admin, userIdOfProfile(user), new Date(ports.now()).toISOString()),
  });
  return ok(await detailOf(ports, user));
};

export const adminDisableUser: AdminUseCase<AdminReasonInput> = async (request, ports) => {
  const admin = callerOf(request);
  const user = await targetUser(request, ports);
  if (isAnswer(user)) return user;
  if (isOwnAccount(admin, user)) return NOT_YOURSELF;
  const at = new Date(ports.now()).toISOString();
  const { reason } = request.body;
  const changed = await ports.admin.markDisabled(userIdOfProfile(user), {
    at,
    by: admin.email,
    ...(reason ? { reason } : {}),
  });
  if (!changed) return NO_USER;
  await record(ports, 'disable', {
    detailType: 'UserDisabled',
    detail: actionDetail(admin, userIdOfProfile(user), at, reason),
  });
  return ok(await detailOf(ports, changed));
};

export const adminEnableUser: AdminUseCase = async (request, ports) => {
  const admin = callerOf(request);
  const user = await targetUser(request, ports);
  if (isAnswer(user)) return user;
  const changed = await ports.admin.markDisabled(userIdOfProfile(user), undefined);
  if (!changed) return NO_USER;
  await record(ports, 'enable', {
    detailType: 'UserEnabled',
    detail: actionDetail(admin, userIdOfProfile(user), new Date(ports.now()).toISOString()),
  });
  return ok(await detailOf(ports, changed));
};

export const adminDeleteUser: AdminUseCase = async (request, ports) => {
  const admin = callerOf(request);
  const user = await targetUser(request, ports);
  if (isAnswer(user)) return user;
  if (isOwnAccount(admin, user)) return NOT_YOURSELF;
  const owner: Caller = { userId: userIdOfProfile(user), email: text(user.email) ?? '' };
  await deleteAccount(owner, ports, admin.email);
  logger.info('admin action', { action: 'delete', by: admin.email, userId: owner.userId });
  return noContent;
};

export const adminListLockouts: AdminUseCase = async (_request, ports) => {
  const locks = await ports.admin.currentLocks(new Date(ports.now()).toISOString());
  const list: AdminLockoutList = {
    items: locks.map((lock) => {
      const userId = text(lock.userId);
      return {
        email: String(lock.email),
        lockedUntil: String(lock.lockedUntil),
        source: text(lock.by) ? 'admin' : 'wrong-codes',
        ...(userId ? { userId } : {}),
      };
    }),
  };
  return ok(list);
};
