/**
 * The REST API client: the session's tokens (sessionStorage, so they end with the tab), one refresh on a 401,
 * and errors turned into ApiError with the problem's field messages; and how the pages read a failure.
 */
import type {
  AdminLockInput,
  AdminLockoutList,
  AdminReasonInput,
  AdminUserDetail,
  AdminUserPage,
  AnalyticsReport,
  CalendarFeed,
  Event,
  EventInput,
  EventPatch,
  Me,
  MePatch,
  Occurrence,
  ProblemField,
  Reminder,
  ReminderInput,
} from './types';

export interface Session {
  readonly email: string;
  readonly accessToken: string;
  readonly refreshToken: string;
}

const SESSION_KEY = 'aurora.session';

export function loadSession(): Session | undefined {
  try {
    const stored = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null') as Partial<Session> | null;
    if (stored && typeof stored.accessToken === 'string' && typeof stored.refreshToken === 'string') {
      return {
        email: stored.email ?? '',
        accessToken: stored.accessToken,
        refreshToken: stored.refreshToken,
      };
    }
  } catch {
    // A corrupt entry is the same as none.
  }
  return undefined;
}

/**
 * Whether the session's access token carries the admin claim. Read for display only (the Admin entry): the
 * token's signature is not checked here, the API checks it on every admin call.
 */
export function isAdminSession(session: Session | undefined): boolean {
  const payload = session?.accessToken.split('.')[1];
  if (!payload) return false;
  try {
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims: unknown = JSON.parse(json);
    return typeof claims === 'object' && claims !== null && (claims as { admin?: unknown }).admin === true;
  } catch {
    return false;
  }
}

export function saveSession(session: Session): void {
  sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
}

export function clearSession(): void {
  sessionStorage.removeItem(SESSION_KEY);
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body: Record<string, unknown> = {},
    readonly fields: readonly ProblemField[] = [],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Whether a failure is the API's answer with that status. */
export function hasStatus(error: unknown, status: number): error is ApiError {
  return error instanceof ApiError && error.status === status;
}

/**
 * Whether a failure ended the session (a 401 that a refresh could not mend): the app is already on its way
 * back to sign-in, so a page shows nothing for it.
 */
export const endsSession = (error: unknown): boolean => hasStatus(error, 401);

/** A failure in words, for a page to show. */
export const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

export const UNREACHABLE = 'Aurora Time could not be reached. Check your connection and try again.';
export const SESSION_ENDED = 'Your session has ended. Please sign in again.';

export interface Answer<T> {
  readonly status: number;
  readonly body: T;
  readonly headers: Headers;
}

/** A page of a listing (OccurrencePage, ReminderPage): its items and the cursor of the next page, if any. */
interface Page<T> {
  readonly items: readonly T[];
  readonly nextCursor?: string | undefined;
}

interface SendOptions {
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

function problemMessage(status: number, body: Record<string, unknown>, headers: Headers): string {
  if (typeof body.detail === 'string') return body.detail;
  if (typeof body.message === 'string') return body.message;
  if (status === 429) {
    const wait = headers.get('retry-after');
    return wait
      ? `Too many requests: try again in ${wait} seconds.`
      : 'Too many requests: try again shortly.';
  }
  if (typeof body.title === 'string') return body.title;
  return `The request failed (${status}).`;
}

function fieldsOf(body: Record<string, unknown>): ProblemField[] {
  if (!Array.isArray(body.errors)) return [];
  return body.errors.filter(
    (entry): entry is ProblemField =>
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as ProblemField).field === 'string' &&
      typeof (entry as ProblemField).message === 'string',
  );
}

async function parse(response: Response): Promise<Record<string, unknown>> {
  const text = await response.text();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** The ETag of an event: the header when CORS exposes it, else the version it mirrors. */
export function etagOf(answer: Answer<Event>): string {
  return answer.headers.get('etag') ?? `"${answer.body.version}"`;
}

/** A random Idempotency-Key; getRandomValues works outside secure contexts too, unlike randomUUID. */
function uniqueKey(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) =>
    byte.toString(16).padStart(2, '0'),
  ).join('');
}

export class Api {
  private session: Session | undefined;
  private refreshing: Promise<boolean> | undefined;

  constructor(
    readonly baseUrl: string,
    /** Called when the session cannot be renewed: the app goes back to sign-in. */
    private readonly onSessionEnded: () => void,
  ) {
    this.session = loadSession();
  }

  get signedIn(): Session | undefined {
    return this.session;
  }

  startSession(session: Session): void {
    this.session = session;
    saveSession(session);
  }

  endSession(): void {
    this.session = undefined;
    clearSession();
  }

  /** An unauthenticated call (sign-in); answers every status instead of throwing on errors. */
  async post(path: string, body: unknown): Promise<Answer<Record<string, unknown>>> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, UNREACHABLE);
    }
    return { status: response.status, body: await parse(response), headers: response.headers };
  }

  /** A call with the session's access token; a 401 refreshes the tokens once and retries. */
  async send<T>(method: string, path: string, options: SendOptions = {}): Promise<Answer<T>> {
    const first = await this.attempt(method, path, options);
    if (first.status !== 401) return this.settle<T>(first);
    if (await this.refresh()) {
      const second = await this.attempt(method, path, options);
      if (second.status !== 401) return this.settle<T>(second);
    }
    this.endSession();
    this.onSessionEnded();
    throw new ApiError(401, SESSION_ENDED);
  }

  private async attempt(method: string, path: string, options: SendOptions): Promise<Response> {
    const headers: Record<string, string> = { ...options.headers };
    if (this.session) headers.authorization = `Bearer ${this.session.accessToken}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(`${this.baseUrl}${path}`, {
        method,
        headers,
        ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
      });
    } catch {
      throw new ApiError(0, UNREACHABLE);
    }
  }

  private async settle<T>(response: Response): Promise<Answer<T>> {
    const body = await parse(response);
    if (!response.ok) {
      throw new ApiError(
        response.status,
        problemMessage(response.status, body, response.headers),
        body,
        fieldsOf(body),
      );
    }
    return { status: response.status, body: body as T, headers: response.headers };
  }

  /** One refresh at a time: calls that fail together wait for the same new tokens. */
  private refresh(): Promise<boolean> {
    this.refreshing ??= (async () => {
      const session = this.session;
      if (!session) return false;
      try {
        const answer = await this.post('/auth/token/refresh', { refreshToken: session.refreshToken });
        const { accessToken, refreshToken } = answer.body;
        if (answer.status !== 200 || typeof accessToken !== 'string' || typeof refreshToken !== 'string') {
          return false;
        }
        this.startSession({ email: session.email, accessToken, refreshToken });
        return true;
      } catch {
        return false;
      }
    })().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  // The operations of functions/calendar-api/operations.ts that the app uses.

  async me(): Promise<Me> {
    return (await this.send<Me>('GET', '/me')).body;
  }

  async updateMe(patch: MePatch): Promise<Me> {
    return (await this.send<Me>('PATCH', '/me', { body: patch })).body;
  }

  async createFeed(): Promise<CalendarFeed> {
    return (await this.send<CalendarFeed>('POST', '/me/calendar-feed')).body;
  }

  async revokeFeed(): Promise<void> {
    await this.send('DELETE', '/me/calendar-feed');
  }

  /** Every occurrence between two dates (both inclusive), all pages. */
  occurrences(from: string, to: string, timeZone: string): Promise<Occurrence[]> {
    return this.allPages<Occurrence>('/events', { from, to, timeZone });
  }

  event(id: string): Promise<Answer<Event>> {
    return this.send<Event>('GET', `/events/${encodeURIComponent(id)}`);
  }

  createEvent(input: EventInput): Promise<Answer<Event>> {
    return this.send<Event>('POST', '/events', {
      body: input,
      // A retried click must not create the event twice.
      headers: { 'idempotency-key': uniqueKey() },
    });
  }

  updateEvent(id: string, etag: string, patch: EventPatch): Promise<Answer<Event>> {
    return this.send<Event>('PATCH', `/events/${encodeURIComponent(id)}`, {
      body: patch,
      headers: { 'if-match': etag },
    });
  }

  async deleteEvent(id: string, etag?: string): Promise<void> {
    await this.send('DELETE', `/events/${encodeURIComponent(id)}`, {
      ...(etag ? { headers: { 'if-match': etag } } : {}),
    });
  }

  reminders(): Promise<Reminder[]> {
    return this.allPages<Reminder>('/reminders', {});
  }

  async createReminder(input: ReminderInput): Promise<Reminder> {
    return (
      await this.send<Reminder>('POST', '/reminders', {
        body: input,
        headers: { 'idempotency-key': uniqueKey() },
      })
    ).body;
  }

  async snoozeReminder(id: string, minutes: number): Promise<Reminder> {
    return (
      await this.send<Reminder>('POST', `/reminders/${encodeURIComponent(id)}/snooze`, { body: { minutes } })
    ).body;
  }

  async cancelReminder(id: string): Promise<void> {
    await this.send('DELETE', `/reminders/${encodeURIComponent(id)}`);
  }

  /** Every item of a listing, following its cursor page by page. */
  private async allPages<T>(path: string, search: Record<string, string>): Promise<T[]> {
    const items: T[] = [];
    let cursor: string | undefined;
    do {
      const query = new URLSearchParams({ ...search, limit: '500' });
      if (cursor) query.set('cursor', cursor);
      const page = (await this.send<Page<T>>('GET', `${path}?${query}`)).body;
      items.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    return items;
  }

  // The admin operations (403 for a session without the admin claim).

  async adminUsers(search: { q?: string; cursor?: string; limit?: number }): Promise<AdminUserPage> {
    const query = new URLSearchParams();
    if (search.q) query.set('q', search.q);
    if (search.cursor) query.set('cursor', search.cursor);
    if (search.limit) query.set('limit', String(search.limit));
    return (await this.send<AdminUserPage>('GET', `/admin/users?${query}`)).body;
  }

  async adminUser(userId: string): Promise<AdminUserDetail> {
    return (await this.send<AdminUserDetail>('GET', adminUserPath(userId))).body;
  }

  async lockUser(userId: string, input: AdminLockInput): Promise<AdminUserDetail> {
    return this.adminUserAction(userId, 'lock', input);
  }

  async unlockUser(userId: string): Promise<AdminUserDetail> {
    return this.adminUserAction(userId, 'unlock');
  }

  async disableUser(userId: string, input: AdminReasonInput): Promise<AdminUserDetail> {
    return this.adminUserAction(userId, 'disable', input);
  }

  async enableUser(userId: string): Promise<AdminUserDetail> {
    return this.adminUserAction(userId, 'enable');
  }

  async deleteUser(userId: string): Promise<void> {
    await this.send('DELETE', adminUserPath(userId));
  }

  async lockouts(): Promise<AdminLockoutList> {
    return (await this.send<AdminLockoutList>('GET', '/admin/lockouts')).body;
  }

  async analytics(from: string, to: string): Promise<AnalyticsReport> {
    const query = new URLSearchParams({ from, to });
    return (await this.send<AnalyticsReport>('GET', `/admin/analytics?${query}`)).body;
  }

  private async adminUserAction(
    userId: string,
    action: 'lock' | 'unlock' | 'disable' | 'enable',
    body?: AdminLockInput | AdminReasonInput,
  ): Promise<AdminUserDetail> {
    const path = `${adminUserPath(userId)}/${action}`;
    return (await this.send<AdminUserDetail>('POST', path, body === undefined ? {} : { body })).body;
  }
}

const adminUserPath = (userId: string) => `/admin/users/${encodeURIComponent(userId)}`;
